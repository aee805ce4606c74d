"""Fixtures for the hostile-input and privacy tests: a database fingerprint, a small survey with
free-text answers, invitations, a poll, and a client that answers a survey like a browser."""

from __future__ import annotations

import contextlib
import hashlib
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.helpers import csrf_token_from

# Tables that may change on a refused request: hits are counted towards the rate limits.
COUNTERS = frozenset({"rate_counters"})

SURVEY = """\
slug: {slug}
title: {{nl: "Veiligheidstest", en: "Security test"}}
intro: {{nl: "Een test.", en: "A test."}}
purpose: {{nl: "Testen", en: "Testing"}}
organiser: {{nl: "Het testteam", en: "The test team"}}
anonymity: {anonymity}
pages:
  - key: dienst
    title: {{nl: "Uw dienst", en: "Your service"}}
    questions:
      - key: dienst_naam
        type: short_text
        max_length: 60
        text: {{nl: "Naam van de dienst?", en: "Name of the service?"}}
      - key: medewerkers
        type: number
        min: 0
        max: 500
        text: {{nl: "Hoeveel medewerkers?", en: "How many staff?"}}
      - key: kanaal
        type: single_choice
        text: {{nl: "Belangrijkste kanaal?", en: "Main channel?"}}
        options:
          - {{code: 1, label: {{nl: "Facebook", en: "Facebook"}}}}
          - {{code: 2, label: {{nl: "Instagram", en: "Instagram"}}}}
  - key: slot
    title: {{nl: "Tot slot", en: "Finally"}}
    questions:
      - key: opmerking
        type: long_text
        max_length: 300
        text: {{nl: "Nog iets?", en: "Anything else?"}}
"""


def fingerprint() -> dict[str, tuple[int, str]]:
    """Table -> (row count, SHA-256 of every row in primary-key order), read on a fresh connection
    so it sees what the requests committed, not the test session's snapshot."""
    db.session.commit()
    result = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            digest = hashlib.sha256("\n".join(repr(tuple(row)) for row in rows).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
    return result


@contextlib.contextmanager
def database_unchanged(ignore: frozenset[str] | set[str] = COUNTERS):
    """Assert that no table (besides `ignore`) gained, lost or changed a row inside the block."""
    before = fingerprint()
    yield
    after = fingerprint()
    changed = sorted(name for name in before if name not in ignore and before[name] != after[name])
    assert not changed, f"the attack changed the tables {changed}"


@pytest.fixture
def unchanged():
    """`with unchanged(): ...` asserts the database is the same afterwards (rate counters aside)."""
    return database_unchanged


@pytest.fixture
def make_survey(app):
    """make_survey(slug=..., anonymity="anonymous", public=False): an open survey with text answers."""
    from app.surveys.loader import load_definition_text
    from app.surveys.versions import sync_definition

    def factory(slug="veiligheid", anonymity="anonymous", public=False):
        text = SURVEY.format(slug=slug, anonymity=anonymity)
        definition = load_definition_text(text, f"surveys/{slug}.yaml")
        version, _outcome = sync_definition(definition, f"surveys/{slug}.yaml")
        survey = version.survey
        survey.open()
        survey.public_link_enabled = public
        db.session.commit()
        return survey

    return factory


@pytest.fixture
def make_invitation(app, make_organisation):
    """make_invitation(survey) -> (invitation, link token), for a new organisation."""
    from app.invitations.models import Invitation

    def factory(survey, organisation=None):
        invitation = Invitation(survey=survey, organisation=organisation or make_organisation())
        db.session.add(invitation)
        token = invitation.issue_token()
        db.session.commit()
        return invitation, token

    return factory


@pytest.fixture
def make_poll(app):
    """make_poll(slug=..., question=..., options=(...)): an open single-choice poll."""
    from app.polls import services
    from app.surveys.common import Text

    def factory(slug="peiling", question="Wat vindt u ervan?", options=("Goed", "Slecht")):
        fields = services.PollFields(
            Text(question, "What do you think?"),
            tuple((i + 1, Text(label, label)) for i, label in enumerate(options)),
            False,
            None,
            None,
            True,
        )
        poll = services.save_poll(None, slug, fields)
        db.session.commit()
        return poll

    return factory


SHOWN_RE = re.compile(r'name="getoond" value="([^"]+)"')


class Respondent:
    """Answers a survey through the test client like a browser (CSRF token, shown questions)."""

    def __init__(self, client, base: str):
        self.client, self.base = client, base

    def get(self, **params):
        return self.client.get(self.base, query_string=params)

    def post(self, data: dict, **params):
        html = self.get(**params).get_data(as_text=True)
        payload = {"csrf_token": csrf_token_from(html), "getoond": SHOWN_RE.findall(html)}
        payload.update(data)
        return self.client.post(self.base, query_string=params, data=payload)

    def page(self, key: str, data: dict, action: str = "volgende"):
        return self.post({**data, "actie": action}, pagina=key)

    def answer_all(self, name="Dienst", staff="12", channel="1", remark="Geen"):
        """Start and answer both pages; returns the response of the last page (to the summary)."""
        self.post({})
        self.page("dienst", {"q-dienst_naam": name, "q-medewerkers": staff, "q-kanaal": channel})
        return self.page("slot", {"q-opmerking": remark})

    def submit(self):
        return self.post({"actie": "versturen"}, stap="overzicht")


@pytest.fixture
def respondent():
    """respondent(client, "/u/<token>") -> a `Respondent`."""
    return Respondent


# The learning-network fixtures (make_network, make_person, client_for) serve these tests too.
from tests.networks.conftest import client_for, make_network, make_person  # noqa: E402, F401
