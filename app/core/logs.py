"""What reaches the log: one line per record, and no one-time tokens from request paths.

- `OneLine` escapes CR and LF in log messages, so that text a user wrote (a name with
  "\\r\\nINFO fake line") cannot forge a log line. Tracebacks keep their lines.
- `mask_tokens` replaces the secret part of token paths (`/u/<token>`, `/wachtwoord-instellen/
  <token>`, resume links ...) with `TOKEN` and drops query strings; `MaskTokens` does that to
  request logs (Werkzeug's development server), `TokenMaskingLogger` to gunicorn's access log:
  `gunicorn --access-logfile - --logger-class app.core.logs.TokenMaskingLogger wsgi:app`.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

# The URL rules whose last part is a secret (tests check this against the app's URL map).
TOKEN_PATH_RE = re.compile(r"(/(?:u|uitnodiging|wachtwoord-instellen)/|/e/[^/?#\s\"]+/verder/)[^/?#\s\"]+")
QUERY_RE = re.compile(r"\?[^\s\"]*")


def mask_tokens(text: str) -> str:
    """`text` with every token in a token path replaced by TOKEN and query strings removed."""
    return QUERY_RE.sub("", TOKEN_PATH_RE.sub(r"\1TOKEN", text))


def one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _rewrite(record: logging.LogRecord, change) -> None:
    message = record.getMessage()
    changed = change(message)
    if changed != message:
        record.msg, record.args = changed, ()


class OneLine(logging.Filter):
    """Escape CR and LF inside log messages (a handler filter: it sees every logger's records)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _rewrite(record, one_line)
        return True


class MaskTokens(logging.Filter):
    """Mask token paths and query strings in request log lines (Werkzeug's `werkzeug` logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _rewrite(record, mask_tokens)
        return True


# Atoms of gunicorn's access-log format that hold a URL (query strings go), and the query itself.
URL_ATOMS = frozenset({"r", "U", "f", "{referer}i", "{raw_uri}e", "{path_info}e", "{http_referer}e"})
QUERY_ATOMS = frozenset({"q", "{query_string}e"})


class TokenMaskingLogger(GunicornLogger):
    """Gunicorn's logger with tokens masked in the access log: the request line, path, query and
    referrer (our own pages send their full address, token included, as the referrer)."""

    def setup(self, cfg):
        super().setup(cfg)
        # Its error log names the request too ("Error handling request /u/<token>").
        if not any(isinstance(f, MaskTokens) for f in self.error_log.filters):
            self.error_log.addFilter(MaskTokens())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in QUERY_ATOMS:
                atoms[key] = ""
            elif isinstance(value, str):
                atoms[key] = mask_tokens(value) if key in URL_ATOMS else TOKEN_PATH_RE.sub(r"\1TOKEN", value)
        return atoms


def install(level: int) -> None:
    """Log to stderr with `OneLine` (unless the host, e.g. pytest, set up handlers of its own),
    and mask tokens in Werkzeug's request log."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        root.handlers[0].addFilter(OneLine())
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, MaskTokens) for f in werkzeug.filters):
        werkzeug.addFilter(MaskTokens())
