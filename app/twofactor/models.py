"""A user's authenticator (TOTP) secret and their one-time recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.extensions import db


class TotpCredential(db.Model):
    """A confirmed authenticator app: one per user.

    A row exists only once the user proved with a first code that their app works; the secret of
    a set-up in progress lives (encrypted) in that user's session. `secret_encrypted` is a Fernet
    token, never the clear secret. `last_used_step` is the TOTP time-step of the last accepted
    code: a code for that step or an earlier one is refused, so a code works once.
    """

    __tablename__ = "totp_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_step: Mapped[int | None]
    last_used_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<TotpCredential of user {self.user_id}>"


class RecoveryCode(db.Model):
    """One of the ten codes for when the phone is gone; only its hash is stored, it works once."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Looked up by the unique (user_id, code_hash) index; no index of its own.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]

    @property
    def is_usable(self) -> bool:
        return self.used_at is None
