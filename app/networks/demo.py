"""Demo data: the network "Lerend netwerk Sociale Media Gent" (the content packages add to it)."""

from __future__ import annotations

import functools

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.services import find_user_by_email
from app.extensions import db
from app.networks.access import active_membership
from app.networks.models import Network
from app.networks.services import add_member, create_network, record_consent

DEMO_NETWORK = "Lerend netwerk Sociale Media Gent"
DEMO_FACILITATOR = "onderzoeker@demo.wwwelzijn.be"
DEMO_MEMBER = "lid@demo.wwwelzijn.be"
DEMO_ADMIN = "admin@demo.wwwelzijn.be"


def in_dutch(loader):
    """Run a demo loader with Dutch as the language (the CLI has no request to choose one)."""

    @functools.wraps(loader)
    def wrapped(**options):
        with current_app.test_request_context("/"), force_locale("nl"):
            return loader(**options)

    return wrapped


def demo_network() -> Network | None:
    return db.session.scalar(select(Network).where(Network.name == DEMO_NETWORK))


@in_dutch
def load_demo(**_options) -> list[str]:
    """Create the demo network with the researcher as facilitator and the demo member (idempotent)."""
    admin = find_user_by_email(DEMO_ADMIN)
    facilitator = find_user_by_email(DEMO_FACILITATOR)
    member = find_user_by_email(DEMO_MEMBER)
    if admin is None or facilitator is None or member is None:
        return ["Demo network skipped: the demo users are missing."]
    network = demo_network()
    if network is None:
        network = create_network(
            DEMO_NETWORK,
            "Welzijnswerkers uit Gentse organisaties die sociale media inzetten, komen maandelijks "
            "samen en delen hier hun ervaringen en inspirerende praktijken.",
            "closed",
            admin,
        )
    for user, role in ((facilitator, "facilitator"), (member, "member")):
        membership = active_membership(network.id, user.id)
        if membership is None:
            membership = add_member(network, user, role)
        if not membership.has_current_consent:
            record_consent(membership)
    db.session.commit()
    return [f"Demo network: {DEMO_NETWORK} (facilitator {DEMO_FACILITATOR}, member {DEMO_MEMBER})"]
