"""The load test's database side: the survey and invitations before the run, the checks after it.

Both run in the load script's own process through `create_app` on the test database (with the
servers' SECRET_KEY, so the invitation tokens built here are the ones the servers accept).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

SURVEY_FILE = Path(__file__).with_name("load-survey.yaml")
MARKER_QUESTION = "verhaal"
MARKER_RE = re.compile(r"LOADMARK-[0-9a-f]+-\d+")


def _app(database_url: str, secret_key: str):
    from app import create_app
    from config import database_url as normalise

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise(database_url),
            "SECRET_KEY": secret_key,
            "ENV_NAME": "development",
            "LOG_LEVEL": "WARNING",
        }
    )


def seed(
    database_url: str, secret_key: str, anonymity: str, count: int, run_id: str
) -> tuple[int, list[tuple[int, str]]]:
    """Store and open the load survey, `count` organisations each with an invitation.

    Returns (survey id, [(invitation id, link token)]).
    """
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.invitations.models import Invitation
    from app.organisations.models import Organisation
    from app.surveys.loader import load_definition_text
    from app.surveys.versions import sync_definition

    app = _app(database_url, secret_key)
    with app.app_context():
        text = SURVEY_FILE.read_text().replace("anonymity: pseudonymous", f"anonymity: {anonymity}")
        definition = load_definition_text(text, "bench/load-survey.yaml", require_en=False)
        version, _outcome = sync_definition(definition, "bench/load-survey.yaml")
        survey = version.survey
        survey.open()
        db.session.commit()
        names = [f"Loadtest {run_id} organisatie {i}" for i in range(count)]
        db.session.execute(
            insert(Organisation),
            [
                {"name": name, "name_key": name.lower(), "service_type": "caw", "region": "antwerpen"}
                for name in names
            ],
        )
        org_ids = db.session.scalars(
            select(Organisation.id)
            .where(Organisation.name.like(f"Loadtest {run_id} %"))
            .order_by(Organisation.id)
        ).all()
        invitations = []
        for start in range(0, len(org_ids), 500):
            batch = [
                Invitation(survey_id=survey.id, organisation_id=org_id)
                for org_id in org_ids[start : start + 500]
            ]
            db.session.add_all(batch)
            db.session.flush()
            invitations.extend((invitation.id, invitation.issue_token()) for invitation in batch)
            db.session.commit()
        survey_id = survey.id
        db.session.remove()
        db.engine.dispose()
    return survey_id, invitations


def verify(
    database_url: str, secret_key: str, survey_id: int, run_id: str, anonymity: str, outcomes: list[dict]
) -> dict:
    """Every invariant of the run, per invitation, from the database and what the clients saw.

    - every acknowledged submit has exactly one stored response (found by its marker);
    - no marker is stored twice; no response without a marker of this run;
    - for every invitation: finished_on set <=> exactly one response with its marker, and (not
      anonymous) invitations.response_id names that response; anonymous: it stays empty.
    """
    from sqlalchemy import select

    from app.extensions import db
    from app.invitations.models import Invitation
    from app.surveys.models import Answer, Draft, Response

    app = _app(database_url, secret_key)
    with app.app_context():
        invitations = db.session.execute(
            select(Invitation.id, Invitation.finished_on, Invitation.response_id).where(
                Invitation.survey_id == survey_id
            )
        ).all()
        response_ids = set(db.session.scalars(select(Response.id).where(Response.survey_id == survey_id)))
        texts = db.session.execute(
            select(Answer.response_id, Answer.text).where(
                Answer.survey_id == survey_id, Answer.variable == MARKER_QUESTION
            )
        ).all()
        drafts = db.session.scalar(
            select(db.func.count()).select_from(Draft).where(Draft.survey_id == survey_id)
        )
        db.session.remove()
        db.engine.dispose()

    responses_by_marker: dict[str, list[int]] = defaultdict(list)
    markers_per_response: Counter = Counter()
    for response_id, text in texts:
        for marker in set(MARKER_RE.findall(text or "")):
            responses_by_marker[marker].append(response_id)
            markers_per_response[response_id] += 1
    acknowledged = {o["invitation"] for o in outcomes if o["acknowledged"]}
    tried = {o["invitation"] for o in outcomes}
    mismatched, lost, wrong_link = [], [], []
    for invitation_id, finished_on, linked in invitations:
        stored = responses_by_marker.get(f"LOADMARK-{run_id}-{invitation_id}", [])
        finished = finished_on is not None
        if finished != (len(stored) == 1):
            mismatched.append({"invitation": invitation_id, "finished": finished, "responses": len(stored)})
        if invitation_id in acknowledged and len(stored) == 0:
            lost.append(invitation_id)
        expected_link = stored[0] if finished and stored and anonymity != "anonymous" else None
        if linked != expected_link:
            wrong_link.append(invitation_id)
    duplicated = sum(len(ids) - 1 for ids in responses_by_marker.values() if len(ids) > 1)
    ours = {m for m in responses_by_marker if m.startswith(f"LOADMARK-{run_id}-")}
    without_marker = len(response_ids - set(markers_per_response))
    finished_count = sum(1 for _i, finished_on, _l in invitations if finished_on is not None)
    return {
        "invitations": len(invitations),
        "invitations_tried": len(tried),
        "acknowledged": len(acknowledged),
        "stored": len(ours),
        "responses": len(response_ids),
        "finished_invitations": finished_count,
        "linked_invitations": sum(1 for _i, _f, linked in invitations if linked is not None),
        "lost": len(lost),
        "lost_invitations": lost[:20],
        "duplicated": duplicated,
        "responses_without_marker": without_marker,
        "responses_with_several_markers": sum(1 for n in markers_per_response.values() if n > 1),
        "finished_without_one_response": mismatched[:20],
        "finished_mismatches": len(mismatched),
        "wrong_response_links": len(wrong_link),
        "drafts_left": drafts,
    }
