"""Forms of the API token page."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.core.forms import BaseForm


class ApiTokenForm(BaseForm):
    name = StringField(
        _l("Naam van de sleutel"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Bijvoorbeeld: R-analyse op mijn laptop."),
    )


class RevokeForm(BaseForm):
    pass
