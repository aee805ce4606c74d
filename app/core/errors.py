"""Domain errors that views turn into messages, and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A refused state change or bad input; `str(error)` is a translated, user-facing message."""


ERROR_TEXTS = {
    400: (
        _l("Ongeldige aanvraag"),
        _l("De aanvraag kon niet verwerkt worden. Laad de pagina opnieuw en probeer nog eens."),
    ),
    403: (_l("Geen toegang"), _l("Je hebt geen toegang tot deze pagina.")),
    404: (_l("Pagina niet gevonden"), _l("Deze pagina bestaat niet (meer), of je hebt er geen toegang toe.")),
    405: (_l("Niet toegestaan"), _l("Deze handeling is hier niet toegestaan.")),
    413: (
        _l("Te groot"),
        _l("Wat je verstuurde is te groot. Verklein het bestand of de tekst en probeer opnieuw."),
    ),
    429: (_l("Te veel pogingen"), _l("Je hebt dit te vaak geprobeerd. Wacht even en probeer dan opnieuw.")),
    500: (
        _l("Er ging iets mis"),
        _l("Er ging bij ons iets mis. Je gegevens zijn niet half opgeslagen; probeer het later opnieuw."),
    ),
    503: (_l("Even druk"), _l("De site is even te druk. Probeer het over enkele seconden opnieuw.")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def render_error(code: int, detail: str | None = None):
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if wants_json():
        return jsonify(error=str(title), detail=str(detail or text)), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def register_error_handlers(app: Flask) -> None:
    """Error pages in the user's language; never a traceback page."""

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        code = error.code or 500
        detail = getattr(error, "user_message", None)
        response = render_error(code if code in ERROR_TEXTS else 500, detail)
        if code == 429 and getattr(error, "retry_after", None):
            resp = app.make_response(response)
            resp.headers["Retry-After"] = str(error.retry_after)
            return resp
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        # The route, not the path: paths carry one-time tokens (password reset, invitations).
        route = request.url_rule.rule if request.url_rule else "(no route)"
        app.logger.exception("unhandled error on %s %s", request.method, route)
        from app.extensions import db

        db.session.rollback()
        return render_error(500)
