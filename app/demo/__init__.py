"""`flask --app wsgi demo`: demo data for a fresh install (safe to run twice)."""

from __future__ import annotations

import click
from flask import Flask, current_app

DEMO_USERS = (
    ("admin", "Ada Beheerder", "admin@demo.wwwelzijn.be", "demo-beheerder-2026"),
    ("researcher", "Rik Onderzoeker", "onderzoeker@demo.wwwelzijn.be", "demo-onderzoeker-2026"),
    ("member", "Mona Lid", "lid@demo.wwwelzijn.be", "demo-lid-2026"),
)

# Fictional organisations, one or more of each type of service, spread over the regions.
DEMO_ORGANISATIONS = (
    ("CAW Scheldeland", "caw", "antwerpen"),
    ("CAW Kempenland", "caw", "antwerpen"),
    ("JAC Hasselt-Centrum", "caw", "limburg"),
    ("CAW Leieland", "caw", "west_vlaanderen"),
    ("CAW Zennevallei", "caw", "vlaams_brabant"),
    ("Luisterlijn Vlaanderen (demo)", "helpline", "vlaams_brabant"),
    ("Jongerenhulplijn Noord", "helpline", "oost_vlaanderen"),
    ("Zelfmoordpreventielijn West (demo)", "helpline", "west_vlaanderen"),
    ("OCMW Bergdorp", "ocmw", "limburg"),
    ("OCMW Rivierstad", "ocmw", "oost_vlaanderen"),
    ("OCMW Duinkerke-aan-Zee", "ocmw", "west_vlaanderen"),
    ("OCMW Brusselse Rand (demo)", "ocmw", "brussel"),
    ("CLB Waasland", "clb", "oost_vlaanderen"),
    ("CLB Maasvallei", "clb", "limburg"),
    ("CLB Hageland", "clb", "vlaams_brabant"),
    ("Ziekenfonds Samen Gezond (demo)", "mutuality", "antwerpen"),
    ("Ziekenfonds Vooruit (demo)", "mutuality", "brussel"),
    ("Jeugdhulp De Brug", "youth_care", "antwerpen"),
    ("Jeugdhulp Het Anker", "youth_care", "west_vlaanderen"),
    ("Centrum Geestelijke Gezondheidszorg Polder", "psychiatric_care", "oost_vlaanderen"),
    ("Psychiatrisch Ziekenhuis Heide (demo)", "psychiatric_care", "limburg"),
    ("Expertisecentrum Digitaal Welzijn", "expertise_centre", "brussel"),
    ("Kenniscentrum Armoede en Media", "expertise_centre", "antwerpen"),
    ("Hogeschool Sociaal Werk (demo)", "education", "oost_vlaanderen"),
    ("Opleiding Welzijnswerk Kust", "education", "west_vlaanderen"),
    ("Vrijwilligerspunt Regio Midden", "other", "vlaams_brabant"),
    ("Buurtwerk De Wijk", "other", "brussel"),
)


def load_foundation() -> list[str]:
    """Organisations and one user of each role; returns lines to print."""
    from app.accounts.models import User
    from app.accounts.services import create_user, find_user_by_email
    from app.extensions import db
    from app.organisations.services import find_by_name, save_organisation

    lines = []
    for name, service_type, region in DEMO_ORGANISATIONS:
        if find_by_name(name) is None:
            slug = "".join(c for c in name.lower() if c.isalnum())[:30]
            save_organisation(None, name, service_type, region, f"info@{slug}.demo.invalid")
    for role, name, email, password in DEMO_USERS:
        user: User | None = find_user_by_email(email)
        if user is None:
            user = create_user(email, name, role, password)
        elif not user.check_password(password):
            user.set_password(password)
        user.role, user.is_active_account = role, True
        lines.append(f"  {role:<11} {email:<32} {password}")
    db.session.commit()
    return lines


def init_app(app: Flask) -> None:
    loaders = app.extensions.setdefault("demo_loaders", [])

    @app.cli.command("demo")
    @click.option("--responses", type=int, default=0, help="Generate this many survey responses.")
    def demo(responses: int) -> None:
        """Load demo data: organisations, users of each role, surveys, networks (safe to run twice)."""
        if current_app.config.get("ENV_NAME") == "production":
            raise click.ClickException("Demo data is refused in production.")
        lines = load_foundation()
        for loader in loaders:
            for line in loader(responses=responses) or ():
                click.echo(line)
        click.echo("Demo users (role, e-mail, password):")
        for line in lines:
            click.echo(line)
