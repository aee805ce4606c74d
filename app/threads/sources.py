"""Threads started from a finding or a survey result, and how they link back.

The findings and results features are separate; they may register a resolver to give a source
a proper title and link, without this package importing them:

    app.extensions.setdefault("thread_source_resolvers", {})["finding"] = resolve

where `resolve(ref) -> {"title": str, "url": str} | None`. Without a resolver a finding links to
/bevindingen#<id> and a survey result "<survey-slug>:<question-key>" to /resultaten/<slug>#<key>.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

SOURCE_KINDS = {"finding": _l("Bevinding"), "survey_question": _l("Resultaat van een bevraging")}
REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}(:[A-Za-z0-9][A-Za-z0-9_.\-]{0,59})?$")
RESOLVERS_KEY = "thread_source_resolvers"


def register_source_resolver(app, kind: str, resolver) -> None:
    """Let another feature name and link the sources of one kind."""
    app.extensions.setdefault(RESOLVERS_KEY, {})[kind] = resolver


def clean_source(kind: str | None, ref: str | None) -> tuple[str | None, str | None]:
    """(kind, ref) when both are valid, (None, None) when neither is given; else a DomainError."""
    kind, ref = (kind or "").strip(), (ref or "").strip()
    if not kind and not ref:
        return None, None
    if kind not in SOURCE_KINDS or not REF_PATTERN.match(ref):
        raise DomainError(_("Deze bron van het gesprek is onbekend."))
    if kind == "survey_question" and ":" not in ref:
        raise DomainError(_("Deze bron van het gesprek is onbekend."))
    return kind, ref


def describe_source(kind: str | None, ref: str | None) -> dict | None:
    """{"label", "title", "url"} for a thread's source, or None when it has none."""
    if not kind or not ref:
        return None
    resolver = current_app.extensions.get(RESOLVERS_KEY, {}).get(kind)
    resolved = resolver(ref) if resolver else None
    if kind == "finding":
        default = {"title": ref, "url": f"/bevindingen#{ref}"}
    else:
        slug, _sep, key = ref.partition(":")
        default = {"title": ref, "url": f"/resultaten/{slug}#{key}"}
    return {"label": str(SOURCE_KINDS[kind]), **default, **(resolved or {})}
