"""Rows of an export, streamed: responses in id order, in chunks, with their answers pivoted in one
pass (memory stays flat: one chunk of responses at a time)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from app.exports.schema import Column, pseudonym
from app.extensions import db
from app.organisations.models import Organisation
from app.surveys.models import Answer, Response

CHUNK = 2_000


def _slots(columns: list[Column]):
    """Lookup tables: (variable, item) -> column index, and multiple-choice variable -> indexes."""
    by_key: dict[tuple[str, int], int] = {}
    multi: dict[str, list[int]] = {}
    rank: set[str] = set()
    for index, col in enumerate(columns):
        if col.source in ("single", "text"):
            by_key[(col.name, 0)] = index
        elif col.source == "multi":
            by_key[(col.variable.name, col.code)] = index
            multi.setdefault(col.variable.name, []).append(index)
        elif col.source == "rank":
            by_key[(col.variable.name, col.code)] = index
            rank.add(col.variable.name)
    return by_key, multi, rank


def count_rows(survey) -> int:
    from sqlalchemy import func

    return int(db.session.scalar(select(func.count()).where(Response.survey_id == survey.id)) or 0)


def iter_rows(
    survey, columns: list[Column], chunk: int = CHUNK, *, after: int = 0, limit: int | None = None
) -> Iterator[list]:
    """One list per response, values in the order of `columns` (None = no answer).

    Two statements per chunk of responses (keyset on the random response id, so the order reveals
    nothing about when a response came in): the responses, then their answers in primary-key order.
    `after` and `limit` give one page (ids greater than `after`, at most `limit` rows).
    """
    by_key, multi, _rank = _slots(columns)
    names = {c.name for c in columns}
    width = len(columns)
    versions = {v.id: v.number for v in survey.versions}
    orgs: dict[int, str] = {}
    anonymity = survey.anonymity
    if anonymity == "identified":
        orgs = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    last, produced = after, 0
    while True:
        if limit is not None:
            chunk = min(chunk, limit - produced)
            if chunk <= 0:
                return
        responses = db.session.execute(
            select(Response.id, Response.version_id, Response.organisation_id, Response.submitted_on)
            .where(Response.survey_id == survey.id, Response.id > last)
            .order_by(Response.id)
            .limit(chunk)
        ).all()
        if not responses:
            return
        first, last = responses[0][0], responses[-1][0]
        answers = db.session.execute(
            select(Answer.response_id, Answer.variable, Answer.item, Answer.num, Answer.text)
            .where(Answer.response_id >= first, Answer.response_id <= last, Answer.survey_id == survey.id)
            .order_by(Answer.response_id)
        )
        rows: dict[int, list] = {}
        for rid, version_id, org_id, day in responses:
            row = [None] * width
            row[0], row[1] = rid, versions.get(version_id)
            if "organisation" in names:
                row[2] = day.isoformat() if day else None
                if org_id is not None:
                    row[3] = orgs.get(org_id) if anonymity == "identified" else pseudonym(survey.slug, org_id)
            rows[rid] = row
        current_id, current, seen_multi = None, None, set()
        for rid, variable, item, num, text in answers:
            if rid != current_id:
                if current is not None:
                    _fill_multi(current, seen_multi, multi)
                current_id, current, seen_multi = rid, rows.get(rid), set()
            if current is None:
                continue
            index = by_key.get((variable, item))
            if index is None:
                continue
            if variable in multi:
                current[index] = 1
                seen_multi.add(variable)
            elif text is not None:
                current[index] = text
            elif num is not None:
                current[index] = int(num) if num.is_integer() else num
        if current is not None:
            _fill_multi(current, seen_multi, multi)
        produced += len(rows)
        yield from rows.values()
        if len(responses) < chunk:
            return


def _fill_multi(row: list, seen: set, multi: dict[str, list[int]]) -> None:
    """Options not chosen are 0 for a respondent who answered the question (else stay empty)."""
    for variable in seen:
        for index in multi[variable]:
            if row[index] is None:
                row[index] = 0
