"""One base form with WTForms' own session CSRF, and the app-wide CSRF check."""

from __future__ import annotations

import hmac
import secrets
from hashlib import sha1, sha256

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from wtforms import Form, ValidationError
from wtforms.csrf.session import SessionCSRF
from wtforms.meta import DefaultMeta

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FROM_REQUEST = object()


class _BuiltinMessages:
    """WTForms' own messages ("This field is required.") in the page's language.

    They come from the catalogs WTForms ships: our catalogs translate Dutch ids into English,
    so routing these English ids through Flask-Babel showed them in English on Dutch pages.
    """

    @staticmethod
    def _catalog():
        from flask_babel import get_locale
        from wtforms.i18n import get_translations

        return get_translations([str(get_locale() or "nl")])

    def gettext(self, string):
        return self._catalog().gettext(string)

    def ngettext(self, singular, plural, n):
        return self._catalog().ngettext(singular, plural, n)


# WTForms' own messages (translated by the catalogs WTForms ships, see _BuiltinMessages).
_TOKEN_MISSING, _TOKEN_FAILED = "CSRF token missing.", "CSRF failed."


class AppCSRF(SessionCSRF):
    """WTForms' session CSRF, made and checked by `csrf_token` and `csrf_token_is_valid`: the same
    tokens as the app-wide check and the templates, bound to the link on a link-bound page."""

    def generate_csrf_token(self, csrf_token_field):
        return csrf_token()

    def validate_csrf_token(self, form, field):
        if not field.data or "##" not in field.data:
            raise ValidationError(field.gettext(_TOKEN_MISSING))
        if not csrf_token_is_valid(field.data):
            raise ValidationError(field.gettext(_TOKEN_FAILED))


class BaseForm(Form):
    """Every form of the site derives from this one; it carries the session CSRF token."""

    class Meta(DefaultMeta):
        csrf = True
        csrf_class = AppCSRF
        csrf_field_name = "csrf_token"

        @property
        def csrf_secret(self):
            return current_app.config["SECRET_KEY"].encode()

        @property
        def csrf_time_limit(self):
            return current_app.config["CSRF_TIME_LIMIT"]

        @property
        def csrf_context(self):
            return session

        def get_translations(self, form):
            return _BuiltinMessages()

    def __init__(self, formdata=_FROM_REQUEST, **kwargs):
        # Without `formdata` a form reads the posted data; `formdata=None` means an empty form
        # (e.g. a second form on the page, or the token of an error page, which must not
        # parse the body that got the request refused with 413).
        if formdata is _FROM_REQUEST:
            formdata = request.form if request and request.method not in SAFE_METHODS else None
        super().__init__(formdata=formdata, **kwargs)

    @property
    def error_list(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for the error summary at the top of the form."""
        items = []
        for field in self:
            for message in field.errors:
                label = field.label.text if field.label else field.name
                items.append((field.id, label, message))
        return items


def valid_email(value: str) -> bool:
    """A plausible e-mail address: one @, something before it, a dotted domain, no spaces.

    Deliberately simple: WTForms' `Email` needs the optional email_validator package (not a
    dependency), which also refuses reserved domains such as .invalid and .test.
    """
    if len(value) > 320 or any(c.isspace() for c in value) or value.count("@") != 1:
        return False
    local, _sep, domain = value.partition("@")
    return bool(local) and "." in domain.strip(".") and ".." not in domain and not domain.startswith(".")


class EmailAddress:
    """WTForms validator for `valid_email`."""

    def __init__(self, message=None):
        self.message = message or _l("Vul een geldig e-mailadres in.")

    def __call__(self, form, field):
        if field.data and not valid_email(field.data.strip()):
            raise ValidationError(self.message)


class PlausibleDate:
    """WTForms validator: a year from 1900 to 2999. Dates far outside it overflow the time-zone
    arithmetic (0001-01-01 in Brussels is in year 0 in UTC): a 500 instead of a field error."""

    def __init__(self, message=None):
        self.message = message or _l("Kies een datum tussen 1900 en 2999.")

    def __call__(self, form, field):
        if field.data and not 1900 <= field.data.year <= 2999:
            raise ValidationError(self.message)


class CsrfOnlyForm(BaseForm):
    """A form with nothing but the CSRF token: buttons that post, and the app-wide check."""


CSRF_ERROR = _l("Je sessie is verlopen of het formulier is ongeldig. Laad de pagina opnieuw.")


def _csrf_mac(secret: str, expires: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (secret + expires).encode("utf8"), digestmod=sha1).hexdigest()


LINK_BOUND = "wwwelzijn_csrf_link_bound"


def bind_csrf_to_link(app: Flask, endpoint: str, argument: str) -> None:
    """Let `endpoint`'s tokens be bound to its secret URL argument instead of the session.

    For a page behind a secret link (an invitation) the link is the credential: whoever can post
    it a token derived from the link knows the link, and can post anyway. A visitor who is not
    signed in then needs no session cookie for the token (no cookie to sign, send and read on
    every step). Signed-in users keep session-bound tokens only, so a token fetched by someone
    else never posts in their name; a session's own token is always accepted too.
    """
    app.extensions.setdefault(LINK_BOUND, {})[endpoint] = argument


def _link_secret() -> str | None:
    """This request's link-bound CSRF secret (see `bind_csrf_to_link`); None elsewhere."""
    endpoint = request.endpoint
    argument = current_app.extensions.get(LINK_BOUND, {}).get(endpoint)
    value = (request.view_args or {}).get(argument) if argument else None
    if not value:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"csrf-link:{endpoint}:{value}".encode(), digestmod=sha256).hexdigest()


