"""What threads contribute to digests, member exports, search and the network's home page."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from app.extensions import db
from app.networks.models import Network
from app.networks.registry import ContentHooks, DigestItem
from app.threads import services
from app.threads.models import Post, Thread


def _digest(network: Network, since: datetime, until: datetime) -> list[DigestItem]:
    """New threads, and per older thread the number of new replies: titles and links only."""
    items = []
    window = (Post.created_at > since, Post.created_at <= until)
    new_threads = db.session.scalars(
        select(Thread).where(
            Thread.network_id == network.id, Thread.created_at > since, Thread.created_at <= until
        )
    )
    new_ids = set()
    for thread in new_threads:
        new_ids.add(thread.id)
        items.append(
            DigestItem(
                _("Nieuw gesprek"),
                thread.title,
                services.thread_url(network.id, thread.id),
                thread.created_at,
            )
        )
    replies = db.session.execute(
        select(Thread, func.count(Post.id), func.max(Post.created_at))
        .join(Post, Post.thread_id == Thread.id)
        .where(Thread.network_id == network.id, Post.hidden_at.is_(None), *window)
        .group_by(Thread.id)
    ).all()
    for thread, count, latest in replies:
        if thread.id in new_ids:
            continue
        label = ngettext("%(num)s nieuwe reactie", "%(num)s nieuwe reacties", count)
        items.append(DigestItem(label, thread.title, services.thread_url(network.id, thread.id), latest))
    return items


def _export(user) -> list[dict]:
    names = dict(db.session.execute(select(Network.id, Network.name)).all())
    records = []
    for post in db.session.scalars(select(Post).where(Post.author_id == user.id).order_by(Post.id)):
        opening = post.thread.posts[0].id == post.id
        records.append(
            {
                "type": str(_("Gesprek") if opening else _("Bericht")),
                "network": names.get(post.network_id, ""),
                "title": post.thread.title,
                "created_at": post.created_at.isoformat(),
                "hidden_by_moderator": post.is_hidden,
                "text": post.body,
            }
        )
    return records


def _summary(access):
    rows = services.list_threads(access.network, access.user)[:5]
    return {
        "title": _("Recente gesprekken"),
        "items": [
            {
                "label": thread.title,
                "url": services.thread_url(access.network.id, thread.id),
                "meta": (_("nieuw") + " · " if unread else "")
                + ngettext("%(num)s bericht", "%(num)s berichten", n),
            }
            for thread, n, unread in rows
        ],
        "empty": _("Nog geen gesprekken."),
        "more": (_("Alle gesprekken"), url_for("threads.list_threads", network_id=access.network.id)),
    }


HOOKS = ContentHooks(
    name="threads",
    tab=(_l("Gesprekken"), "threads.list_threads"),
    order=20,
    summary=_summary,
    digest=_digest,
    export=_export,
    anonymise=services.anonymise,
    search_kinds={"post": (_l("Bericht"), services.post_url)},
)
