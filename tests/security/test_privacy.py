"""Privacy guarantees, proven on the real schema and the real requests.

- Anonymous surveys: no column stores or derives from the link token, the client address, the
  user agent or the referrer (searched in every text column of every table, the draft included);
  no time finer than the day; response ids do not reveal submit order; the invitation holds no
  link to the response.
- Logs never contain answers, tokens, passwords or e-mail addresses (the main journeys at DEBUG,
  and the request log of a real server).
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import BigInteger, Date, DateTime, Integer, MetaData, String, Text, func, select

from app.extensions import db

CLIENT_ADDRESS = "203.0.113.219"
USER_AGENT = "Okapi-Browser/7.31 (privacy-test; wwwelzijn)"
REFERRER = "https://referrer-okapi.example/pagina?bron=nieuwsbrief-7731"
ANSWERS = {"name": "Dienst Zebravink Zeldzaam", "remark": "Opmerking-Zebravink-8812 over onze werking"}


def reflect() -> dict:
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    return dict(metadata.tables)


def derived(value: str) -> set[str]:
    """A value and what a careless column would store instead: common hashes and a prefix."""
    raw = value.encode()
    return {
        value,
        value[:12],
        hashlib.sha256(raw).hexdigest(),
        hashlib.sha1(raw).hexdigest(),  # noqa: S324 - looking for it, not using it
        hashlib.md5(raw).hexdigest(),  # noqa: S324
    }


def text_hits(needles: set[str], skip: set[tuple[str, str]] = frozenset()) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text column of every table that contains a needle."""
    db.session.commit()
    hits, searched = [], 0
    for name, table in reflect().items():
        for column in table.columns:
            if not isinstance(column.type, String | Text) or (name, column.name) in skip:
                continue
            searched += 1
            for needle in needles:
                count = db.session.scalar(
                    select(func.count()).select_from(table).where(column.contains(needle, autoescape=True))
                )
                if count:
                    hits.append((name, column.name, needle))
    assert searched > 30, "the search did not go through the schema"
    return hits


def datetime_values() -> dict[tuple, object]:
    """(table, primary key, column) -> value of every date-time column of every row."""
    db.session.commit()
    values = {}
    with db.engine.connect() as conn:
        for name, table in reflect().items():
            columns = [c for c in table.columns if isinstance(c.type, DateTime)]
            if not columns:
                continue
            key = list(table.primary_key.columns)
            for row in conn.execute(select(*key, *columns)):
                ids = tuple(row[: len(key)])
                for column, value in zip(columns, row[len(key) :], strict=True):
                    values[(name, ids, column.name)] = value
    return values


@pytest.fixture
def anonymous_journey(app, make_survey, make_invitation, respondent):
    """An anonymous response through an invitation link, with distinctive client headers."""
    survey = make_survey(anonymity="anonymous")
    invitation, token = make_invitation(survey)
    client = app.test_client()
    client.environ_base.update(
        {"REMOTE_ADDR": CLIENT_ADDRESS, "HTTP_USER_AGENT": USER_AGENT, "HTTP_REFERER": REFERRER}
    )
    walk = respondent(client, f"/u/{token}")
    return survey, invitation, token, walk


CLIENT_NEEDLES = set().union(*(derived(v) for v in (CLIENT_ADDRESS, USER_AGENT, REFERRER)))


