"""Application factory."""

from __future__ import annotations

import importlib
import logging
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from babel import Locale
from flask import Flask, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from config import DEFAULT_SECRET_KEY, Config, get_config

# Feature packages, each with `init_app(app)` that registers its blueprint, CLI and hooks.
FEATURES = (
    "app.main",
    "app.accounts",
    "app.twofactor",
    "app.organisations",
    "app.surveys",
    "app.invitations",
    "app.polls",
    "app.privacy",
    "app.networks",
    "app.meetings",
    "app.practices",
    "app.threads",
    "app.results",
    "app.exports",
    "app.demo",
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _app_version() -> str:
    try:
        return version("wwwelzijn")
    except PackageNotFoundError:
        return "0.0.0+source"


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the app. `config` is a settings class, or a dict of overrides on the default one."""
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"))
    app.static_folder = str(Path(app.root_path) / "core" / "static")
    app.template_folder = str(Path(app.root_path) / "core" / "templates")
    if isinstance(config, dict):
        app.config.from_object(get_config())
        app.config.update(config)
    else:
        app.config.from_object(config or get_config())
    app.config["APP_VERSION"] = _app_version()
    app.config.setdefault("SURVEYS_DIR", None)
    app.config["SURVEYS_DIR"] = app.config["SURVEYS_DIR"] or str(PROJECT_ROOT / "surveys")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        from app.core.database import sqlite_default_uri

        app.config["SQLALCHEMY_DATABASE_URI"] = sqlite_default_uri(app)
    _check_production_settings(app)
    _configure_logging(app)

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)

    _init_extensions(app)
    from app.core import backup, chrome, i18n, jobs
    from app.core import cli as core_cli
    from app.core import markdown as core_markdown
    from app.core.errors import register_error_handlers
    from app.core.forms import init_csrf
    from app.core.input_guard import init_input_guard
    from app.core.security import init_security

    init_input_guard(app)
    init_csrf(app)
    init_security(app)
    register_error_handlers(app)
    core_cli.init_app(app)
    i18n.init_app(app)
    jobs.init_app(app)
    backup.init_app(app)
    core_markdown.init_app(app)
    chrome.init_app(app)
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
    return app


def _check_production_settings(app: Flask) -> None:
    if app.config.get("ENV_NAME") != "production":
        return
    key = app.config.get("SECRET_KEY")
    if not key or key == DEFAULT_SECRET_KEY or len(key) < 32:
        raise RuntimeError(
            "Production needs a SECRET_KEY of at least 32 random characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )


def _configure_logging(app: Flask) -> None:
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    logging.getLogger("app").setLevel(level)
    from app.core.logs import install

    install(level)


def _translation_directories(app: Flask) -> str:
    """core/translations plus each feature's own translations folder (merged by Flask-Babel)."""
    dirs = sorted(str(p) for p in Path(app.root_path).glob("*/translations") if p.is_dir())
    return ";".join(dirs) or str(Path(app.root_path) / "core" / "translations")


def _select_locale() -> Locale:
    """This request's language, as a `Locale` kept per code (Flask-Babel parses a string per request)."""
    return _locale(_select_language())


_LOCALES: dict[str, Locale] = {}


def _locale(code: str) -> Locale:
    try:
        return _LOCALES[code]
    except KeyError:
        locale = _LOCALES[code] = Locale.parse(code)
        return locale


def _select_language() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI commands and jobs: no session or browser to ask (mails force the recipient's locale).
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return (
        _best_language(request.environ.get("HTTP_ACCEPT_LANGUAGE", ""), tuple(languages))
        or (current_app.config["BABEL_DEFAULT_LOCALE"])
    )


_BEST_LANGUAGES: dict[tuple[str, tuple[str, ...]], str | None] = {}


def _best_language(header: str, languages: tuple[str, ...]) -> str | None:
    """`request.accept_languages.best_match(languages)`, kept per header (browsers send a few)."""
    key = (header, languages)
    try:
        return _BEST_LANGUAGES[key]
    except KeyError:
        pass
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    best = parse_accept_header(header, LanguageAccept).best_match(languages)
    if len(header) <= 200:  # a header of somebody's own making is not kept
        if len(_BEST_LANGUAGES) >= 1000:
            _BEST_LANGUAGES.clear()
        _BEST_LANGUAGES[key] = best
    return best


def _template_translations():
    """Flask-Babel's translations for the current locale, looked up once per request and locale.

    Flask-Babel finds the locale and the catalog again for every string a template translates
    (dozens per page). `force_locale` (a mail in its recipient's language) sets another locale
    object, which gets its own lookup; without Flask-Babel's request state we simply ask it.
    """
    from flask.globals import _cv_app
    from flask_babel import get_translations

    ctx = _cv_app.get(None)  # the app context itself: `g` without a proxy lookup per string
    if ctx is None:
        return get_translations()
    g = ctx.g
    state = g.__dict__.get("_flask_babel")  # Flask-Babel's own request state: its locale
    locale = getattr(state, "babel_locale", None)
    cached = g.__dict__.get("_template_translations")
    if locale is not None and cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    state = g.__dict__.get("_flask_babel")
    g._template_translations = (getattr(state, "babel_locale", None), translations)
    return translations


def _install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _template_translations().ugettext(s),
        ngettext=lambda s, p, n: _template_translations().ungettext(s, p, n),
        pgettext=lambda c, s: _template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _template_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _init_extensions(app: Flask) -> None:
    from app.core.database import configure_engine, engine_options
    from app.extensions import babel, db, login_manager

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    from app.core import mail, ratelimit  # noqa: F401 - their models belong to the metadata

    with app.app_context():
        configure_engine(app, db.engine)
    from app.core import transactions

    transactions.init_app(app)

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = _translation_directories(app)
    babel.init_app(app, locale_selector=_select_locale)
    _install_template_gettext(app)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "nl")
    from app.core.urls import cached_url_for, current_path

    app.jinja_env.globals["current_path"] = current_path
    app.jinja_env.globals["url_for"] = cached_url_for
    app.jinja_env.add_extension("jinja2.ext.do")

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "error"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Meld je aan om deze pagina te zien.")

    @login_manager.user_loader
    def _load_user(user_id: str):
        from app.accounts.models import User

        try:
            uid, session_version = (int(part) for part in user_id.split(":"))
        except ValueError:
            return None
        user = db.session.get(User, uid)
        if user is None or user.session_version != session_version or not user.is_active:
            return None
        return user

    from app.main.overview import nav_items

    app.jinja_env.globals["nav_items"] = nav_items
