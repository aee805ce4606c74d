"""Practice views inside a network: write, version, co-author, comment, propose and review."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.extensions import db
from app.networks.access import get_network_or_404
from app.practices import services
from app.practices.blueprint import bp
from app.practices.forms import AuthorForm, CommentForm, PracticeForm, SendBackForm
from app.practices.hooks import version_data
from app.practices.vocab import TAG_KINDS, TEXT_FIELDS

PREFIX = "/netwerken/<int:network_id>"


@bp.app_context_processor
def _vocab():
    return {"practice_fields": TEXT_FIELDS, "tag_kinds": TAG_KINDS}


@bp.route(PREFIX + "/praktijken")
@login_required
def list_practices(network_id: int):
    """Members: the network's practices with their status."""
    access = get_network_or_404(network_id, current_user)
    access.require_member()
    return render_template(
        "practices/list_practices.html",
        network=access.network,
        practices=services.list_practices(access.network),
    )


@bp.route(PREFIX + "/praktijken/nieuw", methods=["GET", "POST"])
@login_required
def new_practice(network_id: int):
    """Members: describe a practice with the template."""
    access = get_network_or_404(network_id, current_user)
    access.require_member()
    form = PracticeForm()
    if request.method == "POST" and form.validate():
        try:
            practice = services.create_practice(
                access.network, current_user, form.fields_dict(), form.tags_dict()
            )
        except DomainError as error:
            db.session.rollback()
            form.title.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De praktijk is bewaard als werkversie."), "success")
            return redirect(services.practice_url(network_id, practice.id))
    return render_template("practices/edit_practice.html", form=form, network=access.network, practice=None)


