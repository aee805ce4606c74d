"""Submitting a response: one transaction, a fixed handful of statements.

Callers (the respondent flow, invitations, the demo generator) first do their own guard in the
same transaction (e.g. the invitation's conditional "finished" update), then call `submit()`.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import bindparam, delete, insert

from app.core.models import utcnow
from app.core.prepared import Prepared
from app.core.transactions import request_connection
from app.extensions import db
from app.surveys.models import Answer, Draft, Response, SurveyVersion, random_response_id
from app.surveys.storage import answers_to_rows
from app.surveys.wide import encode_dict_rows

log = logging.getLogger(__name__)


def draft_key_hash(kind: str, secret: str) -> str:
    """The stored key of a draft: a hash of the invitation token or public resume token."""
    return hashlib.sha256(f"{kind}:{secret}".encode()).hexdigest()


# Built once, values as parameters (building a statement and its cache key cost more than running it).
_INSERT_RESPONSE = Prepared(insert(Response))
_INSERT_ANSWER = Prepared(insert(Answer))
DELETE_DRAFT = Prepared(delete(Draft).where(Draft.id == bindparam("draft_row_id")))


def submit(
    version: SurveyVersion,
    answers: dict,
    *,
    organisation_id: int | None = None,
    user_id: int | None = None,
    draft_id: int | None = None,
) -> int:
    """Store a submitted response with its answers and delete its draft; returns the response id.

    `answers` must already be validated and pruned of hidden questions (the flow does both).
    Anonymous versions store no organisation, user or time finer than the day, whatever is passed.
    Flushes what the caller added, then three prepared statements (response, answers, draft) on
    the app context's connection (`app.core.transactions`), in the caller's transaction.
    """
    if db.session.registry.has():
        db.session.flush()  # whatever the caller added: the statements below go past the ORM
    connection = request_connection()
    anonymous = version.anonymity == "anonymous"
    now = utcnow()
    response_id = random_response_id()
    rows = answers_to_rows(version.definition, answers, response_id, version.survey_id)
    _INSERT_RESPONSE.run(
        connection,
        {
            "id": response_id,
            "survey_id": version.survey_id,
            "version_id": version.id,
            "organisation_id": None if anonymous else organisation_id,
            "user_id": user_id if version.anonymity == "identified" else None,
            "submitted_at": None if anonymous else now,
            "submitted_on": now.date(),
            "export_row": encode_dict_rows(version, rows),  # exports' copy: a value, not a statement
        },
    )
    if rows:
        # Every row has every key (answers_to_rows): one executemany.
        _INSERT_ANSWER.run(connection, rows)
    if draft_id is not None:
        DELETE_DRAFT.run(connection, {"draft_row_id": draft_id})
    log.info("response submitted for survey %s (version %s)", version.survey_id, version.number)
    return response_id
