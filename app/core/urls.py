"""Safe redirects: only to paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import has_request_context, request, url_for


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a local path (no scheme, host or backslash tricks), else `default`."""
    if not target:
        return default
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def current_path() -> str:
    """The request's path and query string, safe to render even for a malformed request.

    `request.full_path` decodes the query string strictly and raised inside the error page of a
    request with invalid UTF-8 in its query (a 500 instead of the 400 page).
    """
    from flask import request

    query = request.query_string.decode("utf-8", "replace")
    return request.path + ("?" + query if query else "")


QUERY_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in query arguments (werkzeug.urls._urlencode)

_FIXED_URLS: dict[tuple[str, str | None, str], str] = {}


def cached_url_for(endpoint: str, **values) -> str:
    """`url_for` (templates use it): the site's fixed links (an endpoint without arguments, a static
    file) are built once per script root and kept; every other link is built as usual.

    Only inside a request, where such a link is a path (outside one it is a full URL).
    """
    filename = values.get("filename") if endpoint == "static" and len(values) == 1 else None
    if (values and filename is None) or not has_request_context():
        return url_for(endpoint, **values)
    key = (endpoint, filename, request.root_path)
    url = _FIXED_URLS.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_FIXED_URLS) > 1000:
            _FIXED_URLS.clear()
        _FIXED_URLS[key] = url
    return url
