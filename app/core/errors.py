"""Domain errors that views turn into messages, and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from app.core.database import BUSY_ERRORS, describe_busy, plain_transactions

# Seconds a client is asked to wait after a 503 because the database was busy.
RETRY_AFTER_SECONDS = 5


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


def busy_response(body, code: int = 503):
    """`body` (a rendered page) as a 503 with Retry-After."""
    from flask import make_response

    response = make_response(body, code)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def log_busy(logger, error: Exception) -> None:
    # The route, not the path: paths carry one-time tokens (password reset, invitations).
    route = request.url_rule.rule if request.url_rule else "(no route)"
    logger.warning("database busy on %s %s: %s", request.method, route, describe_busy(error))


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

    def handle_busy(error: Exception):
        """A busy (or briefly unreachable) database: 503 with Retry-After, never a 500.

        The transaction is rolled back, so nothing of the request was stored. The page is
        rendered with plain transactions (a reader does not wait for SQLite's write lock); when
        even that fails, a short plain-text answer.
        """
        from app.extensions import db

        log_busy(app.logger, error)
        db.session.rollback()
        try:
            with plain_transactions():
                body, _code = render_error(503)
        except BUSY_ERRORS:
            db.session.rollback()
            title, text = ERROR_TEXTS[503]
            body = app.response_class(f"{title}\n\n{text}\n", mimetype="text/plain")
        return busy_response(body)

    for busy_error in BUSY_ERRORS:
        app.register_error_handler(busy_error, handle_busy)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        # The route, not the path: paths carry one-time tokens (password reset, invitations).
        route = request.url_rule.rule if request.url_rule else "(no route)"
        app.logger.exception("unhandled error on %s %s", request.method, route)
        from app.extensions import db

        db.session.rollback()
        return render_error(500)
