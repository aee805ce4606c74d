"""Demo data: every survey in surveys/, with the re-test survey open and its public link on."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.surveys.models import Survey

RETEST_SLUG = "herbevraging-2026"


def load_demo_surveys(responses: int = 0) -> list[str]:
    """Load surveys/ and open the re-test survey with its public link (safe to run twice)."""
    from app.core.models import utcnow
    from app.surveys.services import load_surveys

    findings, results = load_surveys()
    lines = [f"Findings: {findings}"]
    lines += [f"Survey {r.slug}: {r.outcome} (version {r.version})" for r in results]
    survey = db.session.scalar(select(Survey).where(Survey.slug == RETEST_SLUG))
    if survey is not None:
        if survey.closes_at and survey.closes_at <= utcnow():
            survey.closes_at = None
        if survey.status != "open":
            survey.open()
        survey.public_link_enabled = True
        lines.append(f"Survey {RETEST_SLUG} is open; public link: /e/{survey.public_token}")
    db.session.commit()
    return lines
