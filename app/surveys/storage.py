"""Answers dict <-> answer rows (see the storage contract in models.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

CHOICE_TYPES = frozenset({"single_choice", "likert"})
TEXT_TYPES = frozenset({"short_text", "long_text", "date"})


def answers_to_rows(definition, answers: dict, response_id: int, survey_id: int) -> list[dict]:
    """Rows for `Answer` (as dicts for one executemany) from stored answer values."""
    rows: list[dict] = []
    for name, value in answers.items():
        if value is None or value == "" or value == []:
            continue
        kind = definition.variable(name).type
        base = {"response_id": response_id, "survey_id": survey_id, "variable": name}
        if kind == "multiple_choice":
            rows.extend({**base, "item": int(c), "num": float(c), "text": None} for c in value)
        elif kind == "ranking":
            rows.extend(
                {**base, "item": int(c), "num": float(pos), "text": None}
                for pos, c in enumerate(value, start=1)
            )
        elif kind in CHOICE_TYPES or kind == "number":
            rows.append({**base, "item": 0, "num": float(value), "text": None})
        elif kind in TEXT_TYPES:
            rows.append({**base, "item": 0, "num": None, "text": str(value)})
        else:
            raise ValueError(f"no storage rule for variable {name!r} of type {kind!r}")
    return rows


def rows_to_answers(definition, rows: Iterable) -> dict:
    """The answers dict back from rows with .variable, .item, .num, .text (unknown names kept raw)."""
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[row.variable].append(row)
    answers: dict = {}
    for name, items in grouped.items():
        try:
            variable = definition.variable(name)
        except KeyError:
            continue  # dropped in this version
        kind, question = variable.type, variable.question
        if kind == "multiple_choice":
            answers[name] = sorted(int(r.item) for r in items)
        elif kind == "ranking":
            answers[name] = [int(r.item) for r in sorted(items, key=lambda r: r.num)]
        elif kind in CHOICE_TYPES:
            answers[name] = int(items[0].num)
        elif kind == "number":
            value = items[0].num
            answers[name] = int(value) if question.integer and value is not None else value
        else:
            answers[name] = items[0].text
    return answers
