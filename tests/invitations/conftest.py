"""Invitation fixtures: an open survey with a closing date, and mail helpers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.core.models import utcnow
from app.extensions import db
from app.surveys.loader import load_definition_text
from app.surveys.versions import sync_definition

SURVEY = """\
slug: {slug}
title: {{nl: Herbevraging sociale media, en: Social media re-test}}
intro: {{nl: Inleiding, en: Introduction}}
purpose: {{nl: "We toetsen de bevindingen van 2014 bij de hele sector.", en: "We re-test the 2014 findings."}}
organiser: {{nl: "Onderzoeksgroep WWWelzijn", en: "WWWelzijn research group"}}
anonymity: {anonymity}
pages:
  - key: profiel
    title: {{nl: Profiel, en: Profile}}
    questions:
      - key: gebruikt_facebook
        type: single_choice
        text: {{nl: "Gebruikt je dienst Facebook?", en: "Does your service use Facebook?"}}
        options:
          - {{code: 1, label: {{nl: ja, en: "yes"}}}}
          - {{code: 2, label: {{nl: nee, en: "no"}}}}
"""

LINK_RE = re.compile(r"http://localhost(/u/[A-Za-z0-9_-]+)(/afmelden)?")


@pytest.fixture
def make_survey(app):
    """make_survey(slug="herbevraging", anonymity="anonymous", status="open", closes_in_days=30)."""

    def factory(slug="herbevraging", anonymity="anonymous", status="open", closes_in_days=30):
        definition = load_definition_text(
            SURVEY.format(slug=slug, anonymity=anonymity), f"surveys/{slug}.yaml"
        )
        version, _outcome = sync_definition(definition)
        survey = version.survey
        survey.status = status
        survey.closes_at = utcnow() + timedelta(days=closes_in_days) if closes_in_days is not None else None
        db.session.commit()
        return survey

    return factory


def deliver(app) -> dict[str, int]:
    """Send the queued mail with `app`'s transport, as `flask mail send` would, from a fresh
    transaction (the test's session may hold an older snapshot than the requests that queued it).

    The factory fixtures push the default (memory-transport) app on top of `smtp_app`, hence
    the explicit app."""
    from app.core.mail import deliver_queued

    db.session.commit()
    with app.app_context():
        counts = deliver_queued()
        db.session.remove()
    return counts


def links_in(body: str) -> tuple[str, str]:
    """(invitation path, opt-out path) from a mail body."""
    found = LINK_RE.findall(body)
    invite = next(path for path, suffix in found if not suffix)
    opt_out = next(path + suffix for path, suffix in found if suffix)
    return invite, opt_out
