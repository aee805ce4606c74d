"""Network views: list, create, view, edit, members, invitations, audit log, search."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.services import find_user_by_email
from app.core.access import admin_required
from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.extensions import db
from app.networks import audit, invitations, services
from app.networks.access import get_network_or_404
from app.networks.blueprint import bp
from app.networks.forms import AppointForm, EditNetworkForm, InviteForm, NetworkForm
from app.networks.models import MAX_MEMBERS
from app.networks.search import search as search_network


@bp.route("/")
@login_required
def list_networks():
    """The networks the user may find: their own and the closed ones (admins: all)."""
    q = request.args.get("q", "")
    networks = services.visible_networks(current_user, q)
    mine = {m.network_id: m for m in services.my_memberships(current_user)}
    return render_template("networks/list_networks.html", networks=networks, mine=mine, q=q)


@bp.route("/nieuw", methods=["GET", "POST"])
@admin_required
def create_network():
    """Admin: create a network; appoint facilitators on the next page."""
    form = NetworkForm()
    if request.method == "POST" and form.validate():
        try:
            network = services.create_network(
                form.name.data, form.description.data or "", form.visibility.data, current_user
            )
        except DomainError as error:
            db.session.rollback()
            form.visibility.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Het netwerk is aangemaakt. Stel nu een begeleider aan."), "success")
            return redirect(url_for("networks.list_members", network_id=network.id))
    return render_template("networks/edit_network.html", form=form, network=None)


@bp.route("/<int:network_id>")
@login_required
def view_network(network_id: int):
    """The network's home: what members can open; outsiders of a closed network see its name only."""
    access = get_network_or_404(network_id, current_user)
    if access.is_member and not access.membership.has_current_consent:
        return redirect(url_for("networks.give_consent", network_id=network_id))
    return render_template("networks/view_network.html", access=access, network=access.network)


@bp.route("/<int:network_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_network(network_id: int):
    """Facilitators and admins: name, description, visibility and consent text."""
    access = get_network_or_404(network_id, current_user)
    access.require_manager()
    network = access.network
    form = EditNetworkForm(obj=network) if request.method == "GET" else EditNetworkForm()
    if request.method == "POST" and form.validate():
        try:
            services.update_network(
                network,
                current_user,
                form.name.data,
                form.description.data or "",
                form.visibility.data,
                form.consent_text.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.consent_text.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Het netwerk is bewaard."), "success")
            return redirect(url_for("networks.view_network", network_id=network.id))
    return render_template("networks/edit_network.html", form=form, network=network)


@bp.route("/<int:network_id>/leden")
@login_required
def list_members(network_id: int):
    """Members and their roles; facilitators and admins also invite and remove here."""
    access = get_network_or_404(network_id, current_user)
    if not access.is_admin:
        access.require_member()
    return _members_page(access)


def _members_page(access, invite_form=None, appoint_form=None):
    network = access.network
    return render_template(
        "networks/list_members.html",
        access=access,
        network=network,
        invitations=invitations.open_invitations(network),
        invite_form=invite_form or InviteForm(formdata=None),
        appoint_form=appoint_form or AppointForm(formdata=None),
        action_form=CsrfOnlyForm(formdata=None),
        max_members=MAX_MEMBERS,
    )


@bp.route("/<int:network_id>/uitnodigen", methods=["POST"])
@login_required
def invite_member(network_id: int):
    """Facilitators and admins: invite someone by e-mail."""
    access = get_network_or_404(network_id, current_user)
    access.require_manager()
    form = InviteForm()
    if form.validate():
        try:
            invitations.invite(access.network, form.email.data, form.name.data, current_user)
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De uitnodiging is verstuurd naar %(email)s.", email=form.email.data), "success")
            return redirect(url_for("networks.list_members", network_id=network_id))
    return _members_page(access, invite_form=form), 422


@bp.route("/<int:network_id>/uitnodigingen/<int:invitation_id>/intrekken", methods=["POST"])
@login_required
def revoke_invitation(network_id: int, invitation_id: int):
    """Facilitators and admins: withdraw an open invitation."""
    access = get_network_or_404(network_id, current_user)
    access.require_manager()
    invitation = invitations.get_invitation(access.network, invitation_id)
    if invitation is None:
        abort(404)
    try:
        invitations.revoke(invitation, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("De uitnodiging is ingetrokken."), "success")
    return redirect(url_for("networks.list_members", network_id=network_id))


@bp.route("/<int:network_id>/begeleiders", methods=["POST"])
@admin_required
def appoint_facilitator(network_id: int):
    """Admin: appoint a facilitator (an existing account, found by e-mail address)."""
    access = get_network_or_404(network_id, current_user)
    form = AppointForm()
    if form.validate():
        user = find_user_by_email(form.email.data)
        if user is None or not user.is_active:
            form.email.errors.append(_("Er is geen actief account met dit e-mailadres."))
        else:
            try:
                services.appoint_facilitator(access.network, user, current_user)
            except DomainError as error:
                db.session.rollback()
                form.email.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("%(name)s is begeleider.", name=user.name), "success")
                return redirect(url_for("networks.list_members", network_id=network_id))
    return _members_page(access, appoint_form=form), 422


@bp.route("/<int:network_id>/leden/<int:membership_id>/verwijderen", methods=["POST"])
@login_required
def remove_member(network_id: int, membership_id: int):
    """Facilitators and admins: remove a member from the network."""
    access = get_network_or_404(network_id, current_user)
    access.require_manager()
    membership = services.get_membership(access.network, membership_id)
    if membership is None:
        abort(404)
    try:
        services.remove_member(membership, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(name)s is geen lid meer.", name=membership.user.name), "success")
    return redirect(url_for("networks.list_members", network_id=network_id))


@bp.route("/<int:network_id>/logboek")
@login_required
def audit_log(network_id: int):
    """Facilitators and admins: the log of membership and moderation changes."""
    access = get_network_or_404(network_id, current_user)
    access.require_manager()
    return render_template(
        "networks/audit_log.html", network=access.network, entries=audit.entries(access.network)
    )


@bp.route("/<int:network_id>/zoeken")
@login_required
def search(network_id: int):
    """Members: full-text search over the network's threads, notes and practices."""
    access = get_network_or_404(network_id, current_user)
    access.require_member()
    q = request.args.get("q", "").strip()[:200]
    hits = search_network(access.network, q) if q else []
    return render_template("networks/search.html", network=access.network, q=q, hits=hits)
