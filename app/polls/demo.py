"""Demo data: the polls in surveys/polls/ and a handful of votes on each."""

from __future__ import annotations

import random

from flask_babel import force_locale

from app.core.errors import DomainError
from app.extensions import db
from app.polls import services
from app.polls.models import PollBallot, PollChoice, random_ballot_id
from app.surveys.loader import DefinitionError

DEMO_VOTES = 23


def _demo_votes(poll) -> int:
    """Add votes to a poll that has none (seeded, so every demo looks the same)."""
    if services.has_votes(poll):
        return 0
    rng = random.Random(poll.slug)
    codes = [o.code for o in poll.options]
    weights = [len(codes) - i for i in range(len(codes))]
    today = services.local_today()
    for _ in range(DEMO_VOTES):
        chosen = {rng.choices(codes, weights)[0]}
        if poll.is_multiple and rng.random() < 0.5:
            chosen.add(rng.choice(codes))
        ballot = PollBallot(id=random_ballot_id(), poll_id=poll.id, voted_on=today)
        db.session.add(ballot)
        db.session.add_all(PollChoice(ballot_id=ballot.id, code=c, poll_id=poll.id) for c in chosen)
    db.session.flush()
    return DEMO_VOTES


def load_demo_polls() -> list[str]:
    """Load every poll file and give the polls without votes some demo votes; returns lines."""
    lines = []
    with force_locale("nl"):
        for path in services.poll_files():
            try:
                poll, outcome = services.sync_poll_file(path)
            except (DefinitionError, DomainError) as error:
                db.session.rollback()
                lines.append(f"poll {path.name} not loaded: {error}")
                continue
            added = _demo_votes(poll)
            db.session.commit()
            lines.append(f"poll {poll.slug}: {outcome}, {added} demo votes added")
    return lines
