"""Thread operations. They flush, never commit."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import abort, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts.models import User
from app.core.errors import DomainError
from app.core.mail import queue_mail
from app.core.models import utcnow
from app.extensions import db
from app.networks import audit
from app.networks.access import NetworkAccess
from app.networks.models import Network
from app.networks.search import index_document, remove_document
from app.threads.models import Post, PostReport, Thread, ThreadRead
from app.threads.sources import clean_source

log = logging.getLogger(__name__)


# --- loaders ---


def get_thread_or_404(access: NetworkAccess, thread_id: int) -> Thread:
    access.require_member()
    thread = db.session.get(Thread, thread_id)
    if thread is None or thread.network_id != access.network.id:
        abort(404)
    return thread


def get_post_or_404(access: NetworkAccess, post_id: int) -> Post:
    access.require_member()
    post = db.session.get(Post, post_id)
    if post is None or post.network_id != access.network.id:
        abort(404)
    return post


def get_report_or_404(access: NetworkAccess, report_id: int) -> PostReport:
    access.require_facilitator()
    report = db.session.get(PostReport, report_id)
    if report is None or report.network_id != access.network.id:
        abort(404)
    return report


# --- writing ---


def _index(post: Post) -> None:
    if post.is_hidden:
        remove_document("post", post.id)
    else:
        index_document(post.network_id, "post", post.id, post.thread.title, post.body)


def start_thread(
    network: Network,
    by: User,
    title: str,
    body: str,
    source_kind: str | None = None,
    source_ref: str | None = None,
) -> Thread:
    """A new thread with its opening post; optionally linked to a finding or survey result."""
    kind, ref = clean_source(source_kind, source_ref)
    if not body.strip():
        raise DomainError(_("Schrijf een eerste bericht."))
    now = utcnow()
    thread = Thread(
        network_id=network.id,
        title=title.strip(),
        author_id=by.id,
        source_kind=kind,
        source_ref=ref,
        created_at=now,
        last_post_at=now,
    )
    db.session.add(thread)
    post = Post(thread=thread, network_id=network.id, author_id=by.id, body=body, created_at=now)
    db.session.add(post)
    db.session.flush()
    _index(post)
    mark_read(thread, by, now)
    return thread


def reply(thread: Thread, by: User, body: str) -> Post:
    if not body.strip():
        raise DomainError(_("Je bericht is leeg."))
    now = utcnow()
    post = Post(thread=thread, network_id=thread.network_id, author_id=by.id, body=body, created_at=now)
    db.session.add(post)
    thread.last_post_at = now
    db.session.flush()
    _index(post)
    mark_read(thread, by, now)
    return post


def mark_read(thread: Thread, user: User, at: datetime | None = None) -> None:
    """Remember that `user` has read `thread` up to now (an upsert: two tabs at once are fine)."""
    at = at or utcnow()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ThreadRead).values(thread_id=thread.id, user_id=user.id, read_at=at)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ThreadRead.thread_id, ThreadRead.user_id], set_={"read_at": at}
    )
    db.session.execute(stmt)


def last_read(thread: Thread, user: User) -> datetime | None:
    return db.session.scalar(
        select(ThreadRead.read_at).where(ThreadRead.thread_id == thread.id, ThreadRead.user_id == user.id)
    )


# --- moderation ---


def hide_post(post: Post, by: User, reason: str) -> None:
    """A facilitator hides a post; members see that and the reason. Logged."""
    post.hide(by, reason)
    db.session.flush()
    _index(post)
    audit.record(post.network, by, "post.hidden", object_kind="post", object_id=post.id, detail=reason)


def show_post(post: Post, by: User) -> None:
    post.show()
    db.session.flush()
    _index(post)
    audit.record(post.network, by, "post.shown", object_kind="post", object_id=post.id)


def report_post(post: Post, by: User, reason: str) -> PostReport:
    """A member asks the facilitators to look at a post; they get a mail with a link only."""
    open_report = db.session.scalar(
        select(PostReport.id).where(
            PostReport.post_id == post.id, PostReport.reporter_id == by.id, PostReport.resolved_at.is_(None)
        )
    )
    if open_report:
        raise DomainError(_("Je meldde dit bericht al; de begeleiders bekijken het."))
    report = PostReport(post_id=post.id, network_id=post.network_id, reporter_id=by.id, reason=reason.strip())
    db.session.add(report)
    db.session.flush()
    network = post.network
    audit.record(network, by, "post.reported", object_kind="post", object_id=post.id)
    for facilitator in network.facilitators:
        with force_locale(facilitator.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            queue_mail(
                facilitator.email,
                _("Een bericht in %(network)s werd gemeld", network=network.name),
                "mail/post_reported",
                "post_reported",
                user=facilitator,
                network=network,
                thread=post.thread,
            )
    return report


def resolve_report(report: PostReport, by: User) -> None:
    if report.resolved_at is not None:
        raise DomainError(_("Deze melding is al afgehandeld."))
    report.resolved_at, report.resolved_by_id = utcnow(), by.id
    audit.record(report.post.network, by, "report.resolved", object_kind="post", object_id=report.post_id)


def open_reports(network: Network) -> list[PostReport]:
    stmt = (
        select(PostReport)
        .where(PostReport.network_id == network.id, PostReport.resolved_at.is_(None))
        .order_by(PostReport.created_at)
    )
    return list(db.session.scalars(stmt))


# --- reading ---


def list_threads(network: Network, user: User) -> list[tuple[Thread, int, bool]]:
    """(thread, number of posts, unread for `user`), most recently active first."""
    counts = (
        select(Post.thread_id, func.count(Post.id).label("n"))
        .where(Post.network_id == network.id)
        .group_by(Post.thread_id)
        .subquery()
    )
    stmt = (
        select(Thread, counts.c.n, ThreadRead.read_at)
        .join(counts, counts.c.thread_id == Thread.id)
        .outerjoin(ThreadRead, and_(ThreadRead.thread_id == Thread.id, ThreadRead.user_id == user.id))
        .where(Thread.network_id == network.id)
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
    )
    return [(t, n, read_at is None or read_at < t.last_post_at) for t, n, read_at in db.session.execute(stmt)]


def anonymise(user: User, network: Network) -> int:
    """Posts and threads of `user` in `network` show "Voormalig lid" from now on."""
    changed = 0
    for model in (Post, Thread):
        result = db.session.execute(
            update(model)
            .where(model.network_id == network.id, model.author_id == user.id)
            .values(author_id=None)
        )
        changed += result.rowcount or 0
    db.session.execute(
        update(PostReport)
        .where(PostReport.network_id == network.id, PostReport.reporter_id == user.id)
        .values(reporter_id=None)
    )
    db.session.expire_all()
    return changed


def thread_url(network_id: int, thread_id: int) -> str:
    return url_for("threads.view_thread", network_id=network_id, thread_id=thread_id)


def post_url(network_id: int, post_id: int) -> str:
    return url_for("threads.view_post", network_id=network_id, post_id=post_id)
