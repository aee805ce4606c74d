"""Database engine set-up: SQLite pragmas and transaction mode, PostgreSQL via psycopg 3.

SQLite runs in WAL mode with foreign keys and a busy timeout. We take transaction control away
from the sqlite3 module (which starts transactions lazily, only before a write) and begin them
ourselves: `BEGIN IMMEDIATE` while a write request (any method but GET, HEAD, OPTIONS) is being
served, so a request that reads and then writes holds the write lock from its first statement and
WAL never fails it with a stale snapshot; plain `BEGIN` otherwise. The choice is made when the
transaction begins, from the request itself, so it holds whichever hook or extension (the CSRF
check, Flask-Login's user load) reads first. `immediate_transactions()` forces it outside
requests (job and mail runners); `plain_transactions()` lets a request that has written
everything it will write read on without taking the write lock again.

Statements run past the ORM (`app.core.prepared`) use the app context's one shared connection
(`app.core.transactions.request_connection`); `AppSession` makes the ORM session use that same
connection and transaction when it exists, so a request never holds two connections.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from flask import Flask, has_request_context, request
from flask.globals import _cv_app
from flask_sqlalchemy.session import Session as _FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app.core.prepared import run_sql

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# A database that is busy or briefly away: SQLite "database is locked" after the busy timeout,
# PostgreSQL serialization failures, deadlocks, lock and statement timeouts, a lost connection
# (all OperationalError), and no free connection in the pool within DB_POOL_TIMEOUT.
# Nothing was stored; the same request may well succeed a few seconds later.
BUSY_ERRORS = (OperationalError, PoolTimeoutError)

# None: decided by the request being served (write methods begin immediate); True/False: forced.
_immediate: ContextVar[bool | None] = ContextVar("sqlite_begin_immediate", default=None)


@contextlib.contextmanager
def _forced(value: bool):
    token = _immediate.set(value)
    try:
        yield
    finally:
        _immediate.reset(token)


def immediate_transactions():
    """Within this block, SQLite transactions start with BEGIN IMMEDIATE (e.g. CLI runners)."""
    return _forced(True)


def plain_transactions():
    """Within this block, SQLite transactions start with a plain BEGIN, also in a write request.

    For the reads after a request's last commit, and for showing a page again when the database
    is busy: in WAL mode a reader never waits for the writer, where BEGIN IMMEDIATE would wait
    for the write lock (and fail again when the database is still busy). Never write inside.
    """
    return _forced(False)


def begins_immediate() -> bool:
    """Whether a SQLite transaction that begins now takes the write lock at once."""
    forced = _immediate.get()
    if forced is not None:
        return forced
    return has_request_context() and request.method not in READ_METHODS


def engine_options(config) -> dict:
    """SQLALCHEMY_ENGINE_OPTIONS for the configured database.

    PostgreSQL gets a bounded pool from the DB_POOL_* settings, with a liveness check before a
    connection is handed out (a restarted or failed-over server costs no failed requests).
    In production, statement values are kept out of error messages (and so out of the logs).
    Options set explicitly in SQLALCHEMY_ENGINE_OPTIONS win. SQLite keeps SQLAlchemy's pool.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if config.get("ENV_NAME") == "production":
        # Database errors quote the statement's values (e-mail addresses, answers) in their
        # message, and that message lands in the log.
        options.setdefault("hide_parameters", True)
    if not str(config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgresql"):
        return options
    options.setdefault("pool_size", int(config.get("DB_POOL_SIZE", 2)))
    options.setdefault("max_overflow", int(config.get("DB_MAX_OVERFLOW", 3)))
    options.setdefault("pool_timeout", int(config.get("DB_POOL_TIMEOUT", 10)))
    options.setdefault("pool_recycle", int(config.get("DB_POOL_RECYCLE", 1800)))
    options.setdefault("pool_pre_ping", True)
    if not config.get("DB_PREPARED_STATEMENTS", True):
        options["connect_args"] = {"prepare_threshold": None, **options.get("connect_args", {})}
    return options


def describe_busy(error: Exception) -> str:
    """The first line of the database's own message ("database is locked"), for the log.

    Never the statement or its values (answers, e-mail addresses).
    """
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def configure_engine(app: Flask, engine: Engine) -> None:
    """Install SQLite connection hooks; a no-op on other databases."""
    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        run_sql(connection, "BEGIN IMMEDIATE" if begins_immediate() else "BEGIN")


SHARED_CONNECTION = "_db_shared_connection"  # on `g`: the app context's connection, when it has one


def shared_connection(context=None) -> Connection | None:
    """The shared connection (`transactions.request_connection`) of app context `context` (by
    default the current one), if it has one open."""
    context = context or _cv_app.get(None)
    if context is None:
        return None
    connection = context.g.__dict__.get(SHARED_CONNECTION)
    return connection if connection is not None and not connection.closed else None


class AppSession(_FlaskSession):
    """The ORM session: on its app context's shared connection when there is one (and then in its
    transaction: the session's commit commits it, see `join_transaction_mode`), else as usual."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_context = _cv_app.get(None)  # the context whose scope it serves

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self._app_context is not None:
            shared = shared_connection(self._app_context)
            if shared is not None:
                return shared
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


SESSION_OPTIONS = {"class_": AppSession, "join_transaction_mode": "control_fully"}


def sqlite_default_uri(app: Flask) -> str:
    import os

    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, "wwwelzijn.sqlite")
