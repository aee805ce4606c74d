"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors {frame_ancestors}"
)


# URL arguments that are secrets: their pages are never stored by browsers or proxies.
SECRET_ARGUMENTS = frozenset({"token", "resume"})


_COMMON = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
_DEFAULTS = (
    ("Content-Security-Policy", CSP.format(frame_ancestors="'none'")),
    ("X-Frame-Options", "DENY"),
    *_COMMON,
)
_DEFAULTS_HSTS = (*_DEFAULTS, _HSTS)
_FRAMEABLE_DEFAULTS = (("Content-Security-Policy", CSP.format(frame_ancestors="*")), *_COMMON)


def allow_framing(response):
    """Mark a response (the poll embed) as one that other sites may frame."""
    response.headers["X-Wwwelzijn-Frameable"] = "1"
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer made once per set of keys.

    Flask builds the serializer twice per request (open and save); it depends only on the secret
    key and its fallbacks, so it is kept under those (a changed key gets a new one).
    """

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = getattr(self, "_kept", None)
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]


def init_security(app: Flask) -> None:
    app.session_interface = SessionInterface()
    # SQLite's BEGIN IMMEDIATE for write requests is decided where transactions begin
    # (app.core.database.begins_immediate), not in a hook that other hooks could precede.

    @app.after_request
    def _headers(response):
        headers = response.headers
        frameable = headers.pop("X-Wwwelzijn-Frameable", None) == "1"
        hsts = app.config.get("ENV_NAME") == "production"
        # Werkzeug's Headers is a list: one pass for the names a view set, then one extend.
        present = {name.lower() for name, _value in headers.items()}
        defaults = _FRAMEABLE_DEFAULTS if frameable else (_DEFAULTS_HSTS if hsts else _DEFAULTS)
        headers.extend([item for item in defaults if item[0].lower() not in present])
        personal = current_user and current_user.is_authenticated
        # A page behind a secret link (reset, invitation, opt-out, resume) is somebody's own.
        secret_link = bool(request.view_args and SECRET_ARGUMENTS & request.view_args.keys())
        if personal or secret_link or g.get("no_store"):
            headers["Cache-Control"] = "no-store"
        elif request.endpoint != "static" and "cache-control" not in present:
            headers["Cache-Control"] = "no-cache"
        return response
