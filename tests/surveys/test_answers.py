"""Per-type parsing of submitted form values into stored values."""

import pytest

from app.surveys.answers import (
    QUESTION_TYPES,
    AnswerError,
    form_values,
    parse_answer,
    parse_answers,
)
from app.surveys.definitions import MatrixRow, Option, Question, Text

T = Text("vraag", "question")


def opts(*codes):
    return tuple(Option(code, Text(f"o{code}", f"o{code}")) for code in codes)


Q = {
    "single": Question("kleur", "single_choice", T, options=opts(1, 2, 3)),
    "single_req": Question("kleur", "single_choice", T, required=True, options=opts(1, 2)),
    "multi": Question(
        "kanalen",
        "multiple_choice",
        T,
        options=opts(1, 2, 3, 4),
        other=True,
        min_choices=2,
        max_choices=3,
    ),
    "multi_plain": Question("kanalen", "multiple_choice", T, options=opts(1, 2)),
    "likert": Question("tevreden", "likert", T),
    "likert_dk": Question("tevreden", "likert", T, dont_know=True, required=True),
    "matrix": Question(
        "m",
        "matrix",
        T,
        required=True,
        scale="likert",
        rows=(MatrixRow("a", T), MatrixRow("b", T)),
    ),
    "matrix_custom": Question(
        "m",
        "matrix",
        T,
        scale="options",
        options=opts(1, 2),
        dont_know=True,
        rows=(MatrixRow("a", T), MatrixRow("b", T)),
    ),
    "int": Question("aantal", "number", T, min=0, max=500, integer=True),
    "decimal": Question("uren", "number", T, min=0.5, max=40, integer=False),
    "short": Question("naam", "short_text", T, max_length=12),
    "long": Question("uitleg", "long_text", T, max_length=20, required=True),
    "date": Question("sinds", "date", T, min="2000-01-01", max="2030-12-31"),
    "rank": Question("volgorde", "ranking", T, options=opts(10, 20, 30)),
}

GOOD = [
    ("single", {"q-kleur": "2"}, {"kleur": 2}),
    ("single", {"q-kleur": ["3", "3"]}, {"kleur": 3}),
    ("single", {"q-kleur": ""}, {}),
    ("single", {}, {}),
    ("multi", {"q-kanalen": ["3", "1"]}, {"kanalen": [1, 3]}),
    ("multi", {"q-kanalen": ["4", "1", "1"]}, {"kanalen": [1, 4]}),
    (
        "multi",
        {"q-kanalen": ["2"], "q-kanalen-other": " Mastodon "},
        {"kanalen": [2], "kanalen_other": "Mastodon"},
    ),
    ("multi", {"q-kanalen": [], "q-kanalen-other": ""}, {}),
    ("multi_plain", {"q-kanalen": "2", "q-kanalen-other": "ignored"}, {"kanalen": [2]}),
    ("likert", {"q-tevreden": "5"}, {"tevreden": 5}),
    ("likert_dk", {"q-tevreden": "9"}, {"tevreden": 9}),
    ("matrix", {"q-m_a": "1", "q-m_b": "5"}, {"m_a": 1, "m_b": 5}),
    ("matrix_custom", {"q-m_a": "9"}, {"m_a": 9}),
    ("matrix_custom", {}, {}),
    ("int", {"q-aantal": " 12 "}, {"aantal": 12}),
    ("int", {"q-aantal": "0"}, {"aantal": 0}),
    ("int", {"q-aantal": "500"}, {"aantal": 500}),
    ("decimal", {"q-uren": "3,5"}, {"uren": 3.5}),
    ("decimal", {"q-uren": "38.25"}, {"uren": 38.25}),
    ("decimal", {"q-uren": "40"}, {"uren": 40.0}),
    ("decimal", {"q-uren": ",5"}, {"uren": 0.5}),
    ("short", {"q-naam": "  Ann\r\nPeeters "}, {"naam": "Ann Peeters"}),
    ("short", {"q-naam": "   "}, {}),
    ("short", {"q-naam": "a\x00b"}, {"naam": "ab"}),
    ("long", {"q-uitleg": "regel 1\r\nregel 2"}, {"uitleg": "regel 1\nregel 2"}),
    ("date", {"q-sinds": "2014-05-01"}, {"sinds": "2014-05-01"}),
    ("date", {"q-sinds": "1/5/2014"}, {"sinds": "2014-05-01"}),
    ("date", {"q-sinds": "01-05-2014"}, {"sinds": "2014-05-01"}),
    ("date", {"q-sinds": "2030-12-31"}, {"sinds": "2030-12-31"}),
    (
        "rank",
        {"q-volgorde-10": "2", "q-volgorde-20": "3", "q-volgorde-30": "1"},
        {"volgorde": [30, 10, 20]},
    ),
    ("rank", {"q-volgorde-10": "", "q-volgorde-20": "", "q-volgorde-30": ""}, {}),
]


