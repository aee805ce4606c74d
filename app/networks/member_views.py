"""A member's own pages: accepting an invitation, consent, settings, leaving, their data."""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from app.accounts.services import find_user_by_email
from app.core import ratelimit
from app.core.errors import DomainError
from app.extensions import db
from app.networks import invitations, services
from app.networks.access import get_network_or_404
from app.networks.blueprint import bp
from app.networks.export import member_export, member_export_html
from app.networks.forms import ConsentForm, DigestForm, LeaveForm, NewAccountForm


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Open an invitation: read the consent statement, accept it and join (new account if needed)."""
    ratelimit.limit("network-invitation", ratelimit.client_address(), 30, 600)
    db.session.commit()
    invitation = invitations.find_invitation(token)
    if invitation is None:
        return render_template("networks/invalid_invitation.html"), 404
    network = invitation.network
    existing = find_user_by_email(invitation.email)
    if not current_user.is_authenticated and existing is not None:
        flash(_("Meld je aan om de uitnodiging te aanvaarden."), "success")
        return redirect(url_for("accounts.login", next=request.path))
    form = ConsentForm() if current_user.is_authenticated else NewAccountForm()
    if request.method == "GET" and not current_user.is_authenticated:
        form.name.data = invitation.name
    if request.method == "POST" and form.validate():
        try:
            if current_user.is_authenticated:
                membership = invitations.accept(token, current_user, form.consent.data)
            else:
                membership = invitations.accept_with_new_account(
                    token, form.name.data, form.password.data, form.consent.data
                )
        except DomainError as error:
            db.session.rollback()
            form.consent.errors.append(str(error))
        else:
            db.session.commit()
            if not current_user.is_authenticated:
                login_user(membership.user)
            flash(_("Welkom in %(network)s.", network=network.name), "success")
            return redirect(url_for("networks.view_network", network_id=network.id))
    return render_template(
        "networks/accept_invitation.html", form=form, invitation=invitation, network=network
    )


@bp.route("/<int:network_id>/toestemming", methods=["GET", "POST"])
@login_required
def give_consent(network_id: int):
    """A member (appointed facilitator, or after the text changed) accepts the consent statement."""
    access = get_network_or_404(network_id, current_user)
    if not access.is_member:
        abort(404)
    if access.membership.has_current_consent:
        return redirect(url_for("networks.view_network", network_id=network_id))
    form = ConsentForm()
    if request.method == "POST" and form.validate():
        services.record_consent(access.membership)
        db.session.commit()
        flash(_("Dank je. Je toestemming is bewaard."), "success")
        return redirect(url_for("networks.view_network", network_id=network_id))
    return render_template("networks/give_consent.html", form=form, network=access.network)


@bp.route("/<int:network_id>/mijn-instellingen", methods=["GET", "POST"])
@login_required
def my_settings(network_id: int):
    """A member chooses how often they get the e-mail digest."""
    access = get_network_or_404(network_id, current_user)
    membership = access.require_member()
    form = DigestForm(obj=membership) if request.method == "GET" else DigestForm()
    if request.method == "POST" and form.validate():
        try:
            services.set_digest_frequency(membership, form.digest_frequency.data)
        except DomainError as error:
            db.session.rollback()
            form.digest_frequency.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Je instellingen zijn bewaard."), "success")
            return redirect(url_for("networks.view_network", network_id=network_id))
    return render_template("networks/my_settings.html", form=form, network=access.network)


@bp.route("/<int:network_id>/verlaten", methods=["GET", "POST"])
@login_required
def leave_network(network_id: int):
    """A member leaves, optionally anonymising what they wrote (download it first)."""
    access = get_network_or_404(network_id, current_user)
    if not access.is_member:
        abort(404)
    form = LeaveForm()
    if request.method == "POST" and form.validate():
        try:
            services.leave(access.membership, anonymise=form.anonymise.data)
        except DomainError as error:
            db.session.rollback()
            form.anonymise.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Je hebt %(network)s verlaten.", network=access.network.name), "success")
            return redirect(url_for("networks.list_networks"))
    return render_template("networks/leave_network.html", form=form, network=access.network)


@bp.route("/mijn-bijdragen")
@login_required
def my_data():
    """Where a member downloads everything they wrote."""
    return render_template("networks/my_data.html")


@bp.route("/mijn-bijdragen.json")
@login_required
def export_json():
    """Everything the user wrote in networks, as JSON."""
    body = json.dumps(member_export(current_user), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mijn-bijdragen.json"'},
    )


@bp.route("/mijn-bijdragen.html")
@login_required
def export_html():
    """Everything the user wrote in networks, as one HTML page to keep."""
    return Response(
        member_export_html(current_user),
        mimetype="text/html",
        headers={"Content-Disposition": 'attachment; filename="mijn-bijdragen.html"'},
    )
