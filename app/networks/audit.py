"""The audit log of moderation and membership changes, readable by facilitators and admins."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.networks.models import AuditEntry, Network

log = logging.getLogger(__name__)


def record(
    network: Network,
    actor: User | None,
    action: str,
    *,
    object_kind: str | None = None,
    object_id: int | None = None,
    subject: User | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Write one audit entry in the current transaction (flushes).

    `action` is a code from `models.AUDIT_ACTIONS`; `detail` is a short reason a moderator gave,
    never the content of a post.
    """
    entry = AuditEntry(
        network_id=network.id,
        actor_id=actor.id if actor else None,
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        subject_user_id=subject.id if subject else None,
        detail=(detail or None) and detail[:500],
    )
    db.session.add(entry)
    db.session.flush()
    log.info(
        "network %s: %s by user %s on %s %s",
        network.id,
        action,
        actor.id if actor else "-",
        object_kind or ("user" if subject else "-"),
        object_id or (subject.id if subject else "-"),
    )
    return entry


def entries(network: Network, limit: int = 200) -> list[AuditEntry]:
    """The latest entries of a network, newest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.network_id == network.id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
