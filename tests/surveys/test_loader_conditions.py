"""The loader's error messages and line numbers: show_if conditions and finding links."""

import pytest
from survey_samples import CHOICE_A, LIKERT_A, marked_line, page, problems, survey_text

CASES = {
    "condition on a later question": (
        """
        - key: a
          type: likert
          text: {nl: A, en: A}
          show_if: {question: b, equals: 1}  # <-
        - {key: b, type: likert, text: {nl: B, en: B}}
        """,
        "question 'a': show_if: refers to question 'b', which comes later "
        "(a condition may only refer to earlier questions)",
    ),
    "condition on an unknown question": (
        (
            LIKERT_A,
            """
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if: {question: aa, equals: 1}  # <-
        """,
        ),
        "question 'b': show_if: refers to unknown question 'aa' (did you mean 'a'?)",
    ),
    "condition on itself": (
        """
        - key: a
          type: likert
          text: {nl: A, en: A}
          show_if: {question: a, answered: true}  # <-
        """,
        "question 'a': show_if: a question cannot refer to itself",
    ),
    "condition on a matrix instead of a row": (
        """
        - key: m
          type: matrix
          text: {nl: M, en: M}
          rows: [{key: r, text: {nl: R, en: R}}]
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if: {question: m, equals: 1}  # <-
        """,
        "question 'b': show_if: 'm' is a matrix; refer to one of its rows, e.g. 'm_r'",
    ),
    "ordering operator on a single choice": (
        (
            CHOICE_A,
            """
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if: {question: a, gt: 1}  # <-
        """,
        ),
        "question 'b': show_if: operator 'gt' cannot be used with single_choice question 'a' "
        "(allowed: equals, one_of, answered)",
    ),
    "contains on a likert": (
        (
            LIKERT_A,
            """
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if:
            question: a
            contains: 1  # <-
        """,
        ),
        "question 'b': show_if: operator 'contains' cannot be used with likert question 'a' "
        "(allowed: equals, one_of, gt, gte, lt, lte, answered)",
    ),
    "unknown operator": (
        (
            LIKERT_A,
            """
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if:
            question: a
            equal: 1  # <-
        """,
        ),
        "question 'b': show_if: unknown condition operator 'equal' (did you mean 'equals'?)",
    ),
    "code that is not an option": (
        (
            CHOICE_A,
            """
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if: {any: [{question: a, equals: 1}, {question: a, equals: 3}]}  # <-
        """,
        ),
        "question 'b': show_if: single_choice question 'a' has no option with code 3",
    ),
    "likert comparison outside the scale": (
        (
            LIKERT_A,
            """
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if: {not: {question: a, gte: 7}}  # <-
        """,
        ),
        "question 'b': show_if: 'gte' on a likert scale must be between 1 and 5, got 7",
    ),
    "empty all": (
        (
            LIKERT_A,
            """
        - key: b
          type: likert
          text: {nl: B, en: B}
          show_if: {all: []}  # <-
        """,
        ),
        "question 'b': show_if: 'all' needs at least one item",
    ),
    "single choice test without supports": (
        """
        - key: a
          type: single_choice
          text: {nl: A, en: A}
          test: fb-gebruik  # <-
          options:
            - {code: 1, label: {nl: ja, en: 'yes'}}
            - {code: 2, label: {nl: nee, en: 'no'}}
        """,
        "question 'a': 'test' on a single_choice question needs 'supports' "
        "(the option codes that support the finding)",
    ),
    "supports code that is not an option": (
        """
        - key: a
          type: single_choice
          text: {nl: A, en: A}
          test: fb-gebruik
          supports: [1, 3]  # <-
          options:
            - {code: 1, label: {nl: ja, en: 'yes'}}
            - {code: 2, label: {nl: nee, en: 'no'}}
        """,
        "question 'a': 'supports' lists code 3, which is not an option",
    ),
    "unknown finding": (
        """
        - key: a
          type: likert
          text: {nl: A, en: A}
          test: {finding: fb-gebruk, reverse: true}  # <-
        """,
        "question 'a': 'test' refers to unknown finding 'fb-gebruk' (did you mean 'fb-gebruik'?)",
    ),
    "test on a matrix question": (
        """
        - key: m
          type: matrix
          text: {nl: M, en: M}
          test: fb-tijd  # <-
          rows: [{key: r, text: {nl: R, en: R}}]
        """,
        "question 'm': put 'test' on the rows of a matrix",
    ),
    "test on an option of a single choice": (
        """
        - key: a
          type: ranking
          text: {nl: A, en: A}
          options:
            - {code: 1, label: {nl: a, en: a}, test: fb-tijd}  # <-
            - {code: 2, label: {nl: b, en: b}}
        """,
        "question 'a': option 1: 'test' on an option is only allowed in multiple_choice questions",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_error_message_and_line(case, catalogue):
    questions, message = CASES[case]
    text = survey_text(page(questions))
    if "{prev}" in message:
        message = message.format(prev=marked_line(text, "# first"))
    assert problems(text, catalogue) == [(marked_line(text), message)]
