"""The ways in to a survey: a `Respondent` per invitation link, public link and staff preview.

A respondent knows where the answers in progress live (a `Draft` row found by the hash of a
resume key, or the session in preview), how to save them and how to submit them; the page
logic is shared (`app.surveys.flow`). Functions flush, never commit; the view commits once.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import urlencode

from flask import current_app, session, url_for
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core import ratelimit
from app.core.models import today, utcnow
from app.core.prepared import Prepared
from app.core.ratelimit import RateCounter, client_address, limit
from app.core.transactions import request_connection
from app.core.urls import QUERY_SAFE
from app.extensions import db
from app.invitations.models import Invitation, invitation_draft_key, token_hash
from app.surveys.definitions import SurveyDefinition
from app.surveys.models import (
    Draft,
    Survey,
    SurveyVersion,
    VersionSnapshot,
    dump_answers,
    snapshot_of,
    version_snapshot,
)
from app.surveys.responses import DELETE_DRAFT, draft_key_hash, submit

log = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 100
SESSION_NAME = "survey_respondent_name"
SESSION_RESUME = "survey_resume"  # survey id -> public resume token
SESSION_DONE = "surveys_done"  # survey ids submitted from this browser through the public link
SESSION_PREVIEW = "survey_preview"  # survey id -> answers (preview only; nothing in the database)


LINK_FAILURES = "survey-link-failures"


def refuse_link_guessing() -> None:
    """429 for a client address that opened too many links that do not work (guessing tokens).

    Only failures count, so respondents who reload their own link are never limited.
    """
    cfg = current_app.config
    window = cfg["SURVEY_LINK_WINDOW_SECONDS"]
    if ratelimit.current(LINK_FAILURES, client_address(), window) >= cfg["SURVEY_LINK_MAX_FAILURES"]:
        raise ratelimit.too_many(window)


def link_failures_key() -> str:
    """The counter key of this address's links that did not work (for a statement that reads it)."""
    return ratelimit.counter_key(
        LINK_FAILURES, client_address(), current_app.config["SURVEY_LINK_WINDOW_SECONDS"]
    )


def refuse_counted_guessing(failures: int | None) -> None:
    """`refuse_link_guessing` for a count already read (`link_failures_column`)."""
    cfg = current_app.config
    if (failures or 0) >= cfg["SURVEY_LINK_MAX_FAILURES"]:
        raise ratelimit.too_many(cfg["SURVEY_LINK_WINDOW_SECONDS"])


def count_failed_link() -> None:
    """Count one link that did not work towards `refuse_link_guessing` (flushes)."""
    ratelimit.hit(LINK_FAILURES, client_address(), current_app.config["SURVEY_LINK_WINDOW_SECONDS"])


_UNLOADED = object()


class Changed(Exception):
    """What a respondent read before writing has changed since (a colleague with the same link
    saved or submitted meanwhile). Raised by a guarded write, before anything is committed: roll
    back and read again under the write lock (`Respondent.read_for_writes`)."""


def _execute(statement: Prepared, params: dict | list | None = None):
    """A prepared statement on the app context's connection, in its transaction (no ORM).

    The respondent flow reads and writes plain rows: no session, no identity map, no unit of work,
    no Core execution context; a fraction of the CPU time per request (`app.core.prepared`).
    """
    return statement.run(request_connection(), params)


@dataclass
class DraftRow:
    """A draft as the flow reads it (a plain row; `Draft` is its table)."""

    id: int
    survey_id: int
    version_id: int
    answers_json: str
    page_key: str | None
    updated_by: str | None
    updated_at: datetime

    @property
    def answers(self) -> dict:
        return json.loads(self.answers_json or "{}")

    @property
    def version(self) -> SurveyVersion:
        return db.session.get(SurveyVersion, self.version_id)


DRAFT_COLUMNS = (
    Draft.id,
    Draft.survey_id,
    Draft.version_id,
    Draft.answers_json,
    Draft.page_key,
    Draft.updated_by,
    Draft.updated_at,
)


@dataclass
class SurveyRow:
    """What an invitation's respondent pages need of its survey (a plain row)."""

    id: int
    slug: str
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    public_token: str

    is_accepting = Survey.is_accepting  # reads status, opens_at and closes_at only


@dataclass
class InvitationRow:
    """An invitation as its link's pages need it (a plain row)."""

    id: int
    organisation_id: int
    started_on: date | None
    finished_on: date | None
    survey: SurveyRow

    @property
    def draft_key(self) -> str:
        return invitation_draft_key(self.id)


