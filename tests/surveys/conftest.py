"""Fixtures for the survey definition tests (no Flask involved)."""

import pytest
from survey_samples import SAMPLE

from app.surveys.definitions import Finding, FindingsCatalogue, Text
from app.surveys.loader import load_definition_text


@pytest.fixture
def catalogue() -> FindingsCatalogue:
    return FindingsCatalogue(
        (
            Finding("fb-gebruik", "2.1.2", Text("Facebook", "Facebook"), 15, 15),
            Finding("fb-tijd", "2.1.3", Text("Tijd", "Time")),
        )
    )


@pytest.fixture
def sample(catalogue):
    return load_definition_text(SAMPLE, "surveys/sample.yaml", catalogue)


# -- the respondent flow (Flask, database) ------------------------------------------------------

import re  # noqa: E402

from flow_sample import flow_survey_text  # noqa: E402


@pytest.fixture
def load_survey(app):
    """Store a questionnaire text as a survey version; open it unless told otherwise."""
    from app.extensions import db
    from app.surveys.versions import sync_definition

    def factory(text: str, *, open_it: bool = True, public: bool = False):
        definition = load_definition_text(text, "surveys/test.yaml", require_en=False)
        version, _outcome = sync_definition(definition, "surveys/test.yaml")
        survey = version.survey
        if open_it and survey.status != "open":
            survey.open()
        survey.public_link_enabled = public
        db.session.commit()
        return survey

    return factory


@pytest.fixture
def flow_survey(load_survey):
    """The every-type test questionnaire: flow_survey(anonymity="anonymous", public=False)."""

    def factory(anonymity: str = "anonymous", **kwargs):
        return load_survey(flow_survey_text(anonymity), **kwargs)

    return factory


@pytest.fixture
def make_invitation(app, make_organisation):
    """An invitation of a (new) organisation to `survey`; returns (invitation, link token)."""
    from app.extensions import db
    from app.invitations.models import Invitation

    def factory(survey, organisation=None):
        invitation = Invitation(survey=survey, organisation=organisation or make_organisation())
        db.session.add(invitation)
        token = invitation.issue_token()
        db.session.commit()
        return invitation, token

    return factory


SHOWN_RE = re.compile(r'name="getoond" value="([^"]+)"')
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Walker:
    """Answers a survey through the test client like a browser would (CSRF, shown questions)."""

    def __init__(self, client, base: str):
        self.client, self.base = client, base

    def get(self, **params):
        return self.client.get(self.base, query_string=params)

    def post(self, data: dict, **params):
        page = self.get(**params)
        html = page.get_data(as_text=True)
        payload = {"csrf_token": CSRF_RE.search(html).group(1), "getoond": SHOWN_RE.findall(html)}
        payload.update(data)
        return self.client.post(self.base, query_string=params, data=payload)

    def start(self, **data):
        return self.post(data)

    def page(self, key: str, data: dict, action: str = "volgende"):
        return self.post({**data, "actie": action}, pagina=key)

    def submit(self):
        return self.post({"actie": "versturen"}, stap="overzicht")


@pytest.fixture
def walker():
    return Walker