@pytest.mark.parametrize(("question", "form", "stored"), GOOD)
def test_good_values(question, form, stored):
    assert parse_answer(Q[question], form) == stored


BAD = [
    ("single", {"q-kleur": "4"}, "unknown_option", "q-kleur"),
    ("single", {"q-kleur": "een"}, "unknown_option", "q-kleur"),
    ("single", {"q-kleur": "-1"}, "unknown_option", "q-kleur"),
    ("single", {"q-kleur": ["1", "2"]}, "one_value", "q-kleur"),
    ("single_req", {"q-kleur": ""}, "required", "q-kleur"),
    ("multi", {"q-kanalen": ["1", "5"]}, "unknown_option", "q-kanalen"),
    ("multi", {"q-kanalen": ["1"]}, "too_few", "q-kanalen"),
    ("multi", {"q-kanalen": ["1", "2", "3"], "q-kanalen-other": "x"}, "too_many", "q-kanalen"),
    ("multi", {"q-kanalen": ["1"], "q-kanalen-other": "x" * 201}, "too_long", "q-kanalen-other"),
    ("likert", {"q-tevreden": "9"}, "unknown_option", "q-tevreden"),
    ("likert", {"q-tevreden": "6"}, "unknown_option", "q-tevreden"),
    ("likert", {"q-tevreden": "0"}, "unknown_option", "q-tevreden"),
    ("likert_dk", {}, "required", "q-tevreden"),
    ("matrix", {"q-m_a": "1"}, "incomplete", "q-m_b"),
    ("matrix", {}, "required", "q-m_a"),
    ("matrix", {"q-m_a": "1", "q-m_b": "7"}, "unknown_option", "q-m_b"),
    ("matrix_custom", {"q-m_a": "3"}, "unknown_option", "q-m_a"),
    ("int", {"q-aantal": "veel"}, "not_integer", "q-aantal"),
    ("int", {"q-aantal": "2.5"}, "not_integer", "q-aantal"),
    ("int", {"q-aantal": "1.000"}, "not_integer", "q-aantal"),
    ("int", {"q-aantal": "-1"}, "too_small", "q-aantal"),
    ("int", {"q-aantal": "501"}, "too_large", "q-aantal"),
    ("int", {"q-aantal": ["1", "2"]}, "one_value", "q-aantal"),
    ("decimal", {"q-uren": "3,5,1"}, "not_a_number", "q-uren"),
    ("decimal", {"q-uren": "nan"}, "not_a_number", "q-uren"),
    ("decimal", {"q-uren": "inf"}, "not_a_number", "q-uren"),
    ("decimal", {"q-uren": "1e3"}, "not_a_number", "q-uren"),
    ("decimal", {"q-uren": "0,4"}, "too_small", "q-uren"),
    ("decimal", {"q-uren": "40,01"}, "too_large", "q-uren"),
    ("short", {"q-naam": "Annemieke Peeters"}, "too_long", "q-naam"),
    ("short", {"q-naam": ["a", "b"]}, "one_value", "q-naam"),
    ("long", {"q-uitleg": " "}, "required", "q-uitleg"),
    ("long", {"q-uitleg": "x" * 21}, "too_long", "q-uitleg"),
    ("date", {"q-sinds": "2014-02-30"}, "bad_date", "q-sinds"),
    ("date", {"q-sinds": "gisteren"}, "bad_date", "q-sinds"),
    ("date", {"q-sinds": "20140501"}, "bad_date", "q-sinds"),
    ("date", {"q-sinds": "1999-12-31"}, "too_early", "q-sinds"),
    ("date", {"q-sinds": "31/01/2031"}, "too_late", "q-sinds"),
    ("rank", {"q-volgorde-10": "1", "q-volgorde-30": "2"}, "incomplete", "q-volgorde-20"),
    (
        "rank",
        {"q-volgorde-10": "1", "q-volgorde-20": "1", "q-volgorde-30": "2"},
        "bad_ranking",
        "q-volgorde-10",
    ),
    (
        "rank",
        {"q-volgorde-10": "1", "q-volgorde-20": "2", "q-volgorde-30": "4"},
        "bad_ranking",
        "q-volgorde-10",
    ),
    (
        "rank",
        {"q-volgorde-10": "a", "q-volgorde-20": "2", "q-volgorde-30": "3"},
        "bad_ranking",
        "q-volgorde-10",
    ),
]


