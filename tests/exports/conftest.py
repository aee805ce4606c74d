import pytest

from tests.results.seed import seed


@pytest.fixture
def seeded(app, make_organisation):
    orgs = [make_organisation().id for _ in range(3)]
    return seed(40, organisation_ids=orgs)
