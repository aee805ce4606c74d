"""Safe redirects: only to paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


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
