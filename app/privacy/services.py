"""What is deleted, and when.

After a survey has been closed for RETENTION_DAYS (closed by hand, or past its closing date):
its invitations lose their e-mail address and link token (the links stop working; the finished
flags stay for the response rate) and its unsubmitted drafts are deleted. Drafts of any survey
untouched for RETENTION_DAYS are deleted, and so are the recipient addresses of mails that were
sent (or given up) more than RETENTION_DAYS ago.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from app.core.mail import OutgoingMail
from app.core.models import utcnow
from app.extensions import db
from app.invitations.models import Invitation
from app.surveys.models import Draft, Survey

log = logging.getLogger(__name__)


def closed_survey_ids(cutoff) -> list[int]:
    """Surveys closed (by hand or by date) before `cutoff`."""
    return list(
        db.session.scalars(
            select(Survey.id).where(
                or_(
                    and_(Survey.status == "closed", Survey.updated_at < cutoff),
                    and_(Survey.closes_at.is_not(None), Survey.closes_at < cutoff),
                )
            )
        )
    )


def purge(days: int | None = None) -> dict[str, int]:
    """Apply the retention rules; flushes, the caller commits. Returns counts per kind."""
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    cutoff = utcnow() - timedelta(days=days)
    surveys = closed_survey_ids(cutoff)
    counts = {"surveys": len(surveys), "invitations": 0, "drafts": 0, "mail_addresses": 0}
    if surveys:
        counts["invitations"] = (
            db.session.execute(
                update(Invitation)
                .where(
                    Invitation.survey_id.in_(surveys),
                    or_(Invitation.email.is_not(None), Invitation.token_hash.is_not(None)),
                )
                .values(email=None, token_hash=None, token_salt=None)
            ).rowcount
            or 0
        )
        counts["drafts"] = db.session.execute(delete(Draft).where(Draft.survey_id.in_(surveys))).rowcount or 0
    # Drafts nobody touched for the whole retention period go too, whatever the survey's state.
    counts["drafts"] += db.session.execute(delete(Draft).where(Draft.updated_at < cutoff)).rowcount or 0
    counts["mail_addresses"] = (
        db.session.execute(
            update(OutgoingMail)
            .where(
                OutgoingMail.recipient.is_not(None),
                or_(OutgoingMail.sent_at < cutoff, OutgoingMail.failed_at < cutoff),
            )
            .values(recipient=None)
        ).rowcount
        or 0
    )
    log.info("retention purge: %s", counts)
    return counts
