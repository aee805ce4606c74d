"""The mail module every feature uses.

Features call `queue_mail()` inside the transaction of the change that causes the mail, so the
message exists if and only if the change was committed. `flask --app wsgi mail send` (or the job
runner) delivers the queue. Each row is claimed with a conditional UPDATE before it is sent, so two
runners at once never send the same message twice. On PostgreSQL a runner first reserves a batch
with FOR UPDATE SKIP LOCKED, so runners on several servers work on different rows instead of
racing for the same ones.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_request_context, render_template
from jinja2 import TemplateNotFound
from sqlalchemy import String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import immediate_transactions
from app.core.models import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

CLAIM_SECONDS = 300
BATCH_SIZE = 50


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str | None] = mapped_column(String(320))  # purged after sending by retention
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        if self.failed_at:
            return "failed"
        return "queued"


def _request_context():
    """Templates build links with url_for; outside a request (CLI, jobs) fake one."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/")


def queue_mail(
    recipient: str,
    subject: str,
    template: str,
    category: str,
    **context,
) -> OutgoingMail:
    """Queue one message in the current transaction (flushes, never commits).

    `template` names a text template (`<name>.txt`); an `<name>.html` beside it is used for the
    HTML part when it exists. The templates render in the current locale.
    """
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    context.setdefault("site_name", current_app.config["SITE_NAME"])
    context.setdefault("site_operator", current_app.config["SITE_OPERATOR"])
    with _request_context():
        text = render_template(f"{template}.txt", **context)
        try:
            html = render_template(f"{template}.html", **context)
        except TemplateNotFound:
            html = None
    mail = OutgoingMail(
        recipient=recipient, subject=subject, body_text=text, body_html=html, category=category
    )
    db.session.add(mail)
    db.session.flush()
    log.info("mail %s queued (%s)", mail.id, category)
    return mail


def _build_message(mail: OutgoingMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = mail.recipient
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="wwwelzijn.invalid")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    return msg


class _Transport:
    """Opens the configured transport once per batch."""

    def __init__(self, app):
        self.app = app
        self.kind = app.config["MAIL_TRANSPORT"]
        self.smtp: smtplib.SMTP | None = None

    def send(self, mail_id: int, msg: EmailMessage) -> None:
        cfg = self.app.config
        if self.kind == "smtp":
            if self.smtp is None:
                cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
                self.smtp = cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
                if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                    self.smtp.starttls()
                if cfg["MAIL_USERNAME"]:
                    self.smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            self.smtp.send_message(msg)
        elif self.kind == "file":
            folder = cfg.get("MAIL_FILE_DIR") or os.path.join(self.app.instance_path, "mail")
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, f"{mail_id:08d}.eml")
            with open(path, "wb") as fh:
                fh.write(msg.as_bytes())
            log.info("mail %s written to %s: %s", mail_id, path, msg["Subject"])
        elif self.kind == "memory":
            self.app.extensions.setdefault("mail_outbox", []).append(msg)
        else:
            raise RuntimeError(f"unknown MAIL_TRANSPORT {self.kind!r}")

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None


def _claim(mail_id: int, token: str) -> EmailMessage | None:
    """Claim one queued message for this runner and build it; None when another runner has it.

    Claiming and reading share one short transaction, and none stays open while the message is
    sent: on SQLite an open transaction would hold (or later fail to take) the write lock.
    """
    now = utcnow()
    result = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.failed_at.is_(None),
            or_(
                OutgoingMail.claimed_until.is_(None),
                OutgoingMail.claimed_until < now,
                OutgoingMail.claim_token == token,  # reserved by this runner (PostgreSQL batch)
            ),
        )
        .values(claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return None
    msg = _build_message(db.session.get(OutgoingMail, mail_id))
    db.session.commit()
    return msg


def _record(mail_id: int, error: Exception | None, max_attempts: int) -> str:
    """Store the outcome of one attempt; returns "sent", "retry" or "gave_up"."""
    mail = db.session.get(OutgoingMail, mail_id)
    mail.attempts += 1
    if error is None:
        mail.sent_at = utcnow()
        mail.claimed_until = None
        outcome = "sent"
    else:
        mail.last_error = f"{type(error).__name__}: {error}"[:500]
        mail.claimed_until = utcnow() + timedelta(seconds=60 * mail.attempts)
        permanent = isinstance(error, smtplib.SMTPRecipientsRefused)
        if permanent or mail.attempts >= max_attempts:
            mail.failed_at = utcnow()
            outcome = "gave_up"
        else:
            outcome = "retry"
        log.warning("mail %s not delivered: %s", mail.id, type(error).__name__)
    db.session.commit()
    return outcome


def _next_batch(token: str, size: int) -> list[int]:
    """Ids of the next queued messages. PostgreSQL reserves them for this runner at once
    (FOR UPDATE SKIP LOCKED: concurrent runners take different rows without waiting); SQLite
    lists them and each is claimed one by one (one writer at a time anyway)."""
    now = utcnow()
    due = (
        select(OutgoingMail.id)
        .where(
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.failed_at.is_(None),
            or_(OutgoingMail.claimed_until.is_(None), OutgoingMail.claimed_until < now),
        )
        .order_by(OutgoingMail.id)
        .limit(size)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        ids = db.session.scalars(
            update(OutgoingMail)
            .where(OutgoingMail.id.in_(due.with_for_update(skip_locked=True).scalar_subquery()))
            .values(claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
            .returning(OutgoingMail.id)
            .execution_options(synchronize_session=False)
        ).all()
    else:
        ids = db.session.scalars(due).all()
    db.session.commit()
    return sorted(ids)


def deliver_queued(limit: int | None = None) -> dict[str, int]:
    """Send queued mail; returns counts of sent, failed (retry later) and given up.

    Safe to run in several processes or threads at once: each message is claimed first.
    """
    app = current_app._get_current_object()
    max_attempts = app.config["MAIL_MAX_ATTEMPTS"]
    counts = {"sent": 0, "retry": 0, "gave_up": 0}
    transport = _Transport(app)
    token = str(uuid.uuid4())
    # Every transaction here writes: on SQLite take the write lock up front (waiting for it up
    # to busy_timeout) rather than fail with "database is locked" when upgrading a read.
    with immediate_transactions():
        try:
            while limit is None or sum(counts.values()) < limit:
                remaining = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - sum(counts.values()))
                ids = _next_batch(token, remaining)
                if not ids:
                    break
                progressed = False
                for mail_id in ids:
                    if limit is not None and sum(counts.values()) >= limit:
                        break
                    msg = _claim(mail_id, token)
                    if msg is None:
                        continue  # another runner has it
                    progressed = True
                    error = None
                    try:
                        transport.send(mail_id, msg)
                    except (smtplib.SMTPException, OSError) as exc:
                        transport.close()
                        error = exc
                    counts[_record(mail_id, error, max_attempts)] += 1
                if not progressed:
                    break
        finally:
            transport.close()
    return counts