class Respondent:
    """Someone answering one survey; subclasses say where answers live and how they are submitted.

    `current` is the survey's current version when the way in read it already (else it is loaded
    from the survey); `load_draft` loads the draft on first use (a finished respondent's
    thank-you page never reads it).
    """

    kind = ""
    endpoint = ""
    guarded = False  # writes check that the draft is as read (`read_for_writes`)

    def __init__(
        self,
        survey: Survey | SurveyRow,
        draft: DraftRow | None = None,
        *,
        current: VersionSnapshot | None = None,
        load_draft: Callable[[], DraftRow | None] | None = None,
    ):
        self.survey = survey
        self._current = current
        self._draft = _UNLOADED if load_draft is not None else draft
        self._load_draft = load_draft

    def read_for_writes(self) -> None:
        """Read everything this respondent's writes depend on now, and make those writes check
        that it is unchanged when they run (else `Changed`): the reads then need no write lock."""
        _ = self.draft
        self.guarded = True

    @property
    def draft(self) -> DraftRow | None:
        if self._draft is _UNLOADED:
            self._draft = self._load_draft()
        return self._draft

    @draft.setter
    def draft(self, draft: DraftRow | None) -> None:
        self._draft = draft

    @property
    def current_version(self) -> VersionSnapshot:
        if self._current is None:
            self._current = snapshot_of(self.survey.current_version)
        return self._current

    @property
    def version(self) -> VersionSnapshot | SurveyVersion:
        """The draft keeps the version it was started on; new respondents get the current one."""
        current, draft = self.current_version, self.draft
        if draft is not None and draft.version_id != current.id:
            return draft.version  # started on an older version (rare): its row
        return current

    @property
    def definition(self) -> SurveyDefinition:
        return self.version.definition

    @property
    def anonymity(self) -> str:
        return self.version.anonymity

    @property
    def answers(self) -> dict:
        return self.draft.answers if self.draft is not None else {}

    @property
    def started(self) -> bool:
        return self.draft is not None

    @property
    def is_finished(self) -> bool:
        return False

    @property
    def lost_draft(self) -> bool:
        """This browser had a draft that is gone (submitted by a first click, or purged)."""
        return False

    @property
    def shows_saved_by(self) -> bool:
        return False

    @property
    def saved_at(self) -> datetime | None:
        return self.draft.updated_at if self.draft is not None else None

    @property
    def saved_by(self) -> str | None:
        return self.draft.updated_by if self.draft is not None else None

    @property
    def resume_url(self) -> str | None:
        return None

    _link: str | None = None

    def link_values(self) -> dict:
        """The URL values of this respondent's link (besides the endpoint)."""
        raise NotImplementedError

    def url(self, **params) -> str:
        """`url_for(self.endpoint, **self.link_values(), **params)`: the link itself is built once
        per respondent, and `params` go in its query string as `url_for` encodes them."""
        link = self._link
        if link is None:
            link = self._link = url_for(self.endpoint, **self.link_values())
        query = urlencode([(k, v) for k, v in params.items() if v is not None], safe=QUERY_SAFE)
        return f"{link}?{query}" if query else link

    def save(self, answers: dict, page_key: str | None, name: str | None) -> None:
        raise NotImplementedError

    def submit(self, answers: dict, user_id: int | None) -> bool:
        """Store the response; False when it was already submitted (show thank-you, store nothing)."""
        raise NotImplementedError

    def _write_draft(self, key_hash: str, answers: dict, page_key: str | None, name: str | None) -> None:
        """Store the answers in the draft: one UPDATE, or one upsert for a new draft."""
        values = {"answers_json": dump_answers(answers), "page_key": page_key, "updated_at": utcnow()}
        if self.shows_saved_by:
            values["updated_by"] = (name or "").strip()[:120] or None
        if self.draft is not None:
            params = {"draft_row_id": self.draft.id, **values}
            if self.guarded:
                params["seen_at"] = self.draft.updated_at
                if _execute(_UPDATE_DRAFT_IF_UNCHANGED, params).rowcount == 0:
                    raise Changed
            else:
                _execute(_UPDATE_DRAFT, params)
            self.draft = replace(self.draft, **values)
        else:
            self.draft = upsert_draft(self.survey.id, self.version.id, key_hash, values, new=self.guarded)
            if self.draft is None:
                raise Changed


