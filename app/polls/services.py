"""Creating and changing polls, from the browser and from surveys/polls/*.yaml. Flush, never commit.

Options can be changed freely until the first vote. After that, the codes that votes refer to
must stay: a file may relabel options or add new ones, but not drop or renumber them, and a
poll cannot switch between single and multiple choice.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import abort, current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from app.core.clock import local_today  # polls open and close on local days
from app.core.errors import DomainError
from app.extensions import db
from app.polls.models import Poll, PollBallot, PollOption
from app.surveys.common import Text
from app.surveys.loader import load_poll

log = logging.getLogger(__name__)

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
MAX_OPTIONS = 20


def get_poll(slug: str) -> Poll | None:
    return db.session.scalar(select(Poll).where(Poll.slug == slug))


def get_poll_or_404(slug: str) -> Poll:
    """The poll with this slug (polls are public: whoever has the link may see it)."""
    return get_poll(slug) or abort(404)


def has_votes(poll: Poll) -> bool:
    return bool(db.session.scalar(select(exists().where(PollBallot.poll_id == poll.id))))


def vote_counts() -> dict[int, int]:
    """Poll id -> number of ballots, for every poll (one GROUP BY)."""
    rows = db.session.execute(select(PollBallot.poll_id, func.count()).group_by(PollBallot.poll_id))
    return dict(rows.all())


def list_polls() -> list[Poll]:
    return list(db.session.scalars(select(Poll).order_by(Poll.created_at.desc(), Poll.id.desc())))


def open_polls(today: date | None = None) -> list[Poll]:
    """Polls open today, newest first."""
    today = today or local_today()
    stmt = (
        select(Poll)
        .where((Poll.opens_on.is_(None)) | (Poll.opens_on <= today))
        .where((Poll.closes_on.is_(None)) | (Poll.closes_on >= today))
        .order_by(Poll.created_at.desc(), Poll.id.desc())
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class PollFields:
    """What defines a poll, wherever it comes from (browser form or file)."""

    question: Text
    options: tuple[tuple[int, Text], ...]
    multiple: bool = False
    opens: date | None = None
    closes: date | None = None
    show_results: bool = True

    @classmethod
    def from_definition(cls, definition) -> PollFields:
        return cls(
            definition.question,
            tuple((o.code, o.label) for o in definition.options),
            definition.multiple,
            definition.opens,
            definition.closes,
            definition.show_results,
        )

    @classmethod
    def of(cls, poll: Poll) -> PollFields:
        return cls(
            poll.question,
            tuple((o.code, o.label) for o in poll.options),
            poll.is_multiple,
            poll.opens_on,
            poll.closes_on,
            poll.show_results,
        )


def parse_option_lines(text_nl: str, text_en: str | None = None) -> tuple[tuple[int, Text], ...]:
    """Options from a text area, one per line; codes follow the order (1, 2, 3 ...)."""
    labels_nl = [line.strip() for line in (text_nl or "").splitlines() if line.strip()]
    labels_en = [line.strip() for line in (text_en or "").splitlines() if line.strip()]
    if labels_en and len(labels_en) != len(labels_nl):
        raise DomainError(
            _(
                "Geef evenveel Engelse als Nederlandse antwoordopties (%(en)s tegenover %(nl)s), "
                "in dezelfde volgorde.",
                en=len(labels_en),
                nl=len(labels_nl),
            )
        )
    return tuple(
        (i + 1, Text(label, labels_en[i] if labels_en else None)) for i, label in enumerate(labels_nl)
    )


def slug_from(text: str) -> str:
    """A link-friendly name from a question: 'Wat vind je van X?' -> 'wat-vind-je-van-x'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40].strip("-")
    return slug or "poll"


def unique_slug(base: str) -> str:
    slug, n = base, 2
    while get_poll(slug) is not None:
        slug = f"{base[:36]}-{n}"
        n += 1
    return slug


