"""The page logic judges visibility in one walk: the same results as judging every question on
a full walk of the answers read so far (the rule in app.surveys.visibility)."""

from __future__ import annotations

import random

import pytest
from werkzeug.datastructures import MultiDict

from app.surveys.answers import AnswerError, form_values, parse_answer
from app.surveys.flow import check_complete, merge_page, page_variables, read_page
from app.surveys.loader import load_definition_text
from app.surveys.visibility import prune_hidden, visible_pages, visible_questions

CHAINED = """\
slug: chained
title: {nl: Keten, en: Chain}
intro: {nl: Test, en: Test}
purpose: {nl: Test, en: Test}
organiser: {nl: Test, en: Test}
anonymity: anonymous
pages:
  - key: p1
    title: {nl: Een, en: One}
    questions:
      - key: a
        type: single_choice
        text: {nl: A, en: A}
        options:
          - {code: 1, label: {nl: x, en: x}}
          - {code: 2, label: {nl: y, en: y}}
          - {code: 3, label: {nl: z, en: z}}
      - key: b
        type: short_text
        required: true
        show_if: {question: a, equals: 3}
        text: {nl: B, en: B}
      - key: c
        type: number
        min: 0
        max: 50
        show_if: {question: a, equals: 1}
        text: {nl: C, en: C}
      - key: d
        type: multiple_choice
        show_if: {question: c, gt: 5}
        text: {nl: D, en: D}
        options:
          - {code: 1, label: {nl: x, en: x}}
          - {code: 2, label: {nl: y, en: y}}
          - {code: 3, label: {nl: z, en: z}}
      - key: e
        type: likert
        required: true
        show_if: {any: [{question: d, contains: 2}, {question: b, answered: true}]}
        text: {nl: E, en: E}
  - key: p2
    title: {nl: Twee, en: Two}
    show_if: {not: {question: a, equals: 2}}
    questions:
      - key: f
        type: single_choice
        required: true
        text: {nl: F, en: F}
        options:
          - {code: 1, label: {nl: x, en: x}}
          - {code: 2, label: {nl: y, en: y}}
      - key: g
        type: short_text
        show_if: {question: f, equals: 1}
        text: {nl: G, en: G}
      - key: h
        type: likert
        show_if: {question: e, gte: 3}
        text: {nl: H, en: H}
"""

CHOICES = {
    "q-a": [None, "1", "2", "3", "7"],
    "q-b": [None, "", "tekst"],
    "q-c": [None, "3", "9", "99", "abc"],
    "q-d": [None, ["1"], ["2"], ["2", "3"], ["9"]],
    "q-e": [None, "1", "4", "8"],
    "q-f": [None, "1", "2", "5"],
    "q-g": [None, "", "uitleg"],
    "q-h": [None, "2", "5"],
}
EARLIER = [{}, {"a": 1, "c": 9.0, "d": [2], "e": 4}, {"a": 3, "b": "x", "e": 2}, {"a": 2, "f": 1, "g": "y"}]


def reference_read_page(definition, answers, page, formdata):
    """The rule itself: each question judged on a full walk of the answers read before it."""
    accumulated = merge_page(answers, page, {})
    errors, visible = {}, []
    for question in page.questions:
        if question.key not in {q.key for q in visible_questions(definition, accumulated, page)}:
            continue
        visible.append(question)
        try:
            accumulated.update(parse_answer(question, formdata))
        except AnswerError as error:
            errors[question.key] = error
    names = page_variables(page)
    return {k: v for k, v in accumulated.items() if k in names}, errors, visible


def reference_check_complete(definition, answers):
    pruned = prune_hidden(definition, answers)
    shown = {q.key for q in visible_questions(definition, pruned)}
    final, problems = {}, []
    for page in visible_pages(definition, pruned):
        for question in (q for q in page.questions if q.key in shown):
            try:
                final.update(parse_answer(question, form_values(question, pruned)))
            except AnswerError as error:
                problems.append((page.key, question.key, error.code))
    return final, problems


def random_form(rng: random.Random) -> MultiDict:
    form = MultiDict()
    for name, options in CHOICES.items():
        value = rng.choice(options)
        if isinstance(value, list):
            for item in value:
                form.add(name, item)
        elif value is not None:
            form.add(name, value)
    return form


@pytest.mark.parametrize("seed", range(4))
def test_reading_a_page_judges_each_question_as_a_full_walk_would(seed):
    definition = load_definition_text(CHAINED)
    rng = random.Random(seed)
    for _ in range(150):
        answers, page = rng.choice(EARLIER), rng.choice(definition.pages)
        form = random_form(rng)
        ours = read_page(definition, answers, page, form)
        expected = reference_read_page(definition, answers, page, form)
        assert ours[0] == expected[0]
        assert {k: e.code for k, e in ours[1].items()} == {k: e.code for k, e in expected[1].items()}
        assert [q.key for q in ours[2]] == [q.key for q in expected[2]]


def test_the_final_check_is_that_of_the_full_walks():
    definition = load_definition_text(CHAINED)
    rng = random.Random(9)
    seen_problems = 0
    for _ in range(300):
        answers = dict(rng.choice(EARLIER))
        for page in definition.pages:
            answers = merge_page(answers, page, read_page(definition, answers, page, random_form(rng))[0])
        final, problems = check_complete(definition, answers)
        expected = reference_check_complete(definition, answers)
        assert final == expected[0]
        assert [(p.key, q.key, e.code) for p, q, e in problems] == expected[1]
        seen_problems += bool(problems)
    assert 0 < seen_problems < 300  # both complete and incomplete answers were checked
