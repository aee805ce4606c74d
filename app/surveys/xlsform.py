"""Import an XLSForm (.xlsx) as a questionnaire in our format (docs/survey-format.md).

`xlsform_to_definition(path) -> dict` returns the questionnaire as a dict in the YAML format
(Dutch is the default language); `dump_yaml(data) -> str` writes it as YAML.
`import_xlsform(path) -> XLSFormImport(definition, warnings)` also returns the warnings.
Anything that cannot be carried over faithfully is refused: `XLSFormError.problems` lists
ALL problems, each naming sheet, row and feature. The result is checked with our loader.

Mapping:
- select_one -> single_choice (appearance minimal -> display: dropdown);
  select_multiple -> multiple_choice (`or_other` -> other: true); rank -> ranking;
  integer / decimal -> number (integer: true / false); text -> short_text (appearance
  multiline -> long_text); date -> date; begin_group/end_group -> a page (group relevant ->
  page show_if); questions outside groups go on generated pages `pagina_<n>`.
- note: notes at the start of a group (before its first question) become the page intro;
  a note elsewhere, or with `relevant`, is refused (text would move or change meaning).
- label / hint: `label::Dutch (nl)` and `label::English (en)` (also `::nl`, `::en`,
  `::Nederlands`, `::English`); a plain `label` goes to both languages; a missing language
  is filled from the other one with a warning. Other languages are ignored (warning).
- required: yes/no/true/false/true()/false()/1/0; hint -> help.
- relevant -> show_if for: ${q} = 'x', ${q} != 'x', selected(${q}, 'x'), ${q} > n (>=, <,
  <=, =, != on numbers), ${q} = '' / != '' (answered), combined with and/or/not().
- constraint: `. >= a and . <= b` (and >, < on integers) -> min/max; string-length(.) <= n
  -> max_length; count-selected(.) >= / <= n -> min_choices / max_choices;
  . >= date('YYYY-MM-DD') on dates. Anything else is refused.
- choice names -> codes: when all names of a list are whole numbers >= 1 they are the codes;
  otherwise codes 1..n are assigned in sheet order (labels are left as they are) and the
  mapping is reported as a warning; relevant expressions are translated with it.
- settings: form_id -> slug (lowercase, runs of other characters -> '-'; the file name when
  missing), form_title -> title. Our own fields may be given as extra settings columns
  intro, purpose, organiser (with language suffixes like labels) and anonymity; missing ones
  get a "TODO" placeholder (anonymity: anonymous) and a warning.
- ignored with a warning: metadata types (start, end, today, deviceid, ...),
  constraint_message, required_message, guidance_hint, unknown columns, unknown appearances.
- refused: calculate, geopoint/geotrace/geoshape, image/audio/video/file, barcode, time,
  datetime, range, acknowledge, repeat groups, nested groups, select_*_from_file, external
  choices, or_other on select_one, calculation/default/choice_filter/repeat_count/read_only/
  trigger/media columns, complex relevant/constraint/required expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.surveys._xlsform_rows import RowConverter, XLSFormProblem
from app.surveys.loader import DefinitionError, load_definition_text

__all__ = [
    "XLSFormError",
    "XLSFormImport",
    "XLSFormProblem",
    "dump_yaml",
    "import_xlsform",
    "xlsform_to_definition",
]


class XLSFormError(Exception):
    def __init__(self, problems: list[XLSFormProblem]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "the XLSForm cannot be imported:\n" + "\n".join(f"- {p}" for p in self.problems)


@dataclass
class XLSFormImport:
    definition: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _read_workbook(path: Path) -> dict[str, Any]:
    from pyxform.xls2json_backends import xlsx_to_dict

    if path.suffix.lower() != ".xlsx":
        raise XLSFormError([XLSFormProblem("file", None, "only .xlsx workbooks are supported")])
    try:
        return xlsx_to_dict(str(path))
    except Exception as exc:  # pyxform raises several kinds for unreadable workbooks
        raise XLSFormError([XLSFormProblem("file", None, f"cannot read the workbook: {exc}")]) from exc


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:80].strip("-")


def import_xlsform(path: str | Path) -> XLSFormImport:
    """Convert an XLSForm; raises XLSFormError listing every unsupported feature."""
    path = Path(path)
    book = _read_workbook(path)
    rows = RowConverter(book)
    pages = rows.convert()
    settings = rows.settings()
    slug = _slug(settings.get("form_id") or path.stem)
    if not slug:
        rows.problem("settings", 2, "form_id cannot be turned into a slug (use a-z, 0-9 and -)")
    title = rows.text(settings, "form_title", "settings", 2) or {"nl": path.stem, "en": path.stem}
    definition: dict[str, Any] = {"slug": slug, "title": title}
    for name in ("intro", "purpose", "organiser"):
        text = rows.text(settings, name, "settings", 2)
        if text is None:
            rows.warnings.append(f"settings: no '{name}' column; a TODO placeholder was put in")
            text = {"nl": f"TODO: {name}", "en": f"TODO: {name}"}
        definition[name] = text
    anonymity = (settings.get("anonymity") or "").strip().lower()
    if anonymity not in ("anonymous", "pseudonymous", "identified"):
        if anonymity:
            rows.problem(
                "settings",
                2,
                f"anonymity '{anonymity}' must be anonymous, pseudonymous or identified",
            )
        else:
            rows.warnings.append("settings: no 'anonymity' column; 'anonymous' was used")
        anonymity = "anonymous"
    definition["anonymity"] = anonymity
    definition["pages"] = pages
    if not pages and not rows.problems:
        rows.problem("survey", None, "the form has no questions")
    if rows.problems:
        raise XLSFormError(rows.problems)
    try:
        load_definition_text(dump_yaml(definition), f"{path.name} (converted)")
    except DefinitionError as exc:
        raise XLSFormError(
            [XLSFormProblem("converted questionnaire", None, i.message) for i in exc.errors]
        ) from exc
    return XLSFormImport(definition, rows.warnings)


def xlsform_to_definition(path: str | Path) -> dict[str, Any]:
    """The questionnaire dict of an XLSForm (see `import_xlsform` for the warnings)."""
    return import_xlsform(path).definition


class _Dumper(yaml.SafeDumper):
    """Block style overall; texts, options and condition leaves in flow style (as in the spec)."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    keys = set(data)
    flow = (
        keys <= {"nl", "en"}
        or (keys <= {"code", "label", "test"} and "code" in keys)
        or ("question" in keys and len(keys) == 2)  # a condition leaf
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)


def dump_yaml(data: dict[str, Any], header: str | None = None) -> str:
    """YAML text of a definition dict (key order kept); `header` becomes leading comments."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    if header:
        comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
        text = comments + text
    return text
