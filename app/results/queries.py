"""The SQL of results on demand: GROUP BYs over `answers`, filters as semi-joins; the data stamp.

The results page and the board read the result tallies instead (app.results.tallies); these
serve the text answers, cross-tabs the tallies can't give, own benchmarks, and the tests.

Each function runs a fixed number of statements whatever the number of responses, and returns
plain, unsuppressed numbers (suppression is `app.results.suppression`'s job). Results are cached
per survey, filter and data stamp: the stamp (number and id sum of the survey's responses) changes
with every submitted or deleted response, so a cached aggregate is never stale, and a page that
is asked again costs one cheap statement.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping

from flask import current_app, has_request_context, request
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.surveys.models import Answer, Response

Filters = Mapping[str, tuple[int, ...]]

_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def data_stamp(survey_id: int) -> tuple[int, int]:
    """(count, sum of the random ids) of the survey's responses: changes with every insert or
    delete. Asked once per request and survey."""
    memo = request.environ.setdefault("wwwelzijn.stamps", {}) if has_request_context() else {}
    if survey_id in memo:
        return memo[survey_id]
    from app.results.tallies import response_counts  # the same scan also serves the tallies' check

    row = db.session.connection().execute(response_counts(survey_id)).one()
    memo[survey_id] = (int(row[0]), int(row[1]))
    memo[("tallies", survey_id)] = tuple(int(n) for n in row)
    return memo[survey_id]


def remembered_counts(survey_id: int) -> tuple[int, ...] | None:
    """The `response_counts` row this request's data stamp read, if any."""
    return (
        request.environ.get("wwwelzijn.stamps", {}).get(("tallies", survey_id))
        if has_request_context()
        else None
    )


def cached(survey_id: int, key: tuple, compute: Callable[[], object], stamp: tuple | None = None):
    """`compute()` once per (survey, key, data stamp); RESULTS_CACHE_SIZE=0 turns caching off."""
    size = current_app.config.get("RESULTS_CACHE_SIZE", 128)
    if not size:
        return compute()
    full_key = (id(db.engine), survey_id, stamp or data_stamp(survey_id), key)
    with _lock:
        if full_key in _cache:
            _cache.move_to_end(full_key)
            return _cache[full_key]
    value = compute()
    with _lock:
        _cache[full_key] = value
        while len(_cache) > size:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def filter_key(filters: Filters) -> tuple:
    return tuple(sorted((k, tuple(sorted(v))) for k, v in filters.items() if v))


def filter_set(survey_id: int, filters: Filters, cte: bool = False):
    """Subquery (or CTE) of the ids of responses matching every filter (any of its codes), or None."""
    sets = []
    for name, codes in filters.items():
        if codes:
            sets.append(
                select(Answer.response_id).where(
                    Answer.survey_id == survey_id,
                    Answer.variable == name,
                    Answer.num.in_([float(c) for c in codes]),
                )
            )
    if not sets:
        return None
    stmt = sets[0].distinct()
    for other in sets[1:]:
        stmt = stmt.where(Answer.response_id.in_(other))
    return stmt.cte("matching") if cte else stmt.subquery("matching")


def _variable_in(column, names):
    """`column IN names`, written so that SQLite reaches answers through the primary key (response
    first) when a filter set drives the query, instead of scanning the survey/variable index."""
    return column.concat("").in_(names)


def _answers(survey_id: int, filters: Filters, *columns, names=None, alias=None):
    """select(columns) over the survey's answers, restricted to `names` and to the filter set."""
    a = alias if alias is not None else Answer
    matching = filter_set(survey_id, filters)
    if matching is None:
        stmt = select(*columns).where(a.survey_id == survey_id)
        if names is not None:
            stmt = stmt.where(a.variable.in_(names))
        return stmt
    stmt = (
        select(*columns)
        .select_from(matching)
        .join(a, and_(a.response_id == matching.c.response_id, a.survey_id == survey_id))
    )
    if names is not None:
        stmt = stmt.where(_variable_in(a.variable, names))
    return stmt


def respondent_total(survey_id: int, filters: Filters) -> int:
    """Responses of the survey that match the filters."""
    matching = filter_set(survey_id, filters)
    if matching is None:
        stmt = select(func.count()).select_from(Response).where(Response.survey_id == survey_id)
    else:
        stmt = select(func.count()).select_from(matching)
    return int(db.session.scalar(stmt) or 0)


def code_counts(survey_id: int, names: Iterable[str], filters: Filters) -> dict[str, dict[int, int]]:
    """variable -> {code: count} for choice variables (single, likert, matrix rows, multiple)."""
    names = list(names)
    if not names:
        return {}
    stmt = _answers(survey_id, filters, Answer.variable, Answer.num, func.count(), names=names)
    out: dict[str, dict[int, int]] = {}
    for variable, num, count in db.session.execute(stmt.group_by(Answer.variable, Answer.num)):
        if num is not None:
            out.setdefault(variable, {})[int(num)] = int(count)
    return out


def answered_counts(survey_id: int, names: Iterable[str], filters: Filters) -> dict[str, int]:
    """variable -> number of responses with an answer (multiple choice: rows per chosen code).

    Without filters: one statement counting, per variable, the survey's responses that have a row
    for it (an existence probe on the answers primary key, which starts with the response id).
    """
    names = list(names)
    if not names:
        return {}
    if filter_set(survey_id, filters) is None:
        counts = [
            select(func.count())
            .select_from(Response)
            .where(
                Response.survey_id == survey_id,
                select(Answer.response_id)
                .where(Answer.response_id == Response.id, Answer.variable == name)
                .exists(),
            )
            .scalar_subquery()
            for name in names
        ]
        row = db.session.execute(select(*counts)).one()
        return {name: int(n) for name, n in zip(names, row, strict=True) if n}
    count = func.count(func.distinct(Answer.response_id))
    stmt = _answers(survey_id, filters, Answer.variable, count, names=names).group_by(Answer.variable)
    return {variable: int(n) for variable, n in db.session.execute(stmt)}


