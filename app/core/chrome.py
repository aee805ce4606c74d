"""The site header and footer of every page (base.html), built once where they cannot differ.

The footer follows from the language and the script root only; so does the header of an
anonymous visitor (every respondent), apart from which menu entry is active and the one link
that switches the language and comes back to this page. Those are kept per app, language,
script root and active entry, with a marker where the language link goes; a signed-in user's
header (name, logout form with its token) is built for every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from flask import current_app, g, render_template, request, url_for
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from app.core.urls import QUERY_SAFE, current_path

HEADER = "chrome/header.html"
FOOTER = "chrome/footer.html"
T = TypeVar("T")
_MARK = "wwwelzijn-language-url-"  # survives URL building and HTML escaping unchanged
_KEPT = 1024


def language_url(code: str) -> str:
    """The language switch: to `code`, then back to this page.

    `url_for("main.set_language", code=code, next=current_path())`, without building the route for
    every page: its path is kept per script root and the `next` argument is encoded as Werkzeug
    encodes query arguments.
    """
    path = kept(("language", code, request.root_path), lambda: url_for("main.set_language", code=code))
    return path + "?" + urlencode((("next", current_path()),), safe=QUERY_SAFE)


def kept(key: tuple, build: Callable[[], T]) -> T:
    """`build()`, kept per app under `key` in a bounded store (emptied when full)."""
    store = current_app.extensions.setdefault("wwwelzijn_chrome", {})
    try:
        return store[key]
    except KeyError:
        pass
    if len(store) >= _KEPT:
        store.clear()
    value = store[key] = build()
    return value


def _render(name: str, **context) -> str:
    return current_app.jinja_env.get_template(name).render(**context)


def _config_key() -> tuple:
    config = current_app.config
    return (config.get("SITE_NAME"), config.get("SITE_OPERATOR"), str(get_locale() or ""), request.root_path)


def _marked_header(user) -> str:
    """The anonymous header with a marker where each language link goes."""
    items = current_app.jinja_env.globals["nav_items"]()
    key = ("header", *_config_key(), tuple((item["url"], item["active"]) for item in items))
    return kept(
        key,
        lambda: _render(
            HEADER, current_user=user, nav_items=lambda: items, language_url=lambda code: _MARK + code
        ),
    )


def _language_links(html: str) -> str:
    """`html` with each language marker replaced by that language's link back to this page."""
    for code in current_app.config["LANGUAGES"]:
        if _MARK + code in html:
            html = html.replace(_MARK + code, str(escape(language_url(code))))
    return html


def site_header() -> Markup:
    user = current_user._get_current_object()
    if user.is_authenticated:
        return Markup(_render(HEADER, current_user=user))  # noqa: S704 - our autoescaping template
    if g.get("chrome_keep_markers"):
        return Markup(_marked_header(user))  # noqa: S704 - building a frame (render_in_frame)
    return Markup(_language_links(_marked_header(user)))  # noqa: S704 - our template + escaped URLs


def site_footer() -> Markup:
    html = kept(("footer", *_config_key()), lambda: _render(FOOTER))
    return Markup(html)  # noqa: S704 - our autoescaping template (+ an escaped URL)


# The respondent layout's parent: base.html, or PARTS (title, separator, content) in a frame.
FRAME = "chrome/frame.html"
PARTS = "chrome/parts.html"
_TITLE = "<!--wwwelzijn:title-->"  # a "<" never comes out of escaping, so no page text matches
_CONTENT = "<!--wwwelzijn:content-->"
_SEPARATOR = "<!--wwwelzijn:separator-->"


def _frame() -> tuple[str, str, str]:
    """base.html around a page, cut where the title and the content go (language markers kept)."""
    rule = request.url_rule.rule if request.url_rule is not None else request.path

    def build() -> tuple[str, str, str]:
        g.chrome_keep_markers = True
        try:
            markers = {"title_marker": Markup(_TITLE), "content_marker": Markup(_CONTENT)}  # noqa: S704
            html = render_template(FRAME, **markers)
        finally:
            g.pop("chrome_keep_markers")
        head, _, rest = html.partition(_TITLE)
        middle, _, tail = rest.partition(_CONTENT)
        return head, middle, tail

    return kept(("frame", *_config_key(), rule), build)


def frameable() -> bool:
    """Whether this request's page may go in a kept frame: an anonymous visitor, no messages."""
    if current_user.is_authenticated:
        return False
    ctx = request_ctx._get_current_object()
    return not ctx.flashes and "_flashes" not in ctx.session


def render_parts(template: str, **context) -> str:
    """A respondent template's own title and content (`PARTS`), to go in the kept frame."""
    return render_template(template, layout_parent=PARTS, **context)


def in_frame(parts: str) -> str:
    """The page of `parts` (from `render_parts`): the kept frame around its title and content."""
    title, _, content = parts.partition(_SEPARATOR)
    head, middle, tail = _frame()
    return "".join((head, title, _language_links(middle), content, tail))


def render_in_frame(template: str, **context) -> str:
    """`render_template(template, **context)` for a template that extends the respondent layout,
    with base.html around it taken from the kept frame where that gives the same page."""
    if not frameable():
        return render_template(template, **context)
    return in_frame(render_parts(template, **context))


def init_app(app) -> None:
    app.jinja_env.globals.update(site_header=site_header, site_footer=site_footer, language_url=language_url)
