"""Two-factor login: TOTP (authenticator app) with one-time recovery codes.

Admins and researchers must use it; members may turn it on in their profile.
"""

from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

# Staff without a confirmed app reach these and nothing else.
SETUP_ENDPOINTS = frozenset(
    {
        "static",
        "accounts.logout",
        "twofactor.setup",
        "twofactor.second_step",
        "main.set_language",
        "main.healthz",
    }
)


def init_app(app: Flask) -> None:
    from app.accounts import register_login_step
    from app.main.overview import register_profile_section, register_user_admin_section
    from app.twofactor import flow
    from app.twofactor.views import bp

    app.register_blueprint(bp)
    register_login_step(app, flow.hold_login)
    register_profile_section(app, _profile_section)
    register_user_admin_section(app, _user_admin_section)
    _init_guard(app)
    _init_cli(app)


def _init_guard(app: Flask) -> None:
    from app.twofactor import services

    @app.before_request
    def _staff_need_a_second_factor():
        """A staff session without a set-up app (invited, promoted, reset) goes to the set-up."""
        if request.endpoint in SETUP_ENDPOINTS or not current_user.is_authenticated:
            return None
        if not services.must_use(current_user) or services.get_credential(current_user) is not None:
            return None
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("twofactor.setup", next=target))


def _status(user) -> tuple[str, object]:
    from app.twofactor import services

    credential = services.get_credential(user)
    if credential is None:
        return "", _("uit")
    return "on", _("aan sinds %(date)s", date=format_date(credential.confirmed_at))


def _profile_section(user) -> dict:
    state, text = _status(user)
    label = _("Tweestapsverificatie beheren") if state else _("Tweestapsverificatie instellen")
    return {
        "title": _("Tweestapsverificatie"),
        "items": [{"label": label, "url": url_for("twofactor.setup"), "meta": text}],
    }


def _user_admin_section(user) -> dict:
    state, text = _status(user)
    if not state:  # nothing to reset
        empty = (
            _("Nog niet ingesteld: bij de volgende aanmelding stelt deze persoon een app in.")
            if user.is_staff
            else _("Staat uit.")
        )
        return {"title": _("Tweestapsverificatie"), "items": [], "empty": empty}
    return {
        "title": _("Tweestapsverificatie"),
        "items": [
            {
                "label": _("Tweestapsverificatie herstellen"),
                "url": url_for("twofactor.reset_user", user_id=user.id),
                "meta": text,
            }
        ],
    }


def _init_cli(app: Flask) -> None:
    import click

    from app.accounts.services import find_user_by_email
    from app.extensions import db
    from app.twofactor import services

    @app.cli.group("twofactor")
    def twofactor() -> None:
        """Two-factor login."""

    @twofactor.command("reset")
    @click.argument("email")
    def reset_command(email: str) -> None:
        """Remove the app and recovery codes of the account EMAIL (e.g. the last admin's)."""
        user = find_user_by_email(email)
        if user is None:
            raise click.ClickException("no account with that e-mail address")
        services.reset(None, user)
        db.session.commit()
        click.echo(f"Two-factor login of user {user.id} reset; they set it up again at their next login.")
