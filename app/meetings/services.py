"""Meeting operations. They flush, never commit."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask import abort, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.accounts.models import User
from app.core.database import immediate_transactions
from app.core.errors import DomainError
from app.core.mail import queue_mail
from app.core.models import utcnow
from app.extensions import db
from app.meetings.models import ActionItem, Meeting, MeetingNote, meeting_attendees
from app.networks.access import NetworkAccess, member_network_ids
from app.networks.digest import job_context
from app.networks.models import Membership, Network
from app.networks.search import index_document

log = logging.getLogger(__name__)

REMINDER_HOURS = 48


# --- loaders: the network's access rule first, then the object must belong to that network ---


def get_meeting_or_404(access: NetworkAccess, meeting_id: int) -> Meeting:
    access.require_member()
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.network_id != access.network.id:
        abort(404)
    return meeting


def get_note_or_404(access: NetworkAccess, note_id: int) -> MeetingNote:
    access.require_member()
    note = db.session.get(MeetingNote, note_id)
    if note is None or note.network_id != access.network.id:
        abort(404)
    return note


def get_action_or_404(access: NetworkAccess, action_id: int) -> ActionItem:
    access.require_member()
    action = db.session.get(ActionItem, action_id)
    if action is None or action.network_id != access.network.id:
        abort(404)
    return action


# --- meetings ---


def _check_video_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise DomainError(_("Een videolink begint met https://."))
    return url


def _index_meeting(meeting: Meeting) -> None:
    index_document(meeting.network_id, "meeting", meeting.id, meeting.title, meeting.agenda or "")


def plan_meeting(
    network: Network,
    by: User,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    location: str,
    video_url: str,
    agenda: str,
) -> Meeting:
    """A planned meeting; members get a reminder before it starts."""
    if not (location or "").strip() and not (video_url or "").strip():
        raise DomainError(_("Geef een plaats of een videolink."))
    meeting = Meeting(
        network_id=network.id,
        title=title.strip(),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=(location or "").strip(),
        video_url=_check_video_url(video_url),
        agenda=agenda or "",
        created_by_id=by.id,
    )
    db.session.add(meeting)
    db.session.flush()
    _index_meeting(meeting)
    return meeting


def update_meeting(meeting: Meeting, title, starts_at, duration_minutes, location, video_url, agenda) -> None:
    """Change a meeting; a new start time gets a new reminder."""
    if not (location or "").strip() and not (video_url or "").strip():
        raise DomainError(_("Geef een plaats of een videolink."))
    if starts_at != meeting.starts_at:
        meeting.reminder_sent_at = None
    meeting.title, meeting.starts_at, meeting.duration_minutes = title.strip(), starts_at, duration_minutes
    meeting.location, meeting.video_url = (location or "").strip(), _check_video_url(video_url)
    meeting.agenda = agenda or ""
    db.session.flush()
    _index_meeting(meeting)


def list_meetings(network: Network) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming soonest first, past latest first)."""
    now = utcnow()
    upcoming = db.session.scalars(
        select(Meeting)
        .where(Meeting.network_id == network.id, Meeting.starts_at >= now)
        .order_by(Meeting.starts_at)
    )
    past = db.session.scalars(
        select(Meeting)
        .where(Meeting.network_id == network.id, Meeting.starts_at < now)
        .order_by(Meeting.starts_at.desc())
    )
    return list(upcoming), list(past)


# --- notes and actions ---


def _active_members(network_id: int, user_ids) -> list[User]:
    ids = {int(i) for i in user_ids}
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.network_id == network_id, Membership.slot.is_not(None), User.id.in_(ids))
        )
    )


def save_notes(meeting: Meeting, by: User, attendee_ids, discussed: str, decisions: str) -> MeetingNote:
    """Write or update the meeting's notes; attendees come from the member list."""
    attendees = _active_members(meeting.network_id, attendee_ids)
    if len(attendees) != len(set(attendee_ids)):
        raise DomainError(_("Kies aanwezigen uit de ledenlijst."))
    note = meeting.note
    if note is None:
        note = MeetingNote(meeting=meeting, network_id=meeting.network_id, author_id=by.id)
        db.session.add(note)
    note.attendees = attendees
    note.discussed, note.decisions = discussed or "", decisions or ""
    db.session.flush()
    index_document(meeting.network_id, "note", note.id, meeting.title, f"{note.discussed}\n{note.decisions}")
    return note


