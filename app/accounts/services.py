"""Account operations. They flush, never commit: the view commits once per request."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.accounts.models import ROLES, AccountToken, User, hash_token
from app.core import ratelimit
from app.core.errors import DomainError
from app.core.mail import queue_mail
from app.core.models import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

LOGIN_SCOPE_ACCOUNT = "login-account"
LOGIN_SCOPE_ADDRESS = "login-address"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, role: str = "member", password: str | None = None) -> User:
    """A new account; refuses a taken e-mail address or an unknown role."""
    email = normalise_email(email)
    if role not in ROLES:
        raise DomainError(_("Onbekende rol."))
    if find_user_by_email(email):
        raise DomainError(_("Er bestaat al een account met dit e-mailadres."))
    user = User(email=email, name=name.strip(), role=role)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def login_blocked(email: str, address: str) -> bool:
    """True when too many failures were counted for this account or this client address."""
    cfg = current_app.config
    window, max_failures = cfg["LOGIN_WINDOW_SECONDS"], cfg["LOGIN_MAX_FAILURES"]
    return (
        ratelimit.current(LOGIN_SCOPE_ACCOUNT, normalise_email(email), window) >= max_failures
        or ratelimit.current(LOGIN_SCOPE_ADDRESS, address, window) >= max_failures * 4
    )


def authenticate(email: str, password: str, address: str) -> User | None:
    """The user for these credentials, or None; failures are counted for throttling."""
    cfg = current_app.config
    user = find_user_by_email(email)
    if user is not None and user.is_active and user.check_password(password):
        user.last_login_at = utcnow()
        ratelimit.reset(LOGIN_SCOPE_ACCOUNT, normalise_email(email), cfg["LOGIN_WINDOW_SECONDS"])
        log.info("user %s logged in", user.id)
        return user
    ratelimit.hit(LOGIN_SCOPE_ACCOUNT, normalise_email(email), cfg["LOGIN_WINDOW_SECONDS"])
    ratelimit.hit(LOGIN_SCOPE_ADDRESS, address, cfg["LOGIN_WINDOW_SECONDS"])
    log.info("failed login%s", f" for user {user.id}" if user else " for unknown account")
    return None


def _mail_locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def request_password_reset(email: str) -> None:
    """Queue a reset link when the account exists and is active; silent otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    _token, clear = AccountToken.issue(
        user, "reset", timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    )
    with force_locale(_mail_locale(user)):
        queue_mail(
            user.email,
            _("Nieuw wachtwoord instellen"),
            "mail/password_reset",
            "password_reset",
            user=user,
            token=clear,
            hours=current_app.config["PASSWORD_RESET_HOURS"],
        )
    log.info("password reset requested for user %s", user.id)


def invite_user(email: str, name: str, role: str, invited_by: User) -> User:
    """Create an account without password and mail a link to choose one."""
    user = create_user(email, name, role)
    _token, clear = AccountToken.issue(user, "invite", timedelta(days=current_app.config["INVITATION_DAYS"]))
    with force_locale(_mail_locale(user)):
        queue_mail(
            user.email,
            _("Uitnodiging voor %(site)s", site=current_app.config["SITE_NAME"]),
            "mail/account_invitation",
            "account_invitation",
            user=user,
            token=clear,
            inviter=invited_by,
            days=current_app.config["INVITATION_DAYS"],
        )
    log.info("user %s invited user %s as %s", invited_by.id, user.id, role)
    return user


def find_token(clear: str, purpose: str) -> AccountToken | None:
    """The usable token for this clear value, or None (unknown, expired, used or inactive user)."""
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == hash_token(clear), AccountToken.purpose == purpose
        )
    )
    if token is None or not token.is_usable:
        return None
    if not token.user.is_active:  # also an invitation: deactivated before it was accepted
        return None
    return token


def use_token(clear: str, purpose: str, new_password: str) -> User:
    """Set the password through a one-time link; the link is spent atomically."""
    token = find_token(clear, purpose)
    if token is None:
        raise DomainError(_("Deze link is ongeldig, verlopen of al gebruikt."))
    spent = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:
        raise DomainError(_("Deze link is ongeldig, verlopen of al gebruikt."))
    user = token.user
    user.set_password(new_password)
    log.info("user %s set a password through a %s link", user.id, purpose)
    return user


def update_profile(user: User, name: str, email: str, locale: str | None) -> None:
    email = normalise_email(email)
    if email != user.email:
        other = find_user_by_email(email)
        if other is not None and other.id != user.id:
            raise DomainError(_("Er bestaat al een account met dit e-mailadres."))
        user.email = email
    user.name = name.strip()
    user.locale = locale or None
    log.info("user %s updated their profile", user.id)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise DomainError(_("Je huidige wachtwoord klopt niet."))
    user.set_password(new_password)
    log.info("user %s changed their password", user.id)


def set_role(actor: User, user: User, role: str) -> None:
    if role not in ROLES:
        raise DomainError(_("Onbekende rol."))
    if user.id == actor.id and role != "admin":
        raise DomainError(_("Je kan je eigen beheerdersrol niet afnemen."))
    user.role = role
    log.info("user %s set role of user %s to %s", actor.id, user.id, role)


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise DomainError(_("Je kan je eigen account niet deactiveren."))
    user.is_active_account = active
    user.end_sessions()
    log.info("user %s %s user %s", actor.id, "activated" if active else "deactivated", user.id)


def list_users(query: str | None = None) -> list[User]:
    stmt = select(User).order_by(func.lower(User.name))
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(func.lower(User.name).like(like) | User.email.like(like))
    return list(db.session.scalars(stmt))
