"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors {frame_ancestors}"
)


# URL arguments that are secrets: their pages are never stored by browsers or proxies.
SECRET_ARGUMENTS = frozenset({"token", "resume"})


def allow_framing(response):
    """Mark a response (the poll embed) as one that other sites may frame."""
    response.headers["X-Wwwelzijn-Frameable"] = "1"
    return response


def init_security(app: Flask) -> None:
    # SQLite's BEGIN IMMEDIATE for write requests is decided where transactions begin
    # (app.core.database.begins_immediate), not in a hook that other hooks could precede.
    @app.after_request
    def _headers(response):
        frameable = response.headers.pop("X-Wwwelzijn-Frameable", None) == "1"
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy", CSP.format(frame_ancestors="*" if frameable else "'none'")
        )
        if not frameable:
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("ENV_NAME") == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        personal = current_user and current_user.is_authenticated
        # A page behind a secret link (reset, invitation, opt-out, resume) is somebody's own.
        secret_link = bool(request.view_args and SECRET_ARGUMENTS & request.view_args.keys())
        if personal or secret_link or g.get("no_store"):
            headers["Cache-Control"] = "no-store"
        elif request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-cache")
        return response
