"""Loading files: unsafe YAML, findings, polls, directories and path guards."""

import os

import pytest
from survey_samples import HEADER, SAMPLE, marked_line, page, problems, survey_text

from app.surveys.loader import (
    DefinitionError,
    load_definition,
    load_definition_text,
    load_directory,
    load_findings_text,
    load_poll_text,
    validate_paths,
)


def test_yaml_syntax_error_has_a_line():
    text = HEADER + "  - key: p\n    title: {nl: P, en: P\n    questions: []\n"
    assert problems(text) == [
        (
            10,
            "invalid YAML: while parsing a flow mapping (from line 9), expected ',' or '}', but got ':'",
        )
    ]


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
                "invalid YAML: expected a single document in the stream (from line 1), "
                "but found another document",
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
        "finding 1: 'id' value 'Facebook gebruik' is invalid: use lowercase letters a-z, digits and -",
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
        "surveys/polls/chaturen.yaml:8: poll: 'show_results' must be true or false, got the text 'maybe'"
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
    assert [i.message for i in exc.value.errors] == [f"file is outside the surveys directory {surveys}"]
    # without a root the caller decides: the file itself is fine
    assert load_definition(outside).slug == "test-survey"


def test_invalid_utf8_reports_its_line(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"slug: a\ntitle: \xff\n")
    with pytest.raises(DefinitionError) as exc:
        load_definition(path)
    assert [(i.line, i.message) for i in exc.value.errors] == [(2, "file is not valid UTF-8")]


def test_hidden_files_are_skipped(tmp_path):
    surveys = _write_tree(tmp_path)
    (surveys / ".#sample.yaml").write_text("not: [valid")
    _, definitions, _ = load_directory(surveys)
    assert len(definitions) == 1
