"""Scheduled work from one command: `flask --app wsgi jobs run` (cron or a systemd timer).

Features register jobs with `register_job(app, name, func, every=seconds, exclusive=True)`.
An exclusive job runs under a lease: a conditional UPDATE on its `job_leases` row, so two
runners on two servers never run it at the same time (on SQLite and PostgreSQL alike). Jobs that
are safe to run side by side (the mail queue claims each message itself) skip the lease.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import String, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import immediate_transactions
from app.core.models import utcnow
from app.extensions import db

log = logging.getLogger(__name__)


class JobLease(db.Model):
    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(200))


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    every: int  # seconds between runs
    exclusive: bool = True
    lease_seconds: int = 900


def register_job(
    app: Flask, name: str, func: Callable[[], object], every: int, exclusive: bool = True
) -> None:
    app.extensions.setdefault("jobs", {})[name] = Job(name, func, every, exclusive)


def registered_jobs(app: Flask) -> dict[str, Job]:
    return app.extensions.get("jobs", {})


def _ensure_row(name: str) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(JobLease).values(name=name).on_conflict_do_nothing())
    db.session.commit()


def _acquire(job: Job, owner: str, force: bool) -> bool:
    now = utcnow()
    due = or_(
        JobLease.last_finished_at.is_(None),
        JobLease.last_finished_at <= now - timedelta(seconds=job.every),
    )
    conditions = [JobLease.name == job.name]
    if job.exclusive:
        conditions.append(or_(JobLease.lease_until.is_(None), JobLease.lease_until < now))
    if not force:
        conditions.append(due)
    result = db.session.execute(
        update(JobLease)
        .where(*conditions)
        .values(
            owner=owner if job.exclusive else None,
            lease_until=now + timedelta(seconds=job.lease_seconds) if job.exclusive else None,
            last_started_at=now,
        )
    )
    db.session.commit()
    return result.rowcount == 1


def _release(job: Job, owner: str, status: str) -> None:
    conditions = [JobLease.name == job.name]
    if job.exclusive:
        conditions.append(JobLease.owner == owner)
    db.session.execute(
        update(JobLease)
        .where(*conditions)
        .values(lease_until=None, owner=None, last_finished_at=utcnow(), last_status=status[:200])
    )
    db.session.commit()


def run_jobs(names: list[str] | None = None, force: bool = False) -> dict[str, str]:
    """Run every due job (or the named ones); returns job name -> outcome.

    Jobs read and then write. On SQLite a transaction that read first cannot take the write lock
    once another process (a second runner, a web request) has written: it fails at once with
    "database is locked", whatever the busy timeout. So here every transaction starts with
    BEGIN IMMEDIATE and waits for the lock instead (a no-op on PostgreSQL).
    """
    with immediate_transactions():
        return _run_jobs(names, force)


def _run_jobs(names: list[str] | None, force: bool) -> dict[str, str]:
    app = current_app._get_current_object()
    owner = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
    outcomes: dict[str, str] = {}
    # The mail queue runs last, so mails that other jobs queued go out in the same run.
    for name, job in sorted(registered_jobs(app).items(), key=lambda item: item[0] == "mail"):
        if names and name not in names:
            continue
        _ensure_row(name)
        if not _acquire(job, owner, force):
            outcomes[name] = "skipped (not due, or running elsewhere)"
            continue
        started = time.monotonic()
        try:
            result = job.func()
        except Exception as error:
            db.session.rollback()
            log.exception("job %s failed", name)
            status = f"failed: {type(error).__name__}"
        else:
            status = f"ok {result}" if result is not None else "ok"
        _release(job, owner, status)
        outcomes[name] = f"{status} ({time.monotonic() - started:.2f} s)"
    return outcomes


def last_runs() -> list[JobLease]:
    return list(db.session.scalars(select(JobLease).order_by(JobLease.name)))


def init_app(app: Flask) -> None:
    group = AppGroup("jobs", help="Scheduled work (mail, reminders, digests, retention).")

    @group.command("run")
    @click.option("--only", multiple=True, help="Run only these jobs.")
    @click.option("--force", is_flag=True, help="Run even when not due yet.")
    def run(only: tuple[str, ...], force: bool) -> None:
        """Run all due jobs once (safe to start from cron on several servers)."""
        for name, outcome in run_jobs(list(only) or None, force).items():
            click.echo(f"{name}: {outcome}")

    @group.command("list")
    def list_jobs() -> None:
        """Show the registered jobs and when they last ran."""
        runs = {r.name: r for r in last_runs()}
        for name, job in registered_jobs(app).items():
            r = runs.get(name)
            last = r.last_finished_at.isoformat(timespec="seconds") if r and r.last_finished_at else "never"
            click.echo(f"{name:<20} every {job.every:>6} s  last {last}  {r.last_status if r else ''}")

    app.cli.add_command(group)

    from app.core.mail import deliver_queued
    from app.core.ratelimit import purge_expired

    def _purge_counters():
        count = purge_expired()
        db.session.commit()
        return count

    register_job(app, "mail", lambda: deliver_queued(), every=0, exclusive=False)
    register_job(app, "rate-counters", _purge_counters, every=3600)
