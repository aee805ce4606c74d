"""Question type -> WTForms fields and the template macro that renders them: one entry per type.

Field names are those of `app.surveys.answers` (`q-<key>`, `q-<matrix>_<row>`, `q-<key>-other`,
`q-<key>-<code>`), so the posted form goes straight into `answers.parse_answers`, which holds
every validation rule. The WTForms fields carry names, labels, posted values and errors; they
have no validators of their own (choice checks would duplicate, and contradict, answers.py).
Adding a type: one `FieldType` subclass here, one macro in `templates/surveys/_questions.html`.
"""

from __future__ import annotations

from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

from app.surveys.answers import field_name
from app.surveys.definitions import Question


def _choices(question: Question, locale: str) -> list[SelectChoice]:
    return [SelectChoice(str(option.code), option.label.get(locale)) for option in question.choices]


class FieldType:
    """How one question type becomes form fields, and which macro renders it."""

    macro = ""

    def build(self, question: Question, locale: str) -> list[tuple[str, UnboundField]]:
        raise NotImplementedError

    def anchor(self, question: Question, name: str) -> str:
        """The element id the error summary links to for an error on field `name`."""
        return name

    @staticmethod
    def label(question: Question, locale: str) -> str:
        return question.text.get(locale)


class ChoiceField(FieldType):
    """Radio buttons; inputs are `<name>-<code>`, so the summary links to the first one."""

    macro = "radios"

    def build(self, question, locale):
        field = RadioField(self.label(question, locale), choices=_choices(question, locale),
                           validate_choice=False)
        return [(field_name(question.key), field)]

    def anchor(self, question, name):
        return f"{name}-{question.choices[0].code}"


class SingleChoice(ChoiceField):
    def build(self, question, locale):
        if question.display != "dropdown":
            return super().build(question, locale)
        choices = [SelectChoice("", ""), *_choices(question, locale)]
        field = SelectField(self.label(question, locale), choices=choices, validate_choice=False)
        return [(field_name(question.key), field)]

    def anchor(self, question, name):
        return name if question.display == "dropdown" else super().anchor(question, name)


class Likert(ChoiceField):
    macro = "likert"


class MultipleChoice(FieldType):
    macro = "checkboxes"

    def build(self, question, locale):
        fields = [(
            field_name(question.key),
            SelectMultipleField(self.label(question, locale), choices=_choices(question, locale),
                                validate_choice=False),
        )]
        if question.other:
            fields.append((field_name(question.key, "other"), StringField(self.label(question, locale))))
        return fields

    def anchor(self, question, name):
        if name.endswith("-other"):
            return name
        return f"{name}-{question.options[0].code}" if question.options else name


class Matrix(FieldType):
    """One radio group per row (`q-<matrix>_<row>`), all on the question's scale."""

    macro = "matrix"

    def build(self, question, locale):
        choices = _choices(question, locale)
        return [
            (field_name(question.row_variable(row)),
             RadioField(row.text.get(locale), choices=choices, validate_choice=False))
            for row in question.rows
        ]

    def anchor(self, question, name):
        return f"{name}-{question.choices[0].code}"


class TextInput(FieldType):
    macro = "text_input"

    def build(self, question, locale):
        return [(field_name(question.key), StringField(self.label(question, locale)))]


class LongText(TextInput):
    macro = "textarea"

    def build(self, question, locale):
        return [(field_name(question.key), TextAreaField(self.label(question, locale)))]


class Ranking(FieldType):
    """A select 1..n per option (`q-<key>-<code>`): ranking without JavaScript."""

    macro = "ranking"

    def build(self, question, locale):
        ranks = [SelectChoice(str(n), str(n)) for n in range(len(question.options) + 1)]
        ranks[0] = SelectChoice("", "")
        return [
            (field_name(question.key, option.code),
             SelectField(option.label.get(locale), choices=ranks, validate_choice=False))
            for option in question.options
        ]


FIELD_TYPES: dict[str, FieldType] = {
    "single_choice": SingleChoice(),
    "multiple_choice": MultipleChoice(),
    "likert": Likert(),
    "matrix": Matrix(),
    "number": TextInput(),
    "short_text": TextInput(),
    "long_text": LongText(),
    "date": TextInput(),
    "ranking": Ranking(),
}


def macro_for(question: Question) -> str:
    """The macro of `templates/surveys/_questions.html` that renders this question."""
    if question.type == "single_choice" and question.display == "dropdown":
        return "dropdown"
    return FIELD_TYPES[question.type].macro


def build_fields(question: Question, locale: str) -> list[tuple[str, UnboundField]]:
    return FIELD_TYPES[question.type].build(question, locale)


def anchor(question: Question, name: str) -> str:
    return FIELD_TYPES[question.type].anchor(question, name)


__all__ = ["FIELD_TYPES", "FieldType", "anchor", "build_fields", "macro_for"]
