"""Networks without HTTP: membership cap, consent, invitations, leaving, export, audit, digests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.errors import DomainError
from app.core.mail import OutgoingMail
from app.core.models import utcnow
from app.extensions import db
from app.networks import invitations, services
from app.networks.access import active_membership
from app.networks.audit import entries
from app.networks.digest import send_digests
from app.networks.export import member_export, member_export_html
from app.networks.models import ConsentRecord, DigestSend, Membership


def test_thirteenth_member_is_refused(make_network, make_user, make_person):
    network = make_network(members=[make_person() for _ in range(11)])
    assert network.member_count == 12
    with pytest.raises(DomainError, match="volzet"):
        services.add_member(network, make_user())


def test_a_member_who_left_frees_a_slot(make_network, make_user, make_person):
    members = [make_person() for _ in range(11)]
    network = make_network(members=members)
    services.leave(active_membership(network.id, members[0].id), anonymise=False)
    newcomer = make_user()
    membership = services.join(network, newcomer, consent=True)
    db.session.commit()
    assert membership.slot is not None and network.member_count == 12
    # The one who left can come back only when a slot is free again.
    with pytest.raises(DomainError):
        services.join(network, members[0], consent=True)


def test_joining_needs_consent_and_records_the_text(make_network, make_user):
    network = make_network()
    user = make_user()
    with pytest.raises(DomainError):
        services.join(network, user, consent=False)
    membership = services.join(network, user, consent=True)
    db.session.commit()
    record = db.session.scalar(select(ConsentRecord).where(ConsentRecord.user_id == user.id))
    assert record.text == network.consent_text and record.version == 1
    assert membership.has_current_consent


def test_changed_consent_text_must_be_accepted_again(make_network, make_user):
    member = make_user()
    network = make_network(members=[member])
    services.update_network(
        network, network.test_facilitator, network.name, "", "closed", network.consent_text + "\n\nNieuw."
    )
    db.session.commit()
    assert network.consent_version == 2
    assert not active_membership(network.id, member.id).has_current_consent


def test_invitation_creates_an_account_on_accepting(make_network, app):
    network = make_network()
    invitations.invite(network, "nieuw@example.org", "Nora Nieuw", network.test_facilitator)
    db.session.commit()
    mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.category == "network_invitation"))
    token = mail.body_text.split("/netwerken/uitnodiging/")[1].split()[0]
    membership = invitations.accept_with_new_account(token, "Nora Nieuw", "een lang wachtwoord", consent=True)
    db.session.commit()
    assert membership.user.email == "nieuw@example.org" and membership.is_active
    assert invitations.find_invitation(token) is None  # spent
    with pytest.raises(DomainError):
        invitations.accept(token, membership.user, consent=True)


def test_invitation_is_personal(make_network, make_user):
    network = make_network()
    invitations.invite(network, "iemand@example.org", "Iemand", network.test_facilitator)
    db.session.commit()
    mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.category == "network_invitation"))
    token = mail.body_text.split("/netwerken/uitnodiging/")[1].split()[0]
    with pytest.raises(DomainError, match="ander e-mailadres"):
        invitations.accept(token, make_user(), consent=True)


def test_no_invitations_when_full(make_network, make_user, make_person):
    network = make_network(members=[make_person() for _ in range(11)])
    with pytest.raises(DomainError, match="volzet"):
        invitations.invite(network, "x@example.org", "X", network.test_facilitator)


def test_membership_changes_are_audited(make_network, make_user):
    member, other = make_user(), make_user()
    network = make_network(members=[member, other])
    facilitator = network.test_facilitator
    services.remove_member(active_membership(network.id, other.id), facilitator)
    services.leave(active_membership(network.id, member.id), anonymise=True)
    db.session.commit()
    actions = [e.action for e in entries(network)]
    assert "member.removed" in actions and "member.left_anonymised" in actions
    removed = next(e for e in entries(network) if e.action == "member.removed")
    assert removed.actor_id == facilitator.id and removed.subject_user_id == other.id


def test_facilitator_cannot_remove_themselves(make_network):
    network = make_network()
    facilitator = network.test_facilitator
    with pytest.raises(DomainError):
        services.remove_member(active_membership(network.id, facilitator.id), facilitator)


def test_secret_networks_are_not_listed_for_outsiders(make_network, make_user):
    member, outsider, admin = make_user(), make_user(), make_user(role="admin")
    secret = make_network("secret", members=[member], name="Geheim netwerk")
    closed = make_network("closed", name="Gesloten netwerk")
    assert secret not in services.visible_networks(outsider)
    assert services.visible_networks(outsider, "geheim") == []
    assert closed in services.visible_networks(outsider)
    assert secret in services.visible_networks(member, "geheim")
    assert secret in services.visible_networks(admin)


def test_export_contains_memberships_and_consents(make_network, make_user, app):
    member = make_user(name="Mia Export")
    make_network(members=[member], name="Exportnetwerk")
    data = member_export(member)
    assert data["user"]["name"] == "Mia Export"
    assert data["memberships"][0]["network"] == "Exportnetwerk"
    assert data["consents"][0]["text"]
    with app.test_request_context("/"):
        html = member_export_html(member)
    assert "Mia Export" in html and "<script" not in html


def test_digest_is_sent_once_per_period(make_network, make_user, app):
    from app.threads.services import start_thread

    member = make_user()
    network = make_network(members=[member])
    membership = active_membership(network.id, member.id)
    membership.digest_frequency = "daily"
    membership.joined_at = utcnow() - timedelta(days=2)
    with app.test_request_context("/"):
        start_thread(network, network.test_facilitator, "Een titel", "Geheime inhoud van het bericht")
    db.session.commit()
    first = send_digests()
    second = send_digests()
    assert first["mailed"] >= 1 and second["mailed"] == 0
    mails = db.session.scalars(
        select(OutgoingMail).where(
            OutgoingMail.category == "network_digest", OutgoingMail.recipient == member.email
        )
    ).all()
    assert len(mails) == 1
    assert "Een titel" in mails[0].body_text
    assert "Geheime inhoud" not in mails[0].body_text  # titles and links only
    assert (
        db.session.scalar(select(DigestSend).where(DigestSend.membership_id == membership.id)).item_count == 1
    )


def test_digest_off_sends_nothing(make_network, make_user):
    member = make_user()
    network = make_network(members=[member])
    for m in db.session.scalars(select(Membership).where(Membership.network_id == network.id)):
        m.digest_frequency = "off"
    db.session.commit()
    assert send_digests() == {"mailed": 0, "nothing_new": 0, "already_done": 0}
