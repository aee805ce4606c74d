"""An invitation's post reads without the write lock, then writes only what it read unchanged
(views_respond.read_without_lock): whatever a colleague's request writes in between is kept."""

from __future__ import annotations

import json

import pytest
from flask import has_request_context
from sqlalchemy import create_engine, delete, event, func, insert, select, update

from app.core.models import today, utcnow
from app.extensions import db
from app.invitations.models import Invitation, invitation_draft_key
from app.surveys import respondents
from app.surveys.models import Answer, Draft, Response
from app.surveys.responses import draft_key_hash

from flow_sample import END, FACEBOOK, FIGURES, PROFILE  # isort: skip

WRITES = {"INSERT", "UPDATE", "DELETE"}


@pytest.fixture
def meanwhile(monkeypatch, database_uri):
    """meanwhile(action): the next post that reads first runs `action(connection)` on another
    connection, committed, right after its reads: a colleague's request in between."""
    engine = create_engine(database_uri)
    pending = []
    read_for_writes = respondents.Respondent.read_for_writes

    def read_then_colleague(self):
        read_for_writes(self)
        while pending:
            with engine.begin() as connection:
                pending.pop(0)(connection)

    monkeypatch.setattr(respondents.Respondent, "read_for_writes", read_then_colleague)
    yield pending.append
    engine.dispose()


@pytest.fixture
def link(app, flow_survey, make_invitation, walker):
    survey = flow_survey("pseudonymous")
    invitation, token = make_invitation(survey)
    key_hash = draft_key_hash("invitation", invitation_draft_key(invitation.id))
    return walker(app.test_client(), f"/u/{token}"), invitation.id, key_hash


def draft_answers(key_hash) -> dict | None:
    db.session.rollback()  # the test's own reads end: what the requests committed is seen
    draft = db.session.scalar(select(Draft).where(Draft.key_hash == key_hash))
    return None if draft is None else json.loads(draft.answers_json)


def colleague_saves(key_hash, **answers):
    """A colleague's save of the shared draft: their answers added, a new time stamp."""

    def action(connection):
        stored = connection.scalar(select(Draft.answers_json).where(Draft.key_hash == key_hash))
        merged = {**json.loads(stored), **answers}
        connection.execute(
            update(Draft)
            .where(Draft.key_hash == key_hash)
            .values(answers_json=json.dumps(merged), updated_at=utcnow(), updated_by="Collega")
        )

    return action


def test_a_colleagues_save_between_the_read_and_the_write_is_kept(link, meanwhile):
    walk, _invitation_id, key_hash = link
    walk.start()
    walk.page("profiel", PROFILE)
    meanwhile(colleague_saves(key_hash, opmerking="van een collega"))
    response = walk.page("facebook", FACEBOOK)
    assert response.status_code == 302 and "pagina=cijfers" in response.location
    answers = draft_answers(key_hash)
    assert answers["opmerking"] == "van een collega"  # theirs, not overwritten
    assert answers["fb_tevreden"] == 4 and answers["soort"] == 1  # and ours


def test_a_draft_created_by_a_colleague_meanwhile_is_written_into(link, meanwhile):
    walk, invitation_id, key_hash = link
    walk.start()
    invitation = db.session.get(Invitation, invitation_id)
    version_id = invitation.survey.current_version.id

    def colleague_starts(connection):
        now = utcnow()
        connection.execute(
            insert(Draft).values(
                survey_id=invitation.survey_id,
                version_id=version_id,
                key_hash=key_hash,
                answers_json=json.dumps({"opmerking": "eerst"}),
                updated_at=now,
                created_on=now.date(),
            )
        )

    meanwhile(colleague_starts)
    response = walk.page("profiel", PROFILE)
    assert response.status_code == 302
    answers = draft_answers(key_hash)
    assert answers["opmerking"] == "eerst" and answers["soort"] == 1
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
    assert db.session.get(Invitation, invitation_id).started_on == today()


def test_a_submit_by_a_colleague_before_a_page_is_saved_ends_on_thank_you(link, meanwhile):
    walk, invitation_id, key_hash = link
    walk.start()
    walk.page("profiel", PROFILE)

    def colleague_submits(connection):  # as far as this draft and invitation go
        connection.execute(delete(Draft).where(Draft.key_hash == key_hash))
        connection.execute(
            update(Invitation).where(Invitation.id == invitation_id).values(finished_on=today())
        )

    meanwhile(colleague_submits)
    response = walk.page("facebook", FACEBOOK)
    assert response.status_code == 200 and "Bedankt!" in response.get_data(as_text=True)
    assert draft_answers(key_hash) is None  # no draft left behind on a finished invitation


def test_a_new_draft_is_not_made_for_an_invitation_finished_meanwhile(link, meanwhile):
    walk, invitation_id, key_hash = link
    walk.start()

    def colleague_finishes(connection):
        connection.execute(
            update(Invitation).where(Invitation.id == invitation_id).values(finished_on=today())
        )

    meanwhile(colleague_finishes)
    response = walk.page("profiel", PROFILE)
    assert response.status_code == 200 and "Bedankt!" in response.get_data(as_text=True)
    assert draft_answers(key_hash) is None


def test_a_submit_sends_the_answers_as_they_are_when_it_writes(link, meanwhile):
    walk, invitation_id, key_hash = link
    walk.start()
    walk.page("profiel", PROFILE)
    walk.page("facebook", FACEBOOK)
    walk.page("cijfers", FIGURES)
    walk.page("slot", END)
    meanwhile(colleague_saves(key_hash, opmerking="laatste versie"))
    response = walk.submit()
    assert response.status_code == 302
    db.session.rollback()
    stored = db.session.scalars(select(Response)).one()
    text = db.session.scalar(
        select(Answer.text).where(Answer.response_id == stored.id, Answer.variable == "opmerking")
    )
    assert text == "laatste versie"  # the colleague's last word, not the answers read first
    assert db.session.get(Invitation, invitation_id).finished_on is not None
    assert draft_answers(key_hash) is None


def test_on_sqlite_a_post_takes_the_write_lock_only_for_its_writes(app, link):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    walk, _invitation_id, _key_hash = link
    walk.start()
    log: list[str] = []

    def statement(_conn, _cursor, sql, *_args):
        if has_request_context():
            log.append(" ".join(sql.split()[:2]).upper())

    event.listen(db.engine, "before_cursor_execute", statement)
    try:
        for key, data in (("profiel", PROFILE), ("facebook", FACEBOOK)):
            log.clear()
            walk.page(key, data)
            posted = log[log.index("BEGIN IMMEDIATE") - 2 :]  # the post (the walker GETs first)
            assert [s.split()[0] for s in posted[:2]] == ["SELECT", "SELECT"]  # link, draft: no lock
            assert posted[2] == "BEGIN IMMEDIATE"
            assert all(s.split()[0] in WRITES for s in posted[3:]), posted  # only writes hold it
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
