"""Result tallies (app.results.tallies): whatever has been folded, results equal a count from scratch."""

import pytest
from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.results import benchmark, board, queries, services, tallies
from app.results.models import ResultTally
from app.results.variables import merged_variables
from app.surveys.models import Response
from app.surveys.responses import submit
from tests.helpers import login
from tests.results.seed import answers_for

FILTERS = [
    {},
    {"soort_dienst": (1,)},
    {"soort_dienst": (1, 2)},
    {"regio": (2,)},
    {"kanalen": (2,)},
    {"kanalen": (1, 2)},  # multiple choice, several codes: counted on demand
    {"soort_dienst": (2,), "regio": (1,)},  # two filters: counted on demand
]


def page_numbers(survey, filters):
    return services._aggregates(survey, merged_variables(survey), filters)


def on_demand(survey, filters):
    return services.counted_on_demand(survey.id, services.kinds(merged_variables(survey)), filters)


def board_on_demand(survey):
    links = board._links(survey)
    names = sorted({var.name for var, *_ in links})
    multi = sorted({var.name for var, *_ in links if var.type == "multiple_choice"})
    sid, group = survey.id, "soort_dienst"
    return {
        "codes": queries.code_counts(sid, names, {}),
        "answered": queries.answered_counts(sid, multi, {}),
        "g_codes": queries.grouped_code_counts(sid, group, names, {}),
        "g_answered": queries.grouped_answered(sid, group, multi, {}),
    }


def assert_same_as_from_scratch(survey):
    for filters in FILTERS:
        assert page_numbers(survey, filters) == on_demand(survey, filters), filters
    assert board._survey_numbers(survey, board._links(survey)) == board_on_demand(survey)
    names = [v.name for v in merged_variables(survey) if v.is_closed]
    multi = [v.name for v in merged_variables(survey) if v.type == "multiple_choice"]
    assert benchmark.sector_counts(survey, names, multi) == {
        "codes": queries.code_counts(survey.id, names, {}),
        "answered": queries.answered_counts(survey.id, multi, {}),
    }
    for row, col in [("soort_dienst", "regio"), ("kanalen", "soort_dienst"), ("tevreden", "kanalen")]:
        tallied = services._crosstab_from_tallies(survey, row, col, {})
        if tallied is None:  # only while the tallies await a rebuild
            with db.engine.connect() as conn:
                assert tallies.status(conn, tallies.plan(survey))[1]
        else:
            assert tallied == queries.crosstab_counts(survey.id, row, col, {}), (row, col)


def tally_rows(survey_id):
    return set(
        db.session.execute(select(ResultTally).where(ResultTally.survey_id == survey_id)).scalars().all()
    )


def snapshot(survey_id):
    columns = [
        getattr(ResultTally, c) for c in ("group_variable", "group_code", "variable", "item", "value", "n")
    ]
    return sorted(db.session.execute(select(*columns).where(ResultTally.survey_id == survey_id)).all())


def forget_tallies(survey_id):
    """No tallies and no response counted: the next fold counts everything from zero."""
    db.session.execute(delete(ResultTally).where(ResultTally.survey_id == survey_id))
    db.session.execute(update(Response).where(Response.survey_id == survey_id).values(tallied=None))
    db.session.commit()


def states(survey_id):
    return db.session.scalars(select(Response.tallied).where(Response.survey_id == survey_id)).all()


@pytest.mark.parametrize("delta_in_python", [True, False], ids=["delta counted in Python", "delta in SQL"])
def test_results_equal_a_count_from_scratch_before_between_and_after_folds(
    seeded, monkeypatch, delta_in_python
):
    # the uncounted responses' answers counted in Python (few of them) or by GROUP BYs in SQL
    monkeypatch.setattr(tallies, "DELTA_IN_PYTHON", 10**9 if delta_in_python else -1)
    survey = seeded.survey
    assert set(states(survey.id)) == {None}  # submits leave responses uncounted
    assert_same_as_from_scratch(survey)  # all from the uncounted delta

    tallies.fold_all()
    assert set(states(survey.id)) == {0}  # counted; no batch number stays behind
    assert snapshot(survey.id)
    assert_same_as_from_scratch(survey)  # all from the tallies

    for i in range(40, 47):
        submit(seeded, answers_for(i % 40))
    db.session.commit()
    assert_same_as_from_scratch(survey)  # tallies + delta

    tallies.fold_all()
    folded = snapshot(survey.id)
    # the tallies equal a count from zero of the same responses
    forget_tallies(survey.id)
    tallies.fold_all()
    assert snapshot(survey.id) == folded
    assert_same_as_from_scratch(survey)


