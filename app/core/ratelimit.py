"""Fixed-window counters shared by every worker and server (kept in the database).

Keys are HMACs of scope, identifier and window, so neither client addresses nor e-mail addresses
are stored; expired rows are deleted by `purge_expired()` (run by the job runner).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime

from flask import current_app, request
from sqlalchemy import String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.exceptions import TooManyRequests

from app.core.models import utcnow
from app.extensions import db


class RateCounter(db.Model):
    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(index=True)


def _key(scope: str, identifier: str, window: int) -> tuple[str, datetime]:
    bucket = int(time.time()) // window
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(secret, f"{scope}\0{identifier}\0{bucket}".encode(), hashlib.sha256)
    expires = datetime.fromtimestamp((bucket + 1) * window, UTC)
    return digest.hexdigest(), expires


def client_address() -> str:
    return request.remote_addr or "unknown"


def hit(scope: str, identifier: str, window: int) -> int:
    """Count one event; returns the count in the current window (flushes, never commits)."""
    key, expires = _key(scope, identifier, window)
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(RateCounter).values(key=key, count=1, expires_at=expires)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RateCounter.key], set_={"count": RateCounter.count + 1}
    ).returning(RateCounter.count)
    return int(db.session.execute(stmt).scalar_one())


def current(scope: str, identifier: str, window: int) -> int:
    key, _ = _key(scope, identifier, window)
    return db.session.scalar(select(RateCounter.count).where(RateCounter.key == key)) or 0


def counter_key(scope: str, identifier: str, window: int) -> str:
    """The stored key of the current window's counter, for a statement that reads it along with
    other things (checking a limit without a statement of its own)."""
    return _key(scope, identifier, window)[0]


def reset(scope: str, identifier: str, window: int) -> None:
    key, _ = _key(scope, identifier, window)
    db.session.execute(delete(RateCounter).where(RateCounter.key == key))


def too_many(retry_after: int) -> TooManyRequests:
    error = TooManyRequests()
    error.retry_after = retry_after
    return error


def limit(scope: str, identifier: str, max_hits: int, window: int) -> None:
    """Count a hit and raise 429 when `max_hits` per `window` seconds is exceeded."""
    if hit(scope, identifier, window) > max_hits:
        raise too_many(window)


def purge_expired() -> int:
    result = db.session.execute(delete(RateCounter).where(RateCounter.expires_at < utcnow()))
    return result.rowcount or 0
