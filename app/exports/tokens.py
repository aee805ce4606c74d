"""The API token page: researchers create and revoke personal tokens (a token is shown once)."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.core.access import staff_required
from app.exports.forms import ApiTokenForm, RevokeForm
from app.exports.models import ApiToken
from app.extensions import db

bp = Blueprint("api_tokens", __name__, template_folder="templates", url_prefix="/api-tokens")
log = logging.getLogger(__name__)


def user_tokens(user) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )


def create_token(user, name: str) -> str:
    """Issue a token for `user`; returns the clear token (flushes, never commits)."""
    token, clear = ApiToken.issue(user, name.strip())
    db.session.flush()
    log.info("user %s created API token %s", user.id, token.id)
    return clear


def get_own_token_or_404(token_id: int, user) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        abort(404)
    return token


@bp.route("/", methods=["GET", "POST"])
@staff_required
def list_tokens():
    """The user's tokens; a POST creates one and shows it once."""
    form = ApiTokenForm()
    clear = None
    if request.method == "POST" and form.validate():
        clear = create_token(current_user, form.name.data)
        db.session.commit()
        form = ApiTokenForm(formdata=None)
    return render_template(
        "exports/api_tokens.html",
        form=form,
        tokens=user_tokens(current_user),
        new_token=clear,
        revoke_form=RevokeForm(),
    )


@bp.route("/<int:token_id>/intrekken", methods=["POST"])
@staff_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens: it stops working at once."""
    token = get_own_token_or_404(token_id, current_user)
    if RevokeForm().validate():
        token.revoke()
        db.session.commit()
        log.info("user %s revoked API token %s", current_user.id, token.id)
        flash(_("De sleutel is ingetrokken."), "success")
    return redirect(url_for("api_tokens.list_tokens"))
