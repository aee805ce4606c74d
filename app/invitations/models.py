"""Personal invitations of organisations to a survey.

The link token is `HMAC(SECRET_KEY, "invitation:<id>:<salt>")`: the database stores only the
salt and a SHA-256 hash of the token (for lookup), yet reminders can rebuild the same link, so
colleagues who share it keep working on one draft. In anonymous mode the invitation records only
that (and on which day) it was finished, never which response.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import BigInteger, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db
from app.organisations.models import Organisation
from app.surveys.models import Survey


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(db.Model):
    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("survey_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # Both purged by retention after the survey closes (the link then stops working).
    token_salt: Mapped[str | None] = mapped_column(String(32))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mails.id", ondelete="SET NULL"))
    last_reminder_at: Mapped[datetime | None]
    reminder_count: Mapped[int] = mapped_column(default=0)
    started_on: Mapped[date | None] = mapped_column(Date)
    finished_on: Mapped[date | None] = mapped_column(Date)
    opted_out_at: Mapped[datetime | None]
    # Non-anonymous modes only; unique: one response per invitation.
    response_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )

    survey: Mapped[Survey] = relationship()
    organisation: Mapped[Organisation] = relationship()

    def issue_token(self) -> str:
        """Give this invitation a new secret link token (stored only as salt + hash)."""
        if self.id is None:
            db.session.flush()
        self.token_salt = secrets.token_hex(16)
        token = self.token
        self.token_hash = token_hash(token)
        return token

    @property
    def token(self) -> str:
        """The link token, rebuilt from the secret key and the stored salt."""
        if not self.token_salt:
            raise ValueError("this invitation's link was purged")
        secret = current_app.config["SECRET_KEY"].encode()
        digest = hmac.new(secret, f"invitation:{self.id}:{self.token_salt}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")

    @property
    def is_finished(self) -> bool:
        return self.finished_on is not None

    @property
    def draft_key(self) -> str:
        """What the respondent flow hashes to find this invitation's shared draft."""
        return invitation_draft_key(self.id)


def invitation_draft_key(invitation_id: int) -> str:
    return f"invitation-{invitation_id}"
