"""Poll forms: the admin's create/edit form and the voter's ballot."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.core.forms import BaseForm


class PollForm(BaseForm):
    question_nl = StringField(_l("Vraag"), validators=[InputRequired(), Length(max=300)])
    question_en = StringField(
        _l("Vraag in het Engels (niet verplicht)"), validators=[Optional(), Length(max=300)]
    )
    options_nl = TextAreaField(
        _l("Antwoordopties, één per regel"), validators=[InputRequired(), Length(max=4000)]
    )
    options_en = TextAreaField(
        _l("Antwoordopties in het Engels (niet verplicht, zelfde volgorde)"),
        validators=[Optional(), Length(max=4000)],
    )
    kind = RadioField(
        _l("Soort vraag"),
        choices=[("single", _l("Eén antwoord kiezen")), ("multiple", _l("Meerdere antwoorden mogelijk"))],
        default="single",
    )
    opens_on = DateField(_l("Open vanaf (niet verplicht)"), validators=[Optional()])
    closes_on = DateField(_l("Open tot en met (niet verplicht)"), validators=[Optional()])
    show_results = BooleanField(_l("Stemmers zien de resultaten na het stemmen"), default=True)
    slug = StringField(
        _l("Korte naam in de link (niet verplicht)"),
        validators=[Optional(), Length(max=80)],
        filters=[lambda v: (v or "").strip().lower()],
    )


class VoteForm(BaseForm):
    """Only the one-time token; the choices are read from the request (radio or checkboxes)."""

    form_token = HiddenField()


class EmbedVoteForm(VoteForm):
    """The embed page's form: framed on other sites, where our session cookie is not sent, so
    the signed one-time token stands in for the session CSRF token."""

    class Meta:
        csrf = False
