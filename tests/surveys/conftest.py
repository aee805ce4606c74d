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
