"""Networks and membership. Services flush, never commit: the view commits once per request."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.core.errors import DomainError
from app.core.models import utcnow
from app.extensions import db
from app.networks import audit
from app.networks.models import (
    DIGEST_FREQUENCIES,
    MAX_MEMBERS,
    VISIBILITIES,
    ConsentRecord,
    Membership,
    Network,
)
from app.networks.registry import content_hooks

log = logging.getLogger(__name__)


def default_consent_text(retention_months: int = 24) -> str:
    """The consent statement a new network starts with (facilitators can adapt it)."""
    return "\n\n".join(
        [
            _(
                "Wat je in dit netwerk schrijft (gesprekken, verslagen, acties, praktijken en "
                "reacties) is enkel zichtbaar voor de leden van het netwerk. Begeleiders en "
                "beheerders lezen het logboek van leden- en moderatiewijzigingen."
            ),
            _(
                "Een praktijk wordt pas openbaar als alle auteurs dat bevestigen en een begeleider "
                "of beheerder die geen auteur is ze goedkeurt. Namen van organisaties verschijnen "
                "enkel als de auteurs dat toelaten; namen van leden nooit."
            ),
            _(
                "Deel geen foto's of opnames van herkenbare personen zonder hun toestemming, en "
                "geen gegevens van cliënten of hulpvragers."
            ),
            _(
                "We bewaren de inhoud zolang het netwerk loopt en daarna nog %(months)s maanden. "
                "Je kan al je bijdragen downloaden, en wie het netwerk verlaat kan zijn bijdragen "
                "laten anonimiseren.",
                months=retention_months,
            ),
        ]
    )


def _check_visibility(visibility: str) -> None:
    if visibility not in VISIBILITIES:
        raise DomainError(_("Kies of het netwerk geheim of gesloten is."))


def create_network(
    name: str, description: str, visibility: str, by: User, retention_months: int = 24
) -> Network:
    """A new network (admins only: the view checks the role)."""
    _check_visibility(visibility)
    network = Network(
        name=name.strip(),
        description=description.strip(),
        visibility=visibility,
        retention_months=retention_months,
        consent_text=default_consent_text(retention_months),
        created_by_id=by.id,
    )
    db.session.add(network)
    db.session.flush()
    audit.record(network, by, "network.created")
    return network


def update_network(
    network: Network, by: User, name: str, description: str, visibility: str, consent_text: str
) -> None:
    """Change name, description, visibility or consent text; a new text must be accepted again."""
    _check_visibility(visibility)
    network.name, network.description, network.visibility = name.strip(), description.strip(), visibility
    consent_text = consent_text.strip()
    if not consent_text:
        raise DomainError(_("De toestemmingsverklaring mag niet leeg zijn."))
    if consent_text != network.consent_text.strip():
        network.consent_text = consent_text
        network.consent_version += 1
    audit.record(network, by, "network.edited")


def _lock(network: Network) -> None:
    """Serialise membership changes of one network (a row lock on PostgreSQL).

    On SQLite write requests already run under BEGIN IMMEDIATE, which locks the whole database.
    """
    db.session.execute(select(Network.id).where(Network.id == network.id).with_for_update())


def add_member(network: Network, user: User, role: str = "member") -> Membership:
    """Give `user` a free slot in `network`; refuses the 13th member.

    The count happens under a lock, and the unique (network, slot) constraint with slots 1..12
    refuses a 13th member in the database even if two joins ever raced past the count.
    """
    _lock(network)
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.network_id == network.id, Membership.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    if membership is not None and membership.is_active:
        raise DomainError(_("%(name)s is al lid van dit netwerk.", name=user.name))
    taken = set(
        db.session.scalars(
            select(Membership.slot).where(Membership.network_id == network.id, Membership.slot.is_not(None))
        )
    )
    free = [slot for slot in range(1, MAX_MEMBERS + 1) if slot not in taken]
    if not free:
        raise DomainError(_("Dit netwerk is volzet: het telt al %(n)s leden.", n=MAX_MEMBERS))
    if membership is None:
        membership = Membership(network=network, user=user)
        db.session.add(membership)
    membership.slot, membership.role, membership.left_at = free[0], role, None
    membership.joined_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(_("Dit netwerk is volzet: het telt al %(n)s leden.", n=MAX_MEMBERS)) from None
    return membership


def record_consent(membership: Membership) -> ConsentRecord:
    """Record that the member accepted the network's current consent text, word for word."""
    network = membership.network
    record = ConsentRecord(
        network_id=network.id,
        user_id=membership.user_id,
        version=network.consent_version,
        text=network.consent_text,
    )
    db.session.add(record)
    membership.consent_version = network.consent_version
    db.session.flush()
    audit.record(network, membership.user, "consent.accepted", subject=membership.user)
    return record


