"""Translating XLSForm relevant / constraint / required values (internal; see xlsform)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.surveys.xlsform_expr import ExpressionError, parse_expression

TRUE = {"yes", "true", "true()", "1"}
FALSE = {"no", "false", "false()", "0"}
MIRROR = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "=": "=", "!=": "!="}
ORDERING = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
SUPPORTED_RELEVANT = (
    "use ${q} = 'x', ${q} != 'x', selected(${q}, 'x'), ${q} > n (>=, <, <=), "
    "${q} = '' or != '', combined with and, or, not()"
)


class Unsupported(ValueError):
    pass


def flag(value: str) -> bool:
    """yes/no-like XLSForm flag; raises Unsupported for expressions."""
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise Unsupported("only yes/no (true/false) is supported")


def _parse(expression: str) -> tuple:
    try:
        return parse_expression(expression)
    except ExpressionError as exc:
        raise Unsupported(str(exc)) from exc


def _ref(name: str, questions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if name not in questions:
        raise Unsupported(f"${{{name}}} is not an earlier question")
    return questions[name]


def _code(question: dict[str, Any], value: Any) -> int:
    name = str(value)
    codes = question.get("codes") or {}
    if name not in codes:
        raise Unsupported(f"'{name}' is not a choice of ${{{question['name']}}}")
    return codes[name]


def _number(value: Any) -> int | float:
    if isinstance(value, int | float):
        return value
    try:
        number = float(value)
    except ValueError:
        raise Unsupported(f"'{value}' is not a number") from None
    return int(number) if number.is_integer() else number


def relevant_condition(expression: str, questions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Our show_if dict for an XLSForm `relevant`; `questions`: earlier questions by name."""
    return _condition(_parse(expression), questions)


def _condition(node: tuple, questions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    kind = node[0]
    if kind in ("and", "or"):
        return {"all" if kind == "and" else "any": [_condition(n, questions) for n in node[1]]}
    if kind == "not":
        return {"not": _condition(node[1], questions)}
    if kind == "call" and node[1] == "selected":
        args = node[2]
        if len(args) != 2 or args[0][0] != "ref" or args[1][0] not in ("str", "num"):
            raise Unsupported("selected() needs ${question} and a choice name")
        question = _ref(args[0][1], questions)
        if question["type"] == "select_multiple":
            return {"question": question["key"], "contains": _code(question, args[1][1])}
        if question["type"] == "select_one":
            return {"question": question["key"], "equals": _code(question, args[1][1])}
        raise Unsupported(f"selected() on ${{{args[0][1]}}}, which is not a select question")
    if kind != "cmp":
        raise Unsupported(SUPPORTED_RELEVANT)
    left, op, right = node[1:]
    if right[0] == "ref" and left[0] != "ref":
        left, op, right = right, MIRROR[op], left
    if left[0] != "ref" or right[0] not in ("str", "num"):
        raise Unsupported(SUPPORTED_RELEVANT)
    question = _ref(left[1], questions)
    key, qtype, value = question["key"], question["type"], right[1]
    if value == "":
        if op in ("=", "!="):
            return {"question": key, "answered": op == "!="}
        raise Unsupported(f"'{op}' with an empty value")
    if qtype == "select_one" and op in ("=", "!="):
        condition = {"question": key, "equals": _code(question, value)}
    elif qtype in ("integer", "decimal"):
        if op in ORDERING:
            return {"question": key, ORDERING[op]: _number(value)}
        condition = {"question": key, "equals": _number(value)}
    elif qtype == "select_multiple":
        raise Unsupported(f"use selected(${{{left[1]}}}, '{value}') for a select_multiple")
    else:
        raise Unsupported(f"'{op}' on a {qtype} question (only = '' and != '' work there)")
    return {"not": condition} if op == "!=" else condition


def _date(node: tuple) -> dt.date:
    if node[0] == "call" and node[1] == "date" and len(node[2]) == 1:
        node = node[2][0]
    if node[0] == "str" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", node[1]):
        try:
            return dt.date.fromisoformat(node[1])
        except ValueError:
            pass
    raise Unsupported("dates must be written date('YYYY-MM-DD')")


def constraint_fields(expression: str, xls_type: str) -> dict[str, Any]:
    """Our fields (min, max, max_length, min_choices, max_choices) for a simple constraint."""
    tree = _parse(expression)
    terms = tree[1] if tree[0] == "and" else [tree]
    result: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        if name in result:
            raise Unsupported(f"two conditions set '{name}'")
        result[name] = value

    for term in terms:
        if term[0] != "cmp":
            raise Unsupported("only comparisons joined with 'and' are supported")
        left, op, right = term[1:]
        if left[0] in ("num", "str") or (left[0] == "call" and left[1] == "date"):
            left, op, right = right, MIRROR[op], left
        dot = ("dot",)
        if left == dot and xls_type in ("integer", "decimal"):
            value = _number(right[1]) if right[0] in ("num", "str") else None
            if value is None:
                raise Unsupported("compare . with a number")
            integer = xls_type == "integer"
            if op == "=":
                put("min", value)
                put("max", value)
            elif op in (">=", "<="):
                put("min" if op == ">=" else "max", value)
            elif op in (">", "<") and integer and isinstance(value, int):
                put("min" if op == ">" else "max", value + 1 if op == ">" else value - 1)
            else:
                raise Unsupported(f"'{op}' is not supported here (use >= and <=)")
        elif left == dot and xls_type == "date":
            day = _date(right)
            if op in (">=", ">"):
                put("min", (day + dt.timedelta(days=op == ">")).isoformat())
            elif op in ("<=", "<"):
                put("max", (day - dt.timedelta(days=op == "<")).isoformat())
            else:
                raise Unsupported(f"'{op}' is not supported on dates")
        elif left == ("call", "string-length", [dot]) and xls_type == "text":
            if op not in ("<=", "<") or right[0] != "num" or not isinstance(right[1], int):
                raise Unsupported("only string-length(.) <= n is supported")
            put("max_length", right[1] - (op == "<"))
        elif left == ("call", "count-selected", [dot]) and xls_type == "select_multiple":
            if right[0] != "num" or not isinstance(right[1], int):
                raise Unsupported("count-selected(.) must be compared with a whole number")
            n = right[1]
            bounds = {
                ">=": [("min_choices", n)],
                ">": [("min_choices", n + 1)],
                "<=": [("max_choices", n)],
                "<": [("max_choices", n - 1)],
                "=": [("min_choices", n), ("max_choices", n)],
            }.get(op)
            if bounds is None:
                raise Unsupported(f"'{op}' is not supported with count-selected(.)")
            for name, value in bounds:
                put(name, value)
        else:
            raise Unsupported("only simple ranges like . >= 0 and . <= 10 are supported")
    return result