def test_no_column_stores_or_derives_from_token_address_agent_or_referrer(anonymous_journey):
    from app.invitations.models import Invitation
    from app.surveys.models import Draft, Response

    _survey, invitation, token, walk = anonymous_journey
    token_hash = db.session.get(Invitation, invitation.id).token_hash
    needles = CLIENT_NEEDLES | derived(token)
    # The only place the link lives: its own hash on its own invitation (for the lookup).
    allowed = {("invitations", "token_hash")}
    before = text_hits(needles | {token_hash}, skip=allowed)
    assert before == []

    summary = walk.answer_all(name=ANSWERS["name"], remark=ANSWERS["remark"])
    assert "stap=overzicht" in summary.location
    draft = db.session.scalars(select(Draft)).one()
    for needle in needles | {token_hash}:  # the draft in progress: answers only
        assert needle not in draft.answers_json and needle not in draft.key_hash
        assert needle not in (draft.updated_by or "") and needle not in (draft.page_key or "")
    during = text_hits(CLIENT_NEEDLES | derived(token) | {token_hash}, skip=allowed)
    assert during == []

    assert walk.submit().status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    after = text_hits(CLIENT_NEEDLES | derived(token) | {token_hash}, skip=allowed)
    assert after == []
    # The answers themselves are stored, in the answers table only.
    assert {t for t, _c, _n in text_hits({ANSWERS["remark"]})} == {"answers"}
    # No rate counter (the only table keyed by client addresses, as HMACs) was written either.
    assert db.session.scalar(select(func.count()).select_from(reflect()["rate_counters"])) == 0
    assert db.session.get(Invitation, invitation.id).token_hash == token_hash  # the link itself is unchanged


def test_no_time_finer_than_the_day_is_stored_for_an_anonymous_response(anonymous_journey):
    from app.invitations.models import Invitation
    from app.surveys.models import Response

    _survey, invitation, _token, walk = anonymous_journey
    before = datetime_values()
    walk.answer_all()
    assert walk.submit().status_code == 302
    after = datetime_values()
    new_times = {k: v for k, v in after.items() if v is not None and before.get(k) != v}
    assert new_times == {}, f"times stored by answering: {sorted(new_times)}"
    tables = reflect()
    assert not [c.name for c in tables["answers"].columns if isinstance(c.type, DateTime | Date)]
    response = db.session.scalars(select(Response)).one()
    assert response.submitted_at is None and type(response.submitted_on) is date
    row = db.session.get(Invitation, invitation.id)
    assert type(row.started_on) is date and type(row.finished_on) is date


def test_response_ids_do_not_reveal_the_submit_order(app, make_survey, make_invitation, respondent):
    survey = make_survey(anonymity="anonymous")
    submitted = []
    for n in range(30):
        _invitation, token = make_invitation(survey)
        walk = respondent(app.test_client(), f"/u/{token}")
        walk.answer_all(remark=f"antwoord {n}")
        assert walk.submit().status_code == 302
        submitted.append(f"antwoord {n}")
    from app.surveys.models import Answer

    rows = db.session.execute(select(Answer.text, Answer.response_id).where(Answer.variable == "opmerking"))
    by_text = {text: response_id for text, response_id in rows}
    ids = [by_text[text] for text in submitted]  # in submit order
    assert len(set(ids)) == 30
    ranks = {value: rank for rank, value in enumerate(sorted(ids))}
    n = len(ids)
    d2 = sum((i - ranks[v]) ** 2 for i, v in enumerate(ids))
    spearman = 1 - 6 * d2 / (n * (n * n - 1))
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    assert abs(spearman) < 0.7, f"ids follow the submit order (Spearman {spearman:.2f})"
    assert min(ids) > 30 or max(ids) > 10_000  # not a counter from 1


def test_the_invitation_holds_no_link_to_the_anonymous_response(anonymous_journey):
    from app.surveys.models import Response

    _survey, invitation, _token, walk = anonymous_journey
    walk.answer_all()
    walk.submit()
    response_id = db.session.scalars(select(Response.id)).one()
    tables = reflect()
    invitations = tables["invitations"]
    row = db.session.execute(select(invitations).where(invitations.c.id == invitation.id)).one()
    assert row.response_id is None
    for column, value in row._mapping.items():
        assert value != response_id and str(response_id) not in str(value), f"invitations.{column}"
    # No number or text column of any other table holds the response id either.
    for name, table in tables.items():
        if name in ("responses", "answers"):
            continue
        for column in table.columns:
            if isinstance(column.type, Integer | BigInteger):
                hits = db.session.scalar(select(func.count()).select_from(table).where(column == response_id))
            elif isinstance(column.type, String | Text):
                hits = db.session.scalar(
                    select(func.count()).select_from(table).where(column.contains(str(response_id)))
                )
            else:
                continue
            assert hits == 0, f"{name}.{column.name} holds the response id"
