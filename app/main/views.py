"""Home page, overview, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.core.urls import safe_next
from app.extensions import db
from app.main.overview import home_sections, overview_sections

bp = Blueprint("main", __name__, template_folder="templates")


@bp.route("/")
def index():
    """Public home page; a signed-in user sees their own overview."""
    if current_user.is_authenticated:
        return render_template("main/overview.html", sections=overview_sections(current_user))
    return render_template("main/index.html", sections=home_sections())


@bp.route("/taal/<code>")
def set_language(code: str):
    """Switch the interface language and go back to where the user was."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("main.index")))


@bp.route("/privacy")
def privacy():
    """What the platform stores and what it does not."""
    return render_template("main/privacy.html")


@bp.route("/healthz")
def healthz():
    """JSON with the app version and whether the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        db.session.rollback()
        database = "error"
    status = 200 if database == "ok" else 503
    return jsonify(version=current_app.config["APP_VERSION"], database=database), status
