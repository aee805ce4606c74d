"""Retention purge: what goes, what stays."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from app.core.mail import OutgoingMail
from app.core.models import utcnow
from app.extensions import db
from app.invitations.models import Invitation, token_hash
from app.privacy.services import purge
from app.surveys.models import Draft, Survey, SurveyVersion


def _survey(slug, status="open", closes_at=None, updated_days_ago=0):
    survey = Survey(slug=slug, status=status, closes_at=closes_at)
    db.session.add(survey)
    db.session.flush()
    version = SurveyVersion(
        survey=survey, number=1, fingerprint="f" * 64, anonymity="anonymous", definition_json=json.dumps({})
    )
    db.session.add(version)
    db.session.flush()
    survey.updated_at = utcnow() - timedelta(days=updated_days_ago)
    return survey, version


def _invite(survey, org, email):
    inv = Invitation(survey_id=survey.id, organisation_id=org.id, email=email)
    db.session.add(inv)
    db.session.flush()
    token = inv.issue_token()
    return inv, token


def test_purge_removes_addresses_links_and_drafts_of_long_closed_surveys(app, make_organisation):
    org = make_organisation()
    old, old_version = _survey("oud", status="closed", updated_days_ago=200)
    by_date, by_date_version = _survey("datum", closes_at=utcnow() - timedelta(days=100))
    recent, recent_version = _survey("recent", status="closed", updated_days_ago=10)
    running, running_version = _survey("loopt")
    old_inv, old_token = _invite(old, org, "a@example.org")
    old_inv.finished_on = utcnow().date() - timedelta(days=150)
    date_inv, _t = _invite(by_date, org, "b@example.org")
    recent_inv, recent_token = _invite(recent, org, "c@example.org")
    for version, key in ((old_version, "k1"), (recent_version, "k2"), (by_date_version, "k3")):
        db.session.add(Draft(survey_id=version.survey_id, version_id=version.id, key_hash=key * 10))
    stale = Draft(survey_id=running.id, version_id=running_version.id, key_hash="stale" * 8)
    fresh = Draft(survey_id=running.id, version_id=running_version.id, key_hash="fresh" * 8)
    db.session.add_all([stale, fresh])
    db.session.flush()
    stale.updated_at = utcnow() - timedelta(days=120)
    sent_long_ago = OutgoingMail(
        recipient="x@example.org",
        subject="s",
        body_text="b",
        category="t",
        sent_at=utcnow() - timedelta(days=100),
    )
    sent_recently = OutgoingMail(
        recipient="y@example.org", subject="s", body_text="b", category="t", sent_at=utcnow()
    )
    queued = OutgoingMail(recipient="z@example.org", subject="s", body_text="b", category="t")
    db.session.add_all([sent_long_ago, sent_recently, queued])
    db.session.commit()

    counts = purge(days=90)
    db.session.commit()

    assert counts["surveys"] == 2
    assert counts["invitations"] == 2
    db.session.expire_all()
    assert (old_inv.email, old_inv.token_hash, old_inv.token_salt) == (None, None, None)
    assert old_inv.finished_on is not None  # the response rate keeps working
    assert date_inv.email is None
    assert recent_inv.email == "c@example.org"
    assert db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(old_token))) is None
    assert db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(recent_token)))
    remaining = set(db.session.scalars(select(Draft.key_hash)))
    assert remaining == {"k2" * 10, "fresh" * 8}
    assert sent_long_ago.recipient is None
    assert sent_recently.recipient == "y@example.org"
    assert queued.recipient == "z@example.org"


def test_purge_command_prints_counts(app):
    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--days", "30"])
    assert result.exit_code == 0
    assert "invitations: 0" in result.output
