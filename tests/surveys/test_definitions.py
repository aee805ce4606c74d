"""The definition model: conditions, visibility/pruning, fingerprint, dict round trip."""

import json

import pytest
import yaml
from survey_samples import survey

from app.surveys.definitions import (
    AllOf,
    AnyOf,
    Compare,
    Not,
    PollDefinition,
    SurveyDefinition,
    Text,
    evaluate,
    prune_hidden,
    visible_pages,
    visible_questions,
)
from app.surveys.findings import FindingsCatalogue
from app.surveys.loader import load_definition_text, load_poll_text


def test_text_falls_back_to_dutch():
    assert Text("hallo", "hello").get("en") == "hello"
    assert Text("hallo", "hello").get("en_GB") == "hello"
    assert Text("hallo", "hello").get("nl") == "hallo"
    assert Text("hallo", "hello").get("fr") == "hallo"
    assert Text("hallo").get("en") == "hallo"
    assert Text("hallo", "hello").get(None) == "hallo"


EQ = Compare("q", "equals", 1)


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        (EQ, {"q": 1}, True),
        (EQ, {"q": 2}, False),
        (EQ, {}, False),
        (EQ, {"q": None}, False),
        (Compare("q", "one_of", (1, 2)), {"q": 2}, True),
        (Compare("q", "one_of", (1, 2)), {"q": 3}, False),
        (Compare("q", "one_of", (1, 2)), {"q": [3, 2]}, True),
        (Compare("q", "one_of", (1, 2)), {"q": [3]}, False),
        (Compare("q", "one_of", (1, 2)), {}, False),
        (Compare("q", "contains", 3), {"q": [1, 3]}, True),
        (Compare("q", "contains", 3), {"q": [1]}, False),
        (Compare("q", "contains", 3), {"q": []}, False),
        (Compare("q", "gt", 10), {"q": 11}, True),
        (Compare("q", "gt", 10), {"q": 10}, False),
        (Compare("q", "gte", 10), {"q": 10}, True),
        (Compare("q", "lt", 10), {"q": 9.5}, True),
        (Compare("q", "lte", 10), {"q": 10}, True),
        (Compare("q", "lte", 10), {}, False),
        (Compare("q", "lt", 10), {"q": "5"}, False),
        (Compare("q", "answered", True), {"q": "x"}, True),
        (Compare("q", "answered", True), {"q": ""}, False),
        (Compare("q", "answered", True), {"q": []}, False),
        (Compare("q", "answered", True), {"q": 0}, True),
        (Compare("q", "answered", False), {}, True),
        (Compare("q", "answered", False), {"q": 3}, False),
        (Not(EQ), {"q": 1}, False),
        (Not(EQ), {"q": 2}, True),
        (Not(EQ), {}, True),
        (AllOf((EQ, Compare("r", "gt", 1))), {"q": 1, "r": 2}, True),
        (AllOf((EQ, Compare("r", "gt", 1))), {"q": 1, "r": 1}, False),
        (AllOf((EQ, Compare("r", "gt", 1))), {"q": 1}, False),
        (AnyOf((EQ, Compare("r", "gt", 1))), {"r": 2}, True),
        (AnyOf((EQ, Compare("r", "gt", 1))), {"q": 2, "r": 0}, False),
        (AnyOf((Not(EQ), AllOf((EQ, Compare("r", "equals", 2))))), {"q": 1, "r": 2}, True),
        (None, {}, True),
    ],
)
def test_evaluate(condition, answers, expected):
    assert evaluate(condition, answers) is expected


def test_dont_know_is_not_ordered_when_definition_given(sample):
    condition = Compare("stellingen_tijd", "gte", 4)
    assert evaluate(condition, {"stellingen_tijd": 9}) is True  # plain numbers
    assert evaluate(condition, {"stellingen_tijd": 9}, sample) is False
    assert evaluate(condition, {"stellingen_tijd": 5}, sample) is True
    assert evaluate(Compare("stellingen_tijd", "equals", 9), {"stellingen_tijd": 9}, sample)


def test_other_text_counts_as_answered_with_definition(sample):
    answered = Compare("kanalen", "answered", True)
    answers = {"kanalen": [], "kanalen_other": "Mastodon"}
    assert evaluate(answered, answers) is False
    assert evaluate(answered, answers, sample) is True
    assert evaluate(answered, {"kanalen_other": "  "}, sample) is False


def test_hidden_chain_is_pruned(sample):
    answers = {
        "gebruikt_facebook": 2,  # hides kanalen ...
        "kanalen": [1],  # ... so the details page (kanalen one_of 1, 2) is hidden too
        "kanalen_other": "x",
        "tevreden": 4,
        "stellingen_tijd": 5,
        "aantal": 20,
        "uitleg": "lang verhaal",
        "opmerking": "ok",
        "unknown_field": "dropped",
    }
    assert prune_hidden(sample, answers) == {
        "gebruikt_facebook": 2,
        "tevreden": 4,
        "opmerking": "ok",
    }
    assert [p.key for p in visible_pages(sample, answers)] == ["profiel", "slot"]
    keys = [q.key for q in visible_questions(sample, answers)]
    assert keys == ["gebruikt_facebook", "tevreden", "opmerking", "sinds", "volgorde"]


def test_chain_inside_a_visible_page(sample):
    answers = {"gebruikt_facebook": 1, "kanalen": [2], "stellingen_tijd": 3, "aantal": 20}
    # stellingen_tijd 3 hides aantal; uitleg depends on aantal, which now counts as unanswered
    keys = [q.key for q in visible_questions(sample, answers, "details")]
    assert keys == ["stellingen"]
    assert prune_hidden(sample, {**answers, "uitleg": "x"}) == {
        "gebruikt_facebook": 1,
        "kanalen": [2],
        "stellingen_tijd": 3,
    }
    answers["stellingen_tijd"] = 4
    assert [q.key for q in visible_questions(sample, answers, "details")] == [
        "stellingen",
        "aantal",
        "uitleg",
    ]


def test_not_on_hidden_question_sees_it_unanswered():
    definition = survey(
        """
        - key: p
          title: {nl: P, en: P}
          questions:
            - key: a
              type: likert
              text: {nl: A, en: A}
            - key: b
              type: likert
              text: {nl: B, en: B}
              show_if: {question: a, gte: 4}
            - key: c
              type: short_text
              text: {nl: C, en: C}
              show_if: {not: {question: b, equals: 5}}
        """
    )
    # b is hidden (a = 1), so its stale answer 5 must not hide c
    assert [q.key for q in visible_questions(definition, {"a": 1, "b": 5})] == ["a", "c"]
    assert [q.key for q in visible_questions(definition, {"a": 4, "b": 5})] == ["a", "b"]


REFORMATTED = """
# the same questionnaire, written differently
anonymity: "anonymous"
slug: 'test-survey'
organiser:
  en: Us
  nl: Wij
title: {en: Test, nl: "Test"}
purpose: {nl: Doel, en: Purpose}
intro: {nl: Inleiding, en: Introduction}
pages:
- title: {nl: Profiel, en: Profile}
  key: profiel
  questions:
  - type: short_text
    key: opmerking
    required: false     # explicit default
    max_length: 200     # explicit default
    text:
      nl: >-
        Opmerking
      en: Remark
"""

PLAIN = """
slug: test-survey
title: {nl: Test, en: Test}
intro: {nl: Inleiding, en: Introduction}
purpose: {nl: Doel, en: Purpose}
organiser: {nl: Wij, en: Us}
anonymity: anonymous
pages:
  - key: profiel
    title: {nl: Profiel, en: Profile}
    questions:
      - {key: opmerking, type: short_text, text: {nl: Opmerking, en: Remark}}
"""


def test_fingerprint_ignores_formatting_and_follows_content():
    plain = load_definition_text(PLAIN)
    assert load_definition_text(REFORMATTED).fingerprint == plain.fingerprint
    assert len(plain.fingerprint) == 64
    changed = load_definition_text(PLAIN.replace("en: Remark", "en: Remarks"))
    assert changed.fingerprint != plain.fingerprint
    longer = load_definition_text(PLAIN.replace("Remark}}", "Remark}, max_length: 300}"))
    assert longer.fingerprint != plain.fingerprint


def test_to_dict_round_trip(sample, catalogue):
    data = json.loads(json.dumps(sample.to_dict()))
    restored = SurveyDefinition.from_dict(data)
    assert restored == sample
    assert restored.fingerprint == sample.fingerprint
    # the dict is the YAML format itself: dumping and loading it again gives the same thing
    reloaded = load_definition_text(yaml.safe_dump(data, allow_unicode=True), "x", catalogue)
    assert reloaded == sample


