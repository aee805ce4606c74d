"""Invitation forms: choosing organisations, reminding, opting out."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, widgets
from wtforms.validators import InputRequired, NumberRange

from app.core.forms import BaseForm
from app.organisations.models import REGIONS, SERVICE_TYPES


class _Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class OrganisationFilterForm(BaseForm):
    """Types of service and regions; none ticked means all. Also the confirm form's payload."""

    soort = _Checkboxes(_l("Soort dienst"), choices=list(SERVICE_TYPES.items()))
    regio = _Checkboxes(_l("Regio"), choices=list(REGIONS.items()))


class PreviewFilterForm(OrganisationFilterForm):
    """The same filter on a GET request (changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False


class RemindForm(BaseForm):
    min_days = IntegerField(
        _l("Enkel wie minstens zoveel dagen geen mail kreeg"),
        default=7,
        validators=[
            InputRequired(message=_l("Vul een aantal dagen in.")),
            NumberRange(min=1, max=365, message=_l("Kies tussen 1 en 365 dagen.")),
        ],
    )
