"""Meetings: notes with attendees from the member list, actions on the owner's overview, reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.mail import OutgoingMail
from app.core.models import utcnow
from app.extensions import db
from app.meetings import services


@pytest.fixture
def network(app, make_network, make_person):
    member = make_person()
    net = make_network(members=[member])
    net.test_member = member
    return net


def _meeting(network, days=3, **kwargs):
    return services.plan_meeting(
        network,
        network.test_facilitator,
        kwargs.get("title", "Maandelijkse bijeenkomst"),
        utcnow() + timedelta(days=days),
        120,
        kwargs.get("location", "Gent"),
        kwargs.get("video_url", ""),
        kwargs.get("agenda", "- Rondvraag"),
    )


def test_a_meeting_needs_a_place_or_a_video_link(network):
    with pytest.raises(DomainError):
        _meeting(network, location="")
    with pytest.raises(DomainError):
        _meeting(network, location="", video_url="javascript:alert(1)")
    assert _meeting(network, location="", video_url="https://meet.example.org/x").video_url


def test_attendees_come_from_the_member_list(network, make_person):
    meeting = _meeting(network)
    with pytest.raises(DomainError):
        services.save_notes(meeting, network.test_member, [make_person().id], "Besproken", "Beslist")
    note = services.save_notes(
        meeting, network.test_member, [network.test_member.id, network.test_facilitator.id], "x", "y"
    )
    assert {u.id for u in note.attendees} == {network.test_member.id, network.test_facilitator.id}


def test_actions_show_on_the_owners_overview_until_done(network):
    meeting = _meeting(network, days=-1)
    member = network.test_member
    action = services.add_action(meeting, network.test_facilitator, "Policy delen", member.id, date.today())
    db.session.commit()
    assert services.open_actions(member) == [action]
    with pytest.raises(DomainError):
        services.add_action(meeting, member, "Iets", 999_999, date.today())
    services.complete_action(action, member, may_moderate=False)
    db.session.commit()
    assert services.open_actions(member) == []
    with pytest.raises(DomainError):
        services.complete_action(action, member, may_moderate=False)


def test_only_owner_creator_or_facilitator_completes_an_action(network, make_person):
    meeting = _meeting(network)
    action = services.add_action(
        meeting, network.test_facilitator, "X", network.test_facilitator.id, date.today()
    )
    with pytest.raises(DomainError):
        services.complete_action(action, network.test_member, may_moderate=False)


def test_reminders_are_sent_once_and_carry_no_agenda(network, app):
    soon = _meeting(network, days=1, agenda="Geheime agenda")
    _meeting(network, days=10, title="Later")
    db.session.commit()
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    mails = db.session.scalars(select(OutgoingMail).where(OutgoingMail.category == "meeting_reminder")).all()
    assert len(mails) == 2  # facilitator and member
    assert all(soon.title in m.body_text and "Geheime agenda" not in m.body_text for m in mails)


def test_a_moved_meeting_is_reminded_again(network):
    meeting = _meeting(network, days=1)
    db.session.commit()
    services.send_reminders()
    services.update_meeting(
        meeting, meeting.title, utcnow() + timedelta(hours=30), 120, "Gent", "", meeting.agenda
    )
    db.session.commit()
    assert services.send_reminders() == 1
