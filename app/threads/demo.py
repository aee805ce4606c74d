"""Demo data: one thread in the demo network, started from a finding (idempotent)."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.services import find_user_by_email
from app.extensions import db
from app.networks.demo import DEMO_FACILITATOR, DEMO_MEMBER, demo_network, in_dutch
from app.threads.models import Thread
from app.threads.services import reply, start_thread

TITLE = "Reageren op vragen van cliënten via Messenger: waar trekken jullie de grens?"


@in_dutch
def load_demo(**_options) -> list[str]:
    network = demo_network()
    facilitator = find_user_by_email(DEMO_FACILITATOR)
    member = find_user_by_email(DEMO_MEMBER)
    if network is None or facilitator is None or member is None:
        return []
    if db.session.scalar(select(Thread.id).where(Thread.network_id == network.id, Thread.title == TITLE)):
        return []
    thread = start_thread(
        network,
        facilitator,
        TITLE,
        "De interviews van 2014 toonden dat organisaties SNS **niet** inzetten voor procesmatige "
        "hulpverlening. Hoe gaan jullie vandaag om met cliënten die via Messenger of WhatsApp een "
        "hulpvraag stellen?",
        "finding",
        "geen-hulpverlening-via-sns",
    )
    reply(
        thread,
        member,
        "Wij antwoorden binnen de werkuren met een vaste tekst en verwijzen door naar de chat op "
        "onze website. Zo blijft het gesprek *uit* het zicht van het platform.",
    )
    db.session.commit()
    return []
