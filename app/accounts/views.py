"""Account views: login, logout, password reset, invitations, profile, user admin."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import LOGIN_STEPS, services
from app.accounts.forms import (
    ROLE_LABELS,
    ChangePasswordForm,
    InviteUserForm,
    LoginForm,
    ProfileForm,
    ResetRequestForm,
    RoleForm,
    SetPasswordForm,
)
from app.accounts.models import User
from app.core import ratelimit
from app.core.access import admin_required
from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.core.urls import safe_next
from app.extensions import db
from app.main.overview import profile_sections, user_admin_sections

bp = Blueprint("accounts", __name__, template_folder="templates")


@bp.app_context_processor
def _role_labels():
    return {"role_labels": ROLE_LABELS}


def _sign_in(user: User, next_url: str):
    """Log `user` in and go to `next_url`, unless a login step (two-factor) holds the login."""
    for step in current_app.extensions.get(LOGIN_STEPS, ()):
        held = step(user, next_url)
        if held is not None:
            return held
    login_user(user)
    return redirect(next_url)


@bp.route("/aanmelden", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password; repeated failures are throttled."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "POST" and form.validate():
        address = ratelimit.client_address()
        if services.login_blocked(form.email.data, address):
            db.session.commit()
            raise ratelimit.too_many(60)
        user = services.authenticate(form.email.data, form.password.data, address)
        db.session.commit()
        if user is None:
            form.password.errors.append(_("E-mailadres of wachtwoord klopt niet."))
        else:
            return _sign_in(user, safe_next(form.next.data, url_for("main.index")))
    return render_template("accounts/login.html", form=form)


@bp.route("/afmelden", methods=["POST"])
def logout():
    """Sign out (POST only, so another site cannot sign you out)."""
    logout_user()
    flash(_("Je bent afgemeld."), "success")
    return redirect(url_for("main.index"))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link; the answer never says whether the address exists."""
    form = ResetRequestForm()
    if request.method == "POST" and form.validate():
        ratelimit.limit("reset-request", ratelimit.client_address(), 10, 3600)
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _("Als er een account met dit adres bestaat, kreeg het een e-mail met een link."),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _token_view(purpose: str, token: str, template: str, done_message: str):
    ratelimit.limit("token-" + purpose, ratelimit.client_address(), 30, 600)
    db.session.commit()
    found = services.find_token(token, purpose)
    if found is None:
        return render_template("accounts/invalid_link.html"), 404
    form = SetPasswordForm()
    if request.method == "POST" and form.validate():
        try:
            user = services.use_token(token, purpose, form.password.data)
        except DomainError:
            db.session.rollback()
            return render_template("accounts/invalid_link.html"), 404
        db.session.commit()
        flash(done_message, "success")
        return _sign_in(user, url_for("main.index"))
    return render_template(template, form=form, user=found.user)


@bp.route("/wachtwoord-instellen/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through an e-mailed link (expires, works once)."""
    return _token_view(
        "reset", token, "accounts/reset_password.html", _("Je nieuwe wachtwoord is ingesteld.")
    )


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accept an account invitation by choosing a password."""
    return _token_view("invite", token, "accounts/accept_invitation.html", _("Welkom! Je account is klaar."))


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():
    """Change your name, e-mail address and language."""
    form = ProfileForm(obj=current_user) if request.method == "GET" else ProfileForm()
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    if request.method == "POST" and form.validate():
        try:
            services.update_profile(current_user, form.name.data, form.email.data, form.locale.data)
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Je gegevens zijn bewaard."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=form,
        password_form=ChangePasswordForm(formdata=None),
        sections=profile_sections(current_user),
    )


@bp.route("/profiel/wachtwoord", methods=["POST"])
@login_required
def change_password():
    """Change your password (needs the current one)."""
    form = ChangePasswordForm()
    if form.validate():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except DomainError as error:
            db.session.rollback()
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            # The session id changed with the password. Pass the user, not the proxy: Flask-Login
            # stores what it gets as the current user, and a proxy to itself recurses forever.
            login_user(current_user._get_current_object())
            flash(_("Je wachtwoord is gewijzigd."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=ProfileForm(obj=current_user, formdata=None),
        password_form=form,
        sections=profile_sections(current_user),
    )


@bp.route("/beheer/gebruikers")
@admin_required
def list_users():
    """Admin: all accounts with their role and status."""
    users = services.list_users(request.args.get("q"))
    return render_template(
        "accounts/list_users.html", users=users, q=request.args.get("q", ""), action_form=CsrfOnlyForm()
    )


@bp.route("/beheer/gebruikers/uitnodigen", methods=["GET", "POST"])
@admin_required
def invite_user():
    """Admin: invite a new user by e-mail."""
    form = InviteUserForm()
    if request.method == "POST" and form.validate():
        try:
            services.invite_user(form.email.data, form.name.data, form.role.data, current_user)
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De uitnodiging is verstuurd."), "success")
            return redirect(url_for("accounts.list_users"))
    return render_template("accounts/invite_user.html", form=form)


def _get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/beheer/gebruikers/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Admin: change a user's role."""
    user = _get_user_or_404(user_id)
    form = RoleForm(obj=user) if request.method == "GET" else RoleForm()
    if request.method == "POST" and form.validate():
        try:
            services.set_role(current_user, user, form.role.data)
        except DomainError as error:
            db.session.rollback()
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("De rol is aangepast."), "success")
            return redirect(url_for("accounts.list_users"))
    return render_template(
        "accounts/edit_user.html",
        user=user,
        form=form,
        action_form=CsrfOnlyForm(),
        sections=user_admin_sections(user),
    )


@bp.route("/beheer/gebruikers/<int:user_id>/status", methods=["POST"])
@admin_required
def toggle_user(user_id: int):
    """Admin: deactivate or reactivate an account (its content stays)."""
    user = _get_user_or_404(user_id)
    try:
        services.set_active(current_user, user, not user.is_active_account)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("Het account is weer actief.")
            if user.is_active_account
            else _("Het account is gedeactiveerd."),
            "success",
        )
    return redirect(url_for("accounts.edit_user", user_id=user.id))
