"""Thread forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.core.forms import BaseForm

MARKDOWN_HINT = _l("Markdown mag: **vet**, *schuin*, [link](https://...), lijstjes met -.")


class ThreadForm(BaseForm):
    title = StringField(_l("Onderwerp"), validators=[InputRequired(), Length(max=200)])
    body = TextAreaField(_l("Bericht"), validators=[InputRequired(), Length(max=20000)])
    source_kind = HiddenField()
    source_ref = HiddenField()


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Je antwoord"), validators=[InputRequired(), Length(max=20000)])


class HideForm(BaseForm):
    reason = StringField(_l("Reden (de leden zien ze)"), validators=[InputRequired(), Length(max=500)])


class ReportForm(BaseForm):
    reason = StringField(_l("Waarom meld je dit bericht?"), validators=[InputRequired(), Length(max=500)])
