"""Research exports (CSV, XLSX, SPSS, Stata, R, JSON, codebook) and the read-only JSON API."""

from __future__ import annotations

import time

import click
from flask import Flask


def _research_section(user):
    """Researchers' overview: where the research API tokens are."""
    from flask import url_for
    from flask_babel import gettext as _

    if not (user.is_authenticated and user.is_staff):
        return None
    return {
        "title": _("Onderzoeksdata"),
        "items": [
            {"label": _("Resultaten en exports"), "url": url_for("results.list_results")},
            {"label": _("API-sleutels voor de JSON-API"), "url": url_for("api_tokens.list_tokens")},
        ],
    }


def init_app(app: Flask) -> None:
    from app.exports import models  # noqa: F401 - tables belong to the metadata
    from app.exports.api import bp as api_bp
    from app.exports.tokens import bp as tokens_bp
    from app.exports.views import bp
    from app.main.overview import register_overview_section

    # Wrong or revoked API tokens per client address per window; then 429 for every token.
    app.config.setdefault("API_TOKEN_MAX_FAILURES", 20)
    app.config.setdefault("API_TOKEN_WINDOW_SECONDS", 600)
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
    register_overview_section(app, _research_section)

    @app.cli.command("export")
    @click.argument("survey")
    @click.option(
        "--format",
        "fmt",
        required=True,
        type=click.Choice(["csv", "xlsx", "sav", "dta", "json", "codebook-csv", "codebook-html", "r"]),
    )
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
    @click.option("--bom", is_flag=True, help="CSV: start with a byte-order mark (Excel).")
    @click.option("--semicolon", is_flag=True, help="CSV: separate with ';' (Belgian Excel).")
    def export_command(survey: str, fmt: str, out: str, bom: bool, semicolon: bool) -> None:
        """Export the responses of SURVEY (its slug) to a file."""
        from app.core.errors import DomainError
        from app.exports import services

        try:
            target = services.get_survey(survey)
        except DomainError as error:
            raise click.ClickException(str(error)) from None
        started = time.perf_counter()
        services.export_file(target, fmt, out, bom=bom, semicolon=semicolon)
        click.echo(f"{out} written in {time.perf_counter() - started:.2f} s")
