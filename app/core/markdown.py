"""Safe Markdown: markdown-it-py (CommonMark, raw HTML off) and then nh3 with an allow-list.

Two layers on purpose: the parser never passes raw HTML through, and the sanitiser removes any
tag, attribute or URL scheme that is not on the list even if a parser bug let one slip.
Images are not rendered (they would load from other hosts); links get rel="nofollow noopener".
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def render_markdown(text: str | None) -> Markup:
    """Markdown source -> sanitised HTML, safe to put in a template as is."""
    if not text:
        return Markup("")
    html = _parser().render(text)
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised just above


def init_app(app) -> None:
    """Make `{{ text|markdown }}` available in every template."""
    app.jinja_env.filters["markdown"] = render_markdown
