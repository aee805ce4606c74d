"""Meeting forms. Dates and times are entered in the site's time zone and stored in UTC."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.core.clock import site_zone
from app.core.forms import BaseForm, PlausibleDate


class MeetingForm(BaseForm):
    title = StringField(_l("Titel"), validators=[InputRequired(), Length(max=200)])
    day = DateField(_l("Datum"), validators=[InputRequired(message=_l("Vul een datum in.")), PlausibleDate()])
    time = TimeField(_l("Beginuur"), validators=[InputRequired(message=_l("Vul een beginuur in."))])
    duration_minutes = IntegerField(
        _l("Duur in minuten"), default=120, validators=[InputRequired(), NumberRange(min=15, max=600)]
    )
    location = StringField(_l("Plaats"), validators=[Optional(), Length(max=300)])
    video_url = URLField(_l("Videolink"), validators=[Optional(), Length(max=500)])
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=20000)])

    def starts_at(self) -> datetime:
        return datetime.combine(self.day.data, self.time.data, tzinfo=site_zone())

    def fill_from(self, meeting) -> None:
        local = meeting.starts_at.astimezone(site_zone())
        self.day.data, self.time.data = local.date(), local.time().replace(second=0, microsecond=0)


class NotesForm(BaseForm):
    attendees = SelectMultipleField(
        _l("Aanwezigen"),
        coerce=int,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    discussed = TextAreaField(_l("Wat werd besproken"), validators=[Length(max=50000)])
    decisions = TextAreaField(_l("Beslissingen"), validators=[Length(max=20000)])


class ActionForm(BaseForm):
    description = StringField(_l("Actie"), validators=[InputRequired(), Length(max=500)])
    owner_id = SelectField(_l("Wie voert ze uit"), coerce=int, validators=[InputRequired()])
    due_on = DateField(
        _l("Tegen wanneer"), validators=[InputRequired(message=_l("Vul een datum in.")), PlausibleDate()]
    )
