"""Personal invitations, reminders, opt-out and response rates."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

invitations_cli = AppGroup("invitations", help="Invitations of organisations to surveys.")


def _survey(slug: str):
    from sqlalchemy import select

    from app.extensions import db
    from app.surveys.models import Survey

    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.ClickException(f"no survey with slug {slug!r}")
    return survey


@invitations_cli.command("invite")
@click.argument("slug")
@click.option(
    "--type", "service_types", multiple=True, help="Type of service code (repeatable; default all)."
)
@click.option("--region", "regions", multiple=True, help="Region code (repeatable; default all).")
def invite_command(slug: str, service_types: tuple[str, ...], regions: tuple[str, ...]) -> None:
    """Invite the organisations of the register (filtered) to survey SLUG; never twice."""
    from app.core.errors import DomainError
    from app.extensions import db
    from app.invitations import services

    survey = _survey(slug)
    selection = services.select_organisations(survey, service_types, regions)
    try:
        created = services.invite(survey, selection.to_invite)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        f"invited {len(created)}; already invited {len(selection.already)}; "
        f"without e-mail address {len(selection.no_email)}"
    )


@invitations_cli.command("remind")
@click.argument("slug")
@click.option(
    "--min-days",
    type=click.IntRange(1, 365),
    default=7,
    show_default=True,
    help="Only invitations that got no mail for this many days.",
)
def remind_command(slug: str, min_days: int) -> None:
    """Remind the unfinished, not opted-out invitations of survey SLUG (safe to run from cron)."""
    from app.core.errors import DomainError
    from app.extensions import db
    from app.invitations import services

    try:
        count = services.remind(_survey(slug), min_days)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"queued {count} reminders (deliver with: flask --app wsgi mail send)")


def init_app(app: Flask) -> None:
    from app.invitations import models  # noqa: F401 - tables belong to the metadata
    from app.invitations.services import invitation_url
    from app.invitations.views import bp
    from app.main.overview import NavEntry, register_nav

    app.register_blueprint(bp)
    app.cli.add_command(invitations_cli)
    app.jinja_env.globals["invitation_url"] = invitation_url
    register_nav(
        app,
        NavEntry(
            _l("Uitnodigingen"), "invitations.overview", lambda u: u.is_authenticated and u.is_staff, 65
        ),
    )
