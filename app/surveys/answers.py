"""Submitted form values -> stored answer values, per question type (no Flask, no WTForms).

Form field names (what the web form posts; `key` is the question key):

    q-<key>              single_choice, likert, number, short_text, long_text, date: one value
    q-<key>              multiple_choice: one value per checked option (the field repeats)
    q-<key>-other        multiple_choice with `other: true`: the "other, namely" text
    q-<matrix>_<row>     matrix: one value per row (the row variable name after "q-")
    q-<key>-<code>       ranking: the rank (1..n) given to option <code>; render a select
                         1..n per option, so ranking works without JavaScript

Choice values are option codes as decimal strings ("9" = don't know on likert scales).
Numbers may use a decimal comma or point ("3,5"); integer questions take digits only. Dates
are YYYY-MM-DD (what <input type=date> posts); DD/MM/YYYY and DD-MM-YYYY are accepted too.
Empty strings count as "not answered" (e.g. the blank first entry of a dropdown).

`form` is any mapping of field name -> value(s): a werkzeug MultiDict (`getlist` is used)
or a plain dict of str or list[str].

Stored values (`parse()` returns {variable: value}; an unanswered question returns {}):

    single_choice, likert     int code
    multiple_choice           list[int] codes in option order; "<key>_other": str when the
                              other text is filled in (the list may then be empty)
    matrix                    "<matrix>_<row>": int code, one variable per answered row
                              (a required matrix needs every row answered)
    number                    int (integer: true) or float
    short_text, long_text     str, trimmed, newlines as "\\n" (short_text: one line)
    date                      str "YYYY-MM-DD"
    ranking                   list[int] codes, rank 1 first; always all options

Problems raise `AnswerError` with a Dutch and an English message and the field to mark.
Only pass the questions that are visible (see `visible_questions`): `required` is checked
for every question given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.surveys.definitions import Question

FIELD_PREFIX = "q-"
OTHER_MAX_LENGTH = 200
_CODE_RE = re.compile(r"\d{1,6}")
_INT_RE = re.compile(r"[+-]?\d{1,15}")
_DECIMAL_RE = re.compile(r"[+-]?(?:\d{1,15}(?:[.,]\d{0,15})?|[.,]\d{1,15})")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def field_name(variable: str, suffix: str | int | None = None) -> str:
    """`q-<variable>` or `q-<variable>-<suffix>`."""
    return f"{FIELD_PREFIX}{variable}" if suffix is None else f"{FIELD_PREFIX}{variable}-{suffix}"


class AnswerError(ValueError):
    """A submitted value that cannot be stored; `code` identifies the kind of problem."""

    def __init__(self, code: str, nl: str, en: str, field: str | None = None):
        super().__init__(en)
        self.code = code
        self.nl = nl
        self.en = en
        self.field = field

    def message(self, locale: str | None = None) -> str:
        return self.en if locale and locale.lower().startswith("en") else self.nl


def _required(field: str) -> AnswerError:
    return AnswerError("required", "Deze vraag is verplicht.", "This question is required.", field)


def _one_value(field: str) -> AnswerError:
    return AnswerError("one_value", "Geef één antwoord.", "Give one answer.", field)


def _unknown_option(field: str) -> AnswerError:
    return AnswerError(
        "unknown_option",
        "Kies een van de aangeboden antwoorden.",
        "Choose one of the offered answers.",
        field,
    )


def _getlist(form: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(form, "getlist"):
        values = form.getlist(name)
    else:
        raw = form.get(name)
        values = [] if raw is None else [raw] if isinstance(raw, str) else list(raw)
    return [v for v in (str(v).strip() for v in values) if v]


def _single(form: Mapping[str, Any], field: str) -> str | None:
    values = list(dict.fromkeys(_getlist(form, field)))
    if len(values) > 1:
        raise _one_value(field)
    return values[0] if values else None


def _code(raw: str, codes: Iterable[int], field: str) -> int:
    if not _CODE_RE.fullmatch(raw) or int(raw) not in codes:
        raise _unknown_option(field)
    return int(raw)


def _clean_text(raw: str, one_line: bool) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text)
    if one_line:
        text = " ".join(text.split("\n"))
    return text.strip()


def _check_length(text: str, limit: int, field: str) -> None:
    if len(text) > limit:
        raise AnswerError(
            "too_long",
            f"Gebruik hoogstens {limit} tekens (nu {len(text)}).",
            f"Use at most {limit} characters (now {len(text)}).",
            field,
        )


def _format_number(value: int | float) -> tuple[str, str]:
    text = str(value)
    return text.replace(".", ","), text


def _format_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


class QuestionType:
    """How one question type reads its form fields. Subclasses override `parse`."""

    name = ""

    def fields(self, question: Question) -> list[str]:
        """The form field names this question posts."""
        return [field_name(question.key)]

    def parse(self, question: Question, form: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def form_values(self, question: Question, answers: Mapping[str, Any]) -> dict[str, list[str]]:
        """Stored answers back as form values (to fill in the form again)."""
        value = answers.get(question.key)
        return {} if value is None else {field_name(question.key): [str(value)]}

    def _missing(self, question: Question, field: str | None = None) -> dict[str, Any]:
        if question.required:
            raise _required(field or field_name(question.key))
        return {}


class SingleChoice(QuestionType):
    name = "single_choice"

    def parse(self, question, form):
        field = field_name(question.key)
        raw = _single(form, field)
        if raw is None:
            return self._missing(question)
        return {question.key: _code(raw, question.codes, field)}


class Likert(SingleChoice):
    name = "likert"


class MultipleChoice(QuestionType):
    name = "multiple_choice"

    def fields(self, question):
        names = [field_name(question.key)]
        return [*names, field_name(question.key, "other")] if question.other else names

    def parse(self, question, form):
        field = field_name(question.key)
        chosen = {_code(raw, question.codes, field) for raw in _getlist(form, field)}
        codes = [code for code in question.codes if code in chosen]
        other = ""
        if question.other:
            other_field = field_name(question.key, "other")
            other = " ".join(_clean_text(v, True) for v in _getlist(form, other_field)).strip()
            _check_length(other, OTHER_MAX_LENGTH, other_field)
        count = len(codes) + (1 if other else 0)
        if count == 0:
            return self._missing(question)
        low, high = question.min_choices, question.max_choices
        if low is not None and count < low:
            raise AnswerError(
                "too_few",
                f"Kies minstens {low} antwoorden.",
                f"Choose at least {low} answers.",
                field,
            )
        if high is not None and count > high:
            raise AnswerError(
                "too_many",
                f"Kies hoogstens {high} antwoorden.",
                f"Choose at most {high} answers.",
                field,
            )
        result: dict[str, Any] = {question.key: codes}
        if other:
            result[question.other_variable] = other
        return result

    def form_values(self, question, answers):
        values: dict[str, list[str]] = {}
        if answers.get(question.key):
            values[field_name(question.key)] = [str(code) for code in answers[question.key]]
        if question.other_variable and answers.get(question.other_variable):
            values[field_name(question.key, "other")] = [answers[question.other_variable]]
        return values


class Matrix(QuestionType):
    name = "matrix"

    def fields(self, question):
        return [field_name(question.row_variable(row)) for row in question.rows]

    def parse(self, question, form):
        result: dict[str, Any] = {}
        missing = []
        for row in question.rows:
            variable = question.row_variable(row)
            field = field_name(variable)
            raw = _single(form, field)
            if raw is None:
                missing.append(field)
            else:
                result[variable] = _code(raw, question.codes, field)
        if question.required and missing:
            if not result:
                raise _required(missing[0])
            raise AnswerError("incomplete", "Beantwoord elke rij.", "Answer every row.", missing[0])
        return result

    def form_values(self, question, answers):
        return {
            field_name(v): [str(answers[v])]
            for v in (question.row_variable(row) for row in question.rows)
            if answers.get(v) is not None
        }


class Number(QuestionType):
    name = "number"

    def parse(self, question, form):
        field = field_name(question.key)
        raw = _single(form, field)
        if raw is None:
            return self._missing(question)
        raw = raw.replace(" ", "").replace("\u00a0", "")
        value: int | float
        if question.integer is not False:
            if not _INT_RE.fullmatch(raw):
                raise AnswerError("not_integer", "Vul een geheel getal in.", "Enter a whole number.", field)
            value = int(raw)
        else:
            if not _DECIMAL_RE.fullmatch(raw):
                raise AnswerError("not_a_number", "Vul een getal in.", "Enter a number.", field)
            value = float(raw.replace(",", "."))
        if question.min is not None and value < question.min:
            nl, en = _format_number(question.min)
            raise AnswerError("too_small", f"Vul minstens {nl} in.", f"Enter at least {en}.", field)
        if question.max is not None and value > question.max:
            nl, en = _format_number(question.max)
            raise AnswerError("too_large", f"Vul hoogstens {nl} in.", f"Enter at most {en}.", field)
        return {question.key: value}

    def form_values(self, question, answers):
        value = answers.get(question.key)
        if value is None:
            return {}
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return {field_name(question.key): [str(value)]}


class ShortText(QuestionType):
    name = "short_text"
    one_line = True

    def parse(self, question, form):
        field = field_name(question.key)
        values = _getlist(form, field)
        if len(values) > 1:
            raise _one_value(field)
        text = _clean_text(values[0], self.one_line) if values else ""
        if not text:
            return self._missing(question)
        _check_length(text, question.max_length or 0, field)
        return {question.key: text}


class LongText(ShortText):
    name = "long_text"
    one_line = False


def parse_date(raw: str) -> dt.date | None:
    """YYYY-MM-DD, DD/MM/YYYY or DD-MM-YYYY -> date; None when not a valid date."""
    raw = raw.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return dt.date.fromisoformat(raw)
        match = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", raw)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


class Date(QuestionType):
    name = "date"

    def parse(self, question, form):
        field = field_name(question.key)
        raw = _single(form, field)
        if raw is None:
            return self._missing(question)
        value = parse_date(raw)
        if value is None:
            raise AnswerError(
                "bad_date",
                "Vul een geldige datum in (dd/mm/jjjj).",
                "Enter a valid date (dd/mm/yyyy).",
                field,
            )
        if question.min and value < dt.date.fromisoformat(question.min):
            shown = _format_date(dt.date.fromisoformat(question.min))
            raise AnswerError(
                "too_early",
                f"Vul een datum vanaf {shown} in.",
                f"Enter a date from {shown}.",
                field,
            )
        if question.max and value > dt.date.fromisoformat(question.max):
            shown = _format_date(dt.date.fromisoformat(question.max))
            raise AnswerError(
                "too_late",
                f"Vul een datum tot en met {shown} in.",
                f"Enter a date up to {shown}.",
                field,
            )
        return {question.key: value.isoformat()}


class Ranking(QuestionType):
    name = "ranking"

    def fields(self, question):
        return [field_name(question.key, option.code) for option in question.options]

    def parse(self, question, form):
        ranks: dict[int, str | None] = {}
        for option in question.options:
            ranks[option.code] = _single(form, field_name(question.key, option.code))
        given = {code: raw for code, raw in ranks.items() if raw is not None}
        first_field = field_name(question.key, question.options[0].code)
        if not given:
            return self._missing(question, first_field)
        n = len(question.options)
        if len(given) < n:
            missing = next(code for code, raw in ranks.items() if raw is None)
            raise AnswerError(
                "incomplete",
                "Geef elk antwoord een rangnummer.",
                "Give every option a rank.",
                field_name(question.key, missing),
            )
        numbers = {code: int(raw) if _CODE_RE.fullmatch(raw) else 0 for code, raw in given.items()}
        if sorted(numbers.values()) != list(range(1, n + 1)):
            raise AnswerError(
                "bad_ranking",
                f"Gebruik elk rangnummer van 1 tot {n} precies één keer.",
                f"Use each rank from 1 to {n} exactly once.",
                first_field,
            )
        return {question.key: sorted(numbers, key=numbers.__getitem__)}

    def form_values(self, question, answers):
        order = answers.get(question.key) or []
        return {field_name(question.key, code): [str(i)] for i, code in enumerate(order, 1)}


QUESTION_TYPES: dict[str, QuestionType] = {
    cls.name: cls()
    for cls in (
        SingleChoice,
        MultipleChoice,
        Likert,
        Matrix,
        Number,
        ShortText,
        LongText,
        Date,
        Ranking,
    )
}


def parse_answer(question: Question, form: Mapping[str, Any]) -> dict[str, Any]:
    """The stored variables for one question; raises AnswerError."""
    return QUESTION_TYPES[question.type].parse(question, form)


def parse_answers(
    questions: Iterable[Question], form: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """(stored variables, question key -> error) for the given (visible) questions."""
    answers: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    for question in questions:
        try:
            answers.update(parse_answer(question, form))
        except AnswerError as error:
            errors[question.key] = error
    return answers, errors


def form_values(question: Question, answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Stored answers of one question back as form field values (for prefilling)."""
    return QUESTION_TYPES[question.type].form_values(question, answers)