# The flow's writes are built once, with their values as parameters: building a statement and its
# cache key took longer than running it. An UPDATE sets the columns given as parameters.
_THIS_DRAFT = Draft.id == bindparam("draft_row_id")
_UNCHANGED = Draft.updated_at == bindparam("seen_at")  # every write of a draft sets updated_at
_UPDATE_DRAFT = Prepared(update(Draft).where(_THIS_DRAFT))
_UPDATE_DRAFT_IF_UNCHANGED = Prepared(update(Draft).where(_THIS_DRAFT, _UNCHANGED))
_DELETE_DRAFT_IF_UNCHANGED = Prepared(delete(Draft).where(_THIS_DRAFT, _UNCHANGED))
_UPSERTS: dict[tuple[str, tuple[str, ...], bool], Prepared] = {}


def _upsert_statement(dialect: str, columns: tuple[str, ...], new: bool = False) -> Prepared:
    statement = _UPSERTS.get((dialect, columns, new))
    if statement is None:
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Draft)
        if new:
            insert = insert.on_conflict_do_nothing(index_elements=[Draft.key_hash])
        else:
            insert = insert.on_conflict_do_update(
                index_elements=[Draft.key_hash], set_={name: insert.excluded[name] for name in columns}
            )
        statement = _UPSERTS[(dialect, columns, new)] = Prepared(insert.returning(*DRAFT_COLUMNS))
    return statement


def upsert_draft(
    survey_id: int, version_id: int, key_hash: str, values: dict, *, new: bool = False
) -> DraftRow | None:
    """Create the draft under `key_hash` with `values`, or, when a colleague's request created it
    meanwhile, write `values` into that one (it keeps its version). One statement.

    With `new`, only create it: None when it exists already (nothing written)."""
    connection = request_connection()
    statement = _upsert_statement(connection.dialect.name, tuple(sorted(values)), new)
    params = {"survey_id": survey_id, "version_id": version_id, "key_hash": key_hash, **values}
    params["created_on"] = values["updated_at"].date()
    row = statement.run(connection, params).first()
    return DraftRow(*row) if row is not None else None


_LOAD_DRAFT = Prepared(select(*DRAFT_COLUMNS).where(Draft.key_hash == bindparam("key_hash")))
_LOAD_DRAFT_FOR_UPDATE = Prepared(_LOAD_DRAFT.statement.with_for_update())


def load_draft(key_hash: str, *, for_update: bool = False) -> DraftRow | None:
    row = _execute(_LOAD_DRAFT_FOR_UPDATE if for_update else _LOAD_DRAFT, {"key_hash": key_hash}).first()
    return DraftRow(*row) if row is not None else None


_THIS_INVITATION = Invitation.id == bindparam("invitation_row_id")
_MARK_STARTED = Prepared(
    update(Invitation)
    .where(_THIS_INVITATION, Invitation.started_on.is_(None))
    .values(started_on=bindparam("day"))
)
_MARK_FINISHED = Prepared(
    update(Invitation)
    .where(_THIS_INVITATION, Invitation.finished_on.is_(None))
    .values(finished_on=bindparam("day"))
)
# A guarded new draft: marks the start and checks that nobody finished the invitation meanwhile.
_MARK_STARTED_IF_OPEN = Prepared(
    update(Invitation)
    .where(_THIS_INVITATION, Invitation.finished_on.is_(None))
    .values(started_on=func.coalesce(Invitation.started_on, bindparam("day")))
)
_LINK_RESPONSE = Prepared(
    update(Invitation).where(_THIS_INVITATION).values(response_id=bindparam("new_response_id"))
)


