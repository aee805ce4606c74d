"""The loader's error messages and line numbers, one small YAML per class of error."""

import os
import textwrap

import pytest
from survey_samples import HEADER, SAMPLE, survey_text

from app.surveys.loader import (
    DefinitionError,
    load_definition,
    load_definition_text,
    load_directory,
    load_findings_text,
    load_poll_text,
    validate_paths,
)

FILE = "surveys/t.yaml"


def problems(text, catalogue=None, **kwargs):
    with pytest.raises(DefinitionError) as exc:
        load_definition_text(text, FILE, catalogue, **kwargs)
    assert all(issue.file == FILE for issue in exc.value.errors)
    return [(issue.line, issue.message) for issue in exc.value.errors]


def marked_line(text, marker="# <-"):
    """1-based line of the (single) line carrying the marker comment."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if marker in line]
    assert len(lines) == 1, lines
    return lines[0]


def page(questions: str | tuple[str, ...], extra: str = "") -> str:
    """A page `p` holding the given questions (YAML list items; parts dedented each)."""
    parts = questions if isinstance(questions, tuple) else (questions,)
    joined = "".join(textwrap.dedent(part).strip("\n") + "\n" for part in parts)
    body = textwrap.indent(joined, "    ")
    return f"- key: p\n  title: {{nl: P, en: P}}\n{extra}  questions:\n{body}\n"


LIKERT_A = "- {key: a, type: likert, text: {nl: A, en: A}}  # first\n"
CHOICE_A = """\
- key: a
  type: single_choice
  text: {nl: A, en: A}
  options:
    - {code: 1, label: {nl: ja, en: 'yes'}}
    - {code: 2, label: {nl: nee, en: 'no'}}
"""

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
            "questionnaire: 'anonymity' must be one of anonymous, pseudonymous, identified, "
            "got 'public'",
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


def test_yaml_syntax_error_has_a_line():
    text = HEADER + "  - key: p\n    title: {nl: P, en: P\n    questions: []\n"
    [(line, message)] = problems(text)
    assert line in (9, 10)
    assert message.startswith("invalid YAML:")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "slug: !!python/object/apply:os.system ['true']\n",
            (1, "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
        ),
        ("base: &b {nl: a, en: b}\ntitle:\n  <<: *b\n", (3, "merge keys ('<<') are not supported")),
        ("a: &x [*x]\n", (1, "recursive YAML alias")),
        ("", (1, "the file is empty")),
        ("# only a comment\n", (1, "the file is empty")),
        ("- a\n- b\n", (1, "questionnaire: expected a mapping, got a list")),
        (
            "a: 1\n---\nb: 2\n",
            (
                2,
                "invalid YAML: expected a single document in the stream but found another document",
            ),
        ),
    ],
)
def test_unsafe_or_unusable_yaml(text, expected):
    assert problems(text)[0] == expected


def test_aliases_are_allowed_for_reuse():
    text = survey_text(
        page(
            """
            - key: a
              type: single_choice
              text: {nl: A, en: A}
              options: &yes_no
                - {code: 1, label: {nl: ja, en: 'yes'}}
                - {code: 2, label: {nl: nee, en: 'no'}}
            - {key: b, type: single_choice, text: {nl: B, en: B}, options: *yes_no}
            """
        )
    )
    definition = load_definition_text(text)
    assert definition.question("b").options == definition.question("a").options


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    [(line, message)] = problems("\n".join(lines) + "\n")
    assert (line, message) == (1, "the document is too large (after expanding aliases)")


FINDINGS_CASES = [
    (
        """findings:
  - id: fb
    section: 2.1  # <-
    statement: {nl: a, en: a}
""",
        "finding 'fb': 'section' must be quoted text like \"2.1\" "
        "(unquoted, YAML reads it as the number 2.1)",
    ),
    (
        """findings:
  - {id: fb, section: "1", statement: {nl: a, en: a}}
  - {id: fb, section: "2", statement: {nl: b, en: b}}  # <-
""",
        "duplicate finding id 'fb' (first on line 2)",
    ),
    (
        """findings:
  - id: fb
    section: "1"
    statement: {nl: a, en: a}
    interview: {count: 16, of: 15}  # <-
""",
        "finding 'fb': interview count 16 is more than 'of' (15)",
    ),
    (
        """findings:
  - id: Facebook gebruik  # <-
    section: "1"
    statement: {nl: a, en: a}
""",
        "finding 1: 'id' value 'Facebook gebruik' is invalid: use lowercase letters a-z, "
        "digits and -",
    ),
]


@pytest.mark.parametrize(("text", "message"), FINDINGS_CASES)
def test_findings_errors(text, message):
    with pytest.raises(DefinitionError) as exc:
        load_findings_text(text, "surveys/findings.yaml")
    assert [(i.line, i.message) for i in exc.value.errors] == [(marked_line(text), message)]


def test_findings_load():
    catalogue = load_findings_text(
        'findings:\n  - id: fb-gebruik\n    section: "2.1.2"\n'
        "    statement: {nl: a, en: b}\n    interview: {count: 12, of: 15}\n"
        "    note: {nl: c, en: d}\n"
    )
    finding = catalogue["fb-gebruik"]
    assert (finding.section, finding.interview_count, finding.interview_of) == ("2.1.2", 12, 15)
    assert finding.note.en == "d"


POLL = """slug: chaturen
question: {nl: Vraag, en: Question}
options:
  - {code: 1, label: {nl: a, en: a}}
  - {code: 2, label: {nl: b, en: b}}