@bp.route(PREFIX + "/praktijken/<int:practice_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_practice(network_id: int, practice_id: int):
    """Members: edit a draft (each save is kept as a version)."""
    access = get_network_or_404(network_id, current_user)
    practice = services.get_practice_or_404(access, practice_id)
    access.require_member()
    form = PracticeForm(obj=practice) if request.method == "GET" else PracticeForm()
    if request.method == "GET":
        form.fill_tags(practice)
    if request.method == "POST" and form.validate():
        try:
            services.update_practice(practice, current_user, form.fields_dict(), form.tags_dict())
        except DomainError as error:
            db.session.rollback()
            form.title.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De praktijk is bewaard."), "success")
            return redirect(services.practice_url(network_id, practice.id))
    return render_template(
        "practices/edit_practice.html", form=form, network=access.network, practice=practice
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>")
@login_required
def view_practice(network_id: int, practice_id: int):
    """Members (and reviewing admins): the practice, its authors, status and comments."""
    access = get_network_or_404(network_id, current_user)
    practice = services.get_practice_or_404(access, practice_id)
    author_form = AuthorForm(formdata=None)
    author_form.user_id.choices = [
        (m.user_id, m.user.name) for m in access.network.active_memberships if not practice.is_author(m.user)
    ]
    return render_template(
        "practices/view_practice.html",
        access=access,
        network=access.network,
        practice=practice,
        author_form=author_form,
        send_back_form=SendBackForm(formdata=None),
        comment_form=CommentForm(formdata=None),
        action_form=CsrfOnlyForm(formdata=None),
        is_author=practice.is_author(current_user),
    )


def _transition(network_id: int, practice_id: int, action, done: str):
    access = get_network_or_404(network_id, current_user)
    practice = services.get_practice_or_404(access, practice_id)
    try:
        action(access, practice)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(services.practice_url(network_id, practice_id))


@bp.route(PREFIX + "/praktijken/<int:practice_id>/auteurs", methods=["POST"])
@login_required
def add_author(network_id: int, practice_id: int):
    """Authors: add a co-author from the member list."""
    form = AuthorForm()
    try:
        user_id = int(form.user_id.raw_data[0]) if form.user_id.raw_data else 0
    except ValueError:
        abort(400)
    return _transition(
        network_id,
        practice_id,
        lambda access, p: services.add_author(p, current_user, user_id),
        _("De co-auteur is toegevoegd."),
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>/voorstellen", methods=["POST"])
@login_required
def propose(network_id: int, practice_id: int):
    """Authors: propose the practice for the public showcase."""
    return _transition(
        network_id,
        practice_id,
        lambda access, p: services.propose(p, current_user),
        _("Voorgesteld. Na de bevestiging van alle auteurs keurt een begeleider het goed."),
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>/bevestigen", methods=["POST"])
@login_required
def confirm(network_id: int, practice_id: int):
    """Co-authors: confirm the proposal."""
    return _transition(
        network_id,
        practice_id,
        lambda access, p: services.confirm(p, current_user),
        _("Je bevestiging is bewaard."),
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>/goedkeuren", methods=["POST"])
@login_required
def approve(network_id: int, practice_id: int):
    """A facilitator or admin who is not an author publishes the practice."""
    return _transition(
        network_id,
        practice_id,
        lambda access, p: services.approve(p, current_user, access.can_review),
        _("De praktijk is gepubliceerd."),
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>/terugsturen", methods=["POST"])
@login_required
def send_back(network_id: int, practice_id: int):
    """A reviewer sends the practice back to the authors with a remark."""
    form = SendBackForm()
    if not form.validate():
        flash(_("Zeg de auteurs wat er beter kan."), "error")
        return redirect(services.practice_url(network_id, practice_id) + "#beoordelen")
    return _transition(
        network_id,
        practice_id,
        lambda access, p: services.send_back(p, current_user, access.can_review, form.remark.data),
        _("De praktijk is teruggestuurd naar de auteurs."),
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>/intrekken", methods=["POST"])
@login_required
def withdraw(network_id: int, practice_id: int):
    """Authors: withdraw a proposal or a published practice (off the public pages at once)."""
    return _transition(
        network_id,
        practice_id,
        lambda access, p: services.withdraw(p, current_user),
        _("De praktijk is ingetrokken en weer een werkversie."),
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>/versies")
@login_required
def list_versions(network_id: int, practice_id: int):
    """Members: every saved version of a practice."""
    access = get_network_or_404(network_id, current_user)
    practice = services.get_practice_or_404(access, practice_id)
    access.require_member()
    versions = services.versions(practice)
    number = request.args.get("versie", type=int)
    shown = next((v for v in versions if v.number == number), versions[-1] if versions else None)
    return render_template(
        "practices/versions.html",
        network=access.network,
        practice=practice,
        versions=versions,
        shown=shown,
        data=version_data(shown) if shown else {},
    )


@bp.route(PREFIX + "/praktijken/<int:practice_id>/reacties", methods=["POST"])
@login_required
def add_comment(network_id: int, practice_id: int):
    """Members: comment on a practice."""
    access = get_network_or_404(network_id, current_user)
    practice = services.get_practice_or_404(access, practice_id)
    access.require_member()
    form = CommentForm()
    if not form.validate():
        flash(_("Je reactie is leeg."), "error")
        return redirect(services.practice_url(network_id, practice.id) + "#reacties")
    comment = services.add_comment(practice, current_user, form.body.data)
    db.session.commit()
    flash(_("Je reactie staat online."), "success")
    return redirect(services.practice_url(network_id, practice.id) + f"#reactie-{comment.id}")


@bp.route(PREFIX + "/reacties/<int:comment_id>")
@login_required
def view_comment(network_id: int, comment_id: int):
    """Members: one comment, on its practice's page."""
    access = get_network_or_404(network_id, current_user)
    comment = services.get_comment_or_404(access, comment_id)
    return redirect(services.practice_url(network_id, comment.practice_id) + f"#reactie-{comment.id}")


@bp.route(PREFIX + "/reacties/<int:comment_id>/verwijderen", methods=["POST"])
@login_required
def delete_comment(network_id: int, comment_id: int):
    """The comment's author or a facilitator deletes it."""
    access = get_network_or_404(network_id, current_user)
    comment = services.get_comment_or_404(access, comment_id)
    practice_id = comment.practice_id
    try:
        services.delete_comment(comment, current_user, access.is_facilitator)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("De reactie is verwijderd."), "success")
    return redirect(services.practice_url(network_id, practice_id) + "#reacties")


@bp.route("/netwerken/ter-goedkeuring")
@login_required
def review_queue():
    """Facilitators and admins: practices waiting for their approval (never their own)."""
    return render_template("practices/review_queue.html", practices=services.review_queue(current_user))


@bp.route(PREFIX + "/praktijken/<int:practice_id>/publiek")
@login_required
def preview_public(network_id: int, practice_id: int):
    """Members: how the practice looks on the public showcase."""
    access = get_network_or_404(network_id, current_user)
    practice = services.get_practice_or_404(access, practice_id)
    return render_template("practices/public_practice.html", practice=practice, preview=True)
