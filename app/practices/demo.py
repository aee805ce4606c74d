"""Demo data: one published practice in the demo network (idempotent)."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.services import find_user_by_email
from app.extensions import db
from app.networks.demo import DEMO_FACILITATOR, DEMO_MEMBER, demo_network, in_dutch
from app.practices.models import Practice
from app.practices.services import approve, create_practice, propose

TITLE = "Een vaste 'vraag van de week' op Instagram"

FIELDS = {
    "title": TITLE,
    "organisations": "JAC Gent (demo)",
    "show_organisations": True,
    "context": "Een jongerenadviescentrum met een Instagramaccount dat vooral affiches deelde (web 1.0).",
    "goal": "Jongeren laten reageren en drempels naar het JAC verlagen.",
    "channels_used": "Instagram-stories met een vraagsticker; antwoorden enkel anoniem en algemeen.",
    "preparation": "Afspraken met het team over wie antwoordt, binnen welke uren, "
    "en wat we nooit publiek beantwoorden.",
    "implementation": "Elke maandag een vraag, op donderdag een algemeen antwoord "
    "met doorverwijzing naar de chat.",
    "evaluation": "We telden reacties en doorverwijzingen naar de chat gedurende drie maanden.",
    "worked": "Veel meer reacties dan bij affiches; jongeren vonden de chat sneller.",
    "did_not_work": "Vragen over persoonlijke problemen kwamen soms toch publiek binnen.",
    "dos": "- Vaste dag en vast uur\n- Doorverwijzen naar een veilig kanaal",
    "donts": "- Nooit individuele hulpvragen publiek beantwoorden",
    "privacy": "Geen herkenbare foto's van jongeren; vragen worden geanonimiseerd vóór we ze tonen.",
}
TAGS = {"channel": ["instagram", "chat"], "target_group": ["youth"], "theme": ["care", "privacy"]}


@in_dutch
def load_demo(**_options) -> list[str]:
    network = demo_network()
    member = find_user_by_email(DEMO_MEMBER)
    facilitator = find_user_by_email(DEMO_FACILITATOR)
    if network is None or member is None or facilitator is None:
        return []
    if db.session.scalar(
        select(Practice.id).where(Practice.network_id == network.id, Practice.title == TITLE)
    ):
        return []
    practice = create_practice(network, member, FIELDS, TAGS)
    propose(practice, member)
    approve(practice, facilitator, may_review=True)
    db.session.commit()
    return []
