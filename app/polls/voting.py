"""Voting once, and counting.

"Once" is per browser: a signed cookie scoped to the poll's link marks that the browser voted.
Each vote form carries a signed one-time token, so a double click (two posts before the first
answer sets the cookie) counts once. Addresses are only ever used as (hashed) rate-limit keys.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import func, insert, select

from app.core import ratelimit
from app.core.errors import DomainError
from app.extensions import db
from app.polls.models import Poll, PollBallot, PollChoice, random_ballot_id

FORM_MAX_AGE = 24 * 3600
VOTED_COOKIE_DAYS = 365


def _signer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _timed_signer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


# -- the browser's "voted" mark --------------------------------------------------------------


def voted_cookie_name(poll: Poll) -> str:
    return f"wwwelzijn_poll_{poll.id}"


def has_voted(poll: Poll, cookies) -> bool:
    """Whether the request's cookies carry this poll's signed "voted" mark."""
    value = cookies.get(voted_cookie_name(poll))
    if not value:
        return False
    try:
        return _signer("poll-voted").loads(value) == poll.id
    except BadSignature:
        return False


def mark_voted(response, poll: Poll, path: str, secure: bool) -> None:
    """Set the "voted" cookie on `response` (for the poll's own pages only).

    Over HTTPS it is SameSite=None and partitioned, so the mark also works inside the embed
    on another site (in that site's own cookie jar).
    """
    response.set_cookie(
        voted_cookie_name(poll),
        _signer("poll-voted").dumps(poll.id),
        max_age=int(timedelta(days=VOTED_COOKIE_DAYS).total_seconds()),
        path=path,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


# -- one-time form tokens --------------------------------------------------------------------


def form_token(poll: Poll) -> str:
    """A signed token for one vote form: which poll, and a random one-time nonce."""
    return _timed_signer("poll-form").dumps([poll.id, secrets.token_urlsafe(16)])


def form_nonce(poll: Poll, token: str | None) -> str | None:
    """The nonce of a valid, recent form token for this poll; None otherwise."""
    if not token:
        return None
    try:
        poll_id, nonce = _timed_signer("poll-form").loads(token, max_age=FORM_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return nonce if poll_id == poll.id else None


# -- casting and counting --------------------------------------------------------------------


def check_open(poll: Poll, today: date) -> None:
    state = poll.state(today)
    if state == "not_yet":
        raise DomainError(
            _("Deze poll is nog niet open. Stemmen kan vanaf %(day)s.", day=_day(poll.opens_on))
        )
    if state == "closed":
        raise DomainError(_("Deze poll is gesloten: stemmen kan niet meer."))


def _day(value: date) -> str:
    from flask_babel import format_date

    return format_date(value, "long")


def _valid_codes(poll: Poll, codes: list[int]) -> list[int]:
    known = {o.code for o in poll.options}
    chosen = sorted(set(codes))
    if not chosen:
        raise DomainError(
            _("Kies een antwoord.") if not poll.is_multiple else _("Kies minstens één antwoord.")
        )
    if any(code not in known for code in chosen):
        raise DomainError(_("Kies een van de antwoorden uit de lijst."))
    if not poll.is_multiple and len(chosen) > 1:
        raise DomainError(_("Kies één antwoord."))
    return chosen


def cast_vote(poll: Poll, codes: list[int], nonce: str, today: date) -> str:
    """Store one ballot; returns "recorded", or "duplicate" when this form was already counted.

    Flushes, never commits. Raises DomainError when the poll is not open or the choice is bad.
    """
    check_open(poll, today)
    chosen = _valid_codes(poll, codes)
    if ratelimit.hit("poll-form", nonce, FORM_MAX_AGE) > 1:
        return "duplicate"
    ballot_id = random_ballot_id()
    db.session.execute(insert(PollBallot).values(id=ballot_id, poll_id=poll.id, voted_on=today))
    db.session.execute(
        insert(PollChoice), [{"ballot_id": ballot_id, "code": c, "poll_id": poll.id} for c in chosen]
    )
    return "recorded"


def limit_votes(poll: Poll, address: str) -> None:
    """At most POLL_VOTE_LIMIT votes per POLL_VOTE_WINDOW_SECONDS from one address (429 beyond)."""
    cfg = current_app.config
    ratelimit.limit(
        "poll-vote", f"{poll.id}:{address}", cfg["POLL_VOTE_LIMIT"], cfg["POLL_VOTE_WINDOW_SECONDS"]
    )


@dataclass(frozen=True)
class ResultRow:
    code: int
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class PollResults:
    n: int
    rows: tuple[ResultRow, ...]
    threshold: int

    @property
    def small(self) -> bool:
        """Too few votes for the numbers to mean much."""
        return self.n < self.threshold

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "small": self.small,
            "threshold": self.threshold,
            "options": [
                {"code": r.code, "label": r.label, "count": r.count, "percent": r.percent} for r in self.rows
            ],
        }


def results(poll: Poll, locale: str | None = None) -> PollResults:
    """Counts and percentages of voters per option (two aggregate queries).

    For a multiple-choice poll the percentages are of voters, so they may add up to over 100.
    """
    n = (
        db.session.scalar(select(func.count()).select_from(PollBallot).where(PollBallot.poll_id == poll.id))
        or 0
    )
    counts = dict(
        db.session.execute(
            select(PollChoice.code, func.count())
            .where(PollChoice.poll_id == poll.id)
            .group_by(PollChoice.code)
        ).all()
    )
    rows = tuple(
        ResultRow(
            o.code,
            o.label.get(locale),
            counts.get(o.code, 0),
            round(100 * counts.get(o.code, 0) / n, 1) if n else 0.0,
        )
        for o in poll.options
    )
    return PollResults(n, rows, int(current_app.config["POLL_SMALL_N"]))
