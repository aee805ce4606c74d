"""Response rates from the invitation flags, one GROUP BY per breakdown.

The counts need no link between an invitation and its response, so anonymous surveys work the
same: `finished_on` is only a flag (and a day).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from app.core.mail import OutgoingMail
from app.extensions import db
from app.invitations.models import Invitation
from app.organisations.models import REGIONS, SERVICE_TYPES, Organisation

MEASURES = ("invited", "started", "finished", "opted_out", "undeliverable")


@dataclass(frozen=True)
class RateRow:
    key: str | None  # a service type or region code; None for the total
    label: str
    invited: int = 0
    started: int = 0
    finished: int = 0
    opted_out: int = 0
    undeliverable: int = 0

    @property
    def finished_percent(self) -> float:
        return round(100 * self.finished / self.invited, 1) if self.invited else 0.0

    @property
    def started_percent(self) -> float:
        return round(100 * self.started / self.invited, 1) if self.invited else 0.0


def _flag(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _counts(survey_id: int, group=None):
    columns = [
        func.count(Invitation.id),
        # Finishing without a recorded start (a one-page survey) still counts as started.
        _flag(or_(Invitation.started_on.is_not(None), Invitation.finished_on.is_not(None))),
        _flag(Invitation.finished_on.is_not(None)),
        _flag(Invitation.opted_out_at.is_not(None)),
        _flag(OutgoingMail.failed_at.is_not(None)),
    ]
    stmt = (
        select(*([group] if group is not None else []), *columns)
        .select_from(Invitation)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .outerjoin(OutgoingMail, OutgoingMail.id == Invitation.mail_id)
        .where(Invitation.survey_id == survey_id)
    )
    if group is not None:
        stmt = stmt.group_by(group)
    return db.session.execute(stmt).all()


def overall(survey_id: int, label: str = "") -> RateRow:
    row = _counts(survey_id)[0]
    return RateRow(None, label, *(int(v) for v in row))


def _breakdown(survey_id: int, column, labels: dict) -> list[RateRow]:
    found = {row[0]: row[1:] for row in _counts(survey_id, column)}
    rows = [
        RateRow(code, str(label), *(int(v) for v in found[code]))
        for code, label in labels.items()
        if code in found
    ]
    # Codes no longer in the list (renamed in the register) still count.
    rows += [
        RateRow(code, code, *(int(v) for v in values)) for code, values in found.items() if code not in labels
    ]
    return rows


def by_service_type(survey_id: int) -> list[RateRow]:
    """One row per type of service that has invitations, in the register's order."""
    return _breakdown(survey_id, Organisation.service_type, SERVICE_TYPES)


def by_region(survey_id: int) -> list[RateRow]:
    return _breakdown(survey_id, Organisation.region, REGIONS)


def invitation_list(survey_id: int):
    """Invitations of a survey with organisation and last mail, by organisation name."""
    return db.session.execute(
        select(Invitation, Organisation, OutgoingMail)
        .join(Organisation, Organisation.id == Invitation.organisation_id)
        .outerjoin(OutgoingMail, OutgoingMail.id == Invitation.mail_id)
        .where(Invitation.survey_id == survey_id)
        .order_by(Organisation.name_key)
    ).all()


def status_of(invitation: Invitation, mail: OutgoingMail | None) -> str:
    """One word for the list: finished, started, opted_out, undeliverable, sent or queued."""
    if invitation.finished_on:
        return "finished"
    if invitation.started_on:
        return "started"
    if invitation.opted_out_at:
        return "opted_out"
    if mail is not None and mail.failed_at:
        return "undeliverable"
    if mail is not None and mail.sent_at:
        return "sent"
    return "queued"
