"""Result tallies: answer counts kept in SQL and folded forward, so a view does not re-count it all.

The results page and the findings board used to GROUP BY over every answer row of the survey on
the first view after a new response (14-25 s at 100,000 responses). Now:

- `result_tallies` (app.results.models) holds, per survey, the counts of the answer rows of the
  responses already *counted* (`responses.tallied = 0`): per (variable, item, value), the
  responses with a row per variable, and the same broken down by each profile variable's code
  (the board's breakdown by type of service, the profile filters).
- *Folding* counts the responses not counted yet (`tallied IS NULL`, as every submit leaves them:
  the submit path is untouched) into the tallies: one transaction that marks them with a batch
  number, adds `INSERT ... SELECT ... GROUP BY` over only those responses to the tallies (upsert:
  n = n + new), and sets their mark to 0. The batch number lives only inside that transaction, so
  nothing stored tells responses counted earlier from later ones. Folds of a survey are serialised
  (the survey row's lock on PostgreSQL, BEGIN IMMEDIATE on SQLite); a fold takes at most CHUNK
  responses. The `result-tallies` job folds every minute (and `flask demo`); a view folds only
  when the job seems not to run (see `read`).
- Reading is one statement: tallies UNION ALL the answer rows of the responses not counted yet
  (a minute's worth, up to DELTA_IN_PYTHON responses), counted in Python like the fold counts
  them; with more, tallies UNION ALL the same GROUP BYs over them. Never stale either way.
- Deletes: the tallies keep the count and an id checksum of the responses counted; when they no
  longer match the responses with `tallied = 0` (a counted response was deleted) or a breakdown is
  missing (a new profile variable), the survey's tallies are rebuilt from zero (by folds).
  Deleting a survey deletes its tallies (foreign key cascade).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, has_request_context, request
from sqlalchemy import (
    Float,
    String,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from app.core.database import BUSY_ERRORS, READ_METHODS, immediate_transactions, plain_transactions
from app.extensions import db
from app.results import queries
from app.results.models import ANSWERED, CONTROL_COUNT, CONTROL_SUM, ResultTally
from app.results.variables import SERVICE_TYPE_VARIABLE, merged_variables, profile_filters
from app.surveys.models import Answer, Response, Survey

log = logging.getLogger(__name__)

CHECKSUM_MOD = 1_000_000_007
ROWED_TYPES = frozenset({"short_text", "long_text", "date"})
CHUNK = 500  # responses per fold: about a second of SQLite write lock (submits wait up to 5 s)
# Up to this many uncounted responses a view reads their answer rows and counts them in Python
# (`_rows_statement`, `_delta`): on PostgreSQL, planning the GROUP BYs of `_read_statement` cost
# more than counting a minute's worth of responses. More (the job lags): the GROUP BYs in SQL.
DELTA_IN_PYTHON = 200
ANALYZE_FROM = 500  # responses counted in one job run after which PostgreSQL's statistics are refreshed
COLUMNS = ("group_variable", "group_code", "variable", "item", "value", "n")
# {(group variable, group code): {(variable, item, value): n}}
Tally = dict[tuple[str, float], dict[tuple[str, int, float], int]]


def group_variables(survey, variables=None) -> list[str]:
    """The profile variables the survey's tallies are broken down by (closed questions only)."""
    variables = variables if variables is not None else merged_variables(survey)
    names = {v.name for v in profile_filters(survey, variables).values()}
    names |= {v.name for v in variables if v.name == SERVICE_TYPE_VARIABLE and v.is_closed}
    return sorted(names)


def _text(value: str):
    return cast(literal_column("'" + value.replace("'", "''") + "'"), String)


def _int(value: int):
    return literal_column(str(int(value)))


def _float(value: float):
    return cast(literal_column(repr(float(value))), Float)


def _row(*columns):
    return select(*[c.label(name) for c, name in zip(columns, COLUMNS, strict=True)])