def test_folds_in_chunks_leave_the_same_tallies(seeded, monkeypatch):
    survey = seeded.survey
    tallies.fold_all()
    whole = snapshot(survey.id)
    forget_tallies(survey.id)
    monkeypatch.setattr(tallies, "CHUNK", 7)
    p = tallies.plan(survey)
    with db.engine.connect() as conn:
        tallies.fold(conn, p, until_done=False)
    db.session.commit()  # a new snapshot (SQLite): the fold ran on its own connection
    assert states(survey.id).count(0) == 7
    assert_same_as_from_scratch(survey)
    tallies.fold_all()
    assert snapshot(survey.id) == whole
    assert set(states(survey.id)) == {0}


def test_a_big_fold_compacts_the_tallies_on_postgresql_and_leaves_them_the_same(seeded, monkeypatch):
    survey = seeded.survey
    tallies.fold_all()
    whole = snapshot(survey.id)
    forget_tallies(survey.id)
    monkeypatch.setattr(tallies, "CHUNK", 7)
    monkeypatch.setattr(tallies, "ANALYZE_FROM", 1)  # every job run counts as a big fold
    tallies.fold_all()
    assert snapshot(survey.id) == whole
    assert_same_as_from_scratch(survey)
    if db.engine.dialect.name == "postgresql":  # CLUSTER rewrote the table in primary-key order
        clustered = "SELECT indisclustered FROM pg_index WHERE indexrelid = 'pk_result_tallies'::regclass"
        assert db.session.execute(db.text(clustered)).scalar() is True


def test_deleting_counted_responses_keeps_results_right_and_the_job_rebuilds(seeded):
    survey = seeded.survey
    tallies.fold_all()
    ids = db.session.scalars(select(Response.id).where(Response.survey_id == survey.id).limit(3)).all()
    db.session.execute(delete(Response).where(Response.id.in_(ids)))  # answers go by cascade
    db.session.commit()
    with db.engine.connect() as conn:
        assert tallies.status(conn, tallies.plan(survey)) == (0, True)
    assert tallies.read(survey, [("", None)]) is None  # counted on demand meanwhile
    assert_same_as_from_scratch(survey)
    assert page_numbers(survey, {})["total"] == 37

    tallies.fold_all()
    with db.engine.connect() as conn:
        assert tallies.status(conn, tallies.plan(survey)) == (0, False)
    assert tallies.read(survey, [("", None)]) is not None
    assert_same_as_from_scratch(survey)


def test_a_replaced_response_with_the_same_count_is_caught_by_the_checksum(seeded):
    survey = seeded.survey
    tallies.fold_all()
    doomed = db.session.scalar(select(Response.id).where(Response.survey_id == survey.id).limit(1))
    db.session.execute(delete(Response).where(Response.id == doomed))
    submit(seeded, answers_for(5))
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Response.survey_id == survey.id)) == 40
    with db.engine.connect() as conn:
        pending, rebuild = tallies.status(conn, tallies.plan(survey))
    assert (pending, rebuild) == (1, True)
    assert_same_as_from_scratch(survey)


def test_deleting_the_survey_deletes_its_tallies(seeded):
    survey = seeded.survey
    tallies.fold_all()
    assert snapshot(survey.id)
    sid = survey.id
    db.session.delete(survey)
    db.session.commit()
    assert snapshot(sid) == []


@pytest.mark.parametrize("threshold, folded", [(0, False), (10, True)])
def test_a_view_folds_only_when_the_job_seems_not_to_run(make_app, make_user, threshold, folded):
    from tests.results.seed import seed

    app = make_app(RESULTS_CACHE_SIZE=0, RESULT_TALLIES_VIEW_FOLD=threshold)
    with app.app_context():
        version = seed(12, public=True)
        client = app.test_client()
        login(client, make_user(role="researcher"))
        assert client.get(f"/resultaten/{version.survey.slug}").status_code == 200
        assert set(states(version.survey_id)) == ({0} if folded else {None})
        assert client.get("/bevindingen").status_code == 200
        db.session.remove()
