"""Fixtures for the results tests: the seeded test survey, caching off unless a test wants it."""

import pytest

from app.results import queries
from tests.results.seed import seed


@pytest.fixture
def app(make_app):
    from app.extensions import db

    application = make_app(RESULTS_CACHE_SIZE=0)
    with application.app_context():
        yield application
        db.session.remove()


@pytest.fixture
def seeded(app, make_organisation):
    """The 40 known responses of tests/results/seed.py (pseudonymous, results not public)."""
    queries.clear_cache()
    orgs = [make_organisation().id for _ in range(3)]
    return seed(40, organisation_ids=orgs)


@pytest.fixture
def public_seeded(app):
    queries.clear_cache()
    return seed(40, public=True)
