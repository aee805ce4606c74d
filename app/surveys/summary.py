"""Stored answers as readable text: the summary page before the final submit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