@pytest.mark.parametrize(("question", "form", "code", "field"), BAD)
def test_bad_values(question, form, code, field):
    with pytest.raises(AnswerError) as exc:
        parse_answer(Q[question], form)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert exc.value.nl and exc.value.en and exc.value.nl != exc.value.en


def test_messages_are_translated_and_name_the_limit():
    with pytest.raises(AnswerError) as exc:
        parse_answer(Q["decimal"], {"q-uren": "0,1"})
    assert exc.value.message("nl") == "Vul minstens 0,5 in."
    assert exc.value.message("en") == "Enter at least 0.5."
    with pytest.raises(AnswerError) as exc:
        parse_answer(Q["date"], {"q-sinds": "2031-01-01"})
    assert exc.value.message("nl") == "Vul een datum tot en met 31/12/2030 in."
    with pytest.raises(AnswerError) as exc:
        parse_answer(Q["multi"], {"q-kanalen": ["1", "2", "3", "4"]})
    assert exc.value.message("en") == "Choose at most 3 answers."


def test_werkzeug_like_multidict_is_supported():
    class MultiDict(dict):
        def getlist(self, name):
            return self.get(name, [])

    form = MultiDict({"q-kanalen": ["1", "2"], "q-kanalen-other": ["x"]})
    assert parse_answer(Q["multi"], form) == {"kanalen": [1, 2], "kanalen_other": "x"}


def test_other_text_alone_answers_the_question():
    question = Question("kanalen", "multiple_choice", T, options=opts(1, 2), other=True, required=True)
    assert parse_answer(question, {"q-kanalen-other": "radio"}) == {
        "kanalen": [],
        "kanalen_other": "radio",
    }


def test_parse_answers_collects_errors_per_question():
    questions = [Q["single"], Q["int"], Q["long"]]
    answers, errors = parse_answers(questions, {"q-kleur": "1", "q-aantal": "x"})
    assert answers == {"kleur": 1}
    assert {key: error.code for key, error in errors.items()} == {
        "aantal": "not_integer",
        "uitleg": "required",
    }


def test_every_type_has_a_parser():
    from app.surveys.definitions import QUESTION_TYPE_NAMES

    assert set(QUESTION_TYPES) == set(QUESTION_TYPE_NAMES)


@pytest.mark.parametrize(("question", "form", "stored"), [g for g in GOOD if g[2]])
def test_form_values_round_trip(question, form, stored):
    """What was stored, put back in the form, parses to the same stored value."""
    assert parse_answer(Q[question], form_values(Q[question], stored)) == stored


def test_fields_list_the_form_names():
    assert QUESTION_TYPES["ranking"].fields(Q["rank"]) == [
        "q-volgorde-10",
        "q-volgorde-20",
        "q-volgorde-30",
    ]
    assert QUESTION_TYPES["matrix"].fields(Q["matrix"]) == ["q-m_a", "q-m_b"]
    assert QUESTION_TYPES["multiple_choice"].fields(Q["multi"]) == ["q-kanalen", "q-kanalen-other"]
    assert QUESTION_TYPES["number"].fields(Q["int"]) == ["q-aantal"]
