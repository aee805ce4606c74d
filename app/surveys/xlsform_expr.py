"""The small subset of XPath that the XLSForm importer understands (relevant, constraint).

`parse_expression(text)` gives a tiny AST:

    ("or", [a, b, ...]) ("and", [a, b, ...]) ("not", a)
    ("cmp", left, op, right)            op in = != > >= < <=
    ("call", name, [args])              selected(), count-selected(), string-length(), date()
    ("ref", name)  ("dot",)  ("str", s)  ("num", n)

Anything else raises `ExpressionError`; the importer then refuses the row.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN_RE = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{(?P<name>[A-Za-z_][\w.-]*)\})
    | (?P<str>'[^']*'|"[^"]*")
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>!=|>=|<=|=|>|<)
    | (?P<punct>[(),])
    | (?P<dot>\.(?![\w.]))
    | (?P<ident>[A-Za-z_][\w-]*)
    )""",
    re.VERBOSE,
)
FUNCTIONS = {"selected", "count-selected", "string-length", "date", "not"}


class ExpressionError(ValueError):
    pass


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"cannot read '{text[pos:].lstrip()[:20]}'")
        pos = match.end()
        kind = match.lastgroup if match.lastgroup != "name" else "ref"
        if match.group("ref"):
            tokens.append(("ref", match.group("name")))
        elif match.group("str") is not None:
            tokens.append(("str", match.group("str")[1:-1]))
        elif match.group("num") is not None:
            number = float(match.group("num"))
            tokens.append(("num", int(number) if number.is_integer() else number))
        else:
            tokens.append((kind, match.group(kind)))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self, kind: str | None = None, value: str | None = None) -> bool:
        if self.pos >= len(self.tokens):
            return False
        tkind, tvalue = self.tokens[self.pos]
        return (kind is None or tkind == kind) and (value is None or tvalue == value)

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, Any]:
        if not self.peek(kind, value):
            found = self.tokens[self.pos][1] if self.pos < len(self.tokens) else "the end"
            raise ExpressionError(f"unexpected {found!r}")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> tuple:
        node = self.expr()
        if self.pos != len(self.tokens):
            raise ExpressionError(f"unexpected {self.tokens[self.pos][1]!r}")
        return node

    def expr(self) -> tuple:
        parts = [self.conj()]
        while self.peek("ident", "or"):
            self.take()
            parts.append(self.conj())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conj(self) -> tuple:
        parts = [self.comparison()]
        while self.peek("ident", "and"):
            self.take()
            parts.append(self.comparison())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def comparison(self) -> tuple:
        left = self.atom()
        if self.peek("op"):
            _, op = self.take()
            return ("cmp", left, op, self.atom())
        return left

    def atom(self) -> tuple:
        if self.peek("punct", "("):
            self.take()
            inner = self.expr()
            self.take("punct", ")")
            return inner
        kind, value = self.take()
        if kind == "ref":
            return ("ref", value)
        if kind == "dot":
            return ("dot",)
        if kind in ("str", "num"):
            return (kind, value)
        if kind == "ident" and value in FUNCTIONS and self.peek("punct", "("):
            self.take()
            args = [] if self.peek("punct", ")") else [self.expr()]
            while self.peek("punct", ","):
                self.take()
                args.append(self.expr())
            self.take("punct", ")")
            if value == "not":
                if len(args) != 1:
                    raise ExpressionError("not() takes one argument")
                return ("not", args[0])
            return ("call", value, args)
        raise ExpressionError(f"unexpected {value!r}")


def parse_expression(text: str) -> tuple:
    """Parse an XLSForm expression into the AST above; raises ExpressionError."""
    if len(text) > 2000:
        raise ExpressionError("expression too long")
    return _Parser(text).parse()
