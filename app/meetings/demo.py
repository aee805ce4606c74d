"""Demo data: one planned meeting in the demo network (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.services import find_user_by_email
from app.core.models import utcnow
from app.extensions import db
from app.meetings.models import Meeting
from app.meetings.services import plan_meeting
from app.networks.demo import DEMO_FACILITATOR, demo_network, in_dutch

TITLE = "Maandelijkse bijeenkomst: wat werkt op Instagram?"


@in_dutch
def load_demo(**_options) -> list[str]:
    network = demo_network()
    facilitator = find_user_by_email(DEMO_FACILITATOR)
    if network is None or facilitator is None:
        return []
    exists = db.session.scalar(
        select(Meeting.id).where(Meeting.network_id == network.id, Meeting.title == TITLE)
    )
    if exists is None:
        starts = (utcnow() + timedelta(days=14)).replace(hour=17, minute=0, second=0, microsecond=0)
        plan_meeting(
            network,
            facilitator,
            TITLE,
            starts,
            120,
            "Vergaderzaal De Waag, Gent",
            "",
            "- Kennismaking en rondvraag\n- Elk brengt één geslaagde en één mislukte post mee\n"
            "- Afspraken over foto's van cliënten",
        )
        db.session.commit()
    return []
