"""Rows of an export, streamed: responses in id order, in chunks, one statement per chunk.

Each response carries its answers as one export row in its own version's layout
(`responses.export_row`, see app/surveys/wide.py). A `Plan` maps every version's layout to the
merged columns once; a row then costs a string operation or two, not a pivot of ~100 answer rows.
A response without an export row (NULL) is pivoted from its answers as before, so the answers stay
the source of truth. Memory stays flat: one chunk of responses at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy import func, select

from app.exports.schema import Column, pseudonym
from app.extensions import db
from app.organisations.models import Organisation
from app.surveys.models import Response
from app.surveys.wide import FORMULA_START, SEP, encode, text_value, version_layout

CHUNK = 5_000

RESPONSES_SQL = (
    "SELECT id, version_id, organisation_id, submitted_on, export_row FROM responses "
    "WHERE survey_id + 0 = ? AND id > ? ORDER BY id LIMIT ?"
)
ANSWERS_SQL = (
    "SELECT response_id, variable, item, num, text FROM answers "
    "WHERE response_id >= ? AND response_id <= ? AND survey_id + 0 = ? ORDER BY response_id"
)


def _fetch(connection, sql: str, params: tuple, size: int = 20_000):
    """Rows of a driver cursor, fetched in batches (plain tuples, no result processing).

    `survey_id + 0` keeps SQLite on the primary keys; PostgreSQL then misjudges how many rows
    match and sorts the whole table for every chunk, so it gets the plain column.
    """
    if connection.dialect.name != "sqlite":
        sql = sql.replace("survey_id + 0", "survey_id")
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield from batch
    finally:
        cursor.close()


def count_rows(survey) -> int:
    return int(db.session.scalar(select(func.count()).where(Response.survey_id == survey.id)) or 0)


def csv_text(value: str) -> str:
    """A text value as a CSV cell good for `,` and `;`: neutralised, quoted when needed."""
    if value.startswith(FORMULA_START):
        value = "'" + value
    if any(c in value for c in ',;"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


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


@dataclass
class VersionMap:
    """From one version's export row to the merged data columns: None = the same layout."""

    getter: itemgetter  # picks the merged cells from the split cells + one "" (columns it lacks)
    derived: list[tuple[int, int]]  # (merged index, version index of a sibling option): 0 if answered

    def line(self, row: str) -> str:
        cells = row.split(SEP)
        cells.append("")
        out = self.getter(cells)
        if self.derived:
            out = list(out)
            for target, sibling in self.derived:
                out[target] = "0" if cells[sibling] else ""
        return SEP.join(out)


def _version_map(layout, data: list[Column]) -> VersionMap | None:
    index = {name: i for i, name in enumerate(layout.names)}
    sources, derived = [], []
    for j, col in enumerate(data):
        i = index.get(col.name)
        kind = layout.kinds[i] if i is not None else None
        same = kind is not None and (
            (col.source in ("single", "text") and kind in ("single", "text")) or col.source == kind
        )
        if same:
            sources.append(i)
            continue
        sources.append(layout.width)  # the padding cell: empty
        if col.source == "multi" and col.variable.name in layout.multi and kind is None:
            derived.append((j, layout.multi[col.variable.name][0]))
    if sources == list(range(layout.width)) and len(data) == layout.width:
        return None
    getter = itemgetter(*sources) if len(sources) > 1 else (lambda cells, i=sources[0]: (cells[i],))
    return VersionMap(getter, derived)


class Plan:
    """Everything an export needs besides the rows: columns, meta values, one map per version."""

    def __init__(self, survey, columns: list[Column]):
        self.survey = survey
        self.columns = columns
        self.meta = sum(1 for c in columns if c.source == "meta")
        self.data = columns[self.meta :]
        self.with_org = self.meta == 4
        self.anonymity = survey.anonymity
        self.numbers = {v.id: v.number for v in survey.versions}
        self.versions = {v.id: v for v in survey.versions}
        self.maps = {v.id: _version_map(version_layout(v), self.data) for v in survey.versions}
        self._names: dict[int, str] = {}
        if self.anonymity == "identified":
            self._names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
        self._orgs: dict[int | None, str | None] = {None: None}
        self._pivot = _slots(self.data)
        # numeric columns that get text from a version where the variable was a text question
        self.texty = {
            j
            for v in survey.versions
            for j, col in enumerate(self.data)
            if col.kind != "str" and _kind_of(version_layout(v), col.name) == "text"
        }
        kinds = [c.kind for c in self.data]
        self.decoders = [text_value if k == "str" else _number for k in kinds]

    def organisation(self, org_id: int | None) -> str | None:
        if org_id not in self._orgs:
            if self.anonymity == "identified":
                self._orgs[org_id] = self._names.get(org_id)
            else:
                self._orgs[org_id] = pseudonym(self.survey.slug, org_id)
        return self._orgs[org_id]

    def pivot(self, answer_rows: list) -> list:
        """Python values of the data columns from (variable, item, num, text) rows (no export row)."""
        single, options, multi = self._pivot
        values: list = [None] * len(self.data)
        answered = set()
        for variable, item, num, text in answer_rows:
            index = single.get(variable)
            if index is not None:
                values[index] = text if text is not None else (int(num) if num.is_integer() else num)
                continue
            codes = options.get(variable)
            if codes is None or item not in codes:
                continue
            if variable in multi:
                answered.add(variable)
                values[codes[item]] = 1
            else:
                values[codes[item]] = int(num)
        for variable in answered:
            for index in multi[variable]:
                if values[index] is None:
                    values[index] = 0
        return values

    def decode(self, line: str) -> list:
        """Python values of the data columns from a merged line."""
        return [dec(c) if c else None for dec, c in zip(self.decoders, line.split(SEP), strict=True)]


