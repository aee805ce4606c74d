"""Sample questionnaire text and helpers for the survey definition tests (no Flask)."""

import textwrap

import pytest

from app.surveys.loader import DefinitionError, load_definition_text

HEADER = """\
slug: test-survey
title: {nl: Test, en: Test}
intro: {nl: Inleiding, en: Introduction}
purpose: {nl: Doel, en: Purpose}
organiser: {nl: Wij, en: Us}
anonymity: anonymous
pages:
"""

SAMPLE = (
    HEADER
    + """\
  - key: profiel
    title: {nl: Profiel, en: Profile}
    questions:
      - key: gebruikt_facebook
        type: single_choice
        text: {nl: "Gebruikt je dienst Facebook?", en: "Does your service use Facebook?"}
        required: true
        test: fb-gebruik
        supports: [1]
        options:
          - {code: 1, label: {nl: ja, en: "yes"}}
          - {code: 2, label: {nl: nee, en: "no"}}
      - key: kanalen
        type: multiple_choice
        text: {nl: Kanalen, en: Channels}
        show_if: {question: gebruikt_facebook, equals: 1}
        other: true
        options:
          - {code: 1, label: {nl: Facebook, en: Facebook}, test: fb-gebruik}
          - {code: 2, label: {nl: Instagram, en: Instagram}}
          - {code: 3, label: {nl: TikTok, en: TikTok}}
      - key: tevreden
        type: likert
        dont_know: true
        text: {nl: Tevreden, en: Satisfied}
        test: {finding: fb-tijd, reverse: true}
  - key: details
    title: {nl: Details, en: Details}
    show_if: {question: kanalen, one_of: [1, 2]}
    questions:
      - key: stellingen
        type: matrix
        text: {nl: Stellingen, en: Statements}
        dont_know: true
        rows:
          - {key: tijd, text: {nl: Tijd, en: Time}, test: fb-tijd}
          - {key: geld, text: {nl: Geld, en: Money}}
      - key: aantal
        type: number
        text: {nl: Aantal, en: Number}
        min: 0
        max: 500
        unit: {nl: personen, en: people}
        show_if: {question: stellingen_tijd, gte: 4}
      - key: uitleg
        type: long_text
        text: {nl: Uitleg, en: Explanation}
        show_if: {question: aantal, gt: 10}
  - key: slot
    title: {nl: Slot, en: End}
    questions:
      - key: opmerking
        type: short_text
        text: {nl: Opmerking, en: Remark}
      - key: sinds
        type: date
        text: {nl: Sinds, en: Since}
        min: 2000-01-01
        max: 2030-12-31
      - key: volgorde
        type: ranking
        text: {nl: Volgorde, en: Order}
        options:
          - {code: 1, label: {nl: A, en: A}}
          - {code: 2, label: {nl: B, en: B}}
          - {code: 3, label: {nl: C, en: C}}
"""
)


def survey(pages: str, catalogue=None, **kwargs):
    """Load a questionnaire made of HEADER plus the given (dedented) `pages:` items."""
    return load_definition_text(survey_text(pages), "surveys/t.yaml", catalogue, **kwargs)


def survey_text(pages: str) -> str:
    return HEADER + textwrap.indent(textwrap.dedent(pages), "  ")


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
