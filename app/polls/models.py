"""Quick polls: one question, its options, and anonymous ballots.

A ballot stores only the poll, the chosen option code(s) and the day: no account, no address,
no time of day. Ballot ids are random, so they do not reveal the order of voting either.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db
from app.surveys.common import Text

MAX_BALLOT_ID = 2**53


def random_ballot_id() -> int:
    return secrets.randbelow(MAX_BALLOT_ID - 1) + 1


class Poll(db.Model):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    question_nl: Mapped[str] = mapped_column(String(300))
    question_en: Mapped[str | None] = mapped_column(String(300))
    is_multiple: Mapped[bool] = mapped_column(default=False)
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    show_results: Mapped[bool] = mapped_column(default=True)
    # Set for polls loaded from surveys/polls/*.yaml: the file is their source, not the browser.
    source_path: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll", order_by="PollOption.position", cascade="all, delete-orphan"
    )

    @property
    def question(self) -> Text:
        return Text(self.question_nl, self.question_en)

    def state(self, today: date) -> str:
        """ "not_yet", "open" or "closed" on `today` (open and close days included)."""
        if self.opens_on and today < self.opens_on:
            return "not_yet"
        if self.closes_on and today > self.closes_on:
            return "closed"
        return "open"

    def is_open(self, today: date) -> bool:
        return self.state(today) == "open"

    def option(self, code: int) -> PollOption | None:
        return next((o for o in self.options if o.code == code), None)

    def __repr__(self) -> str:
        return f"<Poll {self.slug}>"


class PollOption(db.Model):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    code: Mapped[int] = mapped_column(SmallInteger)
    label_nl: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)

    poll: Mapped[Poll] = relationship(back_populates="options")

    @property
    def label(self) -> Text:
        return Text(self.label_nl, self.label_en)


class PollBallot(db.Model):
    """One vote: which poll, and on which day. The choices are in `poll_choices`."""

    __tablename__ = "poll_ballots"

    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, default=random_ballot_id
    )
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    voted_on: Mapped[date] = mapped_column(Date)


class PollChoice(db.Model):
    """One chosen option of a ballot (several for a multiple-choice poll)."""

    __tablename__ = "poll_choices"
    __table_args__ = (Index("ix_poll_choices_poll_code", "poll_id", "code"),)

    ballot_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("poll_ballots.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    # Repeated from the ballot so counting is one indexed GROUP BY.
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