def _kind_of(layout, name: str) -> str | None:
    try:
        return layout.kinds[layout.names.index(name)]
    except ValueError:
        return None


def _number(cell: str):
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return text_value(cell)  # a text answer of a version where this variable was text


# One response of a chunk: (id, version number, day, organisation, line, values) - the day and the
# organisation only outside anonymous mode; `line` the data cells in the merged layout joined by
# SEP, or None and then `values` (Python values pivoted from the answers). A plain tuple: the
# fast paths cost a microsecond or two per response, an object per row would double that.
Item = tuple


def iter_items(
    survey, plan: Plan, chunk: int = CHUNK, *, after: int = 0, limit: int | None = None
) -> Iterator[list[Item]]:
    """Chunks of responses in id order (keyset on the random response id, so the order reveals
    nothing about when a response came in): one statement per chunk, plus one for the answers of
    responses without an export row. `after` and `limit` give one page."""
    connection = db.session.connection()
    maps, numbers, with_org, organisation = plan.maps, plan.numbers, plan.with_org, plan.organisation
    last, produced = after, 0
    while True:
        size = chunk if limit is None else min(chunk, limit - produced)
        if size <= 0:
            return
        rows = list(_fetch(connection, RESPONSES_SQL, (survey.id, last, size)))
        if not rows:
            return
        produced += len(rows)
        last = rows[-1][0]
        slow: dict[int, list] = {}
        missing = [r for r in rows if r[4] is None]
        if missing:
            rows, slow = _without_export_rows(connection, survey, plan, rows, missing)
        items = []
        append = items.append
        for rid, version_id, org_id, day, row in rows:
            if row is not None:
                mapping = maps.get(version_id)
                line, values = (row if mapping is None else mapping.line(row)), None
            else:
                line, values = None, slow[rid]
            if with_org:
                append(
                    (
                        rid,
                        numbers.get(version_id),
                        None if day is None else str(day),
                        organisation(org_id),
                        line,
                        values,
                    )
                )
            else:
                append((rid, numbers.get(version_id), None, None, line, values))
        yield items
        if len(rows) < size:
            return


def _without_export_rows(connection, survey, plan: Plan, rows: list, missing: list):
    """Rows with the export row made from the answers, and pivoted values where that fails."""
    wanted = {r[0] for r in missing}
    answers: dict[int, list] = {}
    for rid, variable, item, num, text in _fetch(
        connection, ANSWERS_SQL, (missing[0][0], missing[-1][0], survey.id)
    ):
        if rid in wanted:
            answers.setdefault(rid, []).append((variable, item, num, text))
    out, slow = [], {}
    for rid, version_id, org_id, day, row in rows:
        if row is None:
            version = plan.versions.get(version_id)
            own = answers.get(rid, [])
            row = encode(version_layout(version), own) if version is not None else None
            if row is None:
                slow[rid] = plan.pivot(own)
        out.append((rid, version_id, org_id, day, row))
    return out, slow


def iter_rows(
    survey, columns: list[Column], chunk: int = CHUNK, *, after: int = 0, limit: int | None = None
) -> Iterator[list]:
    """One list per response, values in the order of `columns` (None = no answer)."""
    plan = Plan(survey, columns)
    for items in iter_items(survey, plan, chunk, after=after, limit=limit):
        for rid, version, day, org, line, values in items:
            meta = [rid, version, day, org] if plan.with_org else [rid, version]
            yield meta + (values if values is not None else plan.decode(line))