def row_counts(survey_id: int, names: Iterable[str], filters: Filters) -> dict[str, int]:
    """variable -> number of rows: the responses with an answer for one-row variables (text, date)."""
    names = list(names)
    if not names:
        return {}
    stmt = _answers(survey_id, filters, Answer.variable, func.count(), names=names).group_by(Answer.variable)
    return {variable: int(n) for variable, n in db.session.execute(stmt)}


def number_stats(survey_id: int, names: Iterable[str], filters: Filters) -> dict[str, dict]:
    """variable -> {n, mean, min, max, median} for number variables (two statements in all)."""
    names = list(names)
    if not names:
        return {}
    base = _answers(survey_id, filters, Answer.variable, Answer.num, names=names).where(
        Answer.num.is_not(None)
    )
    sub = base.subquery()
    stats = select(
        sub.c.variable, func.count(), func.avg(sub.c.num), func.min(sub.c.num), func.max(sub.c.num)
    )
    out = {
        v: {"n": int(n), "mean": mean, "min": low, "max": high, "median": None}
        for v, n, mean, low, high in db.session.execute(stats.group_by(sub.c.variable))
    }
    # Median: the middle one or two values per variable, by window functions (one statement).
    ranked = select(
        sub.c.variable,
        sub.c.num,
        func.row_number().over(partition_by=sub.c.variable, order_by=sub.c.num).label("rn"),
        func.count().over(partition_by=sub.c.variable).label("cnt"),
    ).subquery()
    middle = select(ranked.c.variable, func.avg(ranked.c.num)).where(
        ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2])
    )
    for variable, median in db.session.execute(middle.group_by(ranked.c.variable)):
        if variable in out:
            out[variable]["median"] = median
    return out


def rank_counts(
    survey_id: int, names: Iterable[str], filters: Filters
) -> dict[str, dict[int, dict[int, int]]]:
    """variable -> {option code: {rank: count}} for ranking variables."""
    names = list(names)
    if not names:
        return {}
    stmt = _answers(survey_id, filters, Answer.variable, Answer.item, Answer.num, func.count(), names=names)
    out: dict[str, dict[int, dict[int, int]]] = {}
    for variable, item, num, count in db.session.execute(
        stmt.group_by(Answer.variable, Answer.item, Answer.num)
    ):
        out.setdefault(variable, {}).setdefault(int(item), {})[int(num)] = int(count)
    return out


def crosstab_counts(
    survey_id: int, row_var: str, col_var: str, filters: Filters
) -> dict[tuple[int, int], int]:
    """{(row code, column code): responses} for two choice variables (a self-join on answers)."""
    a, b = aliased(Answer), aliased(Answer)
    stmt = _answers(survey_id, filters, a.num, b.num, func.count(), names=[row_var], alias=a)
    stmt = stmt.join(b, and_(b.response_id == a.response_id, b.variable == col_var, b.survey_id == survey_id))
    rows = db.session.execute(stmt.group_by(a.num, b.num))
    return {(int(r), int(c)): int(n) for r, c, n in rows if r is not None and c is not None}


def grouped_code_counts(
    survey_id: int, group_var: str, names: Iterable[str], filters: Filters
) -> dict[tuple[int, str], dict[int, int]]:
    """{(group code, variable): {code: count}}: code counts of `names` per answer to `group_var`."""
    names = list(names)
    if not names:
        return {}
    g, a = aliased(Answer), aliased(Answer)
    stmt = _answers(survey_id, filters, g.num, a.variable, a.num, func.count(), names=[group_var], alias=g)
    stmt = stmt.join(
        a, and_(a.response_id == g.response_id, a.survey_id == survey_id, _variable_in(a.variable, names))
    )
    out: dict[tuple[int, str], dict[int, int]] = {}
    for group, variable, num, count in db.session.execute(stmt.group_by(g.num, a.variable, a.num)):
        if group is not None and num is not None:
            out.setdefault((int(group), variable), {})[int(num)] = int(count)
    return out


def grouped_answered(survey_id: int, group_var: str, names: Iterable[str], filters: Filters) -> dict:
    """{(group code, variable): responses with an answer} (for multiple-choice denominators)."""
    names = list(names)
    if not names:
        return {}
    g, a = aliased(Answer), aliased(Answer)
    count = func.count(func.distinct(a.response_id))
    stmt = _answers(survey_id, filters, g.num, a.variable, count, names=[group_var], alias=g)
    stmt = stmt.join(
        a, and_(a.response_id == g.response_id, a.survey_id == survey_id, _variable_in(a.variable, names))
    )
    rows = db.session.execute(stmt.group_by(g.num, a.variable))
    return {(int(gr), v): int(n) for gr, v, n in rows if gr is not None}


def text_page(survey_id: int, name: str, filters: Filters, page: int, per_page: int) -> tuple[list[str], int]:
    """One page of the text answers to `name` (in response-id order, which reveals nothing) + total."""
    base = _answers(survey_id, filters, Answer.text, names=[name]).where(Answer.text.is_not(None))
    total = int(db.session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = db.session.scalars(
        base.order_by(Answer.response_id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(rows), total
