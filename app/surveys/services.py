"""Survey administration: loading definition files, counts, opening, closing, dates, public link.

Every function flushes, never commits; the caller (a view or CLI command) commits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask import abort, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.clock import site_zone
from app.core.errors import DomainError
from app.extensions import db
from app.surveys.loader import YAML_SUFFIXES, load_definition, load_directory
from app.surveys.models import Draft, Response, Survey, SurveyVersion
from app.surveys.versions import sync_definition

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    slug: str
    outcome: str  # created | unchanged | updated | new-version
    version: int
    path: str


def surveys_dir() -> Path:
    return Path(current_app.config["SURVEYS_DIR"])


def questionnaire_files(directory: Path) -> list[Path]:
    """The questionnaire files of a surveys directory (not findings.yaml, not polls/)."""
    return sorted(
        p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and p.name != "findings.yaml"
    )


def load_surveys(directory: Path | None = None) -> tuple[int, list[LoadResult]]:
    """Validate every file of the surveys directory, then store each questionnaire as a version.

    Raises `DefinitionError` (listing every problem) before anything is stored when any file,
    the findings catalogue or a poll is invalid. Returns (number of findings, results per slug).
    """
    directory = directory or surveys_dir()
    catalogue, _definitions, _polls = load_directory(directory)
    results = []
    root = directory.resolve()
    for path in questionnaire_files(directory):
        definition = load_definition(path, catalogue, root=directory)
        try:
            source = str(path.resolve().relative_to(root.parent))
        except ValueError:
            source = str(path)
        version, outcome = sync_definition(definition, source)
        results.append(LoadResult(definition.slug, outcome, version.number, source))
    return len(catalogue.findings), results


# -- reading --------------------------------------------------------------------------------


def get_survey_or_404(survey_id: int) -> Survey:
    """The survey with this id (staff pages only); 404 when there is none."""
    return db.session.get(Survey, survey_id) or abort(404)


def list_surveys() -> list[Survey]:
    return list(db.session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())))


def survey_counts() -> dict[int, dict[str, int]]:
    """survey id -> {"drafts": drafts in progress, "responses": submitted responses}."""
    counts: dict[int, dict[str, int]] = {}
    for model, name in ((Draft, "drafts"), (Response, "responses")):
        rows = db.session.execute(select(model.survey_id, func.count()).group_by(model.survey_id))
        for survey_id, count in rows:
            counts.setdefault(survey_id, {"drafts": 0, "responses": 0})[name] = count
    return counts


def version_response_counts(survey: Survey) -> dict[int, int]:
    """version id -> number of responses."""
    rows = db.session.execute(
        select(Response.version_id, func.count())
        .where(Response.survey_id == survey.id)
        .group_by(Response.version_id)
    )
    return dict(rows.all())


def status_key(survey: Survey, now: datetime | None = None) -> str:
    """What respondents meet now: draft, scheduled, open, ended or closed."""
    if survey.status == "open":
        if survey.is_accepting(now):
            return "open"
        now = now or datetime.now(UTC)
        return "scheduled" if survey.opens_at and now < survey.opens_at else "ended"
    return survey.status


# -- changing -------------------------------------------------------------------------------


def local_midnight(day: date) -> datetime:
    """The start of `day` in the site's time zone, as UTC."""
    return datetime.combine(day, time(0), tzinfo=site_zone()).astimezone(UTC)


def local_day(moment: datetime | None, *, end: bool = False) -> date | None:
    """The local date of a stored moment; with `end`, the last day before it (closing dates)."""
    if moment is None:
        return None
    day = moment.astimezone(site_zone()).date()
    return day - timedelta(days=1) if end else day


def set_dates(survey: Survey, opens_on: date | None, closes_on: date | None, actor) -> None:
    """Open from the start of `opens_on` and close at the end of `closes_on` (local time)."""
    if opens_on and closes_on and closes_on < opens_on:
        raise DomainError(_("De sluitingsdatum ligt voor de openingsdatum."))
    survey.opens_at = local_midnight(opens_on) if opens_on else None
    survey.closes_at = local_midnight(closes_on + timedelta(days=1)) if closes_on else None
    db.session.flush()
    log.info("survey %s dates set to %s..%s by user %s", survey.slug, opens_on, closes_on, actor.id)


def open_survey(survey: Survey, actor) -> None:
    survey.open()
    db.session.flush()
    log.info("survey %s opened by user %s", survey.slug, actor.id)


def close_survey(survey: Survey, actor) -> None:
    survey.close()
    db.session.flush()
    log.info("survey %s closed by user %s", survey.slug, actor.id)


def set_public_link(survey: Survey, enabled: bool, actor) -> None:
    survey.public_link_enabled = enabled
    db.session.flush()
    log.info("survey %s public link %s by user %s", survey.slug, "on" if enabled else "off", actor.id)


def current_versions(survey: Survey) -> list[SurveyVersion]:
    return list(reversed(survey.versions))


def overview_section(user) -> dict | None:
    """Staff overview: the surveys with their status and response counts."""
    from flask import url_for
    from flask_babel import get_locale
    from flask_babel import lazy_gettext as _l

    if not (user.is_authenticated and user.is_staff):
        return None
    counts = survey_counts()
    labels = {"draft": _l("in voorbereiding"), "scheduled": _l("gepland"), "open": _l("open"),
              "ended": _l("afgelopen"), "closed": _l("gesloten")}
    items = []
    for survey in list_surveys()[:8]:
        c = counts.get(survey.id, {"drafts": 0, "responses": 0})
        meta = _("%(status)s · %(responses)s antwoorden, %(drafts)s bezig",
                 status=labels[status_key(survey)], responses=c["responses"], drafts=c["drafts"])
        items.append({
            "label": survey.definition.title.get(str(get_locale() or "nl")),
            "url": url_for("surveys.view_survey", survey_id=survey.id),
            "meta": meta,
        })
    return {
        "title": _("Bevragingen"),
        "items": items,
        "empty": _("Nog geen bevragingen geladen."),
        "more": (_("Alle bevragingen"), url_for("surveys.list_surveys")),
    }
