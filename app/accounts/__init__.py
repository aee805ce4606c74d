"""Users, roles, login, invitations, password reset and profile."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.accounts.views import bp
    from app.main.overview import NavEntry, register_nav

    app.register_blueprint(bp)
    register_nav(
        app,
        NavEntry(_l("Gebruikers"), "accounts.list_users", lambda u: u.is_authenticated and u.is_admin, 90),
    )
