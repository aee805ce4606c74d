"""Prepared statements (app.core.prepared) give what Core's `connection.execute` gives, and the
app context's one shared connection (app.core.transactions) is the ORM session's too."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import g
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from app.core import transactions
from app.core.prepared import Prepared
from app.extensions import db

metadata = MetaData()
things = Table(
    "prepared_things",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(40), nullable=False),
    Column("at", DateTime),
    Column("day", Date),
    Column("flag", Boolean),
    Column("score", Float),
    Column("note", Text),
    Column("made", Date, default=date.today),
)

ROWS = [
    {
        "id": 1,
        "name": "één",
        "at": datetime(2026, 11, 29, 21, 5, 3, 123456),
        "day": date(2026, 1, 2),
        "flag": True,
        "score": 2.5,
        "note": "a\nb",
        "made": date(2026, 1, 1),
    },
    {
        "id": 2,
        "name": "twee",
        "at": None,
        "day": None,
        "flag": False,
        "score": None,
        "note": None,
        "made": None,
    },
    {
        "id": 3,
        "name": "drie",
        "at": datetime(2000, 2, 29),
        "day": date(1999, 12, 31),
        "flag": None,
        "score": -1.0,
        "note": "",
        "made": None,
    },
]

INSERT = Prepared(insert(things))
BY_NAME = Prepared(
    select(
        things.c.id, things.c.name.label("label"), things.c.at, things.c.day, things.c.flag, things.c.score
    )
    .where(things.c.name != bindparam("skip"))
    .order_by(things.c.id)
)
FIRST_FLAGGED = Prepared(select(things.c.id).where(things.c.flag.is_(True)).order_by(things.c.id).limit(1))
RENAME = Prepared(update(things).where(things.c.id > bindparam("above")).values(name=bindparam("new")))
RENAME_RETURNING = Prepared(
    update(things).where(things.c.id == bindparam("key")).values(at=bindparam("when")).returning(things.c.at)
)


@pytest.fixture
def table(app):
    metadata.create_all(db.engine)
    yield things
    db.session.remove()
    transactions.close()
    metadata.drop_all(db.engine)


def core(statement, params=None):
    """The same statement through SQLAlchemy Core, on the same connection and transaction."""
    return db.session.connection().execute(statement, params)


def test_rows_are_those_of_core_with_types_labels_and_nulls(table):
    INSERT.run(transactions.request_connection(), ROWS)  # executemany
    transactions.commit()
    connection = transactions.request_connection()
    prepared = BY_NAME.run(connection, {"skip": "drie"}).all()
    expected = core(BY_NAME.statement, {"skip": "drie"}).all()
    assert [tuple(row) for row in prepared] == [tuple(row) for row in expected]
    assert prepared[0]._fields == expected[0]._fields == ("id", "label", "at", "day", "flag", "score")
    assert prepared[0].at == datetime(2026, 11, 29, 21, 5, 3, 123456)
    assert prepared[0].day == date(2026, 1, 2) and prepared[0].flag is True and prepared[1].flag is False
    assert prepared[1].at is None and prepared[1].score is None
    # A value written into the statement itself (IS true, LIMIT 1) is used when not passed.
    assert FIRST_FLAGGED.run(connection).scalar() == core(FIRST_FLAGGED.statement).scalar() == 1


def test_values_are_stored_as_core_stores_them(table):
    INSERT.run(transactions.request_connection(), ROWS[:1])
    core(insert(things), {**ROWS[0], "id": 10})
    stored = db.session.execute(
        text("SELECT name, at, day, flag, score, note, made FROM prepared_things ORDER BY id")
    ).all()
    assert stored[0] == stored[1]  # the same text, date and number formats in the database


def test_rowcount_one_first_and_returning(table):
    connection = transactions.request_connection()
    INSERT.run(connection, ROWS)
    assert RENAME.run(connection, {"above": 1, "new": "x"}).rowcount == 2
    assert RENAME.run(connection, {"above": 9, "new": "y"}).rowcount == 0
    when = datetime(2030, 5, 6, 7, 8, 9)
    assert RENAME_RETURNING.run(connection, {"key": 2, "when": when}).one().at == when
    assert RENAME_RETURNING.run(connection, {"key": 99, "when": when}).first() is None
    with pytest.raises(Exception, match="No row was found"):
        RENAME_RETURNING.run(connection, {"key": 99, "when": when}).one()
    assert db.session.scalar(select(func.count()).where(things.c.name == "x")) == 2


def test_database_errors_are_sqlalchemys_and_the_transaction_can_be_rolled_back(table):
    connection = transactions.request_connection()
    INSERT.run(connection, ROWS[:1])
    with pytest.raises(IntegrityError):
        INSERT.run(connection, ROWS[:1])
    transactions.rollback()
    assert db.session.scalar(select(func.count()).select_from(things)) == 0


def test_a_locked_database_raises_operational_error(table, app):
    # Another connection holds the lock: SQLite's write lock, or a PostgreSQL table lock.
    sqlite = db.engine.dialect.name == "sqlite"
    other = db.engine.raw_connection()
    try:
        if sqlite:
            other.driver_connection.execute("BEGIN IMMEDIATE")
        else:
            other.driver_connection.execute("LOCK TABLE prepared_things IN ACCESS EXCLUSIVE MODE")
        connection = db.engine.connect()
        connection.exec_driver_sql("PRAGMA busy_timeout = 50" if sqlite else "SET lock_timeout = '50ms'")
        with pytest.raises(OperationalError, match="locked" if sqlite else "lock timeout"):
            INSERT.run(connection, ROWS[:1])
        connection.close()
    finally:
        other.driver_connection.rollback()
        other.close()


def test_listeners_see_each_statement_and_its_values(table):
    seen = []

    def listener(_conn, _cursor, statement, parameters, _context, many):
        seen.append((statement.split()[0], parameters, many))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        connection = transactions.request_connection()
        INSERT.run(connection, ROWS[:2])
        RENAME.run(connection, {"above": 0, "new": "z"})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    statements = [s for s in seen if s[0] != "BEGIN"]
    assert [(s[0], s[2]) for s in statements] == [("INSERT", True), ("UPDATE", False)]
    assert len(statements[0][1]) == 2 and "'z'" in repr(statements[1][1])


def test_what_it_cannot_run_is_refused_when_compiled(table):
    connection = transactions.request_connection()
    without_made = {k: v for k, v in ROWS[0].items() if k != "made"}
    with pytest.raises(ValueError, match="made"):
        INSERT.run(connection, without_made)  # `made` has a Python default: pass it
    with pytest.raises(ValueError, match="expanding"):
        Prepared(select(things.c.id).where(things.c.id.in_(bindparam("ids", expanding=True)))).run(
            connection, {"ids": [1, 2]}
        )


def test_the_session_uses_the_shared_connection_and_commits_its_transaction(table, app):
    with app.app_context(), app.test_request_context("/"):
        connection = transactions.request_connection()
        assert db.session.connection().connection.dbapi_connection is connection.connection.dbapi_connection
        INSERT.run(connection, ROWS[:1])
        db.session.execute(things.insert(), {**ROWS[1]})  # the ORM session, same transaction
        db.session.commit()  # commits the shared connection's transaction
        assert not connection.in_transaction()
    with app.app_context(), app.test_request_context("/"):
        assert db.session.scalar(select(func.count()).select_from(things)) == 2


def test_a_session_with_a_transaction_lends_its_connection(table, app):
    with app.app_context(), app.test_request_context("/", method="POST"):
        db.session.execute(things.insert(), {**ROWS[0]})
        connection = transactions.request_connection()
        assert connection is db.session.connection()
        INSERT.run(connection, ROWS[1:2])
        transactions.commit()
    with app.app_context(), app.test_request_context("/"):
        assert db.session.scalar(select(func.count()).select_from(things)) == 2


def test_the_connection_goes_back_to_the_pool_when_the_context_ends(table, app):
    pool = db.engine.pool
    before = pool.checkedout()
    with app.app_context(), app.test_request_context("/"):
        transactions.request_connection()
        db.session.scalar(select(func.count()).select_from(things))
        assert pool.checkedout() == before + 1  # one connection for both
        assert g.get("_db_shared_connection") is not None
    assert pool.checkedout() == before


def test_uncommitted_work_is_rolled_back_when_the_context_ends(table, app):
    with app.app_context(), app.test_request_context("/", method="POST"):
        INSERT.run(transactions.request_connection(), ROWS[:1])
    with app.app_context(), app.test_request_context("/"):
        assert db.session.scalar(select(func.count()).select_from(things)) == 0