def _parts(survey_id: int, condition, groups, multi: list[str], rowed: list[str], controls: bool, names=None):
    """Selects of COLUMNS over the survey's responses matching `condition(responses)`.

    `groups`: ('', None) for all responses, (profile variable, codes or None for every code) for a
    breakdown. `names`: only these variables. Answered counts (responses with a row) only where
    the code counts do not give them: `rowed` (text and dates: one row per response, no value)
    and `multi` (multiple choice: distinct responses). `controls` adds the control rows (folds).
    Answers are reached through their primary key (response id first) from the batch's responses.
    """
    r = aliased(Response, name="r")
    a = aliased(Answer, name="a")
    g = aliased(Answer, name="g")
    where = and_(r.survey_id == survey_id, condition(r))
    zero = _float(0)
    parts = []
    for group, codes in groups:
        g_join = and_(g.response_id == r.id, g.variable == group, g.num.is_not(None))
        if codes is not None:
            g_join = and_(g_join, g.num.in_([float(c) for c in codes]))
        keys = [g.num] if group else []

        def counted(*columns, answers=True, conditions=(), by=(), group=group, g_join=g_join, keys=keys):
            stmt = _row(_text(group), keys[0] if keys else zero, *columns).select_from(r)
            if group:
                stmt = stmt.join(g, g_join)
            if answers:
                a_join = a.response_id == r.id
                stmt = stmt.join(a, a_join if names is None else and_(a_join, a.variable.in_(names)))
            return stmt.where(where, *conditions).group_by(*keys, *by)

        parts += [
            counted(
                a.variable,
                a.item,
                a.num,
                func.count(),
                conditions=[a.num.is_not(None)],
                by=[a.variable, a.item, a.num],
            ),
            counted(
                a.variable,
                _int(ANSWERED),
                zero,
                func.count(),
                conditions=[a.variable.in_(rowed)],
                by=[a.variable],
            ),
            counted(_text(""), _int(ANSWERED), zero, func.count(), answers=False),
        ]
        if multi:
            parts.append(
                counted(
                    a.variable,
                    _int(ANSWERED),
                    zero,
                    func.count(func.distinct(a.response_id)),
                    conditions=[a.variable.in_(multi)],
                    by=[a.variable],
                )
            )
        if controls:
            parts.append(
                _row(_text(group), zero, _text(""), _int(CONTROL_COUNT), zero, func.count())
                .select_from(r)
                .where(where)
            )
    if controls:
        checksum = func.coalesce(func.sum(r.id % CHECKSUM_MOD), 0)
        parts.append(
            _row(_text(""), zero, _text(""), _int(CONTROL_SUM), zero, checksum).select_from(r).where(where)
        )
    return parts


def _union(parts):
    first, *rest = parts
    return first.union_all(*rest).subquery("t") if rest else first.subquery("t")


@dataclass(frozen=True)
class Plan:
    """What a survey's tallies hold: the breakdowns, and which variables are multiple choice."""

    survey_id: int
    groups: tuple[str, ...]
    multi: tuple[str, ...]
    rowed: tuple[str, ...]


def plan(survey, variables=None) -> Plan:
    variables = variables if variables is not None else merged_variables(survey)
    multi = tuple(sorted(v.name for v in variables if v.type == "multiple_choice"))
    rowed = tuple(sorted(v.name for v in variables if v.type in ROWED_TYPES))
    return Plan(survey.id, tuple(group_variables(survey, variables)), multi, rowed)


@lru_cache(maxsize=256)
def response_counts(survey_id: int):
    """(responses, sum of their ids mod CHECKSUM_MOD, not yet counted, id sum of the counted):
    one scan of the (survey_id, tallied, id) index; the first two are the results' data stamp."""
    checksum = Response.id % CHECKSUM_MOD
    return select(
        func.count(),
        func.coalesce(func.sum(checksum), 0),
        func.coalesce(func.sum(case((Response.tallied.is_(None), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Response.tallied == 0, checksum), else_=0)), 0),
    ).where(Response.survey_id == survey_id)


@lru_cache(maxsize=256)
def _controls_statement(p: Plan):
    return select(*_controls(p))


def _controls(p: Plan):
    """The control rows: (count, checksum) of all the responses counted, count per breakdown."""

    def control(group: str, item: int):
        return (
            select(ResultTally.n)
            .where(
                ResultTally.survey_id == p.survey_id,
                ResultTally.group_variable == group,
                ResultTally.group_code == 0,
                ResultTally.variable == "",
                ResultTally.item == item,
                ResultTally.value == 0,
            )
            .scalar_subquery()
        )

    return [control("", CONTROL_COUNT), control("", CONTROL_SUM)] + [
        control(g, CONTROL_COUNT) for g in p.groups
    ]