"""


def test_poll_errors():
    text = POLL + "opens: 2026-12-31\ncloses: 2026-12-01  # <-\nshow_results: maybe\n"
    with pytest.raises(DefinitionError) as exc:
        load_poll_text(text, "surveys/polls/chaturen.yaml")
    assert [(i.line, i.message) for i in exc.value.errors] == [
        (marked_line(text), "poll: 'closes' (2026-12-01) is before 'opens' (2026-12-31)"),
        (8, "poll: 'show_results' must be true or false, got the text 'maybe'"),
    ]
    assert str(exc.value).splitlines()[1] == (
        "surveys/polls/chaturen.yaml:8: poll: 'show_results' must be true or false, "
        "got the text 'maybe'"
    )


def test_poll_defaults():
    poll = load_poll_text(POLL)
    assert (poll.multiple, poll.show_results, poll.opens, poll.closes) == (False, True, None, None)


def _write_tree(root):
    surveys = root / "surveys"
    (surveys / "polls").mkdir(parents=True)
    (surveys / "findings.yaml").write_text(
        "findings:\n"
        '  - {id: fb-gebruik, section: "2.1.2", statement: {nl: a, en: b}}\n'
        '  - {id: fb-tijd, section: "2.1.3", statement: {nl: a, en: b}}\n'
    )
    (surveys / "sample.yaml").write_text(SAMPLE)
    (surveys / "polls" / "chaturen.yaml").write_text(POLL)
    return surveys


def test_load_directory(tmp_path):
    surveys = _write_tree(tmp_path)
    catalogue, definitions, polls = load_directory(surveys)
    assert [f.id for f in catalogue] == ["fb-gebruik", "fb-tijd"]
    assert [d.slug for d in definitions] == ["test-survey"]
    assert [p.slug for p in polls] == ["chaturen"]


def test_load_directory_reports_every_file(tmp_path):
    surveys = _write_tree(tmp_path)
    (surveys / "copy.yaml").write_text(SAMPLE.replace("fb-tijd", "fb-tyd"))
    (surveys / "polls" / "again.yaml").write_text(POLL)
    with pytest.raises(DefinitionError) as exc:
        load_directory(surveys)
    lines = str(exc.value).splitlines()
    copy, again = surveys / "copy.yaml", surveys / "polls" / "again.yaml"
    chaturen = surveys / "polls" / "chaturen.yaml"
    tyd = marked_line(SAMPLE, "reverse: true")
    row = marked_line(SAMPLE, "test: fb-tijd}")
    assert lines == [
        f"{copy}:{tyd}: question 'tevreden': 'test' refers to unknown finding 'fb-tyd' "
        "(did you mean 'fb-tijd'?)",
        f"{copy}:{row}: question 'stellingen': row 'tijd': 'test' refers to unknown "
        "finding 'fb-tyd' (did you mean 'fb-tijd'?)",
        f"{chaturen}:1: slug 'chaturen' is already used by {again}",
    ]


def test_duplicate_questionnaire_slug(tmp_path):
    surveys = _write_tree(tmp_path)
    (surveys / "z.yaml").write_text(SAMPLE)
    issues = validate_paths(sorted(surveys.glob("*.yaml")), root=surveys)
    assert [(i.file, i.line, i.message) for i in issues] == [
        (
            str(surveys / "z.yaml"),
            1,
            f"slug 'test-survey' is already used by {surveys / 'sample.yaml'}",
        )
    ]


def test_validate_paths_uses_the_catalogue_next_to_the_file(tmp_path):
    surveys = _write_tree(tmp_path)
    assert validate_paths([surveys / "sample.yaml"]) == []
    (surveys / "findings.yaml").write_text(
        "findings:\n  - {id: other, section: '1', statement: {nl: a, en: b}}\n"
    )
    messages = [i.message for i in validate_paths([surveys / "sample.yaml"])]
    assert "question 'gebruikt_facebook': 'test' refers to unknown finding 'fb-gebruik'" in messages


def test_paths_outside_the_surveys_directory_are_refused(tmp_path):
    surveys = _write_tree(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text(SAMPLE)
    link = surveys / "link.yaml"
    os.symlink(outside, link)
    for path, message in [
        (outside, f"file is outside the surveys directory {surveys}"),
        (link, f"file is outside the surveys directory {surveys}"),
        (surveys / ".." / "outside.yaml", "'..' is not allowed in definition paths"),
        (surveys / "notes.txt", "not a YAML file (expected .yaml)"),
    ]:
        with pytest.raises(DefinitionError) as exc:
            load_definition(path, root=surveys)
        assert [(i.file, i.line, i.message) for i in exc.value.errors] == [(str(path), 1, message)]
    with pytest.raises(DefinitionError) as exc:
        load_directory(surveys)
    assert [i.message for i in exc.value.errors] == [
        f"file is outside the surveys directory {surveys}"
    ]
    # without a root the caller decides: the file itself is fine
    assert load_definition(outside).slug == "test-survey"


def test_invalid_utf8_reports_its_line(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"slug: a\ntitle: \xff\n")
    with pytest.raises(DefinitionError) as exc:
        load_definition(path)
    assert [(i.line, i.message) for i in exc.value.errors] == [(2, "file is not valid UTF-8")]
