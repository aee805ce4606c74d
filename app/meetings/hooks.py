"""What meetings contribute to digests, member exports, search and the overview pages."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from app.extensions import db
from app.meetings import services
from app.meetings.models import ActionItem, Meeting, MeetingNote
from app.networks.models import Network
from app.networks.registry import ContentHooks, DigestItem


def meeting_time(value: datetime) -> str:
    from flask_babel import format_datetime

    return format_datetime(value, "EEEE d MMMM y, HH:mm")


def _digest(network: Network, since: datetime, until: datetime) -> list[DigestItem]:
    items = []
    meetings = db.session.scalars(
        select(Meeting).where(
            Meeting.network_id == network.id, Meeting.created_at > since, Meeting.created_at <= until
        )
    )
    for meeting in meetings:
        items.append(
            DigestItem(
                _("Nieuwe bijeenkomst"),
                f"{meeting.title} ({meeting_time(meeting.starts_at)})",
                services.meeting_url(network.id, meeting.id),
                meeting.created_at,
            )
        )
    notes = db.session.scalars(
        select(MeetingNote).where(
            MeetingNote.network_id == network.id,
            MeetingNote.created_at > since,
            MeetingNote.created_at <= until,
        )
    )
    for note in notes:
        items.append(
            DigestItem(
                _("Nieuw verslag"),
                note.meeting.title,
                services.meeting_url(network.id, note.meeting_id),
                note.created_at,
            )
        )
    return items


def _export(user) -> list[dict]:
    records = []
    names = dict(db.session.execute(select(Network.id, Network.name)).all())
    for meeting in db.session.scalars(select(Meeting).where(Meeting.created_by_id == user.id)):
        records.append(
            {
                "type": str(_("Bijeenkomst")),
                "network": names.get(meeting.network_id, ""),
                "title": meeting.title,
                "created_at": meeting.created_at.isoformat(),
                "starts_at": meeting.starts_at.isoformat(),
                "location": meeting.location,
                "video_url": meeting.video_url,
                "text": meeting.agenda,
            }
        )
    for note in db.session.scalars(select(MeetingNote).where(MeetingNote.author_id == user.id)):
        records.append(
            {
                "type": str(_("Verslag")),
                "network": names.get(note.network_id, ""),
                "title": note.meeting.title,
                "created_at": note.created_at.isoformat(),
                "text": f"{note.discussed}\n\n{note.decisions}".strip(),
                "discussed": note.discussed,
                "decisions": note.decisions,
            }
        )
    actions = db.session.scalars(
        select(ActionItem).where(or_(ActionItem.created_by_id == user.id, ActionItem.owner_id == user.id))
    )
    for action in actions:
        records.append(
            {
                "type": str(_("Actie")),
                "network": names.get(action.network_id, ""),
                "title": action.description,
                "created_at": action.created_at.isoformat(),
                "due_on": action.due_on.isoformat(),
                "done_at": action.done_at.isoformat() if action.done_at else None,
                "text": action.description,
            }
        )
    return records


def _summary(access):
    upcoming, _past = services.list_meetings(access.network)
    return {
        "title": _("Volgende bijeenkomsten"),
        "items": [
            {
                "label": m.title,
                "url": services.meeting_url(access.network.id, m.id),
                "meta": meeting_time(m.starts_at),
            }
            for m in upcoming[:3]
        ],
        "empty": _("Er is nog geen bijeenkomst gepland."),
        "more": (_("Alle bijeenkomsten"), url_for("meetings.list_meetings", network_id=access.network.id)),
    }


def actions_section(user):
    """Overview: the user's open action items until they are done."""
    actions = services.open_actions(user)
    if not actions:
        return None
    return {
        "title": _("Mijn acties"),
        "items": [
            {
                "label": a.description,
                "url": url_for("meetings.view_action", network_id=a.network_id, action_id=a.id),
                "meta": _("tegen %(date)s", date=format_date(a.due_on, "d MMMM y"))
                + (" · " + _("te laat") if a.is_overdue else ""),
            }
            for a in actions
        ],
    }


def meetings_section(user):
    """Overview: the next meetings in the user's networks."""
    meetings = services.upcoming_for(user)
    if not meetings:
        return None
    return {
        "title": _("Volgende bijeenkomsten"),
        "items": [
            {
                "label": m.title,
                "url": services.meeting_url(m.network_id, m.id),
                "meta": meeting_time(m.starts_at),
            }
            for m in meetings
        ],
    }


HOOKS = ContentHooks(
    name="meetings",
    tab=(_l("Bijeenkomsten"), "meetings.list_meetings"),
    order=10,
    summary=_summary,
    digest=_digest,
    export=_export,
    anonymise=services.anonymise,
    search_kinds={
        "meeting": (_l("Bijeenkomst"), services.meeting_url),
        "note": (
            _l("Verslag"),
            lambda network_id, note_id: url_for("meetings.view_note", network_id=network_id, note_id=note_id),
        ),
    },
)
