"""Display conditions (`show_if`) of pages and questions.

A condition is a small tree: `Compare` leaves (`{question: x, equals: 1}`) combined with
`AllOf`, `AnyOf` and `Not`. `evaluate()` decides a condition against a dict of stored answers
(variable name -> stored value, see `app.surveys.answers`).

Semantics (docs/survey-format.md):
- an unanswered variable (absent, None, "" or an empty list) makes `equals`, `one_of`,
  `contains`, `gt`, `gte`, `lt` and `lte` false, and `answered: true` false;
- `one_of` on a list value (multiple choice) is true when any listed code was chosen;
- `contains` is true when the list value holds the code;
- the ordering operators ignore "don't know" (9) on likert scales with `dont_know: true`
  (only when a definition is passed, as it knows which variables those are);
- `not` inverts, so `{not: {question: x, equals: 1}}` is true when x is unanswered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.surveys.definitions import SurveyDefinition

COMPARE_OPERATORS = ("equals", "one_of", "contains", "gt", "gte", "lt", "lte", "answered")
ORDERING_OPERATORS = ("gt", "gte", "lt", "lte")
MAX_DEPTH = 20


@dataclass(frozen=True)
class Compare:
    """`{question: <variable>, <operator>: <value>}`; `one_of` values are a tuple."""

    question: str
    operator: str
    value: Any

    def to_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"question": self.question, self.operator: value}


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"all": [c.to_dict() for c in self.conditions]}


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"any": [c.to_dict() for c in self.conditions]}


@dataclass(frozen=True)
class Not:
    condition: Condition

    def to_dict(self) -> dict[str, Any]:
        return {"not": self.condition.to_dict()}


Condition = Compare | AllOf | AnyOf | Not


def condition_from_dict(data: Mapping[str, Any]) -> Condition:
    """Inverse of `Condition.to_dict()`; trusts its input (it was validated when loaded)."""
    if "all" in data:
        return AllOf(tuple(condition_from_dict(c) for c in data["all"]))
    if "any" in data:
        return AnyOf(tuple(condition_from_dict(c) for c in data["any"]))
    if "not" in data:
        return Not(condition_from_dict(data["not"]))
    (operator,) = (k for k in data if k != "question")
    value = data[operator]
    if isinstance(value, list):
        value = tuple(value)
    return Compare(data["question"], operator, value)


def referenced_variables(condition: Condition) -> list[str]:
    """Variable names a condition refers to, in order of appearance."""
    if isinstance(condition, Compare):
        return [condition.question]
    if isinstance(condition, Not):
        return referenced_variables(condition.condition)
    names: list[str] = []
    for child in condition.conditions:
        names.extend(n for n in referenced_variables(child) if n not in names)
    return names


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and len(value) == 0)


def is_answered(answers: Mapping[str, Any], name: str, definition: SurveyDefinition | None = None) -> bool:
    """True when variable `name` holds an answer.

    With a definition, a multiple-choice question with only its "other" text filled in
    counts as answered.
    """
    if not is_empty(answers.get(name)):
        return True
    if definition is not None and name in definition.other_variables:
        other = answers.get(definition.other_variables[name])
        return isinstance(other, str) and other.strip() != ""
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare(condition: Compare, answers: Mapping[str, Any], definition: SurveyDefinition | None) -> bool:
    op, expected = condition.operator, condition.value
    if op == "answered":
        return is_answered(answers, condition.question, definition) == bool(expected)
    value = answers.get(condition.question)
    if is_empty(value):
        return False
    if op == "equals":
        return value == expected and not isinstance(value, bool)
    if op == "one_of":
        if isinstance(value, list | tuple):
            return any(code in value for code in expected)
        return value in expected
    if op == "contains":
        return isinstance(value, list | tuple) and expected in value
    # ordering operators
    if not _is_number(value) or not _is_number(expected):
        return False
    if definition is not None and value == 9 and condition.question in definition.dont_know_variables:
        return False
    if op == "gt":
        return value > expected
    if op == "gte":
        return value >= expected
    if op == "lt":
        return value < expected
    if op == "lte":
        return value <= expected
    raise ValueError(f"unknown condition operator {op!r}")


def evaluate(
    condition: Condition | None,
    answers: Mapping[str, Any],
    definition: SurveyDefinition | None = None,
) -> bool:
    """Decide `condition` against stored answers; no condition means "always shown".

    Pass `definition` so that "don't know" (9) is left out of gt/gte/lt/lte on likert
    scales and a multiple-choice "other" text counts for `answered`.
    """
    if condition is None:
        return True
    if isinstance(condition, Compare):
        return _compare(condition, answers, definition)
    if isinstance(condition, Not):
        return not evaluate(condition.condition, answers, definition)
    if isinstance(condition, AllOf):
        return all(evaluate(c, answers, definition) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, answers, definition) for c in condition.conditions)
    raise TypeError(f"not a condition: {condition!r}")
