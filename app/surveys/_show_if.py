"""Parsing and checking `show_if` conditions (internal; see `app.surveys.loader`).

Conditions are checked after all questions are read, so a reference to a later question
gets a clearer message than a reference to a question that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode

from app.surveys._yamlnodes import Reader, describe, suggest
from app.surveys.conditions import (
    COMPARE_OPERATORS,
    MAX_DEPTH,
    ORDERING_OPERATORS,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Not,
)

KIND_OPERATORS = {
    "choice": ("equals", "one_of", "answered"),
    "multi": ("one_of", "contains", "answered"),
    "likert": ("equals", "one_of", "gt", "gte", "lt", "lte", "answered"),
    "number": ("equals", "one_of", "gt", "gte", "lt", "lte", "answered"),
    "text": ("answered",),
    "date": ("answered",),
    "ranking": ("answered",),
}
LOGICAL = ("all", "any", "not")


@dataclass(frozen=True)
class VarInfo:
    """An answer variable as far as conditions are concerned."""

    name: str
    kind: str | None  # a KIND_OPERATORS key; None when the question itself is broken
    codes: tuple[int, ...] | None  # valid codes for choice-like kinds, if known
    position: int  # order of the owning question in the file
    question: str  # owning question key
    label: str  # e.g. "single_choice question", for messages


class ConditionParser:
    def __init__(self, reader: Reader, variables: dict[str, VarInfo], matrices: dict[str, list]):
        self.r = reader
        self.vars = variables
        self.matrices = matrices

    def parse(
        self, node: Node, where: str, limit: int, owner: str | None, for_page: bool, depth: int = 0
    ) -> Condition | None:
        """Parse a condition that may refer to variables of questions before `limit`."""
        r, w = self.r, f"{where}: show_if"
        if depth > MAX_DEPTH:
            r.error(node, f"{w}: conditions are nested too deeply")
            return None
        if not isinstance(node, MappingNode):
            r.error(node, f"{w}: expected a condition (a mapping), got {describe(node)}")
            return None
        items = {str(k.value): (k, v) for k, v in reversed(node.value)}
        logical = [name for name in items if name in LOGICAL]
        if logical:
            name = logical[0]
            if len(items) != 1:
                r.error(node, f"{w}: '{name}' must be the only field of its condition")
                return None
            value = items[name][1]
            if name == "not":
                inner = self.parse(value, where, limit, owner, for_page, depth + 1)
                return None if inner is None else Not(inner)
            children = r.sequence(value, w, name, 1)
            if not children:
                return None
            parsed = [self.parse(c, where, limit, owner, for_page, depth + 1) for c in children]
            if None in parsed:
                return None
            return AllOf(tuple(parsed)) if name == "all" else AnyOf(tuple(parsed))
        if "question" not in items:
            r.error(
                node,
                f"{w}: a condition needs 'question' and an operator, or 'all', 'any' or 'not'",
            )
            return None
        operators = []
        for name, (key, _) in items.items():
            if name == "question":
                continue
            if name in COMPARE_OPERATORS:
                operators.append(name)
            else:
                hint = suggest(name, COMPARE_OPERATORS + LOGICAL)
                r.error(key, f"{w}: unknown condition operator '{name}'{hint}")
                return None
        if len(operators) != 1:
            r.error(
                node,
                f"{w}: a condition needs exactly one operator "
                f"({', '.join(COMPARE_OPERATORS)}), got {len(operators)}",
            )
            return None
        op = operators[0]
        name = r.string(items["question"][1], w, "question")
        if name is None:
            return None
        info = self._resolve(items["question"][1], w, name, limit, owner, for_page)
        if info is None:
            return None
        op_key, value_node = items[op]
        if info.kind is not None and op not in KIND_OPERATORS[info.kind]:
            r.error(
                op_key,
                f"{w}: operator '{op}' cannot be used with {info.label} '{name}' "
                f"(allowed: {', '.join(KIND_OPERATORS[info.kind])})",
            )
            return None
        value = self._value(value_node, w, op, info)
        return None if value is None else Compare(name, op, value)

    def _resolve(
        self, node: Node, w: str, name: str, limit: int, owner: str | None, for_page: bool
    ) -> VarInfo | None:
        r = self.r
        info = self.vars.get(name)
        if info is None:
            if self.matrices.get(name):
                r.error(
                    node,
                    f"{w}: '{name}' is a matrix; refer to one of its rows, e.g. '{self.matrices[name][0]}'",
                )
            else:
                r.error(node, f"{w}: refers to unknown question '{name}'{suggest(name, self.vars)}")
            return None
        if not for_page and info.question == owner:
            r.error(node, f"{w}: a question cannot refer to itself")
            return None
        if info.position >= limit:
            where_ok = "questions on earlier pages" if for_page else "earlier questions"
            r.error(
                node,
                f"{w}: refers to question '{name}', which comes later "
                f"(a condition may only refer to {where_ok})",
            )
            return None
        return info

    def _value(self, node: Node, w: str, op: str, info: VarInfo):
        r = self.r
        if op == "answered":
            return r.boolean(node, w, op)
        numeric = info.kind == "number"
        if op == "one_of":
            items = r.sequence(node, w, op, 1)
            if items is None:
                return None
            values = [self._one(item, w, op, info, numeric) for item in items]
            if None in values:
                return None
            if len(set(values)) != len(values):
                r.error(node, f"{w}: '{op}' lists a value twice")
                return None
            return tuple(values)
        if op in ORDERING_OPERATORS and info.kind == "number":
            return r.number(node, w, op)
        return self._one(node, w, op, info, numeric)

    def _one(self, node: Node, w: str, op: str, info: VarInfo, numeric: bool):
        r = self.r
        if numeric:
            return r.number(node, w, op)
        if not (isinstance(node, ScalarNode) and node.tag.endswith(":int")):
            r.error(node, f"{w}: '{op}' must be an option code (a whole number), got {describe(node)}")
            return None
        code = r.scalar(node)
        if op in ORDERING_OPERATORS:
            if not 1 <= code <= 5:
                r.error(node, f"{w}: '{op}' on a likert scale must be between 1 and 5, got {code}")
                return None
            return code
        if info.codes is not None and code not in info.codes:
            r.error(
                node,
                f"{w}: {info.label} '{info.name}' has no option with code {code}",
            )
            return None
        return code
