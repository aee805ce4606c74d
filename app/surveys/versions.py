"""Definitions into the database: a survey per slug, a new version per changed definition."""

from __future__ import annotations

import json
import logging

from sqlalchemy import exists, select

from app.extensions import db
from app.surveys.models import Response, Survey, SurveyVersion

log = logging.getLogger(__name__)


def version_has_responses(version: SurveyVersion) -> bool:
    return bool(db.session.scalar(select(exists().where(Response.version_id == version.id))))


def sync_definition(definition, source_path: str | None = None) -> tuple[SurveyVersion, str]:
    """Store `definition` as the survey's current version. Flushes, never commits.

    Returns (version, outcome) with outcome "created" (new survey), "unchanged" (same
    fingerprint), "updated" (the current version had no responses and was replaced in place) or
    "new-version" (the current version has responses, which keep it).
    """
    payload = json.dumps(definition.to_dict(), ensure_ascii=False, sort_keys=True)
    fingerprint = definition.fingerprint
    survey = db.session.scalar(select(Survey).where(Survey.slug == definition.slug))
    if survey is None:
        survey = Survey(slug=definition.slug, source_path=source_path)
        db.session.add(survey)
        outcome = "created"
    else:
        if source_path:
            survey.source_path = source_path
        current = survey.versions[-1] if survey.versions else None
        if current is not None and current.fingerprint == fingerprint:
            return current, "unchanged"
        if current is not None and not version_has_responses(current):
            current.fingerprint, current.definition_json = fingerprint, payload
            current.anonymity = definition.anonymity
            db.session.flush()
            log.info("survey %s version %s updated in place", survey.slug, current.number)
            return current, "updated"
        outcome = "new-version"
    number = (survey.versions[-1].number + 1) if survey.versions else 1
    version = SurveyVersion(
        survey=survey,
        number=number,
        fingerprint=fingerprint,
        anonymity=definition.anonymity,
        definition_json=payload,
    )
    db.session.add(version)
    db.session.flush()
    log.info("survey %s now at version %s (%s)", survey.slug, number, outcome)
    return version, outcome