def _anonymous() -> bool:
    from flask_login import current_user

    return not current_user.is_authenticated


def csrf_token() -> str:
    """A fresh CSRF token for templates (`{{ csrf_token() }}`): the token a form's csrf_token field
    carries (`SessionCSRF.generate_csrf_token`), without building a form for it. Bound to the
    link on a link-bound page for a visitor without a session token (`bind_csrf_to_link`)."""
    secret = session.get("csrf")
    if not isinstance(secret, str):
        secret = _link_secret() if _anonymous() else None
        if secret is None:
            secret = session["csrf"] = secrets.token_hex(20)  # what WTForms makes: 40 hex digits
    limit = current_app.config["CSRF_TIME_LIMIT"]
    expires = (SessionCSRF.now(None) + limit).strftime(SessionCSRF.TIME_FORMAT) if limit else ""
    return f"{expires}##{_csrf_mac(secret, expires)}"


def csrf_token_is_valid(token: str | None) -> bool:
    """The check of WTForms' `SessionCSRF.validate_csrf_token`, without building a form per post.

    A token is "<expiry>##<HMAC-SHA1 of a secret + expiry, keyed with SECRET_KEY>", valid until
    the expiry (`SessionCSRF.now()`, CSRF_TIME_LIMIT). The secret is the session's random csrf
    value, or on a link-bound page for a visitor who is not signed in, the link's secret
    (`bind_csrf_to_link`). HMACs are compared in constant time. Nothing is made here: a refused
    post leaves the session as it was.
    """
    if not token or "##" not in token:
        return False
    expires, mac = token.split("##", 1)
    secrets_ = [session.get("csrf")]
    if _anonymous():
        secrets_.append(_link_secret())
    given = mac.encode("utf8", "replace")
    if not any(
        isinstance(secret, str) and hmac.compare_digest(_csrf_mac(secret, expires).encode(), given)
        for secret in secrets_
    ):
        return False
    if current_app.config["CSRF_TIME_LIMIT"]:
        return SessionCSRF.now(None).strftime(SessionCSRF.TIME_FORMAT) <= expires
    return True


def init_csrf(app: Flask) -> None:
    """Refuse every non-GET request without a valid token (bearer-token API calls excepted)."""

    @app.before_request
    def _check_csrf():
        if request.method in SAFE_METHODS:
            return None
        if request.path.startswith("/api/") and request.headers.get("Authorization", "").startswith(
            "Bearer "
        ):
            return None
        if request.endpoint in app.config.get("CSRF_EXEMPT_ENDPOINTS", ()):
            return None
        token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
        if not csrf_token_is_valid(token):
            error = BadRequest()
            error.user_message = str(CSRF_ERROR)
            raise error
        return None

    app.jinja_env.globals["csrf_token"] = csrf_token
