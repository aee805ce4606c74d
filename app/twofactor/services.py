"""Two-factor operations. They flush, never commit: the view commits once per request.

The clear TOTP secret never reaches the database or the log: it is stored as a Fernet token
(`encrypt_secret`), and recovery codes only as hashes. Log lines name the actor and the user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from app.accounts.models import User
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.twofactor.models import RecoveryCode, TotpCredential

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the codes are read off paper. 12 characters of 31 give about 59 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 3, 4
TOTP_DIGITS = 6
# Codes of the previous and the next 30-second step are accepted too (clocks drift).
TOTP_VALID_STEPS = (0, -1, 1)
THROTTLE_SCOPE = "second-factor"


# --- the secret --------------------------------------------------------------------------------


def _fernet() -> Fernet:
    key = current_app.config.get("TWOFACTOR_KEY") or current_app.config["SECRET_KEY"]
    digest = hashlib.sha256(b"wwwelzijn totp secrets\0" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    """The clear secret, or None when it cannot be read (the key changed or the token is bad)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    """A fresh random TOTP secret (160 bits, base32)."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, to type over into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SITE_NAME"])


def qr_code_data_uri(text: str) -> str:
    """A QR code as an SVG data: URI, made here (the CSP allows data: images, nothing external)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


# --- state ---------------------------------------------------------------------------------------


def get_credential(user: User) -> TotpCredential | None:
    return db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == user.id))


def must_use(user: User) -> bool:
    """Admins and researchers (who can export data) must use a second factor."""
    return user.is_staff


def uses_two_factor(user: User) -> bool:
    """True when a login of this user needs a second step (or its set-up)."""
    return must_use(user) or get_credential(user) is not None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


# --- checking codes ------------------------------------------------------------------------------


def _digits(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def _accepted_step(secret: str, code: str) -> int | None:
    """The time-step whose code this is (now, one before or one after), or None."""
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS)
    now = totp.timecode(utcnow())
    for offset in TOTP_VALID_STEPS:
        if hmac.compare_digest(totp.generate_otp(now + offset), code):
            return now + offset
    return None


def _spend_step(credential: TotpCredential, step: int) -> None:
    """Record `step` as used; refuses a step that was used already (or an earlier one).

    One UPDATE with the condition in it, so two requests with the same code cannot both pass.
    """
    done = db.session.execute(
        update(TotpCredential)
        .where(
            TotpCredential.id == credential.id,
            or_(TotpCredential.last_used_step.is_(None), TotpCredential.last_used_step < step),
        )
        .values(last_used_step=step, last_used_at=utcnow())
    )
    if done.rowcount != 1:
        raise DomainError(_("Deze code is al gebruikt. Wacht tot je app een nieuwe code toont."))


def _check_totp(user: User, credential: TotpCredential, code: str) -> None:
    secret = decrypt_secret(credential.secret_encrypted)
    if secret is None:
        log.error("the TOTP secret of user %s cannot be decrypted (was TWOFACTOR_KEY changed?)", user.id)
        raise DomainError(_("Deze code klopt niet."))
    step = _accepted_step(secret, code)
    if step is None:
        raise DomainError(_("Deze code klopt niet."))
    _spend_step(credential, step)


def _recovery_hash(user_id: int, code: str) -> str:
    normalised = re.sub(r"[^a-z0-9]", "", code.lower())
    return hashlib.sha256(f"wwwelzijn recovery\0{user_id}\0{normalised}".encode()).hexdigest()


def _use_recovery_code(user: User, code: str) -> None:
    """Spend one recovery code (atomically: a code works once)."""
    done = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user.id, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if done.rowcount != 1:
        raise DomainError(_("Deze code klopt niet."))


def verify(user: User, code: str) -> str:
    """Check a code from the app or a recovery code; returns "totp" or "recovery".

    Raises DomainError for a wrong, used or replayed code. The caller throttles.
    """
    credential = get_credential(user)
    if credential is None:
        raise DomainError(_("Tweestapsverificatie is voor dit account niet ingesteld."))
    code = _digits(code)
    if code.isdigit() and len(code) == TOTP_DIGITS:
        _check_totp(user, credential, code)
        log.info("user %s passed the second step with their app", user.id)
        return "totp"
    _use_recovery_code(user, code)
    log.info("user %s passed the second step with a recovery code", user.id)
    return "recovery"


# --- set-up, recovery codes, reset -------------------------------------------------------------


def save_credential(user: User, secret: str, used_step: int | None = None) -> TotpCredential:
    """Store a confirmed secret for `user` (replacing an older one)."""
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    credential = TotpCredential(
        user_id=user.id,
        secret_encrypted=encrypt_secret(secret),
        confirmed_at=utcnow(),
        last_used_step=used_step,
        last_used_at=utcnow() if used_step is not None else None,
    )
    db.session.add(credential)
    db.session.flush()
    return credential


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them in clear (show once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(
            secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH)
        )
        code = "-".join(raw[i : i + RECOVERY_GROUP_LENGTH] for i in range(0, len(raw), RECOVERY_GROUP_LENGTH))
        codes.append(code)
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user.id, code)))
    db.session.flush()
    return codes


def confirm_setup(user: User, secret: str, code: str) -> list[str]:
    """Finish the set-up with a first code from the app; returns the new recovery codes.

    Args:
        user: the account that sets up its app.
        secret: the secret shown on the set-up page (kept in that session until now).
        code: the six digits the app shows.
    """
    step = _accepted_step(secret, _digits(code))
    if step is None:
        raise DomainError(_("Deze code klopt niet. Controleer of de klok van je telefoon juist staat."))
    save_credential(user, secret, used_step=step)
    log.info("user %s set up two-factor login", user.id)
    return new_recovery_codes(user)


def replace_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes after a valid code (the old ones stop working)."""
    verify(user, code)
    log.info("user %s made new recovery codes", user.id)
    return new_recovery_codes(user)


def _remove(user: User) -> None:
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, code: str) -> None:
    """A member turns two-factor login off (with a valid code); staff may not."""
    if must_use(user):
        raise DomainError(_("Beheerders en onderzoekers moeten tweestapsverificatie gebruiken."))
    verify(user, code)
    _remove(user)
    log.info("user %s turned two-factor login off", user.id)


def reset(actor: User | None, user: User) -> None:
    """Admin (or the CLI, `actor` None): remove a user's app and recovery codes.

    The user's sessions end; staff set up a new app at their next login.
    """
    if actor is not None and actor.id == user.id:
        raise DomainError(
            _("Je kan je eigen tweestapsverificatie niet herstellen. Vraag het een andere beheerder.")
        )
    _remove(user)
    user.end_sessions()
    log.info(
        "%s reset the two-factor login of user %s",
        f"user {actor.id}" if actor is not None else "the command line",
        user.id,
    )
