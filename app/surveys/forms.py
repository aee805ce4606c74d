"""Forms: the response form built from a page of a definition (one place), and the admin forms."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import DateField, FileField, StringField
from wtforms.validators import Length, Optional

from app.core.forms import SAFE_METHODS, BaseForm, PlausibleDate
from app.surveys.answers import AnswerError, form_values
from app.surveys.definitions import Page, Question, SurveyDefinition
from app.surveys.fields import anchor, build_fields, macro_for

_FORM_CLASSES: dict[tuple[str, str, str], type] = {}
_BLANK_QUESTIONS: dict[tuple[str, str, str, str], Markup] = {}


class ResponseForm(BaseForm):
    """The questions of one page. Values are checked by `app.surveys.answers` (see `attach`)."""

    definition: SurveyDefinition
    page: Page
    locale: str = "nl"
    _names: dict[str, list[str]]  # question key -> its field names (set by make_response_form)

    def __init__(self, formdata=None, *, questions: list[Question], **kwargs):
        if formdata is None:
            formdata = request.form if request.method not in SAFE_METHODS else MultiDict()
        super().__init__(formdata=formdata, **kwargs)
        self.formdata = formdata
        self.questions = questions
        self.notices: list[str] = []

    @classmethod
    def prefilled(cls, questions: list[Question], answers: dict) -> ResponseForm:
        """The form filled in with stored answers (a GET of a page)."""
        data = MultiDict()
        for question in questions:
            for name, values in form_values(question, answers).items():
                for value in values:
                    data.add(name, value)
        return cls(formdata=data, questions=questions)

    def attach(self, errors: dict[str, AnswerError]) -> None:
        """Show each question's validation problem next to the field it names."""
        for key, error in errors.items():
            question = self.definition.question(key)
            name = error.field if error.field in self else self.field_names(question)[0]
            self[name].errors = [*self[name].errors, error.message(self.locale)]

    def field_names(self, question: Question) -> list[str]:
        names = self._names.get(question.key)
        if names is None:  # not a question of this page
            names = [name for name, _field in build_fields(question, self.locale)]
        return names

    def fields_of(self, question: Question):
        return [self[name] for name in self.field_names(question)]

    def question_errors(self, question: Question) -> list[str]:
        return [message for field in self.fields_of(question) for message in field.errors]

    def macro(self, question: Question) -> str:
        return macro_for(question)

    def question_html(self, question: Question, macro, locale: str) -> Markup:
        """`macro` (of `surveys/_questions.html`) rendering `question` on this form.

        A question without a value or an error is the same HTML for every respondent who opens
        the page: it is rendered once per definition, question, macro and language, and kept.
        """
        if any(f.raw_data or f.data or f.errors for f in self.fields_of(question)):
            return macro(self, question, locale)
        key = (self.definition.fingerprint, question.key, macro.name, locale)
        html = _BLANK_QUESTIONS.get(key)
        if html is None:
            html = macro(self, question, locale)
            if len(_BLANK_QUESTIONS) > 5000:
                _BLANK_QUESTIONS.clear()
            _BLANK_QUESTIONS[key] = html
        return html

    @property
    def error_list(self) -> list[tuple[str, str, str]]:
        """(element id, question, message) in page order, for the error summary."""
        items = [(f"{self.csrf_token.id}", "", m) for m in self.csrf_token.errors]
        for question in self.questions:
            for field in self.fields_of(question):
                for message in field.errors:
                    label = question.text.get(self.locale)
                    if question.type == "matrix":
                        label = f"{label} – {field.label.text}"
                    items.append((anchor(question, field.name), label, message))
        return items


def make_response_form(definition: SurveyDefinition, page: Page, locale: str = "nl") -> type[ResponseForm]:
    """The WTForms class for `page` of `definition`: every question's fields from the type registry.

    Classes are cached per definition fingerprint, page and language (definitions never change
    under a fingerprint).
    """
    key = (definition.fingerprint, page.key, locale)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        attributes: dict = {"definition": definition, "page": page, "locale": locale, "_names": {}}
        for question in page.questions:
            fields = build_fields(question, locale)
            attributes["_names"][question.key] = [name for name, _field in fields]
            attributes.update(fields)
        form_class = type("ResponseForm", (ResponseForm,), attributes)
        if len(_FORM_CLASSES) > 1000:
            _FORM_CLASSES.clear()
        _FORM_CLASSES[key] = form_class
    return form_class


class StartForm(BaseForm):
    """The first page: an optional name, shown to colleagues who share the invitation link."""

    name = StringField(_l("Uw naam (niet verplicht)"), validators=[Optional(), Length(max=120)])


class DatesForm(BaseForm):
    opens_on = DateField(_l("Opent op"), validators=[Optional(), PlausibleDate()])
    closes_on = DateField(_l("Sluit na"), validators=[Optional(), PlausibleDate()])


class XLSFormUploadForm(BaseForm):
    file = FileField(_l("XLSForm-bestand (.xlsx)"))
