"""Two-factor forms: one code field each."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from app.core.forms import BaseForm


class LoginCodeForm(BaseForm):
    """The second step of the login: a code from the app or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Length(max=40)],
        render_kw={"autocapitalize": "off", "spellcheck": "false"},
    )


class SetupCodeForm(BaseForm):
    """The first code from a newly set-up app."""

    code = StringField(
        _l("Code uit je app"),
        validators=[InputRequired(), Length(max=20)],
        render_kw={"inputmode": "numeric"},
    )


def _current_code_field():
    return StringField(
        _l("Code uit je app of een herstelcode"),
        validators=[InputRequired(), Length(max=40)],
        render_kw={"autocapitalize": "off", "spellcheck": "false"},
    )


# Changes to a set-up app need a current code (from the app, or a recovery code). Two forms on
# one page, so their fields have different names (a WTForms prefix would rename the CSRF field).
class RecoveryCodesForm(BaseForm):
    code = _current_code_field()


class TurnOffForm(BaseForm):
    off_code = _current_code_field()
