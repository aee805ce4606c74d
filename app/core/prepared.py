"""Core statements run straight on the DB-API cursor, for the few hot paths that need it.

SQLAlchemy Core spends about 20-30 µs per execution building an execution context, processing
parameters and wrapping the result; the respondent flow's statements themselves take a few µs in
SQLite. `Prepared` compiles a Core statement once per dialect and set of parameter names, keeps
the SQL text, the parameter order and the type processors, and then runs it on the DB-API cursor
of the given SQLAlchemy `Connection` (so inside that connection's transaction):

    _LOAD = Prepared(select(Draft.id, Draft.page_key).where(Draft.key_hash == bindparam("key")))
    row = _LOAD.run(connection, {"key": key_hash}).first()

What stays the same as `connection.execute(statement, params)`:

- the SQL text and the values sent (bind processors, e.g. SQLite's datetime strings);
- the rows returned (result processors; attribute access by column name), `rowcount`,
  `first()`, `one()`, `scalar()`;
- errors: DB-API errors are raised as SQLAlchemy's (`OperationalError` for "database is locked",
  `IntegrityError` ...), and a lost connection is invalidated;
- events: `before_cursor_execute` and `after_cursor_execute` listeners are called (with no
  execution context), so statement counters and tests that inject errors see these statements;
- SQL logging: with `echo` on, the statement goes through `connection.execute` instead.

What it refuses, when it compiles (a `ValueError` naming the statement): statements that need
Python-side column defaults (pass the values), expanding or literal-execute parameters (`IN`
lists), and escaped parameter names. The tests compare both paths for every prepared statement.
"""

from __future__ import annotations

import contextlib
import logging
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect

_sql_log = logging.getLogger("sqlalchemy.engine")
_outside = ContextVar("reads_outside_transactions", default=False)


@contextlib.contextmanager
def reads_outside_transactions():
    """Within this block, on SQLite, a prepared statement run while no transaction is open runs
    on its own (SQLite's autocommit: a read takes no lock past its own end). For reads only.
    Elsewhere (PostgreSQL) statements begin the transaction as always."""
    token = _outside.set(True)
    try:
        yield
    finally:
        _outside.reset(token)


