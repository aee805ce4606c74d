"""THE anonymity test: after an anonymous response through an invitation, nothing in the schema or the
data links it to the invitation, the organisation or the account, and no client address or user
agent is stored anywhere."""

from datetime import date

import pytest
from sqlalchemy import Date, DateTime, MetaData, String, Text, func, inspect, select

from app.extensions import db
from app.invitations.models import Invitation
from app.surveys.models import Draft, Response
from tests.helpers import login

from flow_sample import complete  # isort: skip

CLIENT_ADDRESS = "203.0.113.77"
USER_AGENT = "Zebrafinch-Browser/9.87 (anonymity-test; wwwelzijn)"
LINKED_TABLES = {"invitations", "organisations", "users"}


@pytest.fixture
def anonymous_response(app, flow_survey, make_invitation, make_user, walker):
    """One anonymous response, submitted through an invitation by a signed-in member."""
    survey = flow_survey("anonymous")
    invitation, token = make_invitation(survey)
    user = make_user(role="member", name="Mona Anoniem")
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": CLIENT_ADDRESS, "HTTP_USER_AGENT": USER_AGENT})
    login(client, user)
    walk = walker(client, f"/u/{token}")
    complete(walk)
    assert walk.submit().status_code == 302
    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    return response, invitation, user


def schema():
    """The real schema: the inspector and every table reflected from the database."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    return inspect(db.engine), dict(metadata.tables)


def test_no_column_or_join_links_the_response_to_invitation_organisation_or_account(anonymous_response):
    response, invitation, _user = anonymous_response
    inspector, tables = schema()
    # 1. Columns of responses and answers that reference invitations, organisations or users
    #    are empty for this response (responses.organisation_id and user_id exist for other modes).
    for table in ("responses", "answers"):
        for fk in inspector.get_foreign_keys(table):
            assert fk["referred_table"] != "invitations", f"{table} references invitations"
            if fk["referred_table"] in LINKED_TABLES:
                key = "id" if table == "responses" else "response_id"
                t = tables[table]
                for column in fk["constrained_columns"]:
                    values = db.session.scalars(select(t.c[column]).where(t.c[key] == response.id)).all()
                    assert values and set(values) <= {None}, f"{table}.{column} links the response"
    # 2. No other table points at this response (invitations.response_id exists for other modes).
    for table in inspector.get_table_names():
        if table in ("answers", "alembic_version"):
            continue
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "responses":
                t = tables[table]
                for column in fk["constrained_columns"]:
                    linked = db.session.scalar(
                        select(func.count()).select_from(t).where(t.c[column] == response.id)
                    )
                    assert linked == 0, f"{table}.{column} points at the anonymous response"
    row = db.session.get(Invitation, invitation.id)
    assert row.response_id is None
    assert type(row.finished_on) is date  # only the day it finished, not the time
    assert response.organisation_id is None and response.user_id is None


def test_no_client_address_or_user_agent_is_stored_anywhere(anonymous_response):
    _inspector, tables = schema()
    searched = 0
    for name, table in tables.items():
        for column in table.columns:
            if not isinstance(column.type, String | Text):
                continue
            searched += 1
            for needle in (CLIENT_ADDRESS, USER_AGENT, "Zebrafinch", "113.77"):
                hits = db.session.scalar(
                    select(func.count()).select_from(table).where(column.like(f"%{needle}%"))
                )
                assert hits == 0, f"{needle!r} found in {name}.{column.name}"
    assert searched > 20  # the search really went through the text columns of every table


def test_only_the_day_is_stored_and_the_draft_is_gone(anonymous_response):
    response, _invitation, _user = anonymous_response
    assert response.submitted_at is None
    assert isinstance(response.submitted_on, date)
    inspector, tables = schema()
    responses = tables["responses"]
    for column in responses.columns:
        if isinstance(column.type, DateTime):
            value = db.session.scalar(select(column).where(responses.c.id == response.id))
            assert value is None, f"responses.{column.name} holds a time"
    assert not any(isinstance(c["type"], DateTime) for c in inspector.get_columns("answers"))
    assert any(isinstance(c["type"], Date) for c in inspector.get_columns("responses"))
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
