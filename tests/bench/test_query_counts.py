"""The query counts the benchmark reports must not grow with the data (bench/run.py times them).

Submitting, the results page and the findings board are counted with 10 responses in the
database and again with 1,000; the number of statements must be the same. Runs on whichever
database the suite runs on.
"""

import random

import pytest

from app.extensions import db
from app.results import queries
from app.results.demo import demo_surveys, generate_responses
from bench.flow import SubmissionWalker, issue_invitations, load_bench_survey
from bench.measure import StatementCounter
from tests.helpers import login


@pytest.fixture
def bench_survey(app):
    return load_bench_survey()


def submission_counts(app, survey_id: int) -> dict:
    token = issue_invitations(survey_id, 1, f"t{random.randrange(10**9)}")[0]
    with StatementCounter(db.engine) as counter:
        SubmissionWalker(app, counter).submit(token, random.Random(3))
    return {label: (c.statements, c.commits) for label, c in counter.buckets.items()}


def test_submitting_issues_the_same_statements_with_10_or_1000_responses(app, bench_survey):
    submission_counts(app, bench_survey.survey_id)  # warm up: a process reads a version's definition once
    generate_responses(bench_survey, 10, seed=1)
    db.session.commit()
    small = submission_counts(app, bench_survey.survey_id)
    generate_responses(bench_survey, 990, seed=2)
    db.session.commit()
    large = submission_counts(app, bench_survey.survey_id)
    assert small == large


def test_the_submit_is_one_transaction_of_at_most_six_statements(app, bench_survey):
    """Issue 7: the invitation with its survey, version and the guessing count (one statement),
    the draft, the "finished" guard, the response, its answers, the draft's delete."""
    submission_counts(app, bench_survey.survey_id)  # warm up
    token = issue_invitations(bench_survey.survey_id, 1, "six")[0]
    with StatementCounter(db.engine) as counter:
        SubmissionWalker(app, counter).submit(token, random.Random(5))
    submit = counter.buckets["4 POST submit"]
    assert submit.statements <= 6, submit.sql
    assert (submit.begins, submit.commits) == (1, 1)
    # the thank-you page reads the invitation only
    assert counter.buckets["5 GET thank-you"].statements == 1


@pytest.fixture
def demo_survey(app):
    """The demo questionnaire with its findings, results public (what the benchmark measures)."""
    versions = {v.survey.slug: v for v in demo_surveys()}
    db.session.commit()
    return versions["herbevraging-2026"]


def view_statements(app, client, url: str) -> int:
    queries.clear_cache()  # the first view after new responses: the expensive one
    with StatementCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    return counter.total.statements


@pytest.mark.parametrize("url", ["/resultaten/herbevraging-2026", "/bevindingen"])
@pytest.mark.parametrize("role", [None, "researcher"])
def test_results_and_findings_board_issue_the_same_statements_with_10_or_1000_responses(
    app, client, make_user, demo_survey, url, role
):
    if role:
        login(client, make_user(role=role))
    generate_responses(demo_survey, 10, seed=1)
    db.session.commit()
    small = view_statements(app, client, url)
    generate_responses(demo_survey, 990, seed=2)
    db.session.commit()
    assert view_statements(app, client, url) == small
