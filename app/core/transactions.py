"""The app context's one connection and transaction, shared by the ORM session and by statements
run past the ORM (`app.core.prepared`).

`request_connection()` gives the connection to run prepared statements on (the first one begins
the transaction): the ORM session's own when the session already holds a transaction, else a
connection kept for the app context (on `g`) that the session then uses too
(`app.core.database.AppSession`). `commit()` and
`rollback()` end whichever holds the transaction. The connection goes back to the pool when the
app context ends, after the session.

A request that needs no ORM object (the respondent flow) so pays for one pool checkout and its
statements, not for a session, its transaction object and its close.
"""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy.engine import Connection

from app.core.database import SHARED_CONNECTION, shared_connection
from app.extensions import db


def _session_in_transaction():
    """The ORM session when it exists and holds a transaction, else None."""
    if not db.session.registry.has():
        return None
    session = db.session()
    return session if session.in_transaction() else None


def request_connection() -> Connection:
    """This app context's connection (a prepared statement begins its transaction, if needed)."""
    connection = shared_connection()
    if connection is None:
        session = _session_in_transaction()
        if session is not None:
            return session.connection()
        connection = db.engine.connect()
        setattr(g, SHARED_CONNECTION, connection)
    return connection


def commit() -> None:
    """Commit the app context's transaction (the session's, which may be the shared one's)."""
    session = _session_in_transaction()
    if session is not None:
        session.commit()
    connection = shared_connection()
    if connection is not None and connection.in_transaction():
        connection.commit()


def rollback() -> None:
    """Roll back the app context's transaction, session and shared connection alike."""
    if db.session.registry.has():
        db.session.rollback()
    connection = shared_connection()
    if connection is not None and connection.in_transaction():
        connection.rollback()


def end_reads() -> None:
    """On SQLite, end a transaction that only read (so that the next one may take the write lock
    with fresh data); elsewhere, keep it. Never after a write that is to be kept."""
    if db.engine.dialect.name == "sqlite":
        rollback()  # (a no-op without a transaction)


def close() -> None:
    """End the app context's session, then return the shared connection to the pool."""
    connection = shared_connection()
    if connection is None:
        return
    db.session.remove()
    connection.close()
    g.pop(SHARED_CONNECTION, None)


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before it (reverse order).
    app.teardown_appcontext(lambda _error: close())
