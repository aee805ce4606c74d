"""The login between password and second factor, kept in the session.

After a correct password a user who must or does use two-factor login is not logged in: the
session holds a "pending" marker (user id, the account's session_version, an expiry and where
to go next). It stops working when it expires or when the account's session_version changes
(password change, deactivation, 2FA reset). A set-up in progress keeps its new secret in the
session too, encrypted, so an unconfirmed secret never outlives the session that showed it.
"""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from app.accounts.models import User
from app.core.urls import safe_next
from app.extensions import db
from app.twofactor import services

PENDING_KEY = "twofactor_pending"
SETUP_KEY = "twofactor_setup"


def hold_login(user: User, next_url: str):
    """Login step registered with accounts: a redirect to the second step, or None (log in now)."""
    session.pop(PENDING_KEY, None)
    session.pop(SETUP_KEY, None)
    if not services.uses_two_factor(user):
        return None
    session[PENDING_KEY] = {
        "user": user.id,
        "version": user.session_version,
        "until": int(time.time()) + current_app.config["TWOFACTOR_PENDING_SECONDS"],
        "next": safe_next(next_url, url_for("main.index")),
    }
    if services.get_credential(user) is None:
        return redirect(url_for("twofactor.setup"))
    return redirect(url_for("twofactor.second_step"))


def has_pending() -> bool:
    return PENDING_KEY in session


def pending_user() -> User | None:
    """The user whose password was right a moment ago, while the marker is still valid."""
    marker = session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return None
    user = db.session.get(User, marker.get("user"))
    if (
        user is None
        or not user.is_active
        or user.session_version != marker.get("version")
        or not isinstance(marker.get("until"), int)
        or marker["until"] < time.time()
    ):
        return None
    return user


def start_over():
    """Back to the login form; says why when a marker was there but no longer counts."""
    if session.pop(PENDING_KEY, None) is not None:
        flash(_("Je aanmelding is verlopen. Meld je opnieuw aan."), "error")
    session.pop(SETUP_KEY, None)
    return redirect(url_for("accounts.login"))


def complete_login(user: User) -> str:
    """Log the user in now that the second factor is right; returns where to go next."""
    marker = session.pop(PENDING_KEY, None) or {}
    session.pop(SETUP_KEY, None)
    login_user(user)
    return safe_next(marker.get("next"), url_for("main.index"))


def setup_secret(user: User) -> str:
    """The secret of this session's set-up for `user`: the same on every reload, new per session."""
    data = session.get(SETUP_KEY)
    if isinstance(data, dict) and data.get("user") == user.id:
        secret = services.decrypt_secret(str(data.get("secret", "")))
        if secret:
            return secret
    secret = services.new_secret()
    session[SETUP_KEY] = {"user": user.id, "secret": services.encrypt_secret(secret)}
    return secret


def forget_setup() -> None:
    session.pop(SETUP_KEY, None)
