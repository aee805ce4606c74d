"""Rows of an export, streamed: responses in id order, in chunks, with their answers pivoted in one
pass (memory stays flat: one chunk of responses at a time)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from app.exports.schema import Column, pseudonym
from app.extensions import db
from app.organisations.models import Organisation
from app.surveys.models import Response

CHUNK = 2_000


def _slots(columns: list[Column]):
    """Lookup tables: variable -> column index (one-column variables), variable -> {code: index}
    (multiple choice and ranking), and the multiple-choice variables."""
    single: dict[str, int] = {}
    options: dict[str, dict[int, int]] = {}
    multi: dict[str, list[int]] = {}
    for index, col in enumerate(columns):
        if col.source in ("single", "text"):
            single[col.name] = index
        elif col.source in ("multi", "rank"):
            options.setdefault(col.variable.name, {})[col.code] = index
            if col.source == "multi":
                multi.setdefault(col.variable.name, []).append(index)
    return single, options, multi


ANSWERS_SQL = (
    "SELECT response_id, variable, item, num, text FROM answers "
    "WHERE response_id >= ? AND response_id <= ? AND survey_id + 0 = ? ORDER BY response_id"
)


def _fetch(connection, sql: str, params: tuple, size: int = 20_000):
    """Rows of a driver cursor, fetched in batches (plain tuples, no result processing)."""
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield from batch
    finally:
        cursor.close()


def count_rows(survey) -> int:
    from sqlalchemy import func

    return int(db.session.scalar(select(func.count()).where(Response.survey_id == survey.id)) or 0)


def iter_rows(
    survey, columns: list[Column], chunk: int = CHUNK, *, after: int = 0, limit: int | None = None
) -> Iterator[list]:
    """One list per response, values in the order of `columns` (None = no answer).

    Two statements per chunk of responses (keyset on the random response id, so the order reveals
    nothing about when a response came in): the responses, then their answers in primary-key order.
    (`survey_id + 0` keeps SQLite on the primary keys: a range of ids, not the whole survey index.)
    `after` and `limit` give one page (ids greater than `after`, at most `limit` rows).
    """
    single, options, multi = _slots(columns)
    names = {c.name for c in columns}
    width = len(columns)
    versions = {v.id: v.number for v in survey.versions}
    orgs: dict[int, str] = {}
    anonymity = survey.anonymity
    if anonymity == "identified":
        orgs = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    connection = db.session.connection()
    # Plain driver rows: millions of answer rows go through this loop, ORM rows would double its cost.
    answers_sql = ANSWERS_SQL if connection.dialect.paramstyle == "qmark" else ANSWERS_SQL.replace("?", "%s")
    last, produced = after, 0
    while True:
        if limit is not None:
            chunk = min(chunk, limit - produced)
            if chunk <= 0:
                return
        responses = db.session.execute(
            select(Response.id, Response.version_id, Response.organisation_id, Response.submitted_on)
            .where((Response.survey_id + 0) == survey.id, Response.id > last)
            .order_by(Response.id)
            .limit(chunk)
        ).all()
        if not responses:
            return
        first, last = responses[0][0], responses[-1][0]
        rows: dict[int, list] = {}
        for rid, version_id, org_id, day in responses:
            row = [None] * width
            row[0], row[1] = rid, versions.get(version_id)
            if "organisation" in names:
                row[2] = day.isoformat() if day else None
                if org_id is not None:
                    row[3] = orgs.get(org_id) if anonymity == "identified" else pseudonym(survey.slug, org_id)
            rows[rid] = row
        answered: list[tuple[list, str]] = []
        current_id, current, seen = None, None, set()
        for rid, variable, item, num, text in _fetch(connection, answers_sql, (first, last, survey.id)):
            if rid != current_id:
                current_id, current, seen = rid, rows.get(rid), set()
                if current is None:
                    continue
            elif current is None:
                continue
            index = single.get(variable)
            if index is not None:
                current[index] = text if text is not None else (int(num) if num.is_integer() else num)
                continue
            codes = options.get(variable)
            if codes is None or item not in codes:
                continue
            if variable in multi:
                if variable not in seen:
                    seen.add(variable)
                    answered.append((current, variable))
                current[codes[item]] = 1
            else:
                current[codes[item]] = int(num)
        for row, variable in answered:
            for index in multi[variable]:
                if row[index] is None:
                    row[index] = 0
        produced += len(rows)
        yield from rows.values()
        if len(responses) < chunk:
            return
