"""The respondent flow's page logic, the same for the invitation link, the public link and the preview.

Reading a posted page (`read_page`), replacing a page's answers (`merge_page`), the final check
before submit (`check_complete`) and moving between visible pages (`neighbours`). Where answers
live and how they are submitted is up to the ways in, in `app.surveys.respondents`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.surveys.answers import AnswerError, form_values, parse_answer
from app.surveys.conditions import evaluate
from app.surveys.definitions import Page, Question, SurveyDefinition
from app.surveys.visibility import walk, walk_to

# -- pages ----------------------------------------------------------------------------------


def page_variables(page: Page) -> set[str]:
    return {name for question in page.questions for name in question.variable_names()}


def merge_page(answers: Mapping[str, Any], page: Page, page_answers: Mapping[str, Any]) -> dict:
    """`answers` with everything of `page` replaced by `page_answers` (cleared fields disappear)."""
    names = page_variables(page)
    merged = {k: v for k, v in answers.items() if k not in names}
    merged.update({k: v for k, v in page_answers.items() if k in names})
    return merged


def read_page(
    definition: SurveyDefinition, answers: Mapping[str, Any], page: Page, formdata
) -> tuple[dict, dict[str, AnswerError], list[Question]]:
    """Parse the posted values of `page`: (its valid answers, errors per question key, visible questions).

    Questions are taken in order, each judged visible on the answers before it, so a question
    revealed by an answer earlier on the same page counts as visible (the view shows it again).
    """
    page_shown, effective = walk_to(definition, merge_page(answers, page, {}), page)
    accumulated: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    visible: list[Question] = []
    for question in page.questions:
        # As `visible_questions` would judge it on the answers before the page and those read so far.
        if not (page_shown and evaluate(question.show_if, effective, definition)):
            continue
        visible.append(question)
        try:
            parsed = parse_answer(question, formdata)
        except AnswerError as error:
            errors[question.key] = error
            continue
        accumulated.update(parsed)
        effective.update((name, parsed[name]) for name in question.variable_names() if name in parsed)
    names = page_variables(page)
    return {k: v for k, v in accumulated.items() if k in names}, errors, visible


def check_complete(definition: SurveyDefinition, answers: Mapping[str, Any]):
    """(final answers to store, [(page, question, error)]) for the whole questionnaire.

    Hidden answers are pruned, then every visible question's stored value is validated again
    (a required question on a skipped page, or a value a changed definition no longer accepts).
    """
    shown, pruned = walk(definition, answers)  # pruned: the answers of shown questions only
    final: dict[str, Any] = {}
    problems = []
    for page in (p for p in definition.pages if shown[p.key]):
        for question in (q for q in page.questions if shown[q.key]):
            try:
                final.update(parse_answer(question, form_values(question, pruned)))
            except AnswerError as error:
                problems.append((page, question, error))
    return final, problems


def neighbours(pages: list[Page], page: Page) -> tuple[Page | None, Page | None]:
    """(previous, next) visible page around `page`."""
    keys = [p.key for p in pages]
    if page.key not in keys:
        return None, pages[0] if pages else None
    i = keys.index(page.key)
    return (pages[i - 1] if i > 0 else None), (pages[i + 1] if i + 1 < len(pages) else None)
