"""Practice operations. They flush, never commit."""

from __future__ import annotations

import json
import logging

from flask import abort, current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from app.accounts.models import User
from app.core.errors import DomainError
from app.core.mail import queue_mail
from app.core.models import utcnow
from app.extensions import db
from app.networks import audit
from app.networks.access import NetworkAccess, active_membership
from app.networks.models import Membership, Network
from app.networks.search import index_document
from app.practices.models import Practice, PracticeAuthor, PracticeComment, PracticeTag, PracticeVersion
from app.practices.vocab import TAG_KINDS, TEXT_FIELD_NAMES

log = logging.getLogger(__name__)

REVIEWABLE = ("in_review", "published")


# --- loaders ---


def get_practice_or_404(access: NetworkAccess, practice_id: int) -> Practice:
    """Members see their network's practices; an admin outside it only those up for review or published."""
    practice = db.session.get(Practice, practice_id)
    if practice is None or practice.network_id != access.network.id:
        abort(404)
    if access.is_member:
        access.require_member()
    elif not (access.is_admin and practice.status in REVIEWABLE):
        abort(404)
    return practice


def get_comment_or_404(access: NetworkAccess, comment_id: int) -> PracticeComment:
    access.require_member()
    comment = db.session.get(PracticeComment, comment_id)
    if comment is None or comment.network_id != access.network.id:
        abort(404)
    return comment


def get_published_or_404(practice_id: int) -> Practice:
    practice = db.session.get(Practice, practice_id)
    if practice is None or not practice.is_published:
        abort(404)
    return practice


# --- writing ---


def _snapshot(practice: Practice) -> str:
    data = {name: getattr(practice, name) for name in ("title", "organisations", "show_organisations")}
    data.update({name: getattr(practice, name) for name in TEXT_FIELD_NAMES})
    data["tags"] = {kind: practice.tag_codes(kind) for kind in TAG_KINDS}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _set_fields(practice: Practice, fields: dict, tags: dict[str, list[str]]) -> None:
    practice.title = (fields.get("title") or "").strip()
    if not practice.title:
        raise DomainError(_("Geef de praktijk een titel."))
    practice.organisations = (fields.get("organisations") or "").strip()
    practice.show_organisations = bool(fields.get("show_organisations"))
    for name in TEXT_FIELD_NAMES:
        setattr(practice, name, fields.get(name) or "")
    wanted = set()
    for kind, codes in tags.items():
        vocabulary = TAG_KINDS[kind][1]
        for code in codes or ():
            if code not in vocabulary:
                raise DomainError(_("Onbekende tag."))
            wanted.add((kind, code))
    practice.tags = [t for t in practice.tags if (t.kind, t.code) in wanted]
    have = {(t.kind, t.code) for t in practice.tags}
    practice.tags.extend(PracticeTag(kind=k, code=c) for k, c in sorted(wanted - have))


def _new_version(practice: Practice, by: User) -> None:
    number = (
        db.session.scalar(
            select(func.max(PracticeVersion.number)).where(PracticeVersion.practice_id == practice.id)
        )
        or 0
    ) + 1
    db.session.add(
        PracticeVersion(practice_id=practice.id, number=number, data=_snapshot(practice), editor_id=by.id)
    )


def _index(practice: Practice) -> None:
    body = "\n".join([practice.organisations] + [getattr(practice, n) or "" for n in TEXT_FIELD_NAMES])
    index_document(practice.network_id, "practice", practice.id, practice.title, body)


def create_practice(network: Network, by: User, fields: dict, tags: dict) -> Practice:
    """A new practice (draft) with `by` as first author and version 1."""
    practice = Practice(network_id=network.id, created_by_id=by.id)
    _set_fields(practice, fields, tags)
    practice.authors.append(PracticeAuthor(user_id=by.id))
    db.session.add(practice)
    db.session.flush()
    _new_version(practice, by)
    _index(practice)
    return practice


def update_practice(practice: Practice, by: User, fields: dict, tags: dict) -> None:
    """Edit a draft; every edit is kept as a version. Proposed or published: withdraw first."""
    if practice.status != "draft":
        raise DomainError(_("Trek het voorstel eerst in om de praktijk te bewerken."))
    _set_fields(practice, fields, tags)
    practice.updated_at = utcnow()
    db.session.flush()
    _new_version(practice, by)
    _index(practice)


def add_author(practice: Practice, by: User, user_id: int) -> PracticeAuthor:
    """An author adds another member of the network as co-author (drafts only)."""
    practice_network = practice.network_id
    if not practice.is_author(by):
        raise DomainError(_("Enkel de auteurs van een praktijk kunnen dit doen."))
    if practice.status != "draft":
        raise DomainError(_("Trek het voorstel eerst in om de auteurs te wijzigen."))
    membership = active_membership(practice_network, user_id)
    if membership is None:
        raise DomainError(_("Kies een lid van het netwerk."))
    if any(a.user_id == user_id for a in practice.authors):
        raise DomainError(_("Deze persoon is al auteur."))
    author = PracticeAuthor(user_id=user_id)
    practice.authors.append(author)
    db.session.flush()
    return author


def _lock(practice: Practice) -> None:
    """Serialise state changes of one practice (two co-authors confirming at once)."""
    db.session.execute(select(Practice.id).where(Practice.id == practice.id).with_for_update())
    db.session.refresh(practice)
    for author in practice.authors:
        db.session.refresh(author)


