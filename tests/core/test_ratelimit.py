"""Database-backed rate limits: shared by every worker, keyed by an HMAC, purged when expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from werkzeug.exceptions import TooManyRequests

from app.core import ratelimit
from app.core.models import utcnow
from app.extensions import db


def test_limit_raises_429_after_max_hits(app):
    for _ in range(3):
        ratelimit.limit("test", "10.0.0.1", 3, 60)
    with pytest.raises(TooManyRequests) as raised:
        ratelimit.limit("test", "10.0.0.1", 3, 60)
    assert raised.value.retry_after == 60
    ratelimit.limit("test", "10.0.0.2", 3, 60)  # another identifier has its own count
    ratelimit.limit("other", "10.0.0.1", 3, 60)  # and another scope


def test_keys_do_not_store_the_identifier(app):
    ratelimit.hit("login-account", "ann@example.org", 60)
    db.session.commit()
    key = db.session.scalar(select(ratelimit.RateCounter.key))
    assert "ann" not in key and len(key) == 64


def test_reset_and_purge(app):
    ratelimit.hit("a", "x", 60)
    ratelimit.hit("b", "y", 60)
    ratelimit.reset("a", "x", 60)
    assert ratelimit.current("a", "x", 60) == 0
    assert ratelimit.current("b", "y", 60) == 1
    db.session.execute(update(ratelimit.RateCounter).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert ratelimit.purge_expired() == 1
    assert ratelimit.current("b", "y", 60) == 0
