"""The loader's error messages and line numbers: fields, types, keys and options."""

import pytest
from survey_samples import (
    FILE,
    LIKERT_A,
    marked_line,
    page,
    problems,
    survey_text,
)

from app.surveys.loader import DefinitionError, load_definition_text

CASES = {
    "unknown field with suggestion": (
        """
        - key: kanalen
          type: ranking
          text: {nl: K, en: C}
          options: [{code: 1, label: {nl: a, en: a}}, {code: 2, label: {nl: b, en: b}}]
          optons: []  # <-
        """,
        "question 'kanalen': unknown field 'optons' (did you mean 'options'?)",
    ),
    "field of another type": (
        """
        - key: a
          type: likert
          text: {nl: A, en: A}
          options: []  # <-
        """,
        "question 'a': field 'options' does not apply to likert questions",
    ),
    "duplicate YAML key": (
        """
        - key: a
          type: likert
          text: {nl: A, en: A}  # first
          text: {nl: B, en: B}  # <-
        """,
        "duplicate key 'text' (first on line {prev})",
    ),
    "missing required field": (
        """
        - key: a  # <-
          type: likert
        """,
        "question 'a': missing required field 'text'",
    ),
    "text instead of a mapping": (
        """
        - key: a
          type: likert
          text: Hallo  # <-
        """,
        "question 'a': 'text' must be a mapping {nl: ..., en: ...}, got the text 'Hallo'",
    ),
    "English missing": (
        """
        - key: a
          type: likert
          text: {nl: Hallo}  # <-
        """,
        "question 'a': 'text' is missing 'en'",
    ),
    "unknown language": (
        """
        - key: a
          type: likert
          text:
            nl: Hallo
            en: Hello
            fr: Bonjour  # <-
        """,
        "question 'a': 'text' has unknown language 'fr' (use nl, en)",
    ),
    "string where a number is needed": (
        """
        - key: a
          type: number
          text: {nl: A, en: A}
          min: ten  # <-
        """,
        "question 'a': 'min' must be a number, got the text 'ten'",
    ),
    "quoted boolean": (
        """
        - key: a
          type: likert
          text: {nl: A, en: A}
          required: "yes"  # <-
        """,
        "question 'a': 'required' must be true or false, got the text 'yes'",
    ),
    "quoted option code": (
        """
        - key: a
          type: ranking
          text: {nl: A, en: A}
          options:
            - {code: "1", label: {nl: a, en: a}}  # <-
            - {code: 2, label: {nl: b, en: b}}
        """,
        "question 'a': option 1: 'code' must be a whole number, got the text '1'",
    ),
    "number min greater than max": (
        """
        - key: a
          type: number
          text: {nl: A, en: A}
          min: 10  # <-
          max: 5
        """,
        "question 'a': 'min' (10) is greater than 'max' (5)",
    ),
    "decimal bound on integer number": (
        """
        - key: a
          type: number
          text: {nl: A, en: A}
          max: 2.5  # <-
        """,
        "question 'a': 'max' must be a whole number because 'integer' is true (the default)",
    ),
    "date min after max": (
        """
        - key: a
          type: date
          text: {nl: A, en: A}
          min: 2026-01-01  # <-
          max: 2025-01-01
        """,
        "question 'a': 'min' (2026-01-01) is later than 'max' (2025-01-01)",
    ),
    "bad date": (
        """
        - key: a
          type: date
          text: {nl: A, en: A}
          min: 1 januari  # <-
        """,
        "question 'a': 'min' must be a date like 2026-12-31, got the text '1 januari'",
    ),
    "unknown question type": (
        """
        - key: a
          type: single_choise  # <-
          text: {nl: A, en: A}
        """,
        "question 'a': unknown question type 'single_choise' (did you mean 'single_choice'?); "
        "use one of single_choice, multiple_choice, likert, matrix, number, short_text, "
        "long_text, date, ranking",
    ),
    "bad question key": (
        """
        - key: Vraag-1  # <-
          type: likert
          text: {nl: A, en: A}
        """,
        "question 'Vraag-1': 'key' value 'Vraag-1' is invalid: use lowercase letters a-z, "
        "digits and _, starting with a letter",
    ),
    "duplicate question key": (
        LIKERT_A + "- {key: a, type: likert, text: {nl: B, en: B}}  # <-\n",
        "question 'a': key 'a' is already used by the question on line {prev}",
    ),
    "question key equal to page key": (
        "- {key: p, type: likert, text: {nl: B, en: B}}  # <-\n",
        "question 'p': key 'p' is already used by the page on line 8",
    ),
    "duplicate option code": (
        """
        - key: a
          type: single_choice
          text: {nl: A, en: A}
          options:
            - {code: 1, label: {nl: a, en: a}}  # first
            - {code: 1, label: {nl: b, en: b}}  # <-
        """,
        "question 'a': duplicate option code 1 (first on line {prev})",
    ),
    "option code 0": (
        """
        - key: a
          type: ranking
          text: {nl: A, en: A}
          options:
            - {code: 0, label: {nl: a, en: a}}  # <-
            - {code: 1, label: {nl: b, en: b}}
        """,
        "question 'a': option code 0 is not allowed (codes start at 1)",
    ),
    "code 9 on a matrix scale with dont_know": (
        """
        - key: m
          type: matrix
          text: {nl: M, en: M}
          dont_know: true
          options:
            - {code: 1, label: {nl: a, en: a}}
            - {code: 9, label: {nl: b, en: b}}  # <-
          rows: [{key: r, text: {nl: R, en: R}}]
        """,
        "question 'm': option code 9 is reserved for \"don't know\" (dont_know: true)",
    ),
    "matrix row variable clashes with a question": (
        """
        - {key: m_a, type: likert, text: {nl: A, en: A}}  # first
        - key: m
          type: matrix
          text: {nl: M, en: M}
          rows:
            - {key: a, text: {nl: R, en: R}}  # <-
        """,
        "question 'm': row 'a': row variable 'm_a' is already used by the question on line {prev}",
    ),
    "duplicate matrix row": (
        """
        - key: m
          type: matrix
          text: {nl: M, en: M}
          rows:
            - {key: a, text: {nl: R, en: R}}  # first
            - {key: a, text: {nl: S, en: S}}  # <-
        """,
        "question 'm': duplicate row key 'a' (first on line {prev})",
    ),
    "matrix with scale and options": (
        """
        - key: m
          type: matrix
          text: {nl: M, en: M}
          scale: likert  # <-
          options: [{code: 1, label: {nl: a, en: a}}, {code: 2, label: {nl: b, en: b}}]
          rows: [{key: r, text: {nl: R, en: R}}]
        """,
        "question 'm': use either 'scale: likert' or 'options', not both",
    ),
    "too many max_choices": (
        """
        - key: a
          type: multiple_choice
          text: {nl: A, en: A}
          max_choices: 3  # <-
          options: [{code: 1, label: {nl: a, en: a}}]
        """,
        "question 'a': 'max_choices' (3) is more than the 1 possible choices",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_error_message_and_line(case, catalogue):
    questions, message = CASES[case]
    text = survey_text(page(questions))
    if "{prev}" in message:
        message = message.format(prev=marked_line(text, "# first"))
    assert problems(text, catalogue) == [(marked_line(text), message)]


def test_all_problems_are_collected():
    text = survey_text(
        page(
            """
            - key: a
              type: likert
              text: {nl: A}  # <- 1
              options: []  # <- 2
            - key: b
              type: number
              text: {nl: B, en: B}
              min: 5
              max: 1  # unrelated line
              show_if: {question: zz, answered: true}  # <- 3
            """
        )
    ).replace("anonymity: anonymous", "anonymity: public")
    found = problems(text)
    assert found == [
        (
            6,
            "questionnaire: 'anonymity' must be one of anonymous, pseudonymous, identified, got 'public'",
        ),
        (marked_line(text, "# <- 1"), "question 'a': 'text' is missing 'en'"),
        (
            marked_line(text, "# <- 2"),
            "question 'a': field 'options' does not apply to likert questions",
        ),
        (marked_line(text, "max: 1") - 1, "question 'b': 'min' (5) is greater than 'max' (1)"),
        (marked_line(text, "# <- 3"), "question 'b': show_if: refers to unknown question 'zz'"),
    ]


def test_english_can_be_optional():
    text = survey_text(page("- {key: a, type: likert, text: {nl: A}}"))
    definition = load_definition_text(text, require_en=False)
    assert definition.question("a").text.en is None
    assert definition.question("a").text.get("en") == "A"


def test_bad_slug_and_missing_top_level_fields():
    text = "slug: Herbevraging_2026\ntitle: {nl: T, en: T}\n"
    assert problems(text) == [
        (1, "questionnaire: missing required field 'intro'"),
        (1, "questionnaire: missing required field 'purpose'"),
        (1, "questionnaire: missing required field 'organiser'"),
        (1, "questionnaire: missing required field 'anonymity'"),
        (1, "questionnaire: missing required field 'pages'"),
        (
            1,
            "questionnaire: 'slug' value 'Herbevraging_2026' is invalid: use lowercase letters "
            "a-z, digits and -, not starting or ending with -",
        ),
    ]


def test_page_condition_must_refer_to_an_earlier_page():
    text = survey_text(
        page(LIKERT_A)
        + """\
- key: q
  title: {nl: Q, en: Q}
  show_if: {question: b, answered: true}  # <-
  questions:
    - {key: b, type: likert, text: {nl: B, en: B}}
"""
    )
    assert problems(text) == [
        (
            marked_line(text),
            "page 'q': show_if: refers to question 'b', which comes later "
            "(a condition may only refer to questions on earlier pages)",
        )
    ]


def test_condition_needs_exactly_one_operator():
    text = survey_text(
        page(
            (
                LIKERT_A,
                """
                - key: b
                  type: likert
                  text: {nl: B, en: B}
                  show_if: {question: a, equals: 1, gt: 2}  # <-
                """,
            )
        )
    )
    assert problems(text) == [
        (
            marked_line(text),
            "question 'b': show_if: a condition needs exactly one operator (equals, one_of, "
            "contains, gt, gte, lt, lte, answered), got 2",
        )
    ]


def test_shapes_that_are_not_questions():
    text = survey_text(
        """\
- key: p
  title: {nl: P, en: P}
  questions:
    - just some text  # <- 1
- key: q
  title: {nl: Q, en: Q}
  questions: []  # <- 2
"""
    )
    assert problems(text) == [
        (
            marked_line(text, "# <- 1"),
            "question 1 of page 'p': expected a mapping, got the text 'just some text'",
        ),
        (marked_line(text, "# <- 2"), "page 'q': 'questions' needs at least one item"),
    ]
    assert str(DefinitionError([])) == ""
    with pytest.raises(DefinitionError) as exc:
        load_definition_text(text, FILE)
    assert str(exc.value).splitlines()[1] == (
        f"{FILE}:{marked_line(text, '# <- 2')}: page 'q': 'questions' needs at least one item"
    )