def status(conn, p: Plan, counts: tuple[int, ...] | None = None) -> tuple[int, bool]:
    """(responses not counted yet, whether the tallies must be rebuilt): one statement.

    `counts`: the `response_counts` row read earlier in the same request (with the data stamp),
    so only the control rows are read. A fold may have committed in between (PostgreSQL reads
    each statement afresh): a mismatch is checked again in one statement before it counts."""
    recheck = counts is not None
    if counts is None:
        row = conn.execute(
            select(*response_counts(p.survey_id).selected_columns, *_controls(p)).where(
                Response.survey_id == p.survey_id
            )
        ).one()
        counts, controls = tuple(int(n) for n in row[:4]), row[4:]
    else:
        controls = conn.execute(_controls_statement(p)).one()
    total, _checksum, pending, counted_sum = counts
    control_count, control_sum, *group_counts = (int(n or 0) for n in controls)
    counted = total - pending
    healthy = control_count == counted and control_sum == counted_sum
    healthy = healthy and all(n == counted for n in group_counts)
    if not healthy and recheck:
        return status(conn, p)
    return pending, not healthy


def _upsert(conn, select_stmt):
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ResultTally).from_select(["survey_id", *COLUMNS], select_stmt)
    return stmt.on_conflict_do_update(
        index_elements=["survey_id", *COLUMNS[:-1]], set_={"n": ResultTally.n + stmt.excluded.n}
    )


def fold_once(conn, p: Plan, rebuild: bool, chunk: int | None = None) -> None:
    """Count up to `chunk` uncounted responses into the tallies (a rebuild first drops them all).

    Its own transaction on `conn`."""
    with immediate_transactions(), conn.begin():
        # Serialises folds of this survey on PostgreSQL (a row lock that lets submits, which only
        # share the survey's key, through); on SQLite BEGIN IMMEDIATE already did.
        conn.execute(select(Survey.id).where(Survey.id == p.survey_id).with_for_update(key_share=True))
        if rebuild:
            conn.execute(delete(ResultTally).where(ResultTally.survey_id == p.survey_id))
            conn.execute(
                update(Response)
                .where(Response.survey_id == p.survey_id, Response.tallied.is_not(None))
                .values(tallied=None)
            )
        batch = random.randrange(1, 1 << 62)
        chosen = (
            select(Response.id)
            .where(Response.survey_id == p.survey_id, Response.tallied.is_(None))
            .limit(chunk or CHUNK)
            .scalar_subquery()
        )
        conn.execute(update(Response).where(Response.id.in_(chosen)).values(tallied=batch))
        groups = [("", None)] + [(g, None) for g in p.groups]
        t = _union(
            _parts(
                p.survey_id, lambda r: r.tallied == batch, groups, list(p.multi), list(p.rowed), controls=True
            )
        )
        # (the WHERE also settles SQLite's INSERT ... SELECT ... ON CONFLICT parsing ambiguity)
        rows = select(literal_column(str(int(p.survey_id))), *t.c).where(t.c[len(COLUMNS) - 1] > 0)
        conn.execute(_upsert(conn, rows))
        conn.execute(
            update(Response)
            .where(Response.survey_id == p.survey_id, Response.tallied == batch)
            .values(tallied=0)
        )


def fold(conn, p: Plan, *, until_done: bool = True) -> int:
    """Check the tallies and fold uncounted responses into them, one chunk or all (a commit each).
    Returns about how many responses it counted."""
    counted = 0
    while True:
        with plain_transactions(), conn.begin():
            pending, rebuild = status(conn, p)
        if rebuild:
            log.info("result tallies of survey %s rebuilt (a counted response was deleted)", p.survey_id)
        elif not pending:
            return counted
        fold_once(conn, p, rebuild)
        counted += min(pending, CHUNK) if not rebuild else CHUNK
        if not until_done or (not rebuild and pending <= CHUNK):
            return counted


def fold_all() -> dict[str, int]:
    """The job: fold every survey's uncounted responses (chunk by chunk, a commit each)."""
    plans = [plan(s) for s in db.session.scalars(select(Survey).order_by(Survey.id)) if s.versions]
    db.session.commit()  # ends the session's transaction: in jobs, on SQLite, it holds the write lock
    counted = 0
    with db.engine.connect() as conn:
        for p in plans:
            counted += fold(conn, p)
        if counted >= ANALYZE_FROM and conn.dialect.name == "postgresql":
            _tidy_postgresql(conn)
    return {"surveys": len(plans), "counted": counted}


