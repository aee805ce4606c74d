"""One-question public polls: short link, embed, presenter view, files in surveys/polls/."""

from __future__ import annotations

import click
from flask import Flask, url_for
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

polls_cli = AppGroup("polls", help="Quick polls (surveys/polls/*.yaml).")


@polls_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def load_command(paths: tuple[str, ...]) -> None:
    """Load poll files (default: every file in surveys/polls/); a file with votes keeps its codes."""
    from app.core.errors import DomainError
    from app.extensions import db
    from app.polls import services
    from app.surveys.loader import DefinitionError

    files = list(paths) or services.poll_files()
    if not files:
        click.echo("no poll files found")
        return
    failed = 0
    for path in files:
        try:
            poll, outcome = services.sync_poll_file(path)
        except (DefinitionError, DomainError) as error:
            db.session.rollback()
            failed += 1
            click.echo(f"{path}: refused: {error}", err=True)
            continue
        db.session.commit()
        click.echo(f"{path}: {poll.slug} {outcome}")
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} poll files were not loaded")


def _open_polls_section() -> dict | None:
    from flask_babel import get_locale
    from flask_babel import gettext as _

    from app.polls.services import open_polls

    polls = open_polls()[:5]
    if not polls:
        return None
    locale = str(get_locale() or "nl")
    return {
        "title": _("Polls: stem mee"),
        "items": [
            {"label": p.question.get(locale), "url": url_for("polls.vote", slug=p.slug)} for p in polls
        ],
    }


def _load_demo(responses: int = 0) -> list[str]:
    from app.polls.demo import load_demo_polls

    return load_demo_polls()


def init_app(app: Flask) -> None:
    from app.main.overview import NavEntry, register_home_section, register_nav, register_overview_section
    from app.polls import admin, models  # noqa: F401 - admin routes and tables
    from app.polls.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(polls_cli)
    # The embed is framed on other sites, where our session cookie (and so the session CSRF
    # token) is absent; its form carries a signed one-time token instead (see polls.voting).
    app.config["CSRF_EXEMPT_ENDPOINTS"] = (*app.config.get("CSRF_EXEMPT_ENDPOINTS", ()), "polls.embed")
    register_nav(
        app, NavEntry(_l("Polls"), "polls.list_polls", lambda u: u.is_authenticated and u.is_staff, 70)
    )
    register_home_section(app, _open_polls_section)
    register_overview_section(app, lambda _user: _open_polls_section())
    app.extensions.setdefault("demo_loaders", []).append(_load_demo)
