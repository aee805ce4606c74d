"""Surveys, their immutable versions, submitted responses and their answers, and drafts.

Storage contract (results, exports and invitations build on it):
- A `SurveyVersion` holds one parsed definition as JSON and is never changed once it has
  responses; loading a changed file makes a new version.
- A `Response` exists only once submitted. Its id is random (ids do not reveal submit order). In
  anonymous mode it stores no organisation, user, invitation or time finer than the day.
- `Answer` rows are long format, one per variable value, keyed by the variable name (question key,
  or `<matrix>_<row>`, or `<key>_other`), so versions line up by key:
    single choice, likert, matrix row -> item 0, num = code
    multiple choice                   -> one row per chosen code: item = code, num = code
    ranking                           -> one row per option: item = code, num = rank (1 = first)
    number                            -> item 0, num = value
    short/long text, other text       -> item 0, text = value
    date                              -> item 0, text = ISO date
  `survey_id` is repeated on answers so aggregates are one indexed GROUP BY.
- `Response.export_row` copies a response's answers in its version's column layout for exports
  (`app.surveys.wide`); whatever writes or changes answers keeps it equal (or sets it NULL).
- A `Draft` holds in-progress answers (JSON) under the hash of a resume key (an invitation token or
  a public resume token); it is deleted in the transaction that creates the response, so nothing
  links a submitted anonymous response to its invitation.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db

STATUSES = ("draft", "open", "closed")
MAX_RESPONSE_ID = 2**53  # safe as a JSON number


def random_response_id() -> int:
    return secrets.randbelow(MAX_RESPONSE_ID - 1) + 1


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    public_link_enabled: Mapped[bool] = mapped_column(default=False)
    public_token: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: secrets.token_urlsafe(12)
    )
    results_public: Mapped[bool] = mapped_column(default=False)
    source_path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number", cascade="all, delete-orphan"
    )

    @property
    def current_version(self) -> SurveyVersion:
        return self.versions[-1]

    @property
    def definition(self):
        return self.current_version.definition

    @property
    def anonymity(self) -> str:
        return self.current_version.anonymity

    def is_accepting(self, now: datetime | None = None) -> bool:
        """Open for answers now: opened by hand and inside its dates."""
        now = now or utcnow()
        if self.status != "open":
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def open(self) -> None:
        if self.status == "open":
            raise DomainError(_("Deze bevraging is al open."))
        if self.closes_at and self.closes_at <= utcnow():
            raise DomainError(_("De sluitingsdatum ligt in het verleden; pas ze eerst aan."))
        self.status = "open"

    def close(self) -> None:
        if self.status != "open":
            raise DomainError(_("Enkel een open bevraging kan gesloten worden."))
        self.status = "closed"

    def __repr__(self) -> str:
        return f"<Survey {self.slug}>"


class SurveyVersion(db.Model):
    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(64))
    anonymity: Mapped[str] = mapped_column(String(15))
    definition_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")

    @property
    def definition(self):
        """The parsed definition (cached per version: versions never change)."""
        return _parse_definition(self.id, self.fingerprint, self.definition_json)


@dataclass(frozen=True)
class VersionSnapshot:
    """What the respondent flow needs of a `SurveyVersion`, without its ORM row: the parsed
    definition and a few columns. Kept per process by `version_snapshot` (see there)."""

    id: int
    survey_id: int
    number: int
    anonymity: str
    fingerprint: str
    definition: object


_SNAPSHOTS: dict[tuple[int, int, str], VersionSnapshot] = {}


def version_snapshot(version_id: int, survey_id: int, fingerprint: str) -> VersionSnapshot:
    """The snapshot of a version, loaded (one statement) only the first time in this process.

    Keyed by id, survey and fingerprint: a version is replaced in place (same id) only while it
    has no responses, and then its fingerprint changes, so a stale entry is never found.
    """
    key = (version_id, survey_id, fingerprint)
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        version = db.session.get(SurveyVersion, version_id)
        if version is None:
            raise LookupError(f"survey version {version_id} is gone")
        snapshot = snapshot_of(version)
        if len(_SNAPSHOTS) > 256:
            _SNAPSHOTS.clear()
        _SNAPSHOTS[(version.id, version.survey_id, version.fingerprint)] = snapshot
    return snapshot


def snapshot_of(version: SurveyVersion) -> VersionSnapshot:
    return VersionSnapshot(
        version.id,
        version.survey_id,
        version.number,
        version.anonymity,
        version.fingerprint,
        version.definition,
    )


@lru_cache(maxsize=256)
def _parse_definition(_version_id: int, _fingerprint: str, definition_json: str):
    from app.surveys.definitions import SurveyDefinition

    return SurveyDefinition.from_dict(json.loads(definition_json))


class Response(db.Model):
    __tablename__ = "responses"
    # Finds the responses not yet counted into the result tallies, and checksums the counted ones
    # (app.results.tallies), without reading the table.
    __table_args__ = (Index("ix_responses_survey_tallied", "survey_id", "tallied", "id"),)

    id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, default=random_response_id
    )
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    # Only in pseudonymous and identified mode:
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    # Every mode: the day only.
    submitted_on: Mapped[date] = mapped_column(Date)
    # Results bookkeeping, never set on submit: NULL until the response's answers are counted into
    # app.results' tallies, then 0 (another number only inside the transaction that counts it).
    # Holds no order: every counted response carries the same 0.
    tallied: Mapped[int | None] = mapped_column(BigInteger)
    # The answers again, as one export row in this version's layout (app/surveys/wide.py); NULL:
    # readers pivot `answers`. Written in the INSERT of the response, never by a statement of its own.
    export_row: Mapped[str | None] = mapped_column(Text)

    version: Mapped[SurveyVersion] = relationship()


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_survey_variable_num", "survey_id", "variable", "num"),)

    response_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    variable: Mapped[str] = mapped_column(String(64), primary_key=True)
    item: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    num: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)


class Draft(db.Model):
    """Answers in progress, found by the hash of a resume key; deleted on submit."""

    __tablename__ = "response_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    page_key: Mapped[str | None] = mapped_column(String(64))
    # Who saved last (identified and pseudonymous mode only) and when.
    updated_by: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_on: Mapped[date] = mapped_column(Date, default=lambda: utcnow().date())

    version: Mapped[SurveyVersion] = relationship()

    @property
    def answers(self) -> dict:
        return json.loads(self.answers_json or "{}")

    @answers.setter
    def answers(self, value: dict) -> None:
        self.answers_json = dump_answers(value)


def dump_answers(answers: dict) -> str:
    """A draft's answers as stored."""
    return json.dumps(answers, ensure_ascii=False, sort_keys=True)