class InvitationRespondent(Respondent):
    """Everyone with the invitation link shares one draft; the invitation records start and finish."""

    kind = "invitation"
    endpoint = "surveys.respond_invitation"

    def __init__(
        self,
        invitation: InvitationRow,
        token: str,
        *,
        for_update: bool = False,
        current: VersionSnapshot | None = None,
    ):
        self.invitation = invitation
        self.token = token
        self.key_hash = draft_key_hash("invitation", invitation.draft_key)
        super().__init__(invitation.survey, current=current, load_draft=lambda: self._find_draft(for_update))

    def _find_draft(self, for_update: bool) -> DraftRow | None:
        # Submitting deletes the draft in the same transaction: a finished invitation has none.
        return None if self.is_finished else load_draft(self.key_hash, for_update=for_update)

    @property
    def is_finished(self) -> bool:
        return self.invitation.finished_on is not None

    @property
    def shows_saved_by(self) -> bool:
        return self.anonymity != "anonymous"

    def link_values(self) -> dict:
        return {"token": self.token}

    def save(self, answers, page_key, name):
        new = self.draft is None
        self._write_draft(self.key_hash, answers, page_key, name)
        params = {"invitation_row_id": self.invitation.id, "day": today()}
        if self.guarded and new:
            if _execute(_MARK_STARTED_IF_OPEN, params).rowcount == 0:
                raise Changed  # finished by a colleague after this request read it
            self.invitation.started_on = self.invitation.started_on or today()
        elif self.invitation.started_on is None:
            _execute(_MARK_STARTED, params)
            self.invitation.started_on = today()

    def submit(self, answers, user_id):
        draft_id = self.draft.id if self.draft is not None else None
        if self.guarded and draft_id is not None:
            # The answers are those read: the draft must still be as read (then it goes).
            params = {"draft_row_id": draft_id, "seen_at": self.draft.updated_at}
            if _execute(_DELETE_DRAFT_IF_UNCHANGED, params).rowcount == 0:
                raise Changed
            draft_id = None
        # The guard: only the first submit marks the invitation finished; a second one finds 0 rows.
        result = _execute(_MARK_FINISHED, {"invitation_row_id": self.invitation.id, "day": today()})
        if result.rowcount == 0:
            if self.guarded:
                raise Changed  # (the draft was there, so it was finished after this request read it)
            return False
        response_id = submit(
            self.version,
            answers,
            organisation_id=self.invitation.organisation_id,
            user_id=user_id,
            draft_id=draft_id,
        )
        if self.anonymity != "anonymous":
            params = {"invitation_row_id": self.invitation.id, "new_response_id": response_id}
            _execute(_LINK_RESPONSE, params)
        self.invitation.finished_on = today()
        self.draft = None
        remember_own_response(response_id)
        return True


_OPEN_INVITATION = Prepared(
    select(
        Invitation.id.label("invitation_id"),
        Invitation.organisation_id,
        Invitation.started_on,
        Invitation.finished_on,
        Invitation.token_salt,
        Invitation.opted_out_at,
        Survey.id.label("survey_id"),
        Survey.slug,
        Survey.status,
        Survey.opens_at,
        Survey.closes_at,
        Survey.public_token,
        SurveyVersion.id.label("version_id"),
        SurveyVersion.fingerprint,
        select(RateCounter.count)
        .where(RateCounter.key == bindparam("failures_key"))
        .scalar_subquery()
        .label("failures"),
    )
    .join(Survey, Survey.id == Invitation.survey_id)
    .join(SurveyVersion, SurveyVersion.survey_id == Survey.id)
    .where(Invitation.token_hash == bindparam("token_hash"))
    .order_by(SurveyVersion.number.desc())
    .limit(1)
)


def open_invitation(token: str) -> tuple[InvitationRow, VersionSnapshot] | None:
    """The invitation whose link carries `token` and its survey's current version; None for
    forged, purged or opted-out links. 429 for an address that guessed too many links.

    One statement reads the invitation, its survey, the id and fingerprint of the current version
    (whose parsed definition is kept per process) and the address's count of links that did not
    work: a working link is refused past the limit too, so guessing cannot tell links apart.
    Only when no invitation matches is the count read on its own.
    """
    row = None
    if token and len(token) <= MAX_TOKEN_LENGTH:
        params = {"token_hash": token_hash(token), "failures_key": link_failures_key()}
        row = _execute(_OPEN_INVITATION, params).first()
    if row is None:
        refuse_link_guessing()
        return None
    refuse_counted_guessing(row.failures)
    if row.token_salt is None or row.opted_out_at is not None:
        return None
    survey = SurveyRow(row.survey_id, row.slug, row.status, row.opens_at, row.closes_at, row.public_token)
    invitation = InvitationRow(
        row.invitation_id, row.organisation_id, row.started_on, row.finished_on, survey
    )
    return invitation, version_snapshot(row.version_id, row.survey_id, row.fingerprint)


