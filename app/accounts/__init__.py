"""Users, roles, login, invitations, password reset and profile."""

from collections.abc import Callable

from flask import Flask
from flask_babel import lazy_gettext as _l

LOGIN_STEPS = "accounts_login_steps"


def register_login_step(app: Flask, step: Callable) -> None:
    """Add a step between a correct password and being logged in (two-factor login).

    `step(user, next_url)` returns a response that holds the login back (the feature logs the
    user in itself later), or None to let the login go ahead. Also runs after a password set
    through a reset or invitation link, so that no link skips the step.
    """
    app.extensions.setdefault(LOGIN_STEPS, []).append(step)


def init_app(app: Flask) -> None:
    from app.accounts.views import bp
    from app.main.overview import NavEntry, register_nav

    app.register_blueprint(bp)
    register_nav(
        app,
        NavEntry(_l("Gebruikers"), "accounts.list_users", lambda u: u.is_authenticated and u.is_admin, 90),
    )
