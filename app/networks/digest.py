"""E-mail digests of what is new in a network: titles and links only, never content.

`send_digests()` is idempotent: each (member, period) is recorded once in `network_digest_sends`
under a unique key before its mail is queued in the same transaction, so running the command
twice, or two runners at once, never sends a period twice.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.clock import site_zone
from app.core.database import immediate_transactions
from app.core.mail import queue_mail
from app.core.models import utcnow
from app.extensions import db
from app.networks.models import DigestSend, Membership
from app.networks.registry import DigestItem, content_hooks

log = logging.getLogger(__name__)


def job_context():
    """Jobs run from the CLI build links with url_for: give them a request context when needed."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/")


def period_key(frequency: str, now: datetime) -> str:
    """The period `now` falls in, in the site's time zone: a day or an ISO week."""
    local = now.astimezone(site_zone())
    if frequency == "daily":
        return "d" + local.date().isoformat()
    year, week, _day = local.isocalendar()
    return f"w{year}-{week:02d}"


def digest_items(membership: Membership, since: datetime, until: datetime) -> list[DigestItem]:
    items: list[DigestItem] = []
    for hooks in content_hooks():
        if hooks.digest:
            items.extend(hooks.digest(membership.network, since, until))
    return sorted(items, key=lambda item: item.at)


def _covered_until(membership: Membership) -> datetime:
    last = db.session.scalar(
        select(func.max(DigestSend.covered_until)).where(DigestSend.membership_id == membership.id)
    )
    return max(last, membership.joined_at) if last else membership.joined_at


def send_digest(membership: Membership, now: datetime) -> int | None:
    """Handle one member's current period; returns the number of items mailed (None: done before)."""
    period = period_key(membership.digest_frequency, now)
    exists = db.session.scalar(
        select(DigestSend.id).where(DigestSend.membership_id == membership.id, DigestSend.period == period)
    )
    if exists:
        return None
    user, network = membership.user, membership.network
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        items = digest_items(membership, _covered_until(membership), now)
        db.session.add(
            DigestSend(membership_id=membership.id, period=period, covered_until=now, item_count=len(items))
        )
        db.session.flush()  # the unique (membership, period) refuses a second runner here
        if items:
            queue_mail(
                user.email,
                _("Nieuw in %(network)s", network=network.name),
                "mail/network_digest",
                "network_digest",
                user=user,
                network=network,
                items=items,
            )
    return len(items)


def send_digests(now: datetime | None = None) -> dict[str, int]:
    """Queue the due digests of every member; commits per member. Returns counts."""
    with job_context():
        return _send_digests(now or utcnow())


def _send_digests(now: datetime) -> dict[str, int]:
    counts = {"mailed": 0, "nothing_new": 0, "already_done": 0}
    ids = list(
        db.session.scalars(
            select(Membership.id)
            .where(Membership.slot.is_not(None), Membership.digest_frequency != "off")
            .order_by(Membership.id)
        )
    )
    db.session.commit()
    for membership_id in ids:
        with immediate_transactions():
            try:
                membership = db.session.get(Membership, membership_id)
                if membership is None or not membership.is_active:
                    db.session.rollback()
                    continue
                result = send_digest(membership, now)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                result = None
        if result is None:
            counts["already_done"] += 1
        elif result:
            counts["mailed"] += 1
        else:
            counts["nothing_new"] += 1
    log.info("digests: %s", counts)
    return counts
