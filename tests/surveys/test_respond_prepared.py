"""Every prepared statement of the respondent flow does what the same Core statement does:
the same rows, row counts and stored values, from the same starting point."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.core import transactions
from app.core.models import utcnow
from app.extensions import db
from app.invitations.models import token_hash
from app.surveys import respondents, responses
from app.surveys.models import Answer, Draft, Response


@pytest.fixture
def started(app, flow_survey, make_invitation):
    """An identified invitation with a draft, inside a request to its link."""
    survey = flow_survey("identified")
    invitation, token = make_invitation(survey)
    ids = {"survey_id": survey.id, "invitation_id": invitation.id}  # read here, in the test's session
    with app.app_context(), app.test_request_context(f"/u/{token}", method="POST"):
        found, current = respondents.open_invitation(token)
        respondent = respondents.InvitationRespondent(found, token, current=current)
        respondent.save({"soort": "1"}, "vragen", "Ann")
        transactions.commit()
    with app.app_context(), app.test_request_context(f"/u/{token}", method="POST"):
        yield SimpleNamespace(**ids, token=token, draft=respondent.draft, key_hash=respondent.key_hash)


def both(prepared, params, read=None):
    """(prepared's result, Core's result) of `prepared` from the same state: each path runs in its
    own transaction, which is rolled back. `read()` reads what was stored before the rollback."""
    results = []
    for run in (prepared.run, lambda c, p: c.execute(prepared.statement, p)):
        connection = transactions.request_connection()
        result = run(connection, params)
        rows = (
            [tuple(row) for row in result] if prepared.compiled(connection.dialect, _keys(params)).row else []
        )
        results.append((rows, result.rowcount if not rows else None, read() if read else None))
        transactions.rollback()
    return results


def _keys(params):
    return params[0] if isinstance(params, list) else params


def draft_row(key_hash):
    return lambda: tuple(
        db.session.execute(select(*respondents.DRAFT_COLUMNS).where(Draft.key_hash == key_hash)).one()
    )


def test_reading_an_invitation_and_its_draft(started):
    token, key_hash = started.token, started.key_hash
    params = {"token_hash": token_hash(token), "failures_key": respondents.link_failures_key()}
    ours, core = both(respondents._OPEN_INVITATION, params)
    assert ours == core and len(ours[0]) == 1
    for statement in (respondents._LOAD_DRAFT, respondents._LOAD_DRAFT_FOR_UPDATE):
        ours, core = both(statement, {"key_hash": key_hash})
        assert ours == core and ours[0][0][4] == "vragen"


def test_writing_the_draft(started):
    draft, key_hash = started.draft, started.key_hash
    values = {
        "answers_json": '{"soort": "2"}',
        "page_key": "p2",
        "updated_at": datetime(2026, 3, 4, 5, 6, 7, 8, tzinfo=UTC),
    }
    ours, core = both(respondents._UPDATE_DRAFT, {"draft_row_id": draft.id, **values}, draft_row(key_hash))
    assert ours == core and ours[1] == 1 and ours[2][3:5] == ('{"soort": "2"}', "p2")
    dialect = transactions.request_connection().dialect.name
    upsert = respondents._upsert_statement(dialect, tuple(sorted(values)))
    params = {"survey_id": started.survey_id, "version_id": draft.version_id, "key_hash": key_hash, **values}
    params["created_on"] = values["updated_at"].date()
    ours, core = both(upsert, params, draft_row(key_hash))  # a draft exists: the update path
    assert ours == core and ours[0][0][0] == draft.id
    fresh = {**params, "key_hash": "f" * 64}  # no draft yet: the insert path (ids may differ on PostgreSQL)
    ours, core = both(upsert, fresh, draft_row("f" * 64))
    assert ours[0][0][1:] == core[0][0][1:] and ours[2][1:] == core[2][1:]
    ours, core = both(responses.DELETE_DRAFT, {"draft_row_id": draft.id})
    assert ours == core and ours[1] == 1


def test_marking_the_invitation(started):
    day = utcnow().date()
    for statement, expected in ((respondents._MARK_STARTED, 0), (respondents._MARK_FINISHED, 1)):
        ours, core = both(statement, {"invitation_row_id": started.invitation_id, "day": day})
        assert ours == core and ours[1] == expected
    ours, core = both(
        respondents._LINK_RESPONSE, {"invitation_row_id": started.invitation_id, "new_response_id": None}
    )
    assert ours == core and ours[1] == 1


def test_storing_a_response_and_its_answers(started):
    draft = started.draft
    now = datetime(2026, 11, 29, 12, 0, 0, 5, tzinfo=UTC)
    response = {
        "id": 4242,
        "survey_id": started.survey_id,
        "version_id": draft.version_id,
        "organisation_id": None,
        "user_id": None,
        "submitted_at": now,
        "submitted_on": now.date(),
        "export_row": "x",
    }
    answers = [
        {
            "response_id": 4242,
            "survey_id": started.survey_id,
            "variable": "soort",
            "item": 0,
            "num": 1.0,
            "text": None,
        },
        {
            "response_id": 4242,
            "survey_id": started.survey_id,
            "variable": "kanalen",
            "item": 2,
            "num": 2.0,
            "text": None,
        },
        {
            "response_id": 4242,
            "survey_id": started.survey_id,
            "variable": "toelichting",
            "item": 0,
            "num": None,
            "text": "é",
        },
    ]

    def stored():
        row = db.session.execute(select(Response.__table__).where(Response.id == 4242)).one()
        items = db.session.execute(select(Answer.__table__).order_by(Answer.variable, Answer.item)).all()
        return tuple(row), [tuple(item) for item in items]

    results = []
    for use_core in (False, True):
        connection = transactions.request_connection()
        for prepared, params in ((responses._INSERT_RESPONSE, response), (responses._INSERT_ANSWER, answers)):
            if use_core:
                connection.execute(prepared.statement, params)
            else:
                prepared.run(connection, params)
        results.append(stored())
        transactions.rollback()
    assert results[0] == results[1] and len(results[0][1]) == 3
