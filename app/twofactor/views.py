"""Two-factor pages: the second login step, set-up with a QR code, recovery codes, admin reset."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.accounts.models import User
from app.core import ratelimit
from app.core.access import admin_required
from app.core.errors import DomainError
from app.core.forms import CsrfOnlyForm
from app.core.urls import safe_next
from app.extensions import db
from app.twofactor import flow, services
from app.twofactor.forms import LoginCodeForm, RecoveryCodesForm, SetupCodeForm, TurnOffForm

bp = Blueprint("twofactor", __name__, template_folder="templates")

SETUP_URL = "/profiel/tweestapsverificatie"


def _throttle(user: User) -> None:
    """Per account, apart from the password throttle: 429 once the attempts run out."""
    cfg = current_app.config
    ratelimit.limit(
        services.THROTTLE_SCOPE, str(user.id), cfg["TWOFACTOR_MAX_ATTEMPTS"], cfg["TWOFACTOR_WINDOW_SECONDS"]
    )


def _throttle_passed(user: User) -> None:
    ratelimit.reset(services.THROTTLE_SCOPE, str(user.id), current_app.config["TWOFACTOR_WINDOW_SECONDS"])


@bp.route("/aanmelden/tweede-stap", methods=["GET", "POST"])
def second_step():
    """After the password: the code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user = flow.pending_user()
    if user is None:
        return flow.start_over()
    if services.get_credential(user) is None:
        return redirect(url_for("twofactor.setup"))
    form = LoginCodeForm()
    if request.method == "POST" and form.validate():
        _throttle(user)
        try:
            how = services.verify(user, form.code.data)
        except DomainError as error:
            db.session.commit()  # the attempt counts
            form.code.errors.append(str(error))
        else:
            _throttle_passed(user)
            left = services.recovery_codes_left(user)
            db.session.commit()
            next_url = flow.complete_login(user)
            if how == "recovery":
                flash(
                    ngettext(
                        "Je gebruikte een herstelcode. Je hebt er nog %(num)d over.",
                        "Je gebruikte een herstelcode. Je hebt er nog %(num)d over.",
                        left,
                    ),
                    "success",
                )
            return redirect(next_url)
    return render_template("twofactor/second_step.html", form=form)


def _setup_page_user() -> tuple[User | None, bool]:
    """The signed-in user, or the one halfway through logging in (True)."""
    if current_user.is_authenticated:
        return current_user._get_current_object(), False
    return flow.pending_user(), True


@bp.route(SETUP_URL, methods=["GET", "POST"])
def setup():
    """Set up an authenticator app (QR code, first code, recovery codes); once set up, manage it."""
    user, pending = _setup_page_user()
    if user is None:
        return (
            flow.start_over() if flow.has_pending() else redirect(url_for("accounts.login", next=SETUP_URL))
        )
    if services.get_credential(user) is not None:
        if pending:
            return redirect(url_for("twofactor.second_step"))
        return _manage_page(user)
    secret = flow.setup_secret(user)
    form = SetupCodeForm()
    if request.method == "POST" and form.validate():
        try:
            codes = services.confirm_setup(user, secret, form.code.data)
        except DomainError as error:
            db.session.rollback()
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flow.forget_setup()
            if pending:
                next_url = flow.complete_login(user)
            else:
                next_url = safe_next(request.args.get("next"), url_for("twofactor.setup"))
            return render_template("twofactor/recovery_codes.html", codes=codes, next_url=next_url, new=True)
    uri = services.provisioning_uri(user, secret)
    return render_template(
        "twofactor/setup.html",
        form=form,
        user=user,
        must=services.must_use(user),
        qr_code=services.qr_code_data_uri(uri),
        otpauth_uri=uri,
        secret=services.grouped(secret),
    )


def _manage_page(user: User, codes_form=None, off_form=None):
    return render_template(
        "twofactor/manage.html",
        credential=services.get_credential(user),
        left=services.recovery_codes_left(user),
        must=services.must_use(user),
        codes_form=codes_form or RecoveryCodesForm(formdata=None),
        off_form=off_form or TurnOffForm(formdata=None),
    )


@bp.route(SETUP_URL + "/herstelcodes", methods=["POST"])
@login_required
def replace_recovery_codes():
    """New recovery codes (the old ones stop working); needs a current code."""
    user = current_user._get_current_object()
    form = RecoveryCodesForm()
    if form.validate():
        _throttle(user)
        try:
            codes = services.replace_recovery_codes(user, form.code.data)
        except DomainError as error:
            db.session.commit()  # the attempt counts
            form.code.errors.append(str(error))
        else:
            _throttle_passed(user)
            db.session.commit()
            return render_template(
                "twofactor/recovery_codes.html", codes=codes, next_url=url_for("twofactor.setup"), new=False
            )
    return _manage_page(user, codes_form=form)


@bp.route(SETUP_URL + "/uitzetten", methods=["POST"])
@login_required
def turn_off():
    """Members only: turn two-factor login off again; needs a current code."""
    user = current_user._get_current_object()
    form = TurnOffForm()
    if form.validate():
        _throttle(user)
        try:
            services.turn_off(user, form.off_code.data)
        except DomainError as error:
            db.session.commit()  # the attempt counts
            form.off_code.errors.append(str(error))
        else:
            _throttle_passed(user)
            db.session.commit()
            flash(_("Tweestapsverificatie staat uit."), "success")
            return redirect(url_for("accounts.profile"))
    return _manage_page(user, off_form=form)


@bp.route("/beheer/gebruikers/<int:user_id>/tweestapsverificatie", methods=["GET", "POST"])
@admin_required
def reset_user(user_id: int):
    """Admin: remove a user's authenticator app and recovery codes (lost phone)."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = CsrfOnlyForm()
    if request.method == "POST":
        try:
            services.reset(current_user, user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("De tweestapsverificatie van %(name)s is hersteld.", name=user.name), "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template(
        "twofactor/reset_user.html",
        user=user,
        credential=services.get_credential(user),
        left=services.recovery_codes_left(user),
        form=form,
    )
