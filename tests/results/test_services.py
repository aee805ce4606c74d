from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.results import services
from app.results.variables import merged_variables
from app.surveys.responses import submit
from app.surveys.versions import sync_definition
from tests.results import seed as seed_data


class Staff:
    is_authenticated = True
    is_staff = True


class Visitor:
    is_authenticated = False
    is_staff = False


def by_name(page):
    return {r.var.name: r for r in page["results"]}


def test_counts_percentages_mean_and_median_for_staff(seeded):
    page = services.survey_results(seeded.survey, {}, Staff(), "nl")
    assert page["total"] == 40
    results = by_name(page)
    service = results["soort_dienst"]
    assert [(r.code, r.count) for r in service.rows] == [(1, 20), (2, 16), (3, 4)]
    assert [round(r.pct, 1) for r in service.rows] == [50.0, 40.0, 10.0]
    assert not any(r.hidden for r in service.rows)  # staff see small counts
    tevreden = results["tevreden"]
    assert tevreden.extra["valid"] == 38  # "don't know" (9) left out of mean and median
    assert tevreden.mean == sum(i % 5 + 1 for i in range(38)) / 38
    assert tevreden.median == 3
    aantal = results["aantal"]
    assert (aantal.n, aantal.mean, aantal.median) == (40, 19.5, 19.5)
    kanalen = results["kanalen"]
    assert kanalen.n == 34
    assert {r.code: r.count for r in kanalen.rows} == {1: 30, 2: 14, 3: 0}
    assert results["opmerking"].n == 3
    volgorde = results["volgorde"]
    assert volgorde.n == 40
    assert [(r.code, r.count, r.mean_rank) for r in volgorde.rows] == [(1, 20, 1.5), (2, 20, 1.5)]


def test_visitors_see_suppressed_counts_with_complements(seeded):
    page = services.survey_results(seeded.survey, {}, Visitor(), "nl")
    service = by_name(page)["soort_dienst"]
    assert [(r.count, r.hidden) for r in service.rows] == [(20, False), (16, True), (4, True)]
    assert [r.pct for r in service.rows][1:] == [None, None]


def test_filters_are_semi_joins_on_profile_answers(seeded):
    filters = services.parse_filters(seeded.survey, MultiDict([("soort_dienst", "1"), ("regio", "1")]))
    assert filters == {"soort_dienst": (1,), "regio": (1,)}
    page = services.survey_results(seeded.survey, filters, Staff(), "nl")
    assert page["total"] == 10  # i < 20 and even
    assert {r.code: r.count for r in by_name(page)["regio"].rows} == {1: 10, 2: 0}
    # a multiple-choice filter counts each response once, whichever options matched
    filters = services.parse_filters(seeded.survey, MultiDict([("kanalen", "1"), ("kanalen", "2")]))
    assert services.survey_results(seeded.survey, filters, Staff(), "nl")["total"] == 34


def test_unknown_filter_values_are_ignored(seeded):
    args = MultiDict([("soort_dienst", "99"), ("regio", "x"), ("onbekend", "1")])
    assert services.parse_filters(seeded.survey, args) == {}


def test_small_filtered_group_is_hidden_from_visitors(seeded):
    page = services.survey_results(seeded.survey, {"soort_dienst": (3,)}, Visitor(), "nl")
    assert page["total_hidden"] is True
    assert all(r.hidden for r in page["results"])


def test_crosstab_counts_and_suppression(seeded):
    table = services.crosstab(seeded.survey, "soort_dienst", "regio", {}, "nl")
    t = table["table"]
    assert [[c.count for c in row] for row in t.cells] == [[10, 10], [8, 8], [2, 2]]
    assert [[c.hidden for c in row] for row in t.cells][2] == [True, True]
    assert [c.count for c in t.col_totals] == [20, 20]
    assert t.row_totals[2].hidden  # the CLB row totals 4


def test_crosstab_refuses_open_or_equal_questions(seeded):
    assert services.crosstab(seeded.survey, "opmerking", "regio", {}, "nl") is None
    assert services.crosstab(seeded.survey, "regio", "regio", {}, "nl") is None


def test_text_answers_are_paginated(seeded):
    _var, answers, total = services.text_answers(seeded.survey, "opmerking", {}, 1, per_page=2)
    assert total == 3 and len(answers) == 2
    _, rest, _ = services.text_answers(seeded.survey, "opmerking", {}, 2, per_page=2)
    assert len(rest) == 1
    assert set(answers + rest) == {seed_data.INJECTION, "Opmerking 1", "Opmerking 2"}


def test_versions_are_merged_by_variable_name(seeded):
    text = seed_data.SURVEY.format(slug="testbevraging", anonymity="pseudonymous")
    text = text.replace("          - {code: 3, label: {nl: CLB, en: CLB}}\n", "")
    text = text.replace(
        "      - key: aantal\n",
        "      - key: nieuw\n        type: short_text\n"
        "        text: {nl: Nieuw, en: New}\n      - key: aantal\n",
    )
    from app.surveys.loader import load_definition_text

    version, outcome = sync_definition(load_definition_text(text, "surveys/t.yaml", seed_data.catalogue()))
    assert outcome == "new-version"
    submit(version, {"soort_dienst": 1, "nieuw": "hallo", "aantal": 100})
    db.session.commit()
    variables = {v.name: v for v in merged_variables(version.survey)}
    assert variables["nieuw"].versions == [2]
    assert variables["aantal"].versions == [1, 2]
    assert variables["soort_dienst"].label(3, "nl") == "CLB"  # code dropped later keeps its label
    page = services.survey_results(version.survey, {}, Staff(), "nl")
    assert page["total"] == 41
    assert by_name(page)["aantal"].n == 41
