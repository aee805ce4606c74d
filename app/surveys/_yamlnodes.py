"""Strict YAML reading with line numbers (internal helpers of `app.surveys.loader`).

PyYAML's constructors lose line numbers and silently accept duplicate keys, so the loader
composes the node tree (SafeLoader, no Python tags) and walks it itself with a `Reader`
that records every problem as a `DefinitionIssue` and carries on.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.surveys.common import Text

_Y = "tag:yaml.org,2002:"
STANDARD_TAGS = frozenset(_Y + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
MAX_EXPANDED_NODES = 200_000


@dataclass(frozen=True)
class DefinitionIssue:
    file: str
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DefinitionError(Exception):
    """One or more problems in definition files; `errors` lists them all."""

    def __init__(self, errors: Iterable[DefinitionIssue]):
        self.errors = list(errors)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.errors)


def suggest(name: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def describe(node: Node) -> str:
    """How a node looks to a person writing YAML, for "expected X, got Y" messages."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(_Y)
    if tag == "null":
        return "nothing"
    if tag in ("int", "float"):
        return f"the number {node.value}"
    if tag == "bool":
        return f"the boolean {node.value}"
    if tag == "timestamp":
        return f"the date {node.value}"
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"the text '{value}'"


def compose(text: str, file: str, issues: list[DefinitionIssue]) -> Node | None:
    """Parse YAML text into a checked node tree, or record why it cannot be used."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = exc.context
        if context and exc.context_mark and mark and exc.context_mark.line != mark.line:
            context = f"{context} (from line {exc.context_mark.line + 1}),"
        detail = " ".join(p for p in (context, exc.problem) if p)
        issues.append(DefinitionIssue(file, mark.line + 1 if mark else 1, f"invalid YAML: {detail}"))
        return None
    except yaml.YAMLError as exc:
        issues.append(DefinitionIssue(file, 1, f"invalid YAML: {exc}"))
        return None
    if root is None:
        issues.append(DefinitionIssue(file, 1, "the file is empty"))
        return None
    before = len(issues)
    _check_tree(root, file, issues)
    return root if len(issues) == before else None


def _check_tree(root: Node, file: str, issues: list[DefinitionIssue]) -> None:
    """Reject non-standard tags, merge keys, duplicate keys, recursive or huge aliasing."""
    sizes: dict[int, int] = {}
    on_stack: set[int] = set()

    def walk(node: Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in on_stack:
            issues.append(DefinitionIssue(file, line_of(node), "recursive YAML alias"))
            return MAX_EXPANDED_NODES
        on_stack.add(id(node))
        size = 1
        if node.tag not in STANDARD_TAGS:
            issues.append(DefinitionIssue(file, line_of(node), f"YAML tag '{node.tag}' is not allowed"))
        if isinstance(node, SequenceNode):
            size += sum(walk(child) for child in node.value)
        elif isinstance(node, MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if key.tag == _Y + "merge":
                    issues.append(DefinitionIssue(file, line_of(key), "merge keys ('<<') are not supported"))
                elif not isinstance(key, ScalarNode):
                    issues.append(DefinitionIssue(file, line_of(key), "mapping keys must be plain names"))
                elif key.value in seen:
                    issues.append(
                        DefinitionIssue(
                            file,
                            line_of(key),
                            f"duplicate key '{key.value}' (first on line {seen[key.value]})",
                        )
                    )
                else:
                    seen[key.value] = line_of(key)
                size += walk(value)
        on_stack.discard(id(node))
        sizes[id(node)] = size
        return size

    if walk(root) >= MAX_EXPANDED_NODES:
        issues.append(DefinitionIssue(file, 1, "the document is too large (after expanding aliases)"))


class Fields:
    """The fields of a checked mapping: name -> value node (first one on duplicates)."""

    def __init__(self, node: MappingNode, items: dict[str, tuple[Node, Node]]):
        self.node = node
        self._items = items

    def __contains__(self, name: str) -> bool:
        return name in self._items

    def get(self, name: str) -> Node | None:
        item = self._items.get(name)
        return None if item is None else item[1]

    def key_line(self, name: str) -> int:
        return line_of(self._items[name][0])


class Reader:
    """Reads typed values from nodes; records problems and returns None for bad values."""

    def __init__(self, file: str, issues: list[DefinitionIssue], require_en: bool = True):
        self.file = file
        self.issues = issues
        self.require_en = require_en
        self._constructor = yaml.constructor.SafeConstructor()

    def error(self, at: Node | int, message: str) -> None:
        line = at if isinstance(at, int) else line_of(at)
        self.issues.append(DefinitionIssue(self.file, line, message))

    def scalar(self, node: ScalarNode) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def mapping(
        self,
        node: Node,
        where: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
        misplaced: dict[str, str] | None = None,
        what: str = "",
    ) -> Fields | None:
        """Check a mapping's field names; `misplaced`: field -> why it is not allowed here."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{where}: expected {what or 'a mapping'}, got {describe(node)}")
            return None
        allowed = tuple(allowed)
        items: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _Y + "merge":
                continue  # reported by _check_tree
            name = str(key.value)
            if name in items:
                continue
            items[name] = (key, value)
            if name in allowed:
                continue
            if misplaced and name in misplaced:
                self.error(key, f"{where}: {misplaced[name]}")
            else:
                self.error(key, f"{where}: unknown field '{name}'{suggest(name, allowed)}")
        fields = Fields(node, items)
        for name in required:
            if name not in items:
                self.error(node, f"{where}: missing required field '{name}'")
        return fields

    def sequence(self, node: Node, where: str, field: str, min_items: int = 0) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.error(node, f"{where}: '{field}' must be a list, got {describe(node)}")
            return None
        if len(node.value) < min_items:
            need = "at least one item" if min_items == 1 else f"at least {min_items} items"
            self.error(node, f"{where}: '{field}' needs {need}")
        return list(node.value)

    def _typed(self, node: Node, tags: tuple[str, ...], where: str, field: str, want: str) -> Any:
        if isinstance(node, ScalarNode) and node.tag in tuple(_Y + t for t in tags):
            return self.scalar(node)
        self.error(node, f"{where}: '{field}' must be {want}, got {describe(node)}")
        return None

    def string(
        self,
        node: Node,
        where: str,
        field: str,
        pattern: re.Pattern[str] | None = None,
        pattern_hint: str = "",
    ) -> str | None:
        value = self._typed(node, ("str",), where, field, "text")
        if value is None:
            return None
        if not value.strip():
            self.error(node, f"{where}: '{field}' must not be empty")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.error(node, f"{where}: '{field}' value '{value}' is invalid: {pattern_hint}")
            return None
        return value

    def integer(self, node: Node, where: str, field: str, minimum: int | None = None) -> int | None:
        value = self._typed(node, ("int",), where, field, "a whole number")
        if value is not None and minimum is not None and value < minimum:
            self.error(node, f"{where}: '{field}' must be at least {minimum}, got {value}")
            return None
        return value

    def number(self, node: Node, where: str, field: str) -> int | float | None:
        value = self._typed(node, ("int", "float"), where, field, "a number")
        if isinstance(value, float):
            if not math.isfinite(value):
                self.error(node, f"{where}: '{field}' must be a finite number")
                return None
            if value.is_integer():
                return int(value)
        return value

    def boolean(self, node: Node, where: str, field: str) -> bool | None:
        return self._typed(node, ("bool",), where, field, "true or false")

    def date(self, node: Node, where: str, field: str) -> dt.date | None:
        if isinstance(node, ScalarNode) and node.tag in (_Y + "timestamp", _Y + "str"):
            try:
                value = dt.date.fromisoformat(str(node.value).strip())
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(node.value).strip()):
                    return value
            except ValueError:
                pass
        self.error(node, f"{where}: '{field}' must be a date like 2026-12-31, got {describe(node)}")
        return None

    def text(self, node: Node, where: str, field: str) -> Text | None:
        """A translatable text `{nl: ..., en: ...}`."""
        if not isinstance(node, MappingNode):
            self.error(
                node,
                f"{where}: '{field}' must be a mapping {{nl: ..., en: ...}}, got {describe(node)}",
            )
            return None
        values: dict[str, str | None] = {}
        for key, value_node in node.value:
            lang = str(key.value)
            if lang not in ("nl", "en"):
                self.error(key, f"{where}: '{field}' has unknown language '{lang}' (use nl, en)")
            elif lang not in values:
                values[lang] = self.string(value_node, where, f"{field}.{lang}")
        missing = [lang for lang in ("nl", "en") if lang not in values]
        if "en" in missing and not self.require_en:
            missing.remove("en")
        for lang in missing:
            self.error(node, f"{where}: '{field}' is missing '{lang}'")
        nl, en = values.get("nl"), values.get("en")
        if nl is None:
            return None
        return Text(nl.strip(), en.strip() if en else None)
