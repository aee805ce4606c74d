"""Type-specific fields of questions (internal; called by `_questionnaire`).

Each parser reads the fields of one question type into `kwargs` for `Question(...)`,
records problems on the reader, and registers the answer variables the question creates
(for checking `show_if` conditions later).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from app.surveys._fields import KEY_HINT, KEY_RE, parse_finding_link, parse_options
from app.surveys._yamlnodes import Fields
from app.surveys.definitions import DEFAULT_MAX_LENGTH, DONT_KNOW_CODE, MatrixRow, likert_options

MAX_TEXT_LENGTH = 100_000


def _bool(p, f: Fields, where: str, name: str, default: bool) -> bool:
    if name not in f:
        return default
    value = p.r.boolean(f.get(name), where, name)
    return default if value is None else value


def _required(p, f: Fields, where: str, name: str) -> bool:
    if name in f:
        return True
    p.r.error(f.node, f"{where}: missing required field '{name}'")
    return False


def _options(p, f: Fields, where: str, min_items: int, **kw: Any):
    if not _required(p, f, where, "options"):
        return None
    return parse_options(p.r, f.get("options"), where, p.catalogue, min_items=min_items, **kw)


def _codes(options) -> tuple[int, ...] | None:
    return None if options is None else tuple(o.code for o in options)


def single_choice(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    r = p.r
    options = _options(p, f, where, 2)
    display = "radio"
    if "display" in f:
        display = r.string(f.get("display"), where, "display")
        if display is not None and display not in ("radio", "dropdown"):
            r.error(f.get("display"), f"{where}: 'display' must be radio or dropdown, got '{display}'")
    supports: list[int] = []
    if "supports" in f:
        codes = set(_codes(options) or ())
        for node in r.sequence(f.get("supports"), where, "supports", 1) or ():
            code = r.integer(node, where, "supports")
            if code is None:
                continue
            if options is not None and code not in codes:
                r.error(node, f"{where}: 'supports' lists code {code}, which is not an option")
            elif code in supports:
                r.error(node, f"{where}: 'supports' lists code {code} twice")
            else:
                supports.append(code)
        if "test" not in f:
            r.error(f.key_line("supports"), f"{where}: 'supports' needs 'test' (the finding)")
    elif "test" in f:
        r.error(
            f.key_line("test"),
            f"{where}: 'test' on a single_choice question needs 'supports' "
            "(the option codes that support the finding)",
        )
    if kwargs.get("test") is not None:
        kwargs["test"] = dataclasses.replace(kwargs["test"], supports=tuple(supports))
    kwargs.update(options=options, display=display)
    p.register(key, "choice", _codes(options), position, key, "single_choice question")


def multiple_choice(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    r = p.r
    options = _options(p, f, where, 1, option_tests=True)
    other = _bool(p, f, where, "other", False)
    bounds = {}
    for name in ("min_choices", "max_choices"):
        bounds[name] = r.integer(f.get(name), where, name, minimum=1) if name in f else None
    low, high = bounds["min_choices"], bounds["max_choices"]
    if low is not None and high is not None and low > high:
        r.error(
            f.get("min_choices"),
            f"{where}: 'min_choices' ({low}) is more than 'max_choices' ({high})",
        )
    if options:
        total = len(options) + (1 if other else 0)
        for name, value in bounds.items():
            if value is not None and value > total:
                r.error(
                    f.get(name),
                    f"{where}: '{name}' ({value}) is more than the {total} possible choices",
                )
    if other and key is not None:
        p.claim(f"{key}_other", f.key_line("other"), where, "other-text variable", "other-text variable")
    kwargs.update(options=options, other=other, min_choices=low, max_choices=high)
    p.register(key, "multi", _codes(options), position, key, "multiple_choice question")


def likert(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    dont_know = _bool(p, f, where, "dont_know", False)
    kwargs["dont_know"] = dont_know
    p.register(key, "likert", _codes(likert_options(dont_know)), position, key, "likert question")


def matrix(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    r = p.r
    dont_know = _bool(p, f, where, "dont_know", False)
    custom = "options" in f
    if "scale" in f:
        scale = r.string(f.get("scale"), where, "scale")
        if scale is not None and scale != "likert":
            r.error(
                f.get("scale"),
                f"{where}: 'scale' must be 'likert' (or give 'options' for a custom scale), got '{scale}'",
            )
        if custom:
            r.error(f.get("scale"), f"{where}: use either 'scale: likert' or 'options', not both")
    options = ()
    if custom:
        options = parse_options(
            r, f.get("options"), where, p.catalogue, min_items=2, reserve_dont_know=dont_know
        )
        codes = _codes(options)
        if codes is not None and dont_know:
            codes = (*codes, DONT_KNOW_CODE)
        kind = "choice"
    else:
        codes, kind = _codes(likert_options(dont_know)), "likert"
    rows = []
    row_vars = []
    seen: dict[str, int] = {}
    if _required(p, f, where, "rows"):
        for i, node in enumerate(r.sequence(f.get("rows"), where, "rows", 1) or ()):
            rw = f"{where}: row {i + 1}"
            rf = r.mapping(node, rw, ("key", "text", "test"), ("key", "text"))
            if rf is None:
                continue
            row_key = r.string(rf.get("key"), rw, "key", KEY_RE, KEY_HINT) if "key" in rf else None
            if row_key is not None:
                rw = f"{where}: row '{row_key}'"
                if row_key in seen:
                    r.error(
                        rf.get("key"),
                        f"{where}: duplicate row key '{row_key}' (first on line {seen[row_key]})",
                    )
                    row_key = None
                else:
                    seen[row_key] = rf.key_line("key")
            text = r.text(rf.get("text"), rw, "text") if "text" in rf else None
            test = None
            if "test" in rf:
                if custom:
                    r.error(
                        rf.get("test"),
                        f"{rw}: 'test' on a row needs the likert scale (this matrix has its own options)",
                    )
                else:
                    test = parse_finding_link(r, rf.get("test"), rw, p.catalogue)
            if row_key is not None and key is not None:
                variable = f"{key}_{row_key}"
                if p.claim(variable, rf.get("key"), rw, "row variable", "matrix row variable"):
                    row_vars.append(variable)
                    p.register(variable, kind, codes, position, key, f"matrix row of '{key}'")
            if row_key is not None and text is not None:
                rows.append(MatrixRow(row_key, text, test))
    if key is not None:
        p.matrices[key] = row_vars
    kwargs.update(
        rows=tuple(rows),
        scale="options" if custom else "likert",
        options=options,
        dont_know=dont_know,
    )


def number(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    r = p.r
    integer = _bool(p, f, where, "integer", True)
    bounds = {}
    for name in ("min", "max"):
        value = r.number(f.get(name), where, name) if name in f else None
        if integer and isinstance(value, float):
            r.error(
                f.get(name),
                f"{where}: '{name}' must be a whole number because 'integer' is true (the default)",
            )
            value = None
        bounds[name] = value
    low, high = bounds["min"], bounds["max"]
    if low is not None and high is not None and low > high:
        r.error(f.get("min"), f"{where}: 'min' ({low}) is greater than 'max' ({high})")
    unit = r.text(f.get("unit"), where, "unit") if "unit" in f else None
    kwargs.update(min=low, max=high, integer=integer, unit=unit)
    p.register(key, "number", None, position, key, "number question")


def text(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    r = p.r
    limit = DEFAULT_MAX_LENGTH[kwargs["type"]]
    if "max_length" in f:
        value = r.integer(f.get("max_length"), where, "max_length", minimum=1)
        if value is not None and value > MAX_TEXT_LENGTH:
            r.error(f.get("max_length"), f"{where}: 'max_length' must be at most {MAX_TEXT_LENGTH}")
        elif value is not None:
            limit = value
    kwargs["max_length"] = limit
    p.register(key, "text", None, position, key, f"{kwargs['type']} question")


def date(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    r = p.r
    low = r.date(f.get("min"), where, "min") if "min" in f else None
    high = r.date(f.get("max"), where, "max") if "max" in f else None
    if low is not None and high is not None and low > high:
        r.error(f.get("min"), f"{where}: 'min' ({low}) is later than 'max' ({high})")
    kwargs.update(min=low and low.isoformat(), max=high and high.isoformat())
    p.register(key, "date", None, position, key, "date question")


def ranking(p, f: Fields, where: str, key, position: int, kwargs: dict) -> None:
    options = _options(p, f, where, 2)
    kwargs["options"] = options
    p.register(key, "ranking", _codes(options), position, key, "ranking question")


TYPE_PARSERS: dict[str, Callable[..., None]] = {
    "single_choice": single_choice,
    "multiple_choice": multiple_choice,
    "likert": likert,
    "matrix": matrix,
    "number": number,
    "short_text": text,
    "long_text": text,
    "date": date,
    "ranking": ranking,
}
