"""The respondent flow under load: write transactions, a busy database, a worker killed mid-submit.

SQLite in WAL mode fails a transaction that read first and then writes when another connection
wrote in between (a stale snapshot; busy_timeout does not help). So every transaction of a write
request begins with BEGIN IMMEDIATE. A database that stays busy beyond its timeout gives the
respondent a 503 with Retry-After and the page again, filled in with what they sent.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import pytest
from flask import has_request_context
from sqlalchemy import event, func, make_url, select

from app.extensions import db
from app.invitations.models import Invitation
from app.surveys.models import Answer, Draft, Response
from tests.helpers import login, text_of

from flow_sample import END, FIGURES, PROFILE, complete  # isort: skip

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite transaction mode")


class Statements:
    """Every statement sent while a request is served, per connection (the test's own set-up is not)."""

    def __init__(self, engine):
        self.engine = engine
        self.log: list[tuple[int, str]] = []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _statement(self, conn, _cursor, statement, *_args):
        if has_request_context():
            self.log.append((id(conn.connection.dbapi_connection), statement.strip().split(None, 2)[:2]))

    def _end(self, conn):
        if has_request_context():
            self.log.append((id(conn.connection.dbapi_connection), ["END"]))

    def remove(self):
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._end)
        event.remove(self.engine, "rollback", self._end)

    def writes_outside_immediate(self) -> list[str]:
        """Writes in a transaction that did not start with BEGIN IMMEDIATE (or in none)."""
        began: dict[int, str | None] = defaultdict(lambda: None)
        wrong = []
        for conn, words in self.log:
            first = words[0].upper()
            if first == "END":
                began[conn] = None
            elif first == "BEGIN":
                began[conn] = " ".join(words).upper()
            elif first in WRITES and began[conn] != "BEGIN IMMEDIATE":
                wrong.append(f"{first} in {began[conn] or 'no transaction'}")
        return wrong

    @property
    def writes(self) -> int:
        return sum(1 for _conn, words in self.log if words[0].upper() in WRITES)


@pytest.fixture
def statements(app, sqlite_only):
    recorder = Statements(db.engine)
    yield recorder
    recorder.remove()


@pytest.fixture
def invited(client, flow_survey, make_invitation, walker):
    def factory(anonymity="pseudonymous", a_client=None):
        survey = flow_survey(anonymity)
        invitation, token = make_invitation(survey)
        w = walker(a_client or client, f"/u/{token}")
        w.survey, w.invitation, w.token = survey, invitation, token
        return w

    return factory


@pytest.mark.parametrize("who", ["visitor", "signed-in member"])
def test_every_write_of_the_invitation_flow_starts_with_begin_immediate(
    app, client, invited, statements, make_user, who
):
    if who != "visitor":
        # Flask-Login loads the user on the first use of current_user: that read must not open
        # a plain BEGIN that the page's writes then run in.
        login(client, make_user(role="member"))
    walk = invited("pseudonymous")
    complete(walk)
    walk.page("cijfers", FIGURES, action="bewaren")
    assert walk.submit().status_code == 302
    assert statements.writes >= 10
    assert statements.writes_outside_immediate() == []


def test_every_write_of_the_public_flow_starts_with_begin_immediate(client, flow_survey, walker, statements):
    survey = flow_survey("anonymous", public=True)
    walk = walker(client, f"/e/{survey.public_token}")
    complete(walk)
    assert walk.submit().status_code == 302
    assert statements.writes >= 5
    assert statements.writes_outside_immediate() == []


def test_a_hook_that_reads_before_the_others_still_gets_begin_immediate(app, client, invited, statements):
    """The mode is decided where the transaction begins, not by a hook that another may precede."""

    def reads_first():
        db.session.scalar(select(func.count()).select_from(Invitation))

    app.before_request_funcs.setdefault(None, []).insert(0, reads_first)
    walk = invited("pseudonymous")
    complete(walk)
    assert walk.submit().status_code == 302
    assert statements.writes >= 10
    assert statements.writes_outside_immediate() == []