class Result:
    """The rows (all fetched) and row count of one run; the subset of `CursorResult` we use."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list, rowcount: int):
        self._rows = rows
        self.rowcount = rowcount

    def all(self) -> list:
        return list(self._rows)

    def first(self):
        return self._rows[0] if self._rows else None

    def one(self):
        if not self._rows:
            raise exc.NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self._rows[0]

    def scalar(self):
        return self._rows[0][0] if self._rows else None

    def __iter__(self):
        return iter(self._rows)


class _Compiled:
    """One statement compiled for one dialect and one set of parameter names."""

    __slots__ = ("binds", "defaults", "names", "positional", "result_types", "results", "row", "sql")

    def __init__(self, statement, dialect: Dialect, keys: tuple[str, ...]):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        if compiled.insert_prefetch or compiled.update_prefetch:
            columns = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
            raise ValueError(f"{statement!r}: pass values for the columns with Python defaults {columns}")
        if compiled.post_compile_params or compiled.literal_execute_params or compiled.escaped_bind_names:
            raise ValueError(f"{statement!r}: expanding, literal-execute or escaped parameters")
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        self.names = tuple(compiled.positiontup) if self.positional else tuple(compiled.bind_names.values())
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        # Values written into the statement itself (LIMIT 1, IS true ...): taken when not passed.
        self.defaults = {
            name: bind.effective_value
            for name, bind in by_name.items()
            if not bind.required and name not in keys
        }
        self.binds: dict[str, Callable] = {}
        for name in self.names:
            processor = by_name[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.binds[name] = processor
        columns = list(getattr(statement, "exported_columns", ()))  # selected or returned
        self.row = namedtuple("Row", [c.key for c in columns]) if columns else None
        self.result_types = [c.type.dialect_impl(dialect) for c in columns]
        self.results: list[Callable | None] | None = None  # from the first cursor's column types

    def values(self, params: Mapping[str, Any]):
        defaults, binds = self.defaults, self.binds
        values = [params[name] if name in params else defaults[name] for name in self.names]
        if binds:
            values = [
                binds[name](value) if name in binds else value
                for name, value in zip(self.names, values, strict=True)
            ]
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))

    def rows(self, cursor, dialect: Dialect) -> list:
        raw = cursor.fetchall()
        if self.results is None:
            self.results = [
                kind.result_processor(dialect, description[1])
                for kind, description in zip(self.result_types, cursor.description, strict=True)
            ]
        make, processors = self.row._make, self.results
        if not any(processors):
            return [make(row) for row in raw]
        return [
            make([value if p is None else p(value) for p, value in zip(processors, row, strict=True)])
            for row in raw
        ]


class Prepared:
    """A Core statement compiled once per dialect and set of parameter names (see the module)."""

    __slots__ = ("_compiled", "statement")

    def __init__(self, statement):
        self.statement = statement
        self._compiled: dict[tuple, _Compiled] = {}

    def __repr__(self) -> str:
        return f"Prepared({self.statement!r})"

    def compiled(self, dialect: Dialect, keys: Iterable[str]) -> _Compiled:
        key = (dialect.name, dialect.paramstyle, tuple(sorted(keys)))
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _Compiled(self.statement, dialect, key[2])
        return found

    def run(self, connection: Connection, params: Mapping[str, Any] | Sequence[Mapping] | None = None):
        """Execute on `connection` (its transaction begins as with `connection.execute`).

        `params` is one mapping, or a list of mappings with the same keys (executemany).
        """
        many = isinstance(params, list | tuple)
        if connection.engine.echo or _sql_log.isEnabledFor(logging.INFO):
            return connection.execute(self.statement, list(params) if many else params)
        params = params if params is not None else {}
        dialect = connection.dialect
        compiled = self.compiled(dialect, params[0] if many else params)
        if not connection.in_transaction() and not (_outside.get() and dialect.name == "sqlite"):
            connection.begin()  # autobegin, as Connection.execute does (fires the begin event)
        values = [compiled.values(p) for p in params] if many else compiled.values(params)
        cursor = connection.connection.driver_connection.cursor()
        try:
            dispatch = connection.dispatch
            if dispatch.before_cursor_execute:
                dispatch.before_cursor_execute(connection, cursor, compiled.sql, values, None, many)
            if many:
                cursor.executemany(compiled.sql, values)
            else:
                cursor.execute(compiled.sql, values)
            if dispatch.after_cursor_execute:
                dispatch.after_cursor_execute(connection, cursor, compiled.sql, values, None, many)
            rows = compiled.rows(cursor, dialect) if compiled.row is not None else []
            return Result(rows, cursor.rowcount)
        except dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, cursor, compiled.sql, values, error, many) from error
        finally:
            cursor.close()


def run_sql(connection: Connection, sql: str) -> None:
    """A statement without parameters or rows (e.g. SQLite's BEGIN IMMEDIATE) on the DB-API
    connection, seen by `before_cursor_execute` listeners like any other."""
    cursor = connection.connection.driver_connection.cursor()
    try:
        if connection.dispatch.before_cursor_execute:
            connection.dispatch.before_cursor_execute(connection, cursor, sql, (), None, False)
        cursor.execute(sql)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _wrapped(connection, cursor, sql, (), error, False) from error
    finally:
        cursor.close()


def _wrapped(connection: Connection, cursor, sql: str, values, error: Exception, many: bool):
    """SQLAlchemy's error for a DB-API error (as `Connection.execute` raises it); a connection
    that is gone is invalidated, so the pool replaces it."""
    dialect = connection.dialect
    if dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor):
        connection.invalidate(error)
    return exc.DBAPIError.instance(
        sql,
        values,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=connection.engine.hide_parameters,
        dialect=dialect,
        ismulti=many,
    )
