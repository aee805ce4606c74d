"""A member's own data: memberships, consents and everything they wrote, as JSON or HTML."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from app.accounts.models import User
from app.core.models import utcnow
from app.extensions import db
from app.networks.models import ConsentRecord, Membership, Network
from app.networks.registry import content_hooks


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def member_export(user: User) -> dict:
    """Everything `user` wrote in any network, plus their memberships and consents.

    Contributions they chose to anonymise are no longer theirs and are not included.
    """
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
    )
    consents = db.session.execute(
        select(ConsentRecord, Network.name)
        .join(Network, Network.id == ConsentRecord.network_id)
        .where(ConsentRecord.user_id == user.id)
        .order_by(ConsentRecord.accepted_at)
    ).all()
    contributions = []
    for hooks in content_hooks():
        if hooks.export:
            contributions.extend(hooks.export(user))
    contributions.sort(key=lambda item: (item.get("network", ""), item.get("created_at") or ""))
    return {
        "exported_at": _iso(utcnow()),
        "user": {"name": user.name, "email": user.email},
        "memberships": [
            {
                "network": m.network.name,
                "role": m.role,
                "joined_at": _iso(m.joined_at),
                "left_at": _iso(m.left_at),
                "digest_frequency": m.digest_frequency,
            }
            for m in memberships
        ],
        "consents": [
            {"network": name, "version": c.version, "accepted_at": _iso(c.accepted_at), "text": c.text}
            for c, name in consents
        ],
        "contributions": contributions,
    }


def member_export_html(user: User) -> str:
    """The same data as a standalone HTML page (no scripts, no outside resources)."""
    return render_template("networks/export.html", data=member_export(user))
