"""The one place that decides who may see a network and what they may do in it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, redirect, url_for
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.networks.models import Membership, Network


@dataclass
class NetworkAccess:
    """A user's standing in one network, as found by `get_network_or_404`."""

    network: Network
    user: User
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None and self.membership.is_active

    @property
    def is_facilitator(self) -> bool:
        return self.is_member and self.membership.is_facilitator

    @property
    def is_admin(self) -> bool:
        return bool(self.user.is_admin)

    @property
    def can_manage(self) -> bool:
        """Invite and remove members, edit the network, read the audit log."""
        return self.is_facilitator or self.is_admin

    @property
    def can_review(self) -> bool:
        """Approve practices for publication (never one's own: checked on the practice)."""
        return self.is_facilitator or self.is_admin

    def require_member(self) -> Membership:
        """Members only (others: 404). A member without current consent is sent to give it."""
        if not self.is_member:
            abort(404)
        if not self.membership.has_current_consent:
            abort(redirect(url_for("networks.give_consent", network_id=self.network.id)))
        return self.membership

    def require_facilitator(self) -> Membership:
        membership = self.require_member()
        if not membership.is_facilitator:
            abort(403)
        return membership

    def require_manager(self) -> None:
        if not self.can_manage:
            abort(403 if self.is_member else 404)


def active_membership(network_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.network_id == network_id,
            Membership.user_id == user_id,
            Membership.slot.is_not(None),
        )
    )


def get_network_or_404(network_id: int, user: User) -> NetworkAccess:
    """The network with `user`'s standing in it, or 404.

    Members and admins always find it; other signed-in users find a closed network (its name
    and description only) and never a secret one: a secret network's URLs answer exactly as a
    missing id does.
    """
    network = db.session.get(Network, network_id)
    if network is None or not getattr(user, "is_authenticated", False):
        abort(404)
    membership = active_membership(network.id, user.id)
    if membership is None and not user.is_admin and network.is_secret:
        abort(404)
    return NetworkAccess(network=network, user=user, membership=membership)


def member_network_ids(user: User) -> list[int]:
    """Ids of the networks `user` is an active member of."""
    return list(
        db.session.scalars(
            select(Membership.network_id).where(Membership.user_id == user.id, Membership.slot.is_not(None))
        )
    )