def _tidy_postgresql(conn) -> None:
    """After a big fold on PostgreSQL (a first build, a backlog).

    Each chunk rewrote every tally row it touched: at 10,000 responses the table held 3,000 pages
    for 31,000 live rows (350 pages), and each view's scan of the tallies read them all. CLUSTER
    rewrites it compactly in primary-key order (a group's rows together), holding an exclusive
    lock on result_tallies alone for a fraction of a second (views wait, submits never touch it);
    when a view holds the table over a second, it is left for the next big fold and autovacuum.
    Then fresh statistics: from before, most responses look uncounted and the planner scans all
    answers for the (empty) delta of every view. VACUUM also marks the responses' pages all
    visible, so the scan for the uncounted ones stays in the index."""
    auto = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM runs outside a transaction
    try:
        auto.exec_driver_sql("SET lock_timeout = '1s'")
        auto.exec_driver_sql("CLUSTER result_tallies USING pk_result_tallies")
    except DBAPIError as error:
        auto.rollback()
        log.warning("result tallies not compacted: %s", type(error.orig).__name__)
    auto.exec_driver_sql("RESET lock_timeout")
    auto.exec_driver_sql("VACUUM (ANALYZE) responses")
    auto.exec_driver_sql("ANALYZE result_tallies")


def _may_write() -> bool:
    """Folding from a view: not inside a write request (its SQLite write lock would block us)."""
    return not (has_request_context() and request.method not in READ_METHODS)


def _tally_select(p: Plan, wanted: tuple, names: tuple | None):
    """The tally rows of the wanted groups (COLUMNS; no control rows)."""
    tally = select(*[getattr(ResultTally, c) for c in COLUMNS])
    if names is not None:
        tally = tally.where(ResultTally.variable.in_(["", *names]))
    conditions = []
    for group, codes in wanted:
        condition = ResultTally.group_variable == group
        if codes is not None:
            condition = and_(condition, ResultTally.group_code.in_([float(c) for c in codes]))
        conditions.append(condition)
    return tally.where(
        ResultTally.survey_id == p.survey_id, ResultTally.item >= ANSWERED, or_(false(), *conditions)
    )


@lru_cache(maxsize=256)
def _read_statement(p: Plan, wanted: tuple, names: tuple | None):
    """Tallies + the uncounted delta summed in SQL (built once per plan, groups and names)."""
    tally = select(literal_column(str(int(p.survey_id))), *_tally_select(p, wanted, names).subquery().c)
    delta = _parts(
        p.survey_id,
        lambda r: r.tallied.is_(None),
        wanted,
        list(p.multi),
        list(p.rowed),
        controls=False,
        names=names,
    )
    delta = [select(literal_column(str(int(p.survey_id))), *d.subquery().c) for d in delta]
    t = _union([tally, *delta])
    columns = [t.c[i] for i in range(1, len(COLUMNS))]
    return select(*columns, func.sum(t.c[len(COLUMNS)])).group_by(*columns)


@lru_cache(maxsize=256)
def _rows_statement(p: Plan, wanted: tuple, names: tuple | None):
    """Tallies UNION ALL the answer rows themselves of the uncounted responses (group_variable
    NULL, the response id in `n`; a response without answers gives one row of NULLs), for
    `_delta` to count: two plain selects, which PostgreSQL plans in a fraction of a millisecond
    where the GROUP BYs of `_read_statement` took 5-15 ms."""
    r, a = aliased(Response, name="r"), aliased(Answer, name="a")
    a_join = a.response_id == r.id
    if names is not None:
        a_join = and_(a_join, a.variable.in_(sorted({*names, *(g for g, _codes in wanted if g)})))
    answers = (
        select(cast(null(), String), _float(0), a.variable, a.item, a.num, r.id)
        .select_from(r)
        .outerjoin(a, a_join)
        .where(r.survey_id == p.survey_id, r.tallied.is_(None))
    )
    return _tally_select(p, wanted, names).union_all(answers)


def _delta(p: Plan, wanted: tuple, names: tuple | None, rows) -> Tally:
    """What `_parts` counts in SQL for the wanted groups, from the answer rows
    (variable, item, num, response id) of the uncounted responses."""
    answers: dict[int, list] = {}
    for variable, item, num, response_id in rows:
        listed = answers.setdefault(response_id, [])
        if variable is not None:
            listed.append((variable, item, num))
    shown = set(names) if names is not None else None
    multi, rowed = set(p.multi), set(p.rowed)
    out: Tally = {}
    for group, codes in wanted:
        codes = {float(c) for c in codes} if codes is not None else None
        distinct: set = set()  # (key, multiple-choice variable, response): counted once
        for response_id, rows_of in answers.items():
            if not group:
                keys = [("", 0.0)]
            else:  # one key per answer row of the profile variable (as the SQL join)
                keys = [
                    (group, float(num))
                    for variable, _item, num in rows_of
                    if variable == group and num is not None and (codes is None or float(num) in codes)
                ]
            for key in keys:
                counts = out.setdefault(key, {})
                total = ("", ANSWERED, 0.0)
                counts[total] = counts.get(total, 0) + 1
                for variable, item, num in rows_of:
                    if shown is not None and variable not in shown:
                        continue
                    if num is not None:
                        code = (variable, int(item), float(num))
                        counts[code] = counts.get(code, 0) + 1
                    answered = (variable, ANSWERED, 0.0)
                    if variable in rowed or (
                        variable in multi and (key, variable, response_id) not in distinct
                    ):
                        distinct.add((key, variable, response_id))
                        counts[answered] = counts.get(answered, 0) + 1
    return out


