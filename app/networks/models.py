"""Networks, memberships (at most 12, guarded by the database), invitations, consent, audit log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.models import utcnow
from app.extensions import db

MAX_MEMBERS = 12

VISIBILITIES = {
    "closed": _l("Gesloten: iedereen met een account ziet naam en beschrijving, enkel leden zien de inhoud"),
    "secret": _l("Geheim: enkel leden weten dat het netwerk bestaat"),
}
VISIBILITY_SHORT = {"closed": _l("Gesloten"), "secret": _l("Geheim")}
MEMBER_ROLES = {"facilitator": _l("Begeleider"), "member": _l("Lid")}
DIGEST_FREQUENCIES = {"off": _l("Nooit"), "daily": _l("Dagelijks"), "weekly": _l("Wekelijks")}

FORMER_MEMBER = _l("Voormalig lid")


def token_hash(clear: str) -> str:
    return hashlib.sha256(clear.encode()).hexdigest()


class Network(db.Model):
    __tablename__ = "networks"
    __table_args__ = (CheckConstraint("visibility IN ('closed', 'secret')", name="visibility"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10), default="secret")
    consent_text: Mapped[str] = mapped_column(Text)
    # Raised whenever the consent text changes: members then accept the new text.
    consent_version: Mapped[int] = mapped_column(default=1)
    retention_months: Mapped[int] = mapped_column(default=24)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="network", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_secret(self) -> bool:
        return self.visibility == "secret"

    @property
    def visibility_label(self) -> str:
        return str(VISIBILITY_SHORT[self.visibility])

    @property
    def active_memberships(self) -> list[Membership]:
        return sorted((m for m in self.memberships if m.is_active), key=lambda m: m.user.name.lower())

    @property
    def facilitators(self) -> list[User]:
        return [m.user for m in self.active_memberships if m.is_facilitator]

    @property
    def member_count(self) -> int:
        return sum(1 for m in self.memberships if m.is_active)

    def __repr__(self) -> str:
        return f"<Network {self.id}>"


class Membership(db.Model):
    """A user's place in a network. An active member holds one of the 12 numbered slots.

    The unique (network_id, slot) pair with slot between 1 and 12 is what makes the cap hold in
    the database itself, whatever the application does; members who left keep their row (for
    history and their consent record) with slot NULL.
    """

    __tablename__ = "network_memberships"
    __table_args__ = (
        UniqueConstraint("network_id", "user_id"),
        UniqueConstraint("network_id", "slot"),
        CheckConstraint(f"slot >= 1 AND slot <= {MAX_MEMBERS}", name="slot_range"),
        CheckConstraint("role IN ('facilitator', 'member')", name="role"),
        CheckConstraint("digest_frequency IN ('off', 'daily', 'weekly')", name="digest_frequency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12), default="member")
    slot: Mapped[int | None]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    # The consent version this member accepted (None: not yet).
    consent_version: Mapped[int | None]
    digest_frequency: Mapped[str] = mapped_column(String(10), default="weekly")

    network: Mapped[Network] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.slot is not None

    @property
    def is_facilitator(self) -> bool:
        return self.is_active and self.role == "facilitator"

    @property
    def role_label(self) -> str:
        return str(MEMBER_ROLES[self.role])

    @property
    def has_current_consent(self) -> bool:
        return self.consent_version == self.network.consent_version


class ConsentRecord(db.Model):
    """What a member accepted, word for word, and when."""

    __tablename__ = "network_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)


class NetworkInvitation(db.Model):
    """A personal e-mailed link to join a network; works once and expires."""

    __tablename__ = "network_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    network: Mapped[Network] = relationship()

    @classmethod
    def issue(cls, network: Network, email: str, name: str, by: User, days: int):
        clear = secrets.token_urlsafe(32)
        invitation = cls(
            network=network,
            email=email,
            name=name,
            token_hash=token_hash(clear),
            invited_by_id=by.id,
            expires_at=utcnow() + timedelta(days=days),
        )
        db.session.add(invitation)
        return invitation, clear

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()


AUDIT_ACTIONS = {
    "network.created": _l("netwerk aangemaakt"),
    "network.edited": _l("netwerk aangepast"),
    "facilitator.appointed": _l("begeleider aangesteld"),
    "member.invited": _l("uitgenodigd"),
    "invitation.revoked": _l("uitnodiging ingetrokken"),
    "member.joined": _l("lid geworden"),
    "member.left": _l("netwerk verlaten"),
    "member.left_anonymised": _l("netwerk verlaten, bijdragen geanonimiseerd"),
    "member.removed": _l("lid verwijderd"),
    "consent.accepted": _l("toestemmingsverklaring aanvaard"),
    "post.hidden": _l("bericht verborgen"),
    "post.shown": _l("bericht weer zichtbaar"),
    "post.reported": _l("bericht gemeld"),
    "report.resolved": _l("melding afgehandeld"),
    "comment.deleted": _l("reactie verwijderd door een begeleider"),
    "practice.approved": _l("praktijk goedgekeurd en gepubliceerd"),
    "practice.returned": _l("praktijk teruggestuurd"),
    "practice.withdrawn": _l("praktijk ingetrokken"),
}


AUDIT_OBJECTS = {
    "comment": _l("reactie"),
    "invitation": _l("uitnodiging"),
    "post": _l("bericht"),
    "practice": _l("praktijk"),
}


class AuditEntry(db.Model):
    """One moderation or membership change: who did what to which object, and when."""

    __tablename__ = "network_audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    object_kind: Mapped[str | None] = mapped_column(String(20))
    object_id: Mapped[int | None]
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))

    @property
    def object_label(self) -> str:
        if not self.object_kind:
            return ""
        return f"{AUDIT_OBJECTS.get(self.object_kind, self.object_kind)} {self.object_id}"

    @property
    def object_url(self) -> str | None:
        """A link to the object when a content package can show it (posts, practices)."""
        from app.networks.registry import search_kind

        found = search_kind(self.object_kind) if self.object_kind else None
        return found[1](self.network_id, self.object_id) if found else None


class SearchDocument(db.Model):
    """Searchable text of one object in a network (thread post, notes, practice ...).

    Kept up to date by the content services through `app.networks.search`. The full-text index
    over it is made with raw SQL (an FTS5 table on SQLite, a GIN index on PostgreSQL), see there.
    """

    __tablename__ = "network_search_documents"
    __table_args__ = (UniqueConstraint("kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DigestSend(db.Model):
    """One digest period handled for one member: the unique key makes sending idempotent."""

    __tablename__ = "network_digest_sends"
    __table_args__ = (UniqueConstraint("membership_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("network_memberships.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(20))  # "d2026-12-01" or "w2026-49"
    covered_until: Mapped[datetime]
    item_count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_network_audit_entries_network_created", AuditEntry.network_id, AuditEntry.created_at)
