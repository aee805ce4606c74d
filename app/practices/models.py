"""Practices: the seed's template, co-authors, versions, comments and the four-eyes publication."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db

STATUSES = {
    "draft": _l("Werkversie"),
    "proposed": _l("Voorgesteld, wacht op de co-auteurs"),
    "in_review": _l("Wacht op goedkeuring"),
    "published": _l("Gepubliceerd"),
}


class Practice(db.Model):
    __tablename__ = "practices"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'proposed', 'in_review', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    organisations: Mapped[str] = mapped_column(String(500), default="")
    # The authors allow the organisation names on the public page.
    show_organisations: Mapped[bool] = mapped_column(default=False)
    context: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    channels_used: Mapped[str] = mapped_column(Text, default="")
    preparation: Mapped[str] = mapped_column(Text, default="")
    implementation: Mapped[str] = mapped_column(Text, default="")
    evaluation: Mapped[str] = mapped_column(Text, default="")
    worked: Mapped[str] = mapped_column(Text, default="")
    did_not_work: Mapped[str] = mapped_column(Text, default="")
    dos: Mapped[str] = mapped_column(Text, default="")
    donts: Mapped[str] = mapped_column(Text, default="")
    privacy: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    review_remark: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    proposed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]

    authors: Mapped[list[PracticeAuthor]] = relationship(
        back_populates="practice",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PracticeAuthor.id",
    )
    tags: Mapped[list[PracticeTag]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    comments: Mapped[list[PracticeComment]] = relationship(
        back_populates="practice",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PracticeComment.id",
    )

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def tag_codes(self, kind: str) -> list[str]:
        return sorted(t.code for t in self.tags if t.kind == kind)

    def is_author(self, user: User) -> bool:
        return any(a.user_id == user.id for a in self.authors)

    @property
    def pending_authors(self) -> list[PracticeAuthor]:
        """Authors (still known by name) who have not confirmed the proposal yet."""
        return [a for a in self.authors if a.user_id is not None and a.confirmed_at is None]

    # --- state rules: each refuses a bad transition with a message ---

    def _require_author(self, user: User) -> None:
        if not self.is_author(user):
            raise DomainError(_("Enkel de auteurs van een praktijk kunnen dit doen."))

    def propose(self, by: User) -> None:
        """An author proposes the practice for the public showcase; every co-author must confirm."""
        self._require_author(by)
        if self.status != "draft":
            raise DomainError(_("Deze praktijk is al voorgesteld of gepubliceerd."))
        now = utcnow()
        for author in self.authors:
            author.confirmed_at = now if author.user_id == by.id else None
        self.status, self.proposed_at, self.review_remark = "proposed", now, None
        self._advance()

    def confirm(self, by: User) -> None:
        """A co-author agrees with publication."""
        self._require_author(by)
        if self.status != "proposed":
            raise DomainError(_("Er is niets te bevestigen."))
        for author in self.authors:
            if author.user_id == by.id:
                if author.confirmed_at is not None:
                    raise DomainError(_("Je hebt dit al bevestigd."))
                author.confirmed_at = utcnow()
        self._advance()

    def _advance(self) -> None:
        if self.status == "proposed" and not self.pending_authors:
            self.status = "in_review"

    def approve(self, by: User, may_review: bool) -> None:
        """A facilitator or admin who is not an author publishes it (four eyes)."""
        if self.is_author(by):
            raise DomainError(_("Je kan je eigen praktijk niet goedkeuren; iemand anders moet dat doen."))
        if not may_review:
            raise DomainError(_("Enkel een begeleider of beheerder kan een praktijk goedkeuren."))
        if self.status != "in_review":
            raise DomainError(_("Deze praktijk wacht niet op goedkeuring."))
        self.status, self.published_at, self.approved_by_id, self.withdrawn_at = (
            "published",
            utcnow(),
            by.id,
            None,
        )

    def send_back(self, by: User, may_review: bool, remark: str) -> None:
        """The reviewer sends it back to the authors with a remark."""
        if self.is_author(by) or not may_review:
            raise DomainError(_("Enkel een begeleider of beheerder die geen auteur is, kan dit terugsturen."))
        if self.status not in ("proposed", "in_review"):
            raise DomainError(_("Deze praktijk wacht niet op goedkeuring."))
        if not remark.strip():
            raise DomainError(_("Zeg de auteurs wat er beter kan."))
        self.status, self.review_remark = "draft", remark.strip()

    def withdraw(self, by: User) -> None:
        """An author takes a proposal or a published practice back; it leaves the public pages."""
        self._require_author(by)
        if self.status == "draft":
            raise DomainError(_("Deze praktijk is niet voorgesteld of gepubliceerd."))
        if self.status == "published":
            self.withdrawn_at = utcnow()
        self.status, self.published_at = "draft", None


class PracticeAuthor(db.Model):
    __tablename__ = "practice_authors"
    __table_args__ = (UniqueConstraint("practice_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    # NULL once the author left the network with their contributions anonymised.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    confirmed_at: Mapped[datetime | None]

    practice: Mapped[Practice] = relationship(back_populates="authors")
    user: Mapped[User | None] = relationship()


class PracticeTag(db.Model):
    __tablename__ = "practice_tags"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True, index=True)


class PracticeVersion(db.Model):
    """The practice as it was after one edit (JSON of all fields and tags)."""

    __tablename__ = "practice_versions"
    __table_args__ = (UniqueConstraint("practice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    data: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor: Mapped[User | None] = relationship()


class PracticeComment(db.Model):
    __tablename__ = "practice_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()