class PublicRespondent(Respondent):
    """Anyone with the public link: a draft per respondent under a random resume token."""

    kind = "public"
    endpoint = "surveys.respond_public"

    def __init__(self, survey: Survey, *, for_update: bool = False):
        self.resume = session.get(SESSION_RESUME, {}).get(str(survey.id))
        draft = load_draft(self._key_hash(self.resume), for_update=for_update) if self.resume else None
        super().__init__(survey, draft if draft is not None and draft.survey_id == survey.id else None)

    @staticmethod
    def _key_hash(resume: str) -> str:
        return draft_key_hash("public", resume)

    @property
    def is_finished(self) -> bool:
        return self.survey.id in session.get(SESSION_DONE, [])

    @property
    def lost_draft(self) -> bool:
        return bool(self.resume) and self.draft is None

    @property
    def resume_url(self) -> str | None:
        if self.draft is None or not self.resume:
            return None
        return url_for(
            "surveys.resume_public", public_token=self.survey.public_token, resume=self.resume, _external=True
        )

    def link_values(self) -> dict:
        return {"public_token": self.survey.public_token}

    def save(self, answers, page_key, name):
        if self.draft is None:
            limit(
                "survey-draft",
                f"{self.survey.id}:{client_address()}",
                current_app.config["SURVEY_PUBLIC_DRAFTS_PER_HOUR"],
                3600,
            )
            self.resume = secrets.token_urlsafe(18)
            resume = dict(session.get(SESSION_RESUME, {}))
            resume[str(self.survey.id)] = self.resume
            session[SESSION_RESUME] = resume
        self._write_draft(self._key_hash(self.resume), answers, page_key, name)

    def submit(self, answers, user_id):
        if self.draft is None:
            return False
        limit(
            "survey-submit",
            f"{self.survey.id}:{client_address()}",
            current_app.config["SURVEY_PUBLIC_SUBMITS_PER_HOUR"],
            3600,
        )
        # The guard: deleting the draft succeeds once; a double submit finds nothing to delete.
        result = _execute(DELETE_DRAFT, {"draft_row_id": self.draft.id})
        if result.rowcount == 0:
            return False
        remember_own_response(submit(self.version, answers, organisation_id=None, user_id=user_id))
        self.draft = None
        forget_resume(self.survey)
        session[SESSION_DONE] = [*session.get(SESSION_DONE, []), self.survey.id]
        return True


OWN_RESPONSES = "own_responses"  # read by the results feature's "my answers" page
OWN_RESPONSES_KEPT = 50


def remember_own_response(response_id: int) -> None:
    """Keep the new response id in this browser's session only: the one link between a browser
    and its (even anonymous) response, so the respondent can compare with the sector."""
    kept = [*session.get(OWN_RESPONSES, []), response_id][-OWN_RESPONSES_KEPT:]
    session[OWN_RESPONSES] = kept


def forget_resume(survey: Survey) -> None:
    resume = dict(session.get(SESSION_RESUME, {}))
    if resume.pop(str(survey.id), None) is not None:
        session[SESSION_RESUME] = resume


def adopt_resume(survey: Survey, resume: str) -> bool:
    """Continue a public draft on this browser (from a resume link); False when the link is dead."""
    if not resume or len(resume) > MAX_TOKEN_LENGTH:
        return False
    # Another survey's resume key is a dead link here, exactly like a made-up one.
    draft = load_draft(draft_key_hash("public", resume))
    if draft is None or draft.survey_id != survey.id:
        return False
    stored = dict(session.get(SESSION_RESUME, {}))
    stored[str(survey.id)] = resume
    session[SESSION_RESUME] = stored
    return True


def find_public_survey(public_token: str) -> Survey | None:
    if not public_token or len(public_token) > MAX_TOKEN_LENGTH:
        return None
    return db.session.scalar(
        select(Survey).where(Survey.public_token == public_token, Survey.public_link_enabled.is_(True))
    )


class PreviewRespondent(Respondent):
    """Staff see the survey exactly as respondents do; answers live only in the session."""

    kind = "preview"
    endpoint = "surveys.preview_survey"

    def __init__(self, survey: Survey):
        super().__init__(survey, None)
        self._answers = session.get(SESSION_PREVIEW, {}).get(str(survey.id))

    @property
    def answers(self) -> dict:
        return dict(self._answers or {})

    @property
    def started(self) -> bool:
        return self._answers is not None

    @property
    def shows_saved_by(self) -> bool:
        return False

    def link_values(self) -> dict:
        return {"survey_id": self.survey.id}

    def save(self, answers, page_key, name):
        # Texts are cut so the answers fit in the 4 KB session cookie; it is only a preview.
        compact = {k: v[:80] if isinstance(v, str) else v for k, v in answers.items()}
        stored = dict(session.get(SESSION_PREVIEW, {}))
        stored[str(self.survey.id)] = compact
        session[SESSION_PREVIEW] = stored
        self._answers = compact

    def submit(self, answers, user_id):
        self.reset()
        return True

    def reset(self) -> None:
        stored = dict(session.get(SESSION_PREVIEW, {}))
        stored.pop(str(self.survey.id), None)
        session[SESSION_PREVIEW] = stored
        self._answers = None
