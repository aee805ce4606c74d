"""The respondent flow under load: write transactions, a busy database, a worker killed mid-submit.

SQLite in WAL mode fails a transaction that read first and then writes when another connection
wrote in between (a stale snapshot; busy_timeout does not help). So every transaction of a write
request begins with BEGIN IMMEDIATE. A database that stays busy beyond its timeout gives the
respondent a 503 with Retry-After and the page again, filled in with what they sent.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections import defaultdict

import pytest
from flask import has_request_context, request
from sqlalchemy import event, func, make_url, select

from app.extensions import db
from app.invitations.models import Invitation
from app.surveys.models import Answer, Draft, Response
from tests.helpers import csrf_token_from, login, text_of

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


# -- a busy database: 503, Retry-After, the answers shown again, nothing stored -----------------


@pytest.fixture
def busy_client(make_app, database_uri):
    """A client of an app that gives up on a busy database at once (SQLite: 50 ms busy timeout;
    PostgreSQL: a 200 ms lock timeout)."""
    if make_url(database_uri).get_backend_name() == "sqlite":
        busy = make_app(SQLITE_BUSY_TIMEOUT_MS=50)
    else:
        busy = make_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-c lock_timeout=200"}})
    return busy.test_client()


@pytest.fixture
def hold_database(database_uri):
    """hold_database(draft_id): another connection keeps the database busy until the block ends.

    SQLite: BEGIN IMMEDIATE (the write lock). PostgreSQL: the draft's row locked FOR UPDATE, as
    another request answering through the same link would.
    """
    from sqlalchemy import create_engine, text

    @contextlib.contextmanager
    def hold(draft_id: int):
        db.session.commit()
        url = make_url(database_uri)
        if url.get_backend_name() == "sqlite":
            other = sqlite3.connect(url.database, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                other.execute("ROLLBACK")
                other.close()
            return
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                lock = text("SELECT id FROM response_drafts WHERE id = :id FOR UPDATE")
                conn.execute(lock, {"id": draft_id})
                yield
                conn.rollback()
        finally:
            engine.dispose()

    return hold


def draft_of(walk) -> Draft:
    db.session.expire_all()
    return db.session.scalars(select(Draft)).one()


def test_a_page_posted_while_the_database_is_busy_comes_back_filled_in_with_503(
    invited, busy_client, hold_database
):
    walk = invited("pseudonymous", busy_client)
    walk.start(name="Els")
    walk.page("profiel", PROFILE)
    walk.page("facebook", {"q-fb_tevreden": "4", "q-fb_stellingen_tijd": "5", "q-fb_stellingen_bereik": "9"})
    draft = draft_of(walk)
    before = draft.answers
    with hold_database(draft.id):
        response = walk.page("cijfers", {"q-medewerkers": "417", "q-uren": "3,5", "q-gestart": "2019-04-01"})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    html = text_of(response)
    assert "te druk om uw antwoorden te bewaren" in html and 'role="alert"' in html
    assert 'value="417"' in html and 'value="3,5"' in html and 'value="2019-04-01"' in html
    assert 'name="csrf_token"' in html and 'name="getoond" value="medewerkers"' in html
    assert draft_of(walk).answers == before  # nothing of the busy post was stored
    # Sending the page again (as the respondent does) stores it.
    response = walk.page("cijfers", {"q-medewerkers": "417", "q-uren": "3,5", "q-gestart": "2019-04-01"})
    assert response.status_code == 302 and "pagina=slot" in response.location
    assert draft_of(walk).answers["medewerkers"] == 417


def test_a_long_text_posted_while_the_database_is_busy_is_shown_again(invited, busy_client, hold_database):
    walk = invited("anonymous", busy_client)
    complete(walk)
    draft = draft_of(walk)
    with hold_database(draft.id):
        response = walk.page("slot", {**END, "q-opmerking": "Een tekst die niet verloren mag gaan"})
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "Een tekst die niet verloren mag gaan</textarea>" in text_of(response)
    assert draft_of(walk).answers["opmerking"] == "Tot ziens"


def test_a_submit_while_the_database_is_busy_gives_503_and_stores_nothing(
    invited, busy_client, hold_database, caplog
):
    walk = invited("pseudonymous", busy_client)
    complete(walk)
    draft = draft_of(walk)
    with hold_database(draft.id), caplog.at_level(logging.WARNING):
        response = walk.submit()
    assert response.status_code == 503 and "Retry-After" in response.headers
    # The log names the route and the database's complaint, never the link's token.
    assert "database busy on POST /u/<token>" in caplog.text and walk.token not in caplog.text
    html = text_of(response)
    assert "te druk om uw antwoorden te versturen" in html and "Antwoorden versturen" in html
    assert "Tot ziens" in html  # the summary of the answers, still there
    assert count(Response) == 0 and count(Draft) == 1
    assert db.session.get(Invitation, walk.invitation.id).finished_on is None
    assert walk.submit().status_code == 302  # a second try goes through
    assert count(Response) == 1 and count(Draft) == 0


def test_the_busy_page_is_in_english_for_english_respondents(invited, busy_client, hold_database):
    busy_client.get("/taal/en")
    walk = invited("pseudonymous", busy_client)
    complete(walk)
    with hold_database(draft_of(walk).id):
        response = walk.page("slot", END)
    assert response.status_code == 503
    assert "It is too busy right now to save your answers" in text_of(response)


def test_other_write_paths_get_a_generic_503_with_retry_after(make_app, database_uri, make_user):
    """A post elsewhere on a busy SQLite database: the friendly 503 page, never a 500."""
    if make_url(database_uri).get_backend_name() != "sqlite":
        pytest.skip("SQLite write lock")
    client = make_app(SQLITE_BUSY_TIMEOUT_MS=50).test_client()
    user = make_user()
    token_page = text_of(client.get("/aanmelden"))
    db.session.commit()
    other = sqlite3.connect(make_url(database_uri).database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/aanmelden", data={"email": user.email, "password": "x" * 12,
                                                   "csrf_token": csrf_token_from(token_page)})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "Even druk" in text_of(response)


# -- a worker killed in the middle of a submit ---------------------------------------------------


class Killed(BaseException):
    """The worker process died: no error handler runs, the transaction is never committed."""


@pytest.fixture
def kill_at(app):
    """kill_at(n): the next POST dies before its n-th statement (or its commit, n = statements + 1)."""
    state = {"at": None, "seen": 0, "killed": False}

    def statement(conn, *_args):
        if state["at"] is None or not has_request_context() or request.method != "POST":
            return
        state["seen"] += 1
        if state["seen"] == state["at"]:
            state["at"] = None
            state["killed"] = True
            conn.invalidate()  # the process is gone: its connection closes, nothing is committed
            raise Killed

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", statement)

    def arm(n: int) -> dict:
        state.update(at=n, seen=0, killed=False)
        return state

    yield arm
    event.remove(db.engine, "before_cursor_execute", statement)
    event.remove(db.engine, "commit", statement)


@pytest.mark.parametrize("anonymity", ["pseudonymous", "anonymous"])
def test_a_submit_killed_at_any_statement_leaves_no_trace_and_the_link_still_works(
    app, client, flow_survey, make_invitation, walker, kill_at, anonymity
):
    survey = flow_survey(anonymity)
    killed_at = []
    for n in range(1, 40):
        invitation, token = make_invitation(survey)
        walk = walker(client, f"/u/{token}")
        complete(walk)
        responses_before = count(Response)
        state = kill_at(n)
        response = None
        with contextlib.suppress(Killed):
            response = walk.submit()
        if not state["killed"]:
            assert response.status_code == 302  # past the commit: the whole submit ran
            break
        killed_at.append(n)
        db.session.expire_all()
        assert db.session.get(Invitation, invitation.id).finished_on is None
        assert count(Response) == responses_before
        assert db.session.get(Invitation, invitation.id).response_id is None
        # The link still works: the respondent sends again and gets through, once.
        assert "Antwoorden versturen" in text_of(walk.get(stap="overzicht"))
        assert walk.submit().status_code == 302
        assert "Bedankt!" in text_of(walk.get())
        db.session.expire_all()
        assert count(Response) == responses_before + 1
        finished = db.session.get(Invitation, invitation.id)
        assert finished.finished_on is not None
        assert (finished.response_id is not None) == (anonymity != "anonymous")
    assert len(killed_at) >= 6  # lookups, the guard, response, answers, draft, (link), commit
    assert count(Response) == len(killed_at) + 1


def test_a_submit_killed_after_its_commit_is_stored_once_and_the_link_says_thank_you(
    app, client, invited
):
    walk = invited("pseudonymous")
    complete(walk)

    def die(response):
        if request.method == "POST":
            raise Killed  # committed, but the answer never reaches the respondent
        return response

    app.after_request_funcs.setdefault(None, []).insert(0, die)
    with pytest.raises(Killed):
        walk.submit()
    app.after_request_funcs[None].remove(die)
    assert "Bedankt!" in text_of(walk.get())
    token = csrf_token_from(text_of(client.get("/aanmelden")))
    again = client.post(walk.base, query_string={"stap": "overzicht"},
                        data={"csrf_token": token, "actie": "versturen"})
    assert "Bedankt!" in text_of(again)  # a second send: thank-you, nothing stored again
    assert count(Response) == 1
    invitation = db.session.get(Invitation, walk.invitation.id)
    assert invitation.finished_on is not None and invitation.response_id is not None
    rows = db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.response_id == invitation.response_id)
    )
    assert rows > 5


def test_the_start_page_posted_while_the_database_is_busy_goes_on_with_the_name(
    invited, busy_client, hold_database
):
    # The start page writes nothing to the database, and an invitation's post reads without the
    # write lock (or a row lock): a busy database does not stop it, and the name is kept.
    walk = invited("pseudonymous", busy_client)
    walk.start(name="Els")
    walk.page("profiel", PROFILE)
    with hold_database(draft_of(walk).id):
        response = walk.start(name="Jan Peeters")
    assert response.status_code == 302 and "pagina=" in response.headers["Location"]
    walk.page("profiel", PROFILE)
    assert draft_of(walk).updated_by == "Jan Peeters"