def join(network: Network, user: User, consent: bool, role: str = "member") -> Membership:
    """Join with the consent statement accepted (one transaction: no member without consent)."""
    if not consent:
        raise DomainError(_("Je kan pas lid worden als je de toestemmingsverklaring aanvaardt."))
    membership = add_member(network, user, role)
    audit.record(network, user, "member.joined", subject=user)
    record_consent(membership)
    return membership


def appoint_facilitator(network: Network, user: User, by: User) -> Membership:
    """Make `user` a facilitator; adds them as member when needed (they give consent on entry)."""
    membership = db.session.scalar(
        select(Membership).where(Membership.network_id == network.id, Membership.user_id == user.id)
    )
    if membership is None or not membership.is_active:
        membership = add_member(network, user, "facilitator")
    membership.role = "facilitator"
    audit.record(network, by, "facilitator.appointed", subject=user)
    return membership


def leave(membership: Membership, anonymise: bool) -> None:
    """The member leaves; with `anonymise`, their contributions say "Voormalig lid" from now on."""
    if not membership.is_active:
        raise DomainError(_("Je bent geen lid van dit netwerk."))
    network, user = membership.network, membership.user
    if anonymise:
        changed = sum(hooks.anonymise(user, network) or 0 for hooks in content_hooks() if hooks.anonymise)
        log.info("network %s: user %s anonymised %s contributions", network.id, user.id, changed)
    membership.slot, membership.left_at, membership.role = None, utcnow(), "member"
    db.session.flush()
    audit.record(network, user, "member.left_anonymised" if anonymise else "member.left", subject=user)


def remove_member(membership: Membership, by: User) -> None:
    """A facilitator or admin removes a member (what they wrote stays, under their name)."""
    if not membership.is_active:
        raise DomainError(_("Deze persoon is geen lid meer."))
    if membership.user_id == by.id:
        raise DomainError(_("Verlaat het netwerk via 'Netwerk verlaten'."))
    membership.slot, membership.left_at, membership.role = None, utcnow(), "member"
    db.session.flush()
    audit.record(membership.network, by, "member.removed", subject=membership.user)


def set_digest_frequency(membership: Membership, frequency: str) -> None:
    if frequency not in DIGEST_FREQUENCIES:
        raise DomainError(_("Kies hoe vaak je een overzicht wil krijgen."))
    membership.digest_frequency = frequency


def get_membership(network: Network, membership_id: int) -> Membership | None:
    """An active membership of this network by id (None for another network's id)."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.network_id != network.id or not membership.is_active:
        return None
    return membership


def visible_networks(user: User, query: str | None = None) -> list[Network]:
    """Networks `user` may find: their own, closed ones, and for admins all of them."""
    stmt = select(Network).order_by(func.lower(Network.name))
    if not user.is_admin:
        mine = select(Membership.network_id).where(
            Membership.user_id == user.id, Membership.slot.is_not(None)
        )
        stmt = stmt.where(or_(Network.visibility == "closed", Network.id.in_(mine)))
    if query and query.strip():
        stmt = stmt.where(func.lower(Network.name).contains(query.strip().lower(), autoescape=True))
    return list(db.session.scalars(stmt))


def my_memberships(user: User) -> list[Membership]:
    stmt = (
        select(Membership)
        .join(Network)
        .where(Membership.user_id == user.id, Membership.slot.is_not(None))
        .order_by(func.lower(Network.name))
    )
    return list(db.session.scalars(stmt))
