"""What practices contribute to digests, exports, search, the overview and the home page."""

from __future__ import annotations

import json
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.networks.models import Network
from app.networks.registry import ContentHooks, DigestItem
from app.practices import services
from app.practices.models import Practice, PracticeAuthor, PracticeComment, PracticeVersion
from app.practices.vocab import TEXT_FIELD_NAMES


def _digest(network: Network, since: datetime, until: datetime) -> list[DigestItem]:
    items = []
    new = db.session.scalars(
        select(Practice).where(
            Practice.network_id == network.id, Practice.created_at > since, Practice.created_at <= until
        )
    )
    for practice in new:
        items.append(
            DigestItem(
                _("Nieuwe praktijk"),
                practice.title,
                services.practice_url(network.id, practice.id),
                practice.created_at,
            )
        )
    published = db.session.scalars(
        select(Practice).where(
            Practice.network_id == network.id, Practice.published_at > since, Practice.published_at <= until
        )
    )
    for practice in published:
        items.append(
            DigestItem(
                _("Gepubliceerd"),
                practice.title,
                services.practice_url(network.id, practice.id),
                practice.published_at,
            )
        )
    return items


def _export(user) -> list[dict]:
    names = dict(db.session.execute(select(Network.id, Network.name)).all())
    records = []
    authored = select(PracticeAuthor.practice_id).where(PracticeAuthor.user_id == user.id)
    for practice in db.session.scalars(select(Practice).where(Practice.id.in_(authored))):
        fields = {name: getattr(practice, name) for name in TEXT_FIELD_NAMES}
        records.append(
            {
                "type": str(_("Praktijk")),
                "network": names.get(practice.network_id, ""),
                "title": practice.title,
                "created_at": practice.created_at.isoformat(),
                "status": practice.status,
                "organisations": practice.organisations,
                "fields": fields,
                "text": "\n\n".join(v for v in fields.values() if v),
            }
        )
    for comment in db.session.scalars(select(PracticeComment).where(PracticeComment.author_id == user.id)):
        records.append(
            {
                "type": str(_("Reactie op een praktijk")),
                "network": names.get(comment.network_id, ""),
                "title": comment.practice.title,
                "created_at": comment.created_at.isoformat(),
                "text": comment.body,
            }
        )
    return records


def _anonymise(user, network: Network) -> int:
    in_network = select(Practice.id).where(Practice.network_id == network.id)
    changed = 0
    statements = (
        update(PracticeAuthor)
        .where(PracticeAuthor.user_id == user.id, PracticeAuthor.practice_id.in_(in_network))
        .values(user_id=None),
        update(PracticeComment)
        .where(PracticeComment.author_id == user.id, PracticeComment.network_id == network.id)
        .values(author_id=None),
        update(PracticeVersion)
        .where(PracticeVersion.editor_id == user.id, PracticeVersion.practice_id.in_(in_network))
        .values(editor_id=None),
        update(Practice)
        .where(Practice.created_by_id == user.id, Practice.network_id == network.id)
        .values(created_by_id=None),
    )
    for statement in statements:
        changed += db.session.execute(statement).rowcount or 0
    db.session.expire_all()
    return changed


def _summary(access):
    practices = services.list_practices(access.network)[:5]
    return {
        "title": _("Praktijken"),
        "items": [
            {"label": p.title, "url": services.practice_url(access.network.id, p.id), "meta": p.status_label}
            for p in practices
        ],
        "empty": _("Nog geen praktijken gedeeld."),
        "more": (_("Alle praktijken"), url_for("practices.list_practices", network_id=access.network.id)),
    }


def review_section(user):
    """Overview: practices the user may approve, and proposals waiting for the user's confirmation."""
    items = [
        {
            "label": p.title,
            "url": services.practice_url(p.network_id, p.id),
            "meta": _("wacht op je goedkeuring"),
        }
        for p in services.review_queue(user)
    ]
    waiting = db.session.scalars(
        select(Practice)
        .join(PracticeAuthor)
        .where(
            Practice.status == "proposed",
            PracticeAuthor.user_id == user.id,
            PracticeAuthor.confirmed_at.is_(None),
        )
    )
    items += [
        {
            "label": p.title,
            "url": services.practice_url(p.network_id, p.id),
            "meta": _("wacht op je bevestiging"),
        }
        for p in waiting
    ]
    return {"title": _("Praktijken voor jou"), "items": items} if items else None


def home_section():
    """Home page: the latest published practices and a link to the showcase."""
    practices = services.published_practices(limit=3)
    return {
        "title": _("Inspirerende praktijken"),
        "items": [
            {"label": p.title, "url": url_for("practices.public_practice", practice_id=p.id)}
            for p in practices
        ],
        "empty": _("Binnenkort verschijnen hier de eerste praktijken uit de lerende netwerken."),
        "more": (_("Alle praktijken bekijken"), url_for("practices.showcase")),
    }


HOOKS = ContentHooks(
    name="practices",
    tab=(_l("Praktijken"), "practices.list_practices"),
    order=30,
    summary=_summary,
    digest=_digest,
    export=_export,
    anonymise=_anonymise,
    search_kinds={"practice": (_l("Praktijk"), services.practice_url)},
)


def version_data(version: PracticeVersion) -> dict:
    return json.loads(version.data)