def test_to_dict_fills_defaults(sample):
    data = sample.to_dict()
    questions = {q["key"]: q for p in data["pages"] for q in p["questions"]}
    assert questions["gebruikt_facebook"]["display"] == "radio"
    assert questions["gebruikt_facebook"]["supports"] == [1]
    assert questions["opmerking"]["max_length"] == 200
    assert questions["uitleg"]["max_length"] == 5000
    assert questions["aantal"]["integer"] is True
    assert questions["stellingen"]["scale"] == "likert"
    assert questions["tevreden"]["test"] == {"finding": "fb-tijd", "reverse": True}
    assert questions["sinds"]["min"] == "2000-01-01"


def test_variables(sample):
    variables = sample.variables()
    assert [(v.name, v.type) for v in variables] == [
        ("gebruikt_facebook", "single_choice"),
        ("kanalen", "multiple_choice"),
        ("kanalen_other", "short_text"),
        ("tevreden", "likert"),
        ("stellingen_tijd", "likert"),
        ("stellingen_geld", "likert"),
        ("aantal", "number"),
        ("uitleg", "long_text"),
        ("opmerking", "short_text"),
        ("sinds", "date"),
        ("volgorde", "ranking"),
    ]
    row = sample.variable("stellingen_tijd")
    assert row.question.key == "stellingen"
    assert row.row.key == "tijd"
    assert row.text.en == "Time"
    assert [o.code for o in row.options] == [1, 2, 3, 4, 5, 9]
    assert row.test.finding == "fb-tijd"
    assert sample.variable("stellingen_geld").test is None
    assert sample.variable("kanalen_other").is_other
    first = sample.variable("gebruikt_facebook")
    assert first.test.supports == (1,)
    assert [o.code for o in sample.variable("kanalen").options] == [1, 2, 3]
    assert sample.variable("kanalen").options[0].test.finding == "fb-gebruik"
    assert sample.variable("tevreden").test.reverse is True


def test_question_lookup_and_flat_questions(sample):
    assert [q.key for q in sample.questions][:3] == ["gebruikt_facebook", "kanalen", "tevreden"]
    assert sample.question("aantal").max == 500
    assert sample.question("aantal").unit.get("en") == "people"
    with pytest.raises(KeyError):
        sample.question("nope")
    assert sample.page("slot").questions[0].key == "opmerking"


def test_poll_round_trip_and_open_window():
    import datetime as dt

    poll = load_poll_text(
        """
slug: chaturen
question: {nl: "Wat vind je van de chaturen?", en: "What do you think?"}
multiple: true
options:
  - {code: 1, label: {nl: goed, en: good}}
  - {code: 2, label: {nl: slecht, en: bad}}
opens: 2026-12-01
closes: 2026-12-31
"""
    )
    assert poll.show_results is True and poll.multiple is True
    assert poll.opens == dt.date(2026, 12, 1)
    assert poll.is_open(dt.date(2026, 12, 31)) and not poll.is_open(dt.date(2027, 1, 1))
    assert PollDefinition.from_dict(json.loads(json.dumps(poll.to_dict()))) == poll


def test_catalogue_round_trip(catalogue):
    assert FindingsCatalogue.from_dict(catalogue.to_dict()) == catalogue
    assert "fb-tijd" in catalogue and "nope" not in catalogue
    assert catalogue["fb-gebruik"].interview_count == 15


def test_custom_scale_matrix_dont_know_variables():
    definition = survey(
        """
        - key: p
          title: {nl: P, en: P}
          questions:
            - key: m
              type: matrix
              text: {nl: M, en: M}
              dont_know: true
              options:
                - {code: 1, label: {nl: nooit, en: never}}
                - {code: 2, label: {nl: soms, en: sometimes}}
              rows: [{key: a, text: {nl: A, en: A}}]
            - {key: n, type: likert, text: {nl: N, en: N}}
        """
    )
    row = definition.variable("m_a")
    assert (row.type, [o.code for o in row.options], row.dont_know) == (
        "single_choice",
        [1, 2, 9],
        True,
    )
    assert definition.dont_know_variables == frozenset({"m_a"})
    assert definition.variable("n").dont_know is False
    assert [o.code for o in definition.variable("n").options] == [1, 2, 3, 4, 5]
