"""Exchange threads: posts in Markdown, per-member read markers, moderation and reports."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.networks.models import Network


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (CheckConstraint("source_kind IN ('finding', 'survey_question')", name="source_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Where the conversation comes from: a finding id ("fb-gebruik") or "<survey-slug>:<question>".
    source_kind: Mapped[str | None] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    author: Mapped[User | None] = relationship()
    posts: Mapped[list[Post]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", passive_deletes=True, order_by="Post.id"
    )


class Post(db.Model):
    __tablename__ = "thread_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    thread: Mapped[Thread] = relationship(back_populates="posts")
    network: Mapped[Network] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def hide(self, by: User, reason: str) -> None:
        if self.is_hidden:
            raise DomainError(_("Dit bericht is al verborgen."))
        if not reason.strip():
            raise DomainError(_("Geef een reden op; de leden zien die."))
        self.hidden_at, self.hidden_by_id, self.hidden_reason = utcnow(), by.id, reason.strip()

    def show(self) -> None:
        if not self.is_hidden:
            raise DomainError(_("Dit bericht is niet verborgen."))
        self.hidden_at = self.hidden_by_id = self.hidden_reason = None


class ThreadRead(db.Model):
    """Until when a member has read a thread: newer posts are unread for them."""

    __tablename__ = "thread_reads"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime]


class PostReport(db.Model):
    """A member asks the facilitators to look at a post."""

    __tablename__ = "thread_post_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("thread_posts.id", ondelete="CASCADE"), index=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