def _check(poll: Poll | None, slug: str, fields: PollFields) -> None:
    if not SLUG_RE.fullmatch(slug or ""):
        raise DomainError(_("De korte naam mag enkel kleine letters, cijfers en - bevatten."))
    other = get_poll(slug)
    if other is not None and other is not poll:
        raise DomainError(_("Er bestaat al een poll met de korte naam '%(slug)s'.", slug=slug))
    if not fields.question.nl.strip():
        raise DomainError(_("Vul de vraag in."))
    if len(fields.options) < 2:
        raise DomainError(_("Een poll heeft minstens twee antwoordopties."))
    if len(fields.options) > MAX_OPTIONS:
        raise DomainError(_("Een poll heeft hoogstens %(n)s antwoordopties.", n=MAX_OPTIONS))
    codes = [code for code, _label in fields.options]
    if len(set(codes)) != len(codes):
        raise DomainError(_("Elke antwoordoptie heeft een eigen code nodig."))
    if any(len(label.nl) > 200 or len(label.en or "") > 200 for _c, label in fields.options):
        raise DomainError(_("Een antwoordoptie is hoogstens 200 tekens lang."))
    if fields.opens and fields.closes and fields.closes < fields.opens:
        raise DomainError(_("De sluitingsdatum ligt vóór de openingsdatum."))
    if poll is not None and poll.id is not None and has_votes(poll):
        if fields.multiple != poll.is_multiple:
            raise DomainError(
                _("Er is al gestemd: de poll kan niet meer wisselen tussen één en meerdere antwoorden.")
            )
        missing = sorted({o.code for o in poll.options} - set(codes))
        if missing:
            raise DomainError(
                _(
                    "Er is al gestemd: de antwoordopties met code %(codes)s moeten blijven bestaan.",
                    codes=", ".join(str(c) for c in missing),
                )
            )


def save_poll(
    poll: Poll | None,
    slug: str,
    fields: PollFields,
    *,
    created_by=None,
    source_path: str | None = None,
) -> Poll:
    """Create (poll=None) or change a poll. Refuses changes that would alter voted option codes."""
    _check(poll, slug, fields)
    if poll is None:
        poll = Poll(created_by_id=getattr(created_by, "id", None))
        db.session.add(poll)
    poll.slug = slug
    poll.question_nl, poll.question_en = (
        fields.question.nl.strip(),
        (fields.question.en or "").strip() or None,
    )
    poll.is_multiple, poll.show_results = fields.multiple, fields.show_results
    poll.opens_on, poll.closes_on = fields.opens, fields.closes
    if source_path is not None:
        poll.source_path = source_path
    existing = {o.code: o for o in poll.options}
    wanted = {code for code, _label in fields.options}
    for code, option in existing.items():
        if code not in wanted:
            poll.options.remove(option)
    for position, (code, label) in enumerate(fields.options):
        option = existing.get(code) or PollOption(code=code)
        option.label_nl, option.label_en, option.position = label.nl.strip(), label.en, position
        if code not in existing:
            poll.options.append(option)
    db.session.flush()
    return poll


def sync_poll_file(path: str | Path, root: str | Path | None = None) -> tuple[Poll, str]:
    """Load one poll file into the database; returns (poll, "created" | "updated" | "unchanged").

    Raises `DefinitionError` for a broken file and `DomainError` for a change that votes forbid.
    """
    definition = load_poll(path, root=root)
    fields = PollFields.from_definition(definition)
    source = _relative(path, root)
    poll = get_poll(definition.slug)
    if poll is not None and PollFields.of(poll) == fields and poll.source_path == source:
        return poll, "unchanged"
    outcome = "created" if poll is None else "updated"
    poll = save_poll(poll, definition.slug, fields, source_path=source)
    log.info("poll %s %s from %s", poll.slug, outcome, source)
    return poll, outcome


def _relative(path: str | Path, root: str | Path | None) -> str:
    path = Path(path).resolve()
    base = Path(root or current_app.config["SURVEYS_DIR"]).resolve().parent
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def poll_files(directory: str | Path | None = None) -> list[Path]:
    """The poll files in `surveys/polls/` (sorted)."""
    folder = Path(directory or Path(current_app.config["SURVEYS_DIR"]) / "polls")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
