"""Inviting organisations to a survey, reminding them, opting out. Flush, never commit.

Mail goes through the mail queue in the same transaction as the change it reports. An
invitation's `mail_id` points at the last mail sent for it, so "undeliverable" means: the last
mail we sent could not be delivered.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.core.errors import DomainError
from app.core.mail import queue_mail
from app.core.models import utcnow
from app.extensions import db
from app.invitations.models import Invitation, token_hash
from app.organisations.models import REGIONS, SERVICE_TYPES, Organisation
from app.surveys.models import Survey

log = logging.getLogger(__name__)

MAIL_LOCALE = "nl"  # the register has no language per organisation: the sector works in Dutch
RESPOND_ENDPOINT = "surveys.respond_invitation"


def invitation_url(token: str) -> str:
    """The path of an invitation's personal link, `/u/<token>` (needs a request context).

    The respondent pages live in the surveys feature; until they are registered the literal path
    is used, so mails queued now keep working once they are.
    """
    if RESPOND_ENDPOINT in current_app.view_functions:
        return url_for(RESPOND_ENDPOINT, token=token)
    return f"/u/{token}"


def find_invitation(token: str) -> Invitation | None:
    """The invitation whose link carries `token` (looked up by the token's hash)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def get_survey_or_404(slug: str) -> Survey:
    from flask import abort

    return db.session.scalar(select(Survey).where(Survey.slug == slug)) or abort(404)


# -- choosing organisations -------------------------------------------------------------------


@dataclass
class Selection:
    """Which organisations a filter picks for a survey, split by what inviting would do."""

    to_invite: list[Organisation] = field(default_factory=list)
    already: list[Organisation] = field(default_factory=list)
    no_email: list[Organisation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.to_invite) + len(self.already) + len(self.no_email)


def select_organisations(survey: Survey, service_types=(), regions=()) -> Selection:
    """The organisations of the given types and regions (none given: all), for `survey`."""
    service_types = [s for s in service_types if s in SERVICE_TYPES]
    regions = [r for r in regions if r in REGIONS]
    stmt = select(Organisation).order_by(Organisation.name_key)
    if service_types:
        stmt = stmt.where(Organisation.service_type.in_(service_types))
    if regions:
        stmt = stmt.where(Organisation.region.in_(regions))
    invited = set(
        db.session.scalars(select(Invitation.organisation_id).where(Invitation.survey_id == survey.id))
    )
    selection = Selection()
    for org in db.session.scalars(stmt):
        if org.id in invited:
            selection.already.append(org)
        elif not org.contact_email:
            selection.no_email.append(org)
        else:
            selection.to_invite.append(org)
    return selection


# -- mails ------------------------------------------------------------------------------------


def check_can_mail(survey: Survey) -> None:
    """Invitations and reminders only for a survey that takes answers and has a closing date."""
    if not survey.is_accepting():
        raise DomainError(_("Deze bevraging is niet open: open ze eerst, dan kan je uitnodigen."))
    if survey.closes_at is None:
        raise DomainError(_("Stel eerst een sluitingsdatum in: elke uitnodiging vermeldt ze."))


def _queue(invitation: Invitation, recipient: str, template: str, subject: str) -> None:
    survey = invitation.survey
    definition = survey.definition
    with force_locale(MAIL_LOCALE):
        mail = queue_mail(
            recipient,
            subject,
            template,
            template.rsplit("/", 1)[-1],
            token=invitation.token,
            organisation=invitation.organisation,
            survey=survey,
            title=definition.title.get(MAIL_LOCALE),
            purpose=definition.purpose.get(MAIL_LOCALE),
            organiser=definition.organiser.get(MAIL_LOCALE),
            closes_at=survey.closes_at,
        )
    invitation.mail_id = mail.id


def _subject(kind: str, survey: Survey) -> str:
    with force_locale(MAIL_LOCALE):
        title = survey.definition.title.get(MAIL_LOCALE)
        if kind == "reminder":
            return _("Herinnering: %(title)s", title=title)
        return _("Uitnodiging: %(title)s", title=title)


def invite(survey: Survey, organisations: list[Organisation], invited_by=None) -> list[Invitation]:
    """Invite each organisation once: one invitation and one mail each.

    Organisations already invited (also by someone else at the same moment: the database's
    UNIQUE(survey, organisation) decides) or without an e-mail address are skipped.
    """
    check_can_mail(survey)
    created = []
    for org in organisations:
        if not org.contact_email:
            continue
        invitation = Invitation(
            survey=survey,
            organisation=org,
            email=org.contact_email,
            invited_by_id=getattr(invited_by, "id", None),
        )
        try:
            with db.session.begin_nested():
                db.session.add(invitation)
                db.session.flush()
        except IntegrityError:
            continue  # already invited
        invitation.issue_token()
        _queue(invitation, org.contact_email, "mail/survey_invitation", _subject("invitation", survey))
        created.append(invitation)
    db.session.flush()
    log.info(
        "survey %s: %s invitations by user %s", survey.slug, len(created), getattr(invited_by, "id", None)
    )
    return created


def _due(now: datetime, min_days: int):
    """Unfinished, not opted out, link still valid, and nothing mailed for `min_days` days."""
    cutoff = now - timedelta(days=min_days)
    return and_(
        Invitation.finished_on.is_(None),
        Invitation.opted_out_at.is_(None),
        Invitation.token_salt.is_not(None),
        or_(
            and_(Invitation.last_reminder_at.is_(None), Invitation.created_at <= cutoff),
            Invitation.last_reminder_at <= cutoff,
        ),
    )


def remind(survey: Survey, min_days: int, now: datetime | None = None) -> int:
    """Remind unfinished invitations that got no mail in the last `min_days` days; returns how many.

    Each reminder is claimed with a conditional UPDATE, so a button press and a cron run at the
    same time never mail an organisation twice.
    """
    if min_days < 1:
        raise DomainError(_("Laat minstens één dag tussen twee mails."))
    check_can_mail(survey)
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.survey_id == survey.id, _due(now, min_days))
            .order_by(Invitation.id)
        )
    )
    sent = 0
    for invitation in due:
        claimed = db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, _due(now, min_days))
            .values(last_reminder_at=now, reminder_count=Invitation.reminder_count + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        recipient = invitation.organisation.contact_email or invitation.email
        if not recipient:
            continue
        db.session.refresh(invitation)
        _queue(invitation, recipient, "mail/survey_reminder", _subject("reminder", survey))
        sent += 1
    db.session.flush()
    log.info("survey %s: %s reminders", survey.slug, sent)
    return sent


def opt_out(invitation: Invitation) -> bool:
    """Stop further mails about this survey to this organisation; False if it already had."""
    if invitation.opted_out_at is not None:
        return False
    invitation.opted_out_at = utcnow()
    db.session.flush()
    log.info("invitation %s opted out", invitation.id)
    return True