def _frozen(wanted) -> tuple:
    return tuple((group, tuple(codes) if codes is not None else None) for group, codes in wanted)


def read(
    survey, wanted: list[tuple[str, tuple[float, ...] | None]], variables=None, names=None
) -> Tally | None:
    """Counts for the wanted groups (('', None) = all responses; (profile variable, codes)):
    the tallies plus the responses not counted yet (their answer rows counted in Python, or by
    GROUP BYs in SQL when there are many), in one statement, so never stale. `names`:
    only these variables (and the group totals).

    Two statements: the check, then the read. None when the tallies need a rebuild (a counted
    response was deleted): the caller counts on demand until the job has rebuilt them. A view
    folds only when the job seems not to run (RESULT_TALLIES_VIEW_FOLD uncounted responses or more,
    default 5,000): one chunk, on its own connection (a SQLite read snapshot taken earlier in
    the request would not see it), then reads there.
    """
    p = plan(survey, variables)
    pending, rebuild = status(db.session.connection(), p, queries.remembered_counts(p.survey_id))
    if rebuild:
        return None
    threshold = current_app.config.get("RESULT_TALLIES_VIEW_FOLD", 5_000)
    key = (p, _frozen(wanted), tuple(names) if names is not None else None)
    if threshold and pending >= threshold and _may_write():
        with db.engine.connect() as conn:
            try:
                fold(conn, p, until_done=False)
            except BUSY_ERRORS as error:  # the read below still gives the right numbers
                log.warning("result tallies of survey %s not folded: %s", p.survey_id, type(error).__name__)
            with plain_transactions(), conn.begin():
                rows = conn.execute(_read_statement(*key)).all()
    elif pending <= DELTA_IN_PYTHON:
        out: Tally = {}
        answers = []
        rows = db.session.connection().execute(_rows_statement(*key)).all()  # fetchall: not row by row
        for group, code, variable, item, value, n in rows:
            if group is None:  # an answer row of an uncounted response
                answers.append((variable, item, value, n))
            elif n:
                out.setdefault((group, float(code)), {})[(variable, int(item), float(value))] = int(n)
        for group_key, counts in _delta(p, key[1], key[2], answers).items():
            into = out.setdefault(group_key, {})
            for k, n in counts.items():
                into[k] = into.get(k, 0) + n
        return out
    else:
        rows = db.session.connection().execute(_read_statement(*key)).all()
    out = {}
    for group, code, variable, item, value, n in rows:
        if n:
            out.setdefault((group, float(code)), {})[(variable, int(item), float(value))] = int(n)
    return out


def count_matching(survey, filters, variables=None) -> dict[tuple[str, int, float], int]:
    """Counts like `read` gives for one group, of the responses matching `filters` (any mix of
    profile filters), computed on demand: one statement, one pass over their answers through the
    primary key. For the filters the tallies do not break down by, and while they are rebuilt."""
    p = plan(survey, variables)
    matching = queries.filter_set(p.survey_id, filters, cte=True)  # found once for all the parts
    condition = (
        (lambda r: true()) if matching is None else (lambda r: r.id.in_(select(matching.c.response_id)))
    )
    parts = _parts(p.survey_id, condition, [("", None)], list(p.multi), list(p.rowed), controls=False)
    out: dict[tuple[str, int, float], int] = {}
    for _group, _code, variable, item, value, n in db.session.connection().execute(select(_union(parts))):
        if n:
            out[(variable, int(item), float(value))] = int(n)
    return out


def combine(tally: Tally, keys: Iterable[tuple[str, float]]) -> dict[tuple[str, int, float], int]:
    """The counts of several groups added up (codes of one single-choice profile variable)."""
    out: dict[tuple[str, int, float], int] = {}
    for key in keys:
        for k, n in tally.get(key, {}).items():
            out[k] = out.get(k, 0) + n
    return out
