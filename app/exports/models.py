"""Personal API tokens of researchers: only a hash is stored; the token is shown once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db

TOKEN_PREFIX = "wwz_"  # noqa: S105 - a visible prefix, not a secret


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so the owner can tell tokens apart; not enough to guess the rest.
    hint: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user = relationship("User")

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """A new token row and the clear token (shown once, never stored)."""
        clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls(user_id=user.id, name=name, token_hash=hash_api_token(clear), hint=clear[:10])
        db.session.add(token)
        return token, clear

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = utcnow()
