"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from app.accounts.models import ROLES
from app.core.forms import BaseForm, EmailAddress

ROLE_LABELS = {
    "admin": _l("Beheerder"),
    "researcher": _l("Onderzoeker"),
    "member": _l("Lid"),
}

MIN_PASSWORD = 10


class _PasswordStrength:
    """At least 10 characters and not one of the most obvious choices."""

    COMMON = {"wachtwoord", "password", "1234567890", "azertyuiop", "qwertyuiop"}

    def __call__(self, form, field):
        value = field.data or ""
        if len(value) < MIN_PASSWORD:
            raise ValidationError(_l("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD))
        if value.lower() in self.COMMON or len(set(value)) < 4:
            raise ValidationError(_l("Dit wachtwoord is te makkelijk te raden."))


def email_field(label=None):
    return EmailField(
        label or _l("E-mailadres"),
        validators=[
            InputRequired(),
            EmailAddress(message=_l("Vul een geldig e-mailadres in.")),
            Length(max=320),
        ],
    )


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(_l("Wachtwoord"), validators=[InputRequired(), Length(max=200)])
    next = HiddenField()


class ResetRequestForm(BaseForm):
    email = email_field()


class SetPasswordForm(BaseForm):
    password = PasswordField(
        _l("Nieuw wachtwoord"), validators=[InputRequired(), _PasswordStrength(), Length(max=200)]
    )
    confirm = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[InputRequired(), EqualTo("password", message=_l("De wachtwoorden verschillen."))],
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Huidig wachtwoord"), validators=[InputRequired(), Length(max=200)])


class ProfileForm(BaseForm):
    name = StringField(_l("Naam"), validators=[InputRequired(), Length(max=120)])
    email = email_field()
    locale = SelectField(
        _l("Taal van e-mails"),
        choices=[("", _l("Standaard (Nederlands)")), ("nl", "Nederlands"), ("en", "English")],
    )


class InviteUserForm(BaseForm):
    name = StringField(_l("Naam"), validators=[InputRequired(), Length(max=120)])
    email = email_field()
    role = SelectField(_l("Rol"), choices=[(r, ROLE_LABELS[r]) for r in ROLES], default="member")


class RoleForm(BaseForm):
    role = SelectField(_l("Rol"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])
