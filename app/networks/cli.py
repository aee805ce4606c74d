"""`flask --app wsgi networks ...`: the scheduled jobs of the learning networks."""

from __future__ import annotations

import click
from flask.cli import AppGroup

networks_cli = AppGroup("networks", help="Learning networks: digests and meeting reminders.")


@networks_cli.command("send-digests")
def send_digests_command() -> None:
    """Queue the daily and weekly digests that are due (safe to run from cron, idempotent)."""
    from app.networks.digest import send_digests

    counts = send_digests()
    click.echo(
        f"digests mailed {counts['mailed']}, nothing new {counts['nothing_new']}, "
        f"already done {counts['already_done']}"
    )
