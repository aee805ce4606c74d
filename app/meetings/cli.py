"""`flask --app wsgi networks send-reminders` (added to the networks command group)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("send-reminders")
@click.option("--hours", type=int, default=48, help="Remind of meetings starting within this many hours.")
@with_appcontext
def send_reminders_command(hours: int) -> None:
    """Queue reminders for meetings that start soon (safe to run from cron, never reminds twice)."""
    from app.meetings.services import send_reminders

    click.echo(f"reminded members of {send_reminders(hours=hours)} meetings")
