"""Poll fixtures: a poll factory and helpers that vote like a browser."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.polls import services
from app.surveys.common import Text
from tests.helpers import csrf_token_from

FORM_TOKEN_RE = re.compile(r'name="form_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_token"')


@pytest.fixture
def make_poll(app):
    """make_poll(slug=..., options=(...), multiple=False, opens=None, closes=None, show_results=True)."""

    def factory(
        slug="chaturen",
        question="Wat vind je van de nieuwe chaturen?",
        options=("Goed", "Slecht", "Weet niet"),
        multiple=False,
        opens=None,
        closes=None,
        show_results=True,
    ):
        fields = services.PollFields(
            Text(question, "What do you think?"),
            tuple((i + 1, Text(label, label)) for i, label in enumerate(options)),
            multiple,
            opens,
            closes,
            show_results,
        )
        poll = services.save_poll(None, slug, fields)
        db.session.commit()
        return poll

    return factory


def ballot_fields(html: str, embed: bool = False) -> dict:
    """The hidden fields of the vote form on a page."""
    match = FORM_TOKEN_RE.search(html)
    assert match, "no vote form on the page"
    fields = {"form_token": match.group(1) or match.group(2)}
    if not embed:
        fields["csrf_token"] = csrf_token_from(html)
    return fields


def vote(client, slug: str, *codes: int, embed: bool = False, **kwargs):
    """Open the poll page like a browser and vote for `codes`; returns the POST's response."""
    url = f"/p/{slug}/embed" if embed else f"/p/{slug}"
    page = client.get(url, **kwargs)
    data = {**ballot_fields(page.get_data(as_text=True), embed), "keuze": [str(c) for c in codes]}
    return client.post(url, data=data, **kwargs)
