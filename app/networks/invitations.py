"""Inviting members by e-mail; an account is created on accepting when the address has none."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.accounts.models import User
from app.accounts.services import create_user, find_user_by_email, normalise_email
from app.core.errors import DomainError
from app.core.mail import queue_mail
from app.core.models import utcnow
from app.extensions import db
from app.networks import audit
from app.networks.access import active_membership
from app.networks.models import MAX_MEMBERS, Membership, Network, NetworkInvitation, token_hash
from app.networks.services import join


def _invalid_link() -> DomainError:
    return DomainError(_("Deze uitnodiging is ongeldig, verlopen of al gebruikt."))


def open_invitations(network: Network) -> list[NetworkInvitation]:
    stmt = (
        select(NetworkInvitation)
        .where(
            NetworkInvitation.network_id == network.id,
            NetworkInvitation.accepted_at.is_(None),
            NetworkInvitation.revoked_at.is_(None),
            NetworkInvitation.expires_at > utcnow(),
        )
        .order_by(NetworkInvitation.created_at)
    )
    return list(db.session.scalars(stmt))


def invite(network: Network, email: str, name: str, by: User) -> NetworkInvitation:
    """Mail a personal link to join; refuses when the network is full or the person is a member.

    A new invitation for the same address replaces the open one.
    """
    email = normalise_email(email)
    if network.member_count >= MAX_MEMBERS:
        raise DomainError(_("Dit netwerk is volzet: het telt al %(n)s leden.", n=MAX_MEMBERS))
    existing = find_user_by_email(email)
    if existing is not None and active_membership(network.id, existing.id) is not None:
        raise DomainError(_("%(name)s is al lid van dit netwerk.", name=existing.name))
    for old in open_invitations(network):
        if old.email == email:
            old.revoked_at = utcnow()
    days = current_app.config["INVITATION_DAYS"]
    invitation, clear = NetworkInvitation.issue(network, email, name.strip(), by, days)
    db.session.flush()
    locale = (existing.locale if existing else None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        queue_mail(
            email,
            _("Uitnodiging voor het lerend netwerk %(network)s", network=network.name),
            "mail/network_invitation",
            "network_invitation",
            name=invitation.name,
            inviter=by,
            network=network,
            token=clear,
            days=days,
        )
    audit.record(network, by, "member.invited", object_kind="invitation", object_id=invitation.id)
    return invitation


def revoke(invitation: NetworkInvitation, by: User) -> None:
    if not invitation.is_open:
        raise _invalid_link()
    invitation.revoked_at = utcnow()
    audit.record(
        invitation.network, by, "invitation.revoked", object_kind="invitation", object_id=invitation.id
    )


def find_invitation(clear: str) -> NetworkInvitation | None:
    """The open invitation for this link, or None."""
    invitation = db.session.scalar(
        select(NetworkInvitation).where(NetworkInvitation.token_hash == token_hash(clear))
    )
    return invitation if invitation is not None and invitation.is_open else None


def get_invitation(network: Network, invitation_id: int) -> NetworkInvitation | None:
    invitation = db.session.get(NetworkInvitation, invitation_id)
    return invitation if invitation is not None and invitation.network_id == network.id else None


def accept(clear: str, user: User, consent: bool) -> Membership:
    """Spend the link (once, atomically) and join as `user`, whose address must be the invited one."""
    invitation = find_invitation(clear)
    if invitation is None:
        raise _invalid_link()
    if normalise_email(user.email) != invitation.email:
        raise DomainError(
            _("Deze uitnodiging is voor een ander e-mailadres. Meld je af en open de link opnieuw.")
        )
    if not consent:
        raise DomainError(_("Je kan pas lid worden als je de toestemmingsverklaring aanvaardt."))
    spent = db.session.execute(
        update(NetworkInvitation)
        .where(NetworkInvitation.id == invitation.id, NetworkInvitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    )
    if spent.rowcount != 1:
        raise _invalid_link()
    return join(invitation.network, user, consent=True)


def accept_with_new_account(clear: str, name: str, password: str, consent: bool) -> Membership:
    """Create the account for the invited address, then accept."""
    invitation = find_invitation(clear)
    if invitation is None:
        raise _invalid_link()
    if find_user_by_email(invitation.email) is not None:
        raise DomainError(_("Er bestaat al een account met dit e-mailadres. Meld je eerst aan."))
    if not consent:
        raise DomainError(_("Je kan pas lid worden als je de toestemmingsverklaring aanvaardt."))
    user = create_user(invitation.email, name, "member", password)
    return accept(clear, user, consent)
