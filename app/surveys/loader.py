"""Strict loading of survey definition files (docs/survey-format.md).

Every problem is reported with file name, 1-based line and an English message, e.g.
`surveys/x.yaml:42: question 'kanalen': unknown field 'optons' (did you mean 'options'?)`.
Problems are collected (not just the first) and raised together as `DefinitionError`,
whose `errors` is a list of `DefinitionIssue(file, line, message)`.

Public API:
- `load_definition(path, catalogue=None, *, root=None, require_en=True) -> SurveyDefinition`
- `load_findings(path, *, root=None, require_en=True) -> FindingsCatalogue`
- `load_poll(path, *, root=None, require_en=True) -> PollDefinition`
- `load_definition_text / load_findings_text / load_poll_text(text, file=...)`: same, from a
  string (uploads, tests)
- `load_directory(directory) -> (catalogue, [SurveyDefinition], [PollDefinition])`:
  `findings.yaml` is the catalogue, `*.yaml` questionnaires, `polls/*.yaml` polls; files must
  resolve inside `directory`; slugs must be unique.
- `validate_paths(paths, *, root=None) -> list[DefinitionIssue]` (empty when all is well).

With `root`, a path must resolve (symlinks included) inside `root`. YAML is parsed with the
SafeLoader node composer: only standard tags; duplicate keys, merge keys and recursive
aliases are errors. `catalogue=None` skips checking `test` references; `require_en=False`
accepts texts without English (the files under surveys/ require both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from yaml.nodes import MappingNode, Node

from app.surveys._fields import FINDING_ID_HINT, FINDING_ID_RE, SLUG_HINT, SLUG_RE, parse_options
from app.surveys._questionnaire import QuestionnaireParser
from app.surveys._yamlnodes import (
    DefinitionError,
    DefinitionIssue,
    Reader,
    compose,
    describe,
    line_of,
)
from app.surveys.definitions import (
    Finding,
    FindingsCatalogue,
    PollDefinition,
    SurveyDefinition,
)

__all__ = [
    "DefinitionError",
    "DefinitionIssue",
    "load_definition",
    "load_definition_text",
    "load_directory",
    "load_findings",
    "load_findings_text",
    "load_poll",
    "load_poll_text",
    "validate_paths",
]

MAX_FILE_BYTES = 1_000_000
YAML_SUFFIXES = (".yaml", ".yml")
FINDINGS_FILE = "findings.yaml"
POLLS_DIR = "polls"
T = TypeVar("T")


# -- parsing node trees -------------------------------------------------------------------


def _parse_findings(r: Reader, root: Node) -> FindingsCatalogue | None:
    before = len(r.issues)
    f = r.mapping(root, "findings file", ("findings",), ("findings",))
    if f is None or "findings" not in f:
        return None
    findings = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.sequence(f.get("findings"), "findings file", "findings", 1) or ()):
        where = f"finding {i + 1}"
        ff = r.mapping(
            node,
            where,
            ("id", "section", "statement", "interview", "note"),
            ("id", "section", "statement"),
        )
        if ff is None:
            continue
        fid = r.string(ff.get("id"), where, "id", FINDING_ID_RE, FINDING_ID_HINT) if "id" in ff else None
        if fid is not None:
            where = f"finding '{fid}'"
            if fid in seen:
                r.error(ff.get("id"), f"duplicate finding id '{fid}' (first on line {seen[fid]})")
            seen.setdefault(fid, line_of(ff.get("id")))
        section = None
        if "section" in ff:
            node_s = ff.get("section")
            if node_s.tag.endswith((":float", ":int")):
                r.error(
                    node_s,
                    f"{where}: 'section' must be quoted text like \"{node_s.value}\" "
                    f"(unquoted, YAML reads it as {describe(node_s)})",
                )
            else:
                section = r.string(node_s, where, "section")
        statement = r.text(ff.get("statement"), where, "statement") if "statement" in ff else None
        note = r.text(ff.get("note"), where, "note") if "note" in ff else None
        count = of = None
        if "interview" in ff:
            fi = r.mapping(ff.get("interview"), f"{where}: 'interview'", ("count", "of"), ("count", "of"))
            if fi is not None and "count" in fi and "of" in fi:
                count = r.integer(fi.get("count"), where, "interview.count", minimum=0)
                of = r.integer(fi.get("of"), where, "interview.of", minimum=1)
                if count is not None and of is not None and count > of:
                    r.error(
                        fi.get("count"),
                        f"{where}: interview count {count} is more than 'of' ({of})",
                    )
        if None not in (fid, section, statement):
            findings.append(Finding(fid, section, statement, count, of, note))
    if len(r.issues) > before:
        return None
    return FindingsCatalogue(tuple(findings))


def _parse_poll(r: Reader, root: Node) -> PollDefinition | None:
    before = len(r.issues)
    where = "poll"
    fields = ("slug", "question", "multiple", "options", "opens", "closes", "show_results")
    f = r.mapping(root, where, fields, ("slug", "question", "options"))
    if f is None:
        return None
    slug = r.string(f.get("slug"), where, "slug", SLUG_RE, SLUG_HINT) if "slug" in f else None
    question = r.text(f.get("question"), where, "question") if "question" in f else None
    options = None
    if "options" in f:
        options = parse_options(r, f.get("options"), where, None, min_items=2)
    flags = {}
    for name, default in (("multiple", False), ("show_results", True)):
        value = r.boolean(f.get(name), where, name) if name in f else None
        flags[name] = default if value is None else value
    opens = r.date(f.get("opens"), where, "opens") if "opens" in f else None
    closes = r.date(f.get("closes"), where, "closes") if "closes" in f else None
    if opens is not None and closes is not None and opens > closes:
        r.error(f.get("closes"), f"{where}: 'closes' ({closes}) is before 'opens' ({opens})")
    if len(r.issues) > before:
        return None
    return PollDefinition(slug, question, options, flags["multiple"], opens, closes, flags["show_results"])


# -- files ----------------------------------------------------------------------------------


def _read(path: str | Path, root: str | Path | None, issues: list[DefinitionIssue]) -> str | None:
    """The text of a definition file, or None after recording why it cannot be read."""
    path = Path(path)
    name = str(path)

    def fail(message: str, line: int = 1) -> None:
        issues.append(DefinitionIssue(name, line, message))

    if path.suffix not in YAML_SUFFIXES:
        fail("not a YAML file (expected .yaml)")
        return None
    if root is not None:
        if ".." in path.parts:
            fail("'..' is not allowed in definition paths")
            return None
        try:
            inside = path.resolve(strict=True).is_relative_to(Path(root).resolve(strict=True))
        except OSError as exc:
            fail(f"cannot read file: {exc.strerror or exc}")
            return None
        if not inside:
            fail(f"file is outside the surveys directory {root}")
            return None
    try:
        if not path.is_file():
            fail("not a file")
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            fail(f"file is larger than {MAX_FILE_BYTES} bytes")
            return None
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read file: {exc.strerror or exc}")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail("file is not valid UTF-8", data[: exc.start].count(b"\n") + 1)
        return None


def _load_text(text: str, file: str, parse: Callable[[Reader, Node], T | None], require_en: bool) -> T:
    issues: list[DefinitionIssue] = []
    node = compose(text, file, issues)
    result = parse(Reader(file, issues, require_en), node) if node is not None else None
    if issues or result is None:
        issues.sort(key=lambda issue: issue.line)  # stable: same-line issues keep their order
        raise DefinitionError(issues or [DefinitionIssue(file, 1, "could not be loaded")])
    return result


def _load_file(path, root, parse, require_en):
    issues: list[DefinitionIssue] = []
    text = _read(path, root, issues)
    if text is None:
        raise DefinitionError(issues)
    return _load_text(text, str(path), parse, require_en)


def _questionnaire(catalogue: FindingsCatalogue | None):
    return lambda r, node: QuestionnaireParser(r, catalogue).parse(node)


def load_definition_text(
    text: str,
    file: str = "<string>",
    catalogue: FindingsCatalogue | None = None,
    *,
    require_en: bool = True,
) -> SurveyDefinition:
    return _load_text(text, file, _questionnaire(catalogue), require_en)


def load_findings_text(text: str, file: str = "<string>", *, require_en: bool = True):
    return _load_text(text, file, _parse_findings, require_en)


def load_poll_text(text: str, file: str = "<string>", *, require_en: bool = True):
    return _load_text(text, file, _parse_poll, require_en)


def load_definition(
    path: str | Path,
    catalogue: FindingsCatalogue | None = None,
    *,
    root: str | Path | None = None,
    require_en: bool = True,
) -> SurveyDefinition:
    return _load_file(path, root, _questionnaire(catalogue), require_en)


def load_findings(
    path: str | Path, *, root: str | Path | None = None, require_en: bool = True
) -> FindingsCatalogue:
    return _load_file(path, root, _parse_findings, require_en)


def load_poll(path: str | Path, *, root: str | Path | None = None, require_en: bool = True) -> PollDefinition:
    return _load_file(path, root, _parse_poll, require_en)


# -- several files ----------------------------------------------------------------------------


def _slug_line(path: Path) -> int:
    """Line of the top-level `slug:` of a file that loaded fine (for duplicate-slug errors)."""
    node = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if key.value == "slug":
                return line_of(value)
    return 1


def _classify(path: Path) -> str:
    if path.name == FINDINGS_FILE:
        return "findings"
    if path.parent.name == POLLS_DIR:
        return "poll"
    return "questionnaire"


def _load_many(paths: Iterable[str | Path], root: Path | None, issues: list[DefinitionIssue]):
    """Load files by kind, collecting issues; questionnaires use the catalogue next to them.

    Returns (directory -> catalogue or None when broken, [(path, definition)], [(path, poll)]).
    """
    paths = [Path(p) for p in paths]
    catalogues: dict[Path, FindingsCatalogue | None] = {}
    for path in paths:
        if _classify(path) == "findings":
            try:
                catalogues[path.parent] = load_findings(path, root=root)
            except DefinitionError as exc:
                issues.extend(exc.errors)
                catalogues[path.parent] = None

    def catalogue_for(directory: Path) -> FindingsCatalogue | None:
        if directory not in catalogues:
            catalogues[directory] = FindingsCatalogue()
            candidate = directory / FINDINGS_FILE
            if candidate.exists():
                try:
                    catalogues[directory] = load_findings(candidate, root=root)
                except DefinitionError as exc:
                    issues.extend(exc.errors)
                    catalogues[directory] = None
        return catalogues[directory]

    definitions: list[tuple[Path, SurveyDefinition]] = []
    polls: list[tuple[Path, PollDefinition]] = []
    for path in paths:
        kind = _classify(path)
        try:
            if kind == "poll":
                polls.append((path, load_poll(path, root=root)))
            elif kind == "questionnaire":
                definition = load_definition(path, catalogue_for(path.parent), root=root)
                definitions.append((path, definition))
        except DefinitionError as exc:
            issues.extend(exc.errors)
    for items in (definitions, polls):
        first: dict[str, Path] = {}
        for path, item in items:
            if item.slug in first:
                issues.append(
                    DefinitionIssue(
                        str(path),
                        _slug_line(path),
                        f"slug '{item.slug}' is already used by {first[item.slug]}",
                    )
                )
            else:
                first[item.slug] = path
    return catalogues, definitions, polls


def _yaml_files(directory: Path) -> list[Path]:
    """*.yaml / *.yml files, sorted; hidden files (editor backups, .#locks) are skipped."""
    return sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and not p.name.startswith("."))


def load_directory(
    directory: str | Path,
) -> tuple[FindingsCatalogue, list[SurveyDefinition], list[PollDefinition]]:
    """Load a surveys directory; raises one DefinitionError listing every problem."""
    directory = Path(directory)
    issues: list[DefinitionIssue] = []
    files = _yaml_files(directory)
    polls_dir = directory / POLLS_DIR
    if polls_dir.is_dir():
        files += _yaml_files(polls_dir)
    catalogues, definitions, polls = _load_many(files, directory, issues)
    if issues:
        raise DefinitionError(issues)
    catalogue = catalogues.get(directory) or FindingsCatalogue()
    return catalogue, [d for _, d in definitions], [p for _, p in polls]


def validate_paths(paths: Iterable[str | Path], *, root: str | Path | None = None) -> list[DefinitionIssue]:
    """Check files (questionnaires, findings.yaml, polls/*.yaml); returns all problems."""
    issues: list[DefinitionIssue] = []
    _load_many(paths, Path(root) if root is not None else None, issues)
    return issues
