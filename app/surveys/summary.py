"""Stored answers as readable text: the summary page before the final submit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from app.surveys.definitions import Page, Question, SurveyDefinition
from app.surveys.visibility import visible_pages, visible_questions


@dataclass
class SummaryItem:
    question: Question
    label: str
    values: list[str] = field(default_factory=list)  # empty: not answered
    ordered: bool = False  # ranking: show as a numbered list


@dataclass
class SummaryPage:
    page: Page
    title: str
    items: list[SummaryItem]


def _labels(question: Question, locale: str) -> dict[int, str]:
    return {option.code: option.label.get(locale) for option in question.choices}


def _number(value: Any, locale: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if locale.startswith("en") else text.replace(".", ",")


def describe(question: Question, answers: Mapping[str, Any], locale: str) -> list[SummaryItem]:
    """One item per question (per row for a matrix) with the answer as text."""
    label = question.text.get(locale)
    value = answers.get(question.key)
    if question.type == "matrix":
        labels = _labels(question, locale)
        items = []
        for row in question.rows:
            row_value = answers.get(question.row_variable(row))
            text = [labels.get(row_value, str(row_value))] if row_value is not None else []
            items.append(SummaryItem(question, f"{label} – {row.text.get(locale)}", text))
        return items
    item = SummaryItem(question, label)
    if question.type in ("single_choice", "likert") and value is not None:
        item.values = [_labels(question, locale).get(value, str(value))]
    elif question.type == "multiple_choice":
        labels = _labels(question, locale)
        item.values = [labels.get(code, str(code)) for code in value or []]
        other = answers.get(question.other_variable) if question.other_variable else None
        if other:
            item.values.append(other)
    elif question.type == "ranking" and value:
        labels = _labels(question, locale)
        item.values, item.ordered = [labels.get(code, str(code)) for code in value], True
    elif question.type == "number" and value is not None:
        unit = f" {question.unit.get(locale)}" if question.unit else ""
        item.values = [_number(value, locale) + unit]
    elif question.type == "date" and value:
        item.values = [date.fromisoformat(value).strftime("%d/%m/%Y")]
    elif value not in (None, ""):
        item.values = [str(value)]
    return [item]


def summarise(definition: SurveyDefinition, answers: Mapping[str, Any], locale: str) -> list[SummaryPage]:
    """Every visible page with every visible question and its answer."""
    pages = []
    shown = {q.key for q in visible_questions(definition, answers)}
    for page in visible_pages(definition, answers):
        items = [
            item
            for question in page.questions
            if question.key in shown
            for item in describe(question, answers, locale)
        ]
        pages.append(SummaryPage(page, page.title.get(locale), items))
    return pages


def _answer_html(values: list[str], ordered: bool, unanswered: str) -> str:
    if not values:
        return f'<span class="muted">{escape(unanswered)}</span>'
    if ordered or len(values) > 1:
        tag = "ol" if ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{escape(v)}</li>" for v in values) + f"</{tag}>"
    return f'<span class="answer-text">{escape(values[0])}</span>'


def summary_html(pages: list[SummaryPage], page_url, unanswered: str, change: str) -> Markup:
    """The summary's sections: per page its questions, each answer and a link to change it.

    Written here rather than in the template: a summary has a row per question, and rendering
    these rows was most of the summary page's time. `page_url(key)` is the link to a page.
    """
    parts = []
    change = escape(change)
    for summary_page in pages:
        key = escape(summary_page.page.key)
        url = escape(page_url(summary_page.page.key))
        parts.append(
            f'<section class="summary-page" aria-labelledby="summary-{key}">\n'
            f'  <h2 id="summary-{key}">{escape(summary_page.title)}</h2>\n'
            '  <dl class="summary-list">\n'
        )
        for item in summary_page.items:
            label = escape(item.label)
            parts.append(
                '    <div class="summary-row">\n'
                f"      <dt>{label}</dt>\n"
                f"      <dd>{_answer_html(item.values, item.ordered, unanswered)}</dd>\n"
                f'      <dd class="change"><a href="{url}#question-{escape(item.question.key)}">{change}'
                f'<span class="visually-hidden"> — {label}</span></a></dd>\n'
                "    </div>\n"
            )
        parts.append("  </dl>\n</section>\n")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped
