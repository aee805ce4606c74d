"""Refuse malformed requests before any view sees them: 400 for invalid UTF-8 or NUL bytes in the
path, the query string or a form body, 413 for more form fields than MAX_FORM_PARTS.

Werkzeug decodes leniently (invalid bytes become U+FFFD or stay percent-encoded) and limits the
number of fields of multipart bodies only; a NUL byte reaching PostgreSQL fails the statement
(a 500). One check here keeps every view and every database behaving the same.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

FORM_URLENCODED = "application/x-www-form-urlencoded"


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def _encoded_has_nul(raw: bytes) -> bool:
    """Whether a key or value of a query string or form body holds a NUL; UnicodeDecodeError when
    one is not UTF-8. No need to split into pairs (`parse_qsl`): the separators are ASCII, so the
    whole unquoted text is valid UTF-8 exactly when every key and value is, and holds a NUL
    exactly when one of them does."""
    data = unquote_to_bytes(raw) if b"%" in raw else raw
    data.decode("utf-8")
    return b"\x00" in data


def check_request() -> None:
    """Raise 400 or 413 for a malformed request (see the module docstring)."""
    try:
        path = request.environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        if "\x00" in path or _encoded_has_nul(request.query_string):
            raise BadRequest()
        if request.mimetype == FORM_URLENCODED:
            body = request.get_data(cache=True)  # the form parser reads the cached copy
            limit = current_app.config.get("MAX_FORM_PARTS")
            if limit and body.count(b"&") + 1 > limit:
                raise RequestEntityTooLarge()
            if _encoded_has_nul(body):
                raise BadRequest()
        elif request.mimetype == "multipart/form-data" and _has_nul(request.form.items(multi=True)):
            raise BadRequest()
    except (UnicodeError, ValueError):
        raise BadRequest() from None


class IdConverter(IntegerConverter):
    """`<int:...>` with an upper bound: a larger id does not match the URL (404, like a missing id).

    Without it, /beheer/organisaties/99999999999999999999 reached the database, which cannot hold
    the number (PostgreSQL: integer out of range; SQLite: too large): a 500. Ids are 32-bit
    columns; routes with 64-bit ids say so: `<int(max=9007199254740992):response_id>`.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_input_guard(app: Flask) -> None:
    """Register the check first, so that even the CSRF check only sees well-formed input; bound
    the `int` URL converter (before any blueprint adds its routes)."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
    app.url_map.converters["int"] = IdConverter