def add_action(meeting: Meeting, by: User, description: str, owner_id: int, due_on: date) -> ActionItem:
    """An action item with an owner (a member) and a due date."""
    owners = _active_members(meeting.network_id, [owner_id])
    if not owners:
        raise DomainError(_("Kies wie de actie uitvoert uit de ledenlijst."))
    action = ActionItem(
        network_id=meeting.network_id,
        meeting_id=meeting.id,
        description=description.strip(),
        owner_id=owners[0].id,
        due_on=due_on,
        created_by_id=by.id,
    )
    db.session.add(action)
    db.session.flush()
    return action


def complete_action(action: ActionItem, by: User, may_moderate: bool) -> None:
    action.complete(by, may_moderate)


def open_actions(user: User) -> list[ActionItem]:
    """The user's open actions in networks they still belong to, soonest due first."""
    networks = member_network_ids(user)
    if not networks:
        return []
    stmt = (
        select(ActionItem)
        .where(
            ActionItem.owner_id == user.id, ActionItem.done_at.is_(None), ActionItem.network_id.in_(networks)
        )
        .order_by(ActionItem.due_on, ActionItem.id)
    )
    return list(db.session.scalars(stmt))


def upcoming_for(user: User, limit: int = 5) -> list[Meeting]:
    networks = member_network_ids(user)
    if not networks:
        return []
    stmt = (
        select(Meeting)
        .where(Meeting.network_id.in_(networks), Meeting.starts_at >= utcnow())
        .order_by(Meeting.starts_at)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


# --- reminders ---


def send_reminders(now: datetime | None = None, hours: int = REMINDER_HOURS) -> int:
    """Queue one reminder per member for meetings starting within `hours`; returns meetings handled.

    Each meeting is claimed with a conditional UPDATE in the transaction that queues its mails,
    so a second run (or a second runner) never reminds twice.
    """
    with job_context():
        return _send_reminders(now or utcnow(), hours)


def _send_reminders(now: datetime, hours: int) -> int:
    ids = list(
        db.session.scalars(
            select(Meeting.id).where(
                Meeting.reminder_sent_at.is_(None),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + timedelta(hours=hours),
            )
        )
    )
    db.session.commit()
    handled = 0
    for meeting_id in ids:
        with immediate_transactions():
            claimed = db.session.execute(
                update(Meeting)
                .where(Meeting.id == meeting_id, Meeting.reminder_sent_at.is_(None))
                .values(reminder_sent_at=now)
            )
            if claimed.rowcount != 1:
                db.session.rollback()
                continue
            meeting = db.session.get(Meeting, meeting_id)
            _queue_reminders(meeting)
            db.session.commit()
            handled += 1
    log.info("meeting reminders: %s meetings", handled)
    return handled


def _queue_reminders(meeting: Meeting) -> None:
    network = db.session.get(Network, meeting.network_id)
    members = db.session.scalars(
        select(Membership).where(Membership.network_id == network.id, Membership.slot.is_not(None))
    )
    for membership in members:
        user = membership.user
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            queue_mail(
                user.email,
                _("Herinnering: %(title)s", title=meeting.title),
                "mail/meeting_reminder",
                "meeting_reminder",
                user=user,
                network=network,
                meeting=meeting,
            )


# --- hooks for the networks package ---


def anonymise(user: User, network: Network) -> int:
    """Detach `user` from notes, actions and attendance in `network`."""
    changed = 0
    for model, column in ((MeetingNote, MeetingNote.author_id), (Meeting, Meeting.created_by_id)):
        result = db.session.execute(
            update(model).where(model.network_id == network.id, column == user.id).values({column.key: None})
        )
        changed += result.rowcount or 0
    for column in (ActionItem.owner_id, ActionItem.created_by_id):
        result = db.session.execute(
            update(ActionItem)
            .where(ActionItem.network_id == network.id, column == user.id)
            .values({column.key: None})
        )
        changed += result.rowcount or 0
    note_ids = select(MeetingNote.id).where(MeetingNote.network_id == network.id)
    db.session.execute(
        delete(meeting_attendees).where(
            meeting_attendees.c.user_id == user.id, meeting_attendees.c.note_id.in_(note_ids)
        )
    )
    db.session.expire_all()
    return changed


def meeting_url(network_id: int, meeting_id: int) -> str:
    return url_for("meetings.view_meeting", network_id=network_id, meeting_id=meeting_id)
