"""Pure helpers of the benchmark runner: summaries of repeated runs, the table, the statement counter.

Nothing here starts a process or times anything, so the tests can cover it quickly.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded (recorded next to every figure)."""
    return [round(x, 2) for x in os.getloadavg()]


def summarize(values: Sequence[float]) -> dict:
    """{median, min, max, runs} of a figure measured several times (at least one value)."""
    if not values:
        raise ValueError("no runs to summarize")
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": list(values),
    }


@dataclass
class Figure:
    """One row of the table and of the JSON file."""

    db: str
    section: str
    name: str
    unit: str
    values: list[float]
    loadavg: list[float] = field(default_factory=loadavg)
    note: str = ""

    def as_dict(self) -> dict:
        """The JSON form; a figure without values (a failed measurement) has no median."""
        summary = (
            summarize(self.values) if self.values else {"median": None, "min": None, "max": None, "runs": []}
        )
        return {
            "db": self.db,
            "section": self.section,
            "name": self.name,
            "unit": self.unit,
            **summary,
            "loadavg": self.loadavg,
            "note": self.note,
        }


def number(value: float) -> str:
    """A figure for the table: no false precision, thousands grouped."""
    if value is None:
        return "-"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 100):
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def table(rows: Iterable[Sequence[object]], headers: Sequence[str]) -> str:
    """A plain-text table; numbers are right-aligned, text left-aligned."""
    cells = [[str(h) for h in headers]]
    numeric = [True] * len(headers)
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, the table {len(headers)}: {row!r}")
        line = []
        for i, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                line.append(number(value))
            else:
                numeric[i] = numeric[i] and value in (None, "", "-")
                line.append("-" if value is None else str(value))
        cells.append(line)
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]

    def fmt(line):
        pairs = enumerate(zip(line, widths, strict=True))
        padded = (c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in pairs)
        return "  ".join(padded).rstrip()

    out = [fmt(cells[0]), "  ".join("-" * w for w in widths)]
    out.extend(fmt(line) for line in cells[1:])
    return "\n".join(out)


def figures_table(figures: Sequence[Figure]) -> str:
    """The runner's table: one line per figure with median, min, max and the load average."""
    rows = [
        (
            f.db,
            f.section,
            f.name,
            f.unit,
            statistics.median(f.values) if f.values else None,
            min(f.values, default=None),
            max(f.values, default=None),
            len(f.values),
            "/".join(f"{x:.1f}" for x in f.loadavg),
            f.note,
        )
        for f in figures
    ]
    headers = ("db", "section", "figure", "unit", "median", "min", "max", "runs", "load 1/5/15", "note")
    return table(rows, headers)


@dataclass
class Counts:
    statements: int = 0
    begins: int = 0
    commits: int = 0
    rollbacks: int = 0
    sql: list[str] = field(default_factory=list)


class StatementCounter:
    """Counts SQL statements and transactions on an engine while active (`with counter:`).

    `label` names the bucket that counts go to (e.g. the request being made), so one counter can
    report per request of a flow. Transaction control sent as SQL (SQLite's own `BEGIN IMMEDIATE`)
    is counted as a begin, not as a statement.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.buckets: dict[str, Counts] = {}
        self.label = "total"
        self._active = False

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        event.listen(self.engine, "begin", self._on_begin)
        event.listen(self.engine, "commit", self._on_commit)
        event.listen(self.engine, "rollback", self._on_rollback)
        self._active = True
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
        event.remove(self.engine, "begin", self._on_begin)
        event.remove(self.engine, "commit", self._on_commit)
        event.remove(self.engine, "rollback", self._on_rollback)
        self._active = False

    def bucket(self, label: str | None = None) -> Counts:
        return self.buckets.setdefault(label or self.label, Counts())

    @property
    def total(self) -> Counts:
        out = Counts()
        for counts in self.buckets.values():
            out.statements += counts.statements
            out.begins += counts.begins
            out.commits += counts.commits
            out.rollbacks += counts.rollbacks
            out.sql.extend(counts.sql)
        return out

    def _on_execute(self, _conn, _cursor, statement, _parameters, _context, executemany):
        if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return  # the begin/commit events count these
        counts = self.bucket()
        counts.statements += 1
        counts.sql.append(("executemany: " if executemany else "") + " ".join(statement.split())[:160])

    def _on_begin(self, _conn):
        self.bucket().begins += 1

    def _on_commit(self, _conn):
        self.bucket().commits += 1

    def _on_rollback(self, _conn):
        self.bucket().rollbacks += 1
