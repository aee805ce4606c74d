"""Organisation forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, FileField, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app.core.forms import BaseForm, EmailAddress
from app.organisations.models import REGIONS, SERVICE_TYPES


class OrganisationForm(BaseForm):
    name = StringField(_l("Naam"), validators=[InputRequired(), Length(max=200)])
    service_type = SelectField(
        _l("Soort dienst"),
        choices=[("", _l("Kies…")), *list(SERVICE_TYPES.items())],
        validators=[InputRequired(message=_l("Kies een soort dienst."))],
    )
    region = SelectField(
        _l("Regio"),
        choices=[("", _l("Kies…")), *list(REGIONS.items())],
        validators=[InputRequired(message=_l("Kies een regio."))],
    )
    contact_email = EmailField(
        _l("Contactadres (e-mail)"),
        validators=[Optional(), EmailAddress(message=_l("Vul een geldig e-mailadres in.")), Length(max=320)],
    )


class ImportForm(BaseForm):
    file = FileField(_l("CSV-bestand"))


class ConfirmImportForm(BaseForm):
    """Carries the checked file back so nothing is kept on the server between the two steps."""

    content = HiddenField()
