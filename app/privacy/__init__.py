"""Retention: `flask --app wsgi privacy purge` (also a daily job)."""

from flask import Flask


def init_app(app: Flask) -> None:
    import click

    from app.core.jobs import register_job
    from app.extensions import db
    from app.privacy.services import purge

    @app.cli.group("privacy")
    def privacy() -> None:
        """Privacy and retention."""

    @privacy.command("purge")
    @click.option("--days", type=int, default=None, help="Override RETENTION_DAYS.")
    def purge_command(days: int | None) -> None:
        """Delete e-mail addresses, invitation tokens and unsubmitted drafts of closed surveys."""
        counts = purge(days)
        db.session.commit()
        for name, count in counts.items():
            click.echo(f"{name}: {count}")

    def _job():
        counts = purge()
        db.session.commit()
        return counts

    register_job(app, "privacy-purge", _job, every=24 * 3600)
