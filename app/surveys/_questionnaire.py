"""Parsing and validating a questionnaire node tree (internal; see `app.surveys.loader`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from yaml.nodes import Node

from app.surveys._fields import (
    KEY_HINT,
    KEY_RE,
    SLUG_HINT,
    SLUG_RE,
    parse_finding_link,
    peek,
)
from app.surveys._question_types import TYPE_PARSERS
from app.surveys._show_if import ConditionParser, VarInfo
from app.surveys._yamlnodes import Fields, Reader, line_of, suggest
from app.surveys.definitions import (
    ANONYMITY_LEVELS,
    COMMON_FIELDS,
    TYPE_FIELDS,
    FindingsCatalogue,
    Page,
    Question,
    SurveyDefinition,
)

SURVEY_FIELDS = ("slug", "title", "intro", "purpose", "organiser", "anonymity", "pages")
PAGE_FIELDS = ("key", "title", "intro", "show_if", "questions")
ALL_TYPE_FIELDS = sorted({f for fields in TYPE_FIELDS.values() for f in fields})
TESTABLE = ("likert", "single_choice")


@dataclass
class _Claim:
    line: int
    what: str


class QuestionnaireParser:
    def __init__(self, reader: Reader, catalogue: FindingsCatalogue | None = None):
        self.r = reader
        self.catalogue = catalogue
        self.names: dict[str, _Claim] = {}
        self.vars: dict[str, VarInfo] = {}
        self.matrices: dict[str, list[str]] = {}
        self.position = 0
        self.pending: list[tuple[str, int, Node, int, str, str | None]] = []

    # -- top level -----------------------------------------------------------------------

    def parse(self, root: Node) -> SurveyDefinition | None:
        r, where = self.r, "questionnaire"
        before = len(r.issues)
        f = r.mapping(root, where, SURVEY_FIELDS, SURVEY_FIELDS)
        if f is None:
            return None
        slug = r.string(f.get("slug"), where, "slug", SLUG_RE, SLUG_HINT) if "slug" in f else None
        texts = {
            name: r.text(f.get(name), where, name)
            for name in ("title", "intro", "purpose", "organiser")
            if name in f
        }
        anonymity = None
        if "anonymity" in f:
            anonymity = r.string(f.get("anonymity"), where, "anonymity")
            if anonymity is not None and anonymity not in ANONYMITY_LEVELS:
                r.error(
                    f.get("anonymity"),
                    f"{where}: 'anonymity' must be one of {', '.join(ANONYMITY_LEVELS)}, got '{anonymity}'",
                )
        pages: list[Page | None] = []
        if "pages" in f:
            for i, node in enumerate(r.sequence(f.get("pages"), where, "pages", 1) or ()):
                pages.append(self._page(node, i))
        conditions = ConditionParser(r, self.vars, self.matrices)
        for kind, index, node, limit, owner_where, self_key in self.pending:
            condition = conditions.parse(node, owner_where, limit, self_key, kind == "page")
            pages[index] = self._attach(pages[index], kind, self_key, condition)
        if len(r.issues) > before:
            return None
        return SurveyDefinition(
            slug=slug,
            title=texts["title"],
            intro=texts["intro"],
            purpose=texts["purpose"],
            organiser=texts["organiser"],
            anonymity=anonymity,
            pages=tuple(pages),
        )

    @staticmethod
    def _attach(page: Page | None, kind: str, key: str | None, condition: object) -> Page | None:
        if page is None or condition is None:
            return page
        if kind == "page":
            return dataclasses.replace(page, show_if=condition)
        questions = tuple(
            dataclasses.replace(q, show_if=condition) if q.key == key else q for q in page.questions
        )
        return dataclasses.replace(page, questions=questions)

    def claim(self, name: str, node: Node | int, where: str, noun: str, owner: str) -> bool:
        """Reserve a page key, question key or variable name; they share one namespace."""
        line = node if isinstance(node, int) else line_of(node)
        previous = self.names.get(name)
        if previous is not None:
            self.r.error(
                line,
                f"{where}: {noun} '{name}' is already used by the {previous.what} on line {previous.line}",
            )
            return False
        self.names[name] = _Claim(line, owner)
        return True

    def _key(self, f: Fields, where: str, owner: str) -> str | None:
        node = f.get("key")
        if node is None:
            return None
        key = self.r.string(node, where, "key", KEY_RE, KEY_HINT)
        if key is not None and not self.claim(key, node, where, "key", owner):
            return None
        return key

    # -- pages ---------------------------------------------------------------------------

    def _page(self, node: Node, index: int) -> Page | None:
        r = self.r
        where = f"page '{peek(node, 'key')}'" if peek(node, "key") else f"page {index + 1}"
        f = r.mapping(node, where, PAGE_FIELDS, ("key", "title", "questions"))
        if f is None:
            return None
        key = self._key(f, where, "page")
        title = r.text(f.get("title"), where, "title") if "title" in f else None
        intro = r.text(f.get("intro"), where, "intro") if "intro" in f else None
        if "show_if" in f:
            self.pending.append(("page", index, f.get("show_if"), self.position, where, key))
        questions = []
        if "questions" in f:
            for i, q in enumerate(r.sequence(f.get("questions"), where, "questions", 1) or ()):
                questions.append(self._question(q, where, i, index))
        if key is None or title is None or not questions or None in questions:
            return None
        return Page(key=key, title=title, questions=tuple(questions), intro=intro)

    # -- questions -----------------------------------------------------------------------

    def _question(self, node: Node, page_where: str, index: int, page_index: int):
        r = self.r
        peeked_key, qtype = peek(node, "key"), peek(node, "type")
        where = f"question '{peeked_key}'" if peeked_key else f"question {index + 1} of {page_where}"
        if qtype in TYPE_FIELDS:
            allowed = COMMON_FIELDS + TYPE_FIELDS[qtype]
            misplaced = {
                name: f"field '{name}' does not apply to {qtype} questions"
                for name in ALL_TYPE_FIELDS
                if name not in allowed
            }
        else:
            allowed, misplaced = COMMON_FIELDS + tuple(ALL_TYPE_FIELDS), None
        before = len(r.issues)
        f = r.mapping(node, where, allowed, ("key", "type", "text"), misplaced)
        if f is None:
            return None
        position = self.position
        self.position += 1
        key = self._key(f, where, "question")
        if "type" in f and qtype not in TYPE_FIELDS:
            value = r.string(f.get("type"), where, "type")
            if value is not None:
                r.error(
                    f.get("type"),
                    f"{where}: unknown question type '{value}'{suggest(value, TYPE_FIELDS)}; "
                    f"use one of {', '.join(TYPE_FIELDS)}",
                )
            qtype = None
        kwargs: dict = {
            "key": key,
            "type": qtype,
            "text": r.text(f.get("text"), where, "text") if "text" in f else None,
            "help": r.text(f.get("help"), where, "help") if "help" in f else None,
            "required": bool(r.boolean(f.get("required"), where, "required")) if "required" in f else False,
        }
        if "show_if" in f:
            self.pending.append(("question", page_index, f.get("show_if"), position, where, key))
        test = None
        if "test" in f:
            if qtype in TESTABLE or qtype is None:
                test = parse_finding_link(r, f.get("test"), where, self.catalogue)
            elif qtype == "matrix":
                r.error(f.get("test"), f"{where}: put 'test' on the rows of a matrix")
            elif qtype == "multiple_choice":
                r.error(f.get("test"), f"{where}: put 'test' on the options of a multiple_choice")
            else:
                r.error(
                    f.get("test"),
                    f"{where}: 'test' is not supported on {qtype} questions "
                    "(only on likert, single_choice, matrix rows and multiple_choice options)",
                )
        kwargs["test"] = test
        if qtype is not None:
            TYPE_PARSERS[qtype](self, f, where, key, position, kwargs)
        if key is not None and key not in self.vars and key not in self.matrices:
            self.register(key, None, None, position, key, "question")
        if len(r.issues) > before or None in (key, qtype, kwargs["text"]):
            return None
        return Question(**kwargs)

    def register(self, name, kind, codes, position: int, question, label: str) -> None:
        """Record answer variable `name` for checking conditions that refer to it."""
        if name is not None:
            self.vars[name] = VarInfo(name, kind, codes, position, question, label)
