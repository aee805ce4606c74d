"""Which pages and questions are shown for a set of answers, and pruning hidden answers.

Pages and questions are walked in order. A page is shown when its `show_if` holds; a
question when its page is shown and its own `show_if` holds. Conditions are evaluated
against the answers of *shown* questions only, so a question whose condition refers to a
hidden question sees that question as unanswered (hiding cascades down a chain).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.surveys.conditions import evaluate

if TYPE_CHECKING:
    from app.surveys.definitions import Page, Question, SurveyDefinition


def walk(definition: SurveyDefinition, answers: Mapping[str, Any]) -> tuple[dict[str, bool], dict[str, Any]]:
    """(key -> shown for every page and question, answers of shown questions only)."""
    shown: dict[str, bool] = {}
    effective: dict[str, Any] = {}
    for page in definition.pages:
        page_shown = evaluate(page.show_if, effective, definition)
        shown[page.key] = page_shown
        for question in page.questions:
            visible = page_shown and evaluate(question.show_if, effective, definition)
            shown[question.key] = visible
            if visible:
                for name in question.variable_names():
                    if name in answers:
                        effective[name] = answers[name]
    return shown, effective


def walk_to(
    definition: SurveyDefinition, answers: Mapping[str, Any], page: Page
) -> tuple[bool, dict[str, Any]]:
    """(whether `page` is shown, the answers of shown questions before it), as `walk` finds them
    on reaching `page`: what the page's own conditions are judged on, with its answers so far."""
    effective: dict[str, Any] = {}
    for current in definition.pages:
        page_shown = evaluate(current.show_if, effective, definition)
        if current.key == page.key:
            return page_shown, effective
        for question in current.questions:
            if page_shown and evaluate(question.show_if, effective, definition):
                for name in question.variable_names():
                    if name in answers:
                        effective[name] = answers[name]
    raise KeyError(page.key)


def visible_pages(definition: SurveyDefinition, answers: Mapping[str, Any]) -> list[Page]:
    """Pages that are shown, in order (a shown page may still have no visible question)."""
    shown, _ = walk(definition, answers)
    return [page for page in definition.pages if shown[page.key]]


def visible_questions(
    definition: SurveyDefinition, answers: Mapping[str, Any], page: Page | str | None = None
) -> list[Question]:
    """Questions that are shown, in order; only those of `page` (object or key) if given."""
    shown, _ = walk(definition, answers)
    if page is None:
        questions = definition.questions
    else:
        questions = (definition.page(page) if isinstance(page, str) else page).questions
    return [q for q in questions if shown[q.key]]


def prune_hidden(definition: SurveyDefinition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of shown questions only; everything else is dropped.

    Dropped are answers of hidden questions (incl. their matrix rows and "other" texts)
    and any name that is not a variable of the definition. The server stores only this.
    """
    _, effective = walk(definition, answers)
    return effective
