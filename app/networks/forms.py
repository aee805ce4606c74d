"""Network forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.accounts.forms import SetPasswordForm
from app.core.forms import BaseForm, EmailAddress
from app.networks.models import DIGEST_FREQUENCIES, VISIBILITIES


def _email():
    return EmailField(
        _l("E-mailadres"),
        validators=[
            InputRequired(),
            EmailAddress(message=_l("Vul een geldig e-mailadres in.")),
            Length(max=320),
        ],
    )


class NetworkForm(BaseForm):
    name = StringField(_l("Naam"), validators=[InputRequired(), Length(max=150)])
    description = TextAreaField(_l("Beschrijving"), validators=[Length(max=5000)])
    visibility = RadioField(
        _l("Zichtbaarheid"),
        choices=list(VISIBILITIES.items()),
        default="secret",
        validators=[InputRequired(message=_l("Kies of het netwerk geheim of gesloten is."))],
    )


class EditNetworkForm(NetworkForm):
    consent_text = TextAreaField(
        _l("Toestemmingsverklaring"), validators=[InputRequired(), Length(max=10000)]
    )


class InviteForm(BaseForm):
    name = StringField(_l("Naam"), validators=[InputRequired(), Length(max=120)])
    email = _email()


class AppointForm(BaseForm):
    email = _email()


class ConsentForm(BaseForm):
    consent = BooleanField(
        _l("Ik heb de toestemmingsverklaring gelezen en ga akkoord"),
        validators=[InputRequired(message=_l("Vink aan dat je akkoord gaat om lid te worden."))],
    )


class NewAccountForm(SetPasswordForm):
    """Accepting an invitation without an account: the password rules of the accounts feature."""

    name = StringField(_l("Naam"), validators=[InputRequired(), Length(max=120)])
    password = PasswordField(
        _l("Kies een wachtwoord"), validators=SetPasswordForm.password.kwargs["validators"]
    )
    confirm = PasswordField(
        _l("Herhaal het wachtwoord"), validators=SetPasswordForm.confirm.kwargs["validators"]
    )
    consent = ConsentForm.consent


class LeaveForm(BaseForm):
    anonymise = BooleanField(_l("Anonimiseer mijn bijdragen: toon ze voortaan als 'Voormalig lid'"))


class DigestForm(BaseForm):
    digest_frequency = RadioField(
        _l("E-mailoverzicht van wat nieuw is"), choices=list(DIGEST_FREQUENCIES.items())
    )
