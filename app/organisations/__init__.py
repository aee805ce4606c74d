"""The register of organisations and its CSV import."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.main.overview import NavEntry, register_nav
    from app.organisations.views import bp

    app.register_blueprint(bp)
    register_nav(
        app,
        NavEntry(
            _l("Organisaties"),
            "organisations.list_organisations",
            lambda u: u.is_authenticated and u.is_staff,
            80,
        ),
    )
