"""Questionnaires from files: definitions, versions, the respondent flow, admin pages."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.core.forms import bind_csrf_to_link
    from app.main.overview import NavEntry, register_nav, register_overview_section
    from app.surveys import (
        models,  # noqa: F401 - tables belong to the metadata
        views_admin,  # noqa: F401 - registers the staff routes on the blueprint
    )
    from app.surveys.cli import surveys_cli
    from app.surveys.demo import load_demo_surveys
    from app.surveys.services import overview_section
    from app.surveys.views_respond import bp

    app.config.setdefault("SURVEY_PUBLIC_SUBMITS_PER_HOUR", 20)  # per client address
    app.config.setdefault("SURVEY_PUBLIC_DRAFTS_PER_HOUR", 30)  # per client address
    # Links that do not work (/u/, /e/, resume, opt-out) per client address per window: then 429.
    app.config.setdefault("SURVEY_LINK_MAX_FAILURES", 30)
    app.config.setdefault("SURVEY_LINK_WINDOW_SECONDS", 600)
    app.register_blueprint(bp)
    # The invitation link is the respondent's credential: its pages' CSRF tokens are bound to it.
    bind_csrf_to_link(app, "surveys.respond_invitation", "token")
    app.cli.add_command(surveys_cli)
    register_nav(
        app,
        NavEntry(_l("Bevragingen"), "surveys.list_surveys", lambda u: u.is_authenticated and u.is_staff, 60),
    )
    register_overview_section(app, overview_section)
    app.extensions.setdefault("demo_loaders", []).append(load_demo_surveys)