def _mail(users, subject, template: str, practice: Practice, **context) -> None:
    """Queue one mail per user in their language; `subject()` is translated in that language."""
    for user in users:
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            queue_mail(
                user.email,
                subject(),
                template,
                "practice_" + template.rsplit("/", 1)[-1],
                user=user,
                practice=practice,
                **context,
            )


def _reviewers(practice: Practice) -> list[User]:
    network = db.session.get(Network, practice.network_id)
    return [u for u in network.facilitators if not practice.is_author(u)]


def propose(practice: Practice, by: User) -> None:
    _lock(practice)
    practice.propose(by)
    _after_confirmation(practice)


def confirm(practice: Practice, by: User) -> None:
    _lock(practice)
    practice.confirm(by)
    _after_confirmation(practice)


def _after_confirmation(practice: Practice) -> None:
    if practice.status == "in_review":
        _mail(
            _reviewers(practice),
            lambda: _("Praktijk ter goedkeuring: %(title)s", title=practice.title),
            "mail/practice_review",
            practice,
        )


def approve(practice: Practice, by: User, may_review: bool) -> None:
    _lock(practice)
    practice.approve(by, may_review)
    network = db.session.get(Network, practice.network_id)
    audit.record(network, by, "practice.approved", object_kind="practice", object_id=practice.id)


def send_back(practice: Practice, by: User, may_review: bool, remark: str) -> None:
    _lock(practice)
    practice.send_back(by, may_review, remark)
    network = db.session.get(Network, practice.network_id)
    audit.record(network, by, "practice.returned", object_kind="practice", object_id=practice.id)
    authors = [a.user for a in practice.authors if a.user is not None]
    _mail(
        authors,
        lambda: _("Je praktijk werd teruggestuurd: %(title)s", title=practice.title),
        "mail/practice_returned",
        practice,
    )


def withdraw(practice: Practice, by: User) -> None:
    _lock(practice)
    was_published = practice.is_published
    practice.withdraw(by)
    if was_published:
        network = db.session.get(Network, practice.network_id)
        audit.record(network, by, "practice.withdrawn", object_kind="practice", object_id=practice.id)


def add_comment(practice: Practice, by: User, body: str) -> PracticeComment:
    if not body.strip():
        raise DomainError(_("Je reactie is leeg."))
    comment = PracticeComment(
        practice_id=practice.id, network_id=practice.network_id, author_id=by.id, body=body
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def delete_comment(comment: PracticeComment, by: User, is_facilitator: bool) -> None:
    """The author deletes their comment, or a facilitator removes it (that is moderation: logged)."""
    if comment.author_id != by.id and not is_facilitator:
        raise DomainError(_("Enkel wie de reactie schreef of een begeleider kan ze verwijderen."))
    if comment.author_id != by.id:
        network = db.session.get(Network, comment.network_id)
        audit.record(network, by, "comment.deleted", object_kind="comment", object_id=comment.id)
    db.session.delete(comment)


# --- reading ---


def list_practices(network: Network) -> list[Practice]:
    stmt = select(Practice).where(Practice.network_id == network.id).order_by(Practice.updated_at.desc())
    return list(db.session.scalars(stmt))


def versions(practice: Practice) -> list[PracticeVersion]:
    stmt = (
        select(PracticeVersion)
        .where(PracticeVersion.practice_id == practice.id)
        .order_by(PracticeVersion.number)
    )
    return list(db.session.scalars(stmt))


def review_queue(user: User) -> list[Practice]:
    """Practices waiting for approval that `user` may approve (never their own)."""
    stmt = select(Practice).where(Practice.status == "in_review").order_by(Practice.proposed_at)
    if not user.is_admin:
        facilitated = select(Membership.network_id).where(
            Membership.user_id == user.id, Membership.slot.is_not(None), Membership.role == "facilitator"
        )
        stmt = stmt.where(Practice.network_id.in_(facilitated))
    return [p for p in db.session.scalars(stmt) if not p.is_author(user)]


def published_practices(
    query: str = "", tags: dict[str, str] | None = None, limit: int = 100
) -> list[Practice]:
    """The public showcase: published practices matching every word of `query` and every tag."""
    stmt = select(Practice).where(Practice.status == "published")
    searchable = [Practice.title] + [getattr(Practice, n) for n in TEXT_FIELD_NAMES]
    for word in (query or "").lower().split()[:8]:
        matches = [func.lower(col).contains(word, autoescape=True) for col in searchable]
        # Organisation names only count where the authors allowed showing them.
        matches.append(
            and_(
                Practice.show_organisations,
                func.lower(Practice.organisations).contains(word, autoescape=True),
            )
        )
        stmt = stmt.where(or_(*matches))
    for kind, code in (tags or {}).items():
        if code:
            tagged = select(PracticeTag.practice_id).where(PracticeTag.kind == kind, PracticeTag.code == code)
            stmt = stmt.where(Practice.id.in_(tagged))
    return list(db.session.scalars(stmt.order_by(Practice.published_at.desc()).limit(limit)))


def practice_url(network_id: int, practice_id: int) -> str:
    return url_for("practices.view_practice", network_id=network_id, practice_id=practice_id)
