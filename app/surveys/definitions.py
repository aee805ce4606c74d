"""Parsed questionnaire, findings and poll definitions (docs/survey-format.md).

Pure Python: no Flask, no database. Objects are frozen dataclasses built by
`app.surveys.loader` (from YAML, validated) or by `from_dict()` (from the JSON the web app
stores per definition version, trusted). `to_dict()` gives the format of the YAML files with
defaults filled in, so the stored JSON is readable and loads again as YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from app.surveys.common import FindingLink, Option, Text, canonical_fingerprint
from app.surveys.conditions import (  # re-exported: the public API lives here
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Not,
    condition_from_dict,
    evaluate,
    is_answered,
)
from app.surveys.findings import Finding, FindingsCatalogue, PollDefinition
from app.surveys.visibility import prune_hidden, visible_pages, visible_questions

__all__ = [
    "ANONYMITY_LEVELS",
    "LIKERT_SCALE",
    "QUESTION_TYPE_NAMES",
    "AllOf",
    "AnyOf",
    "Compare",
    "Condition",
    "Finding",
    "FindingLink",
    "FindingsCatalogue",
    "MatrixRow",
    "Not",
    "Option",
    "Page",
    "PollDefinition",
    "Question",
    "SurveyDefinition",
    "Text",
    "Variable",
    "canonical_fingerprint",
    "evaluate",
    "is_answered",
    "likert_options",
    "prune_hidden",
    "visible_pages",
    "visible_questions",
]

ANONYMITY_LEVELS = ("anonymous", "pseudonymous", "identified")
COMMON_FIELDS = ("key", "type", "text", "help", "required", "show_if", "test")
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "single_choice": ("options", "display", "supports"),
    "multiple_choice": ("options", "other", "min_choices", "max_choices"),
    "likert": ("dont_know",),
    "matrix": ("rows", "scale", "options", "dont_know"),
    "number": ("min", "max", "integer", "unit"),
    "short_text": ("max_length",),
    "long_text": ("max_length",),
    "date": ("min", "max"),
    "ranking": ("options",),
}
QUESTION_TYPE_NAMES = tuple(TYPE_FIELDS)
DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 5000}
DONT_KNOW_CODE = 9


LIKERT_SCALE = (
    Option(1, Text("helemaal oneens", "strongly disagree")),
    Option(2, Text("oneens", "disagree")),
    Option(3, Text("neutraal", "neither agree nor disagree")),
    Option(4, Text("eens", "agree")),
    Option(5, Text("helemaal eens", "strongly agree")),
)
DONT_KNOW_OPTION = Option(DONT_KNOW_CODE, Text("weet niet / n.v.t.", "don't know / not applicable"))


def likert_options(dont_know: bool = False) -> tuple[Option, ...]:
    return (*LIKERT_SCALE, DONT_KNOW_OPTION) if dont_know else LIKERT_SCALE


@dataclass(frozen=True)
class MatrixRow:
    key: str
    text: Text
    test: FindingLink | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "text": self.text.to_dict()}
        if self.test is not None:
            data["test"] = self.test.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MatrixRow:
        text = Text.from_dict(data["text"])
        return cls(data["key"], text, FindingLink.from_dict(data.get("test")))


@dataclass(frozen=True)
class Variable:
    """One stored answer variable (a column in exports).

    `type` is the question type, except matrix rows: "likert" (likert scale) or
    "single_choice" (custom `options`), and the "other, namely" text: "short_text".
    `options` are the possible codes (for likert types the fixed scale, incl. 9 when
    `dont_know`).
    """

    name: str
    question: Question
    type: str
    text: Text
    options: tuple[Option, ...] = ()
    test: FindingLink | None = None
    row: MatrixRow | None = None
    is_other: bool = False

    @property
    def dont_know(self) -> bool:
        """Code 9 means "don't know / not applicable" (likert, or a matrix with dont_know)."""
        return self.question.type in ("likert", "matrix") and self.question.dont_know


@dataclass(frozen=True)
class Question:
    """A question; only the fields of its `type` are meaningful (see `TYPE_FIELDS`)."""

    key: str
    type: str
    text: Text
    help: Text | None = None
    required: bool = False
    show_if: Condition | None = None
    test: FindingLink | None = None
    options: tuple[Option, ...] = ()
    display: str | None = None  # single_choice: "radio" | "dropdown"
    other: bool = False  # multiple_choice
    min_choices: int | None = None
    max_choices: int | None = None
    dont_know: bool = False  # likert, matrix
    rows: tuple[MatrixRow, ...] = ()
    scale: str | None = None  # matrix: "likert" or "options"
    min: int | float | str | None = None  # number: number; date: ISO date string
    max: int | float | str | None = None
    integer: bool | None = None  # number
    unit: Text | None = None  # number
    max_length: int | None = None  # short_text, long_text

    @property
    def uses_likert_scale(self) -> bool:
        return self.type == "likert" or (self.type == "matrix" and self.scale == "likert")

    @property
    def choices(self) -> tuple[Option, ...]:
        """Answer options: the likert scale for likert(-scaled matrix), else `options`."""
        if self.uses_likert_scale:
            return likert_options(self.dont_know)
        if self.type == "matrix" and self.dont_know:
            return (*self.options, DONT_KNOW_OPTION)
        return self.options

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.choices)

    @property
    def other_variable(self) -> str | None:
        return f"{self.key}_other" if self.type == "multiple_choice" and self.other else None

    def row_variable(self, row: MatrixRow | str) -> str:
        return f"{self.key}_{row if isinstance(row, str) else row.key}"

    def variables(self) -> list[Variable]:
        return list(self._variables)

    @cached_property
    def _variables(self) -> tuple[Variable, ...]:
        # Kept on the (frozen, never changed) question: the flow walks them on every request.
        if self.type == "matrix":
            row_type = "likert" if self.uses_likert_scale else "single_choice"
            return tuple(
                Variable(self.row_variable(r), self, row_type, r.text, self.choices, r.test, r)
                for r in self.rows
            )
        main = Variable(self.key, self, self.type, self.text, self.choices, self.test)
        if self.other_variable is None:
            return (main,)
        other = Variable(self.other_variable, self, "short_text", self.text, is_other=True)
        return (main, other)

    def variable_names(self) -> list[str]:
        return list(self._variable_names)

    @cached_property
    def _variable_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self._variables)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "type": self.type, "text": self.text.to_dict()}
        if self.help is not None:
            data["help"] = self.help.to_dict()
        data["required"] = self.required
        if self.show_if is not None:
            data["show_if"] = self.show_if.to_dict()
        if self.test is not None:
            data["test"] = self.test.to_dict()
        for name in TYPE_FIELDS[self.type]:
            value = self.supports_list() if name == "supports" else getattr(self, name)
            if name == "scale":
                value = "likert" if self.scale == "likert" else None
            if value is None or value == () or value == []:
                continue
            if isinstance(value, Text):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = [item.to_dict() for item in value]
            data[name] = value
        return data

    def supports_list(self) -> list[int] | None:
        return list(self.test.supports) if self.test and self.test.supports else None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        kind = data["type"]
        kwargs: dict[str, Any] = {
            "key": data["key"],
            "type": kind,
            "text": Text.from_dict(data["text"]),
            "help": Text.from_dict(data.get("help")),
            "required": bool(data.get("required", False)),
            "show_if": condition_from_dict(data["show_if"]) if data.get("show_if") else None,
            "test": FindingLink.from_dict(data.get("test"), data.get("supports")),
            "options": tuple(Option.from_dict(o) for o in data.get("options", ())),
            "rows": tuple(MatrixRow.from_dict(r) for r in data.get("rows", ())),
            "unit": Text.from_dict(data.get("unit")),
        }
        for name in ("display", "min_choices", "max_choices", "min", "max", "max_length"):
            kwargs[name] = data.get(name)
        for name in ("other", "dont_know"):
            kwargs[name] = bool(data.get(name, False))
        if kind == "number":
            kwargs["integer"] = bool(data.get("integer", True))
        if kind == "matrix":
            kwargs["scale"] = "options" if data.get("options") else "likert"
        return cls(**kwargs)


@dataclass(frozen=True)
class Page:
    key: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text | None = None
    show_if: Condition | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"key": self.key, "title": self.title.to_dict()}
        if self.intro is not None:
            data["intro"] = self.intro.to_dict()
        if self.show_if is not None:
            data["show_if"] = self.show_if.to_dict()
        data["questions"] = [q.to_dict() for q in self.questions]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Page:
        return cls(
            key=data["key"],
            title=Text.from_dict(data["title"]),
            questions=tuple(Question.from_dict(q) for q in data["questions"]),
            intro=Text.from_dict(data.get("intro")),
            show_if=condition_from_dict(data["show_if"]) if data.get("show_if") else None,
        )


@dataclass(frozen=True)
class SurveyDefinition:
    slug: str
    title: Text
    intro: Text
    purpose: Text
    organiser: Text
    anonymity: str
    pages: tuple[Page, ...]

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """All questions, flat, in order."""
        return tuple(q for page in self.pages for q in page.questions)

    def question(self, key: str) -> Question:
        """The question with this key; KeyError if there is none."""
        return self._questions_by_key[key]

    def page(self, key: str) -> Page:
        for page in self.pages:
            if page.key == key:
                return page
        raise KeyError(key)

    def variables(self) -> list[Variable]:
        """Flat list of answer variables in order (matrix rows as `<matrix>_<row>`)."""
        return list(self._variables)

    def variable(self, name: str) -> Variable:
        return self._variables_by_name[name]

    @cached_property
    def _questions_by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    @cached_property
    def _variables(self) -> tuple[Variable, ...]:
        return tuple(v for q in self.questions for v in q.variables())

    @cached_property
    def _variables_by_name(self) -> dict[str, Variable]:
        return {v.name: v for v in self._variables}

    @cached_property
    def dont_know_variables(self) -> frozenset[str]:
        """Variables where 9 means "don't know" (left out of gt/gte/lt/lte)."""
        return frozenset(v.name for v in self._variables if v.dont_know)

    @cached_property
    def other_variables(self) -> dict[str, str]:
        """Multiple-choice key -> its "other, namely" text variable."""
        return {q.key: q.other_variable for q in self.questions if q.other_variable}

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title.to_dict(),
            "intro": self.intro.to_dict(),
            "purpose": self.purpose.to_dict(),
            "organiser": self.organiser.to_dict(),
            "anonymity": self.anonymity,
            "pages": [p.to_dict() for p in self.pages],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SurveyDefinition:
        return cls(
            slug=data["slug"],
            title=Text.from_dict(data["title"]),
            intro=Text.from_dict(data["intro"]),
            purpose=Text.from_dict(data["purpose"]),
            organiser=Text.from_dict(data["organiser"]),
            anonymity=data["anonymity"],
            pages=tuple(Page.from_dict(p) for p in data["pages"]),
        )

    @cached_property
    def fingerprint(self) -> str:
        """sha256 (hex) of the canonical JSON of `to_dict()`: same content, same print."""
        return canonical_fingerprint(self.to_dict())
