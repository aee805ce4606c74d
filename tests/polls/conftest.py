"""Poll fixtures: a poll factory and a client that plays a fresh browser."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.polls import services
from app.surveys.common import Text


@pytest.fixture
def make_poll(app):
    """make_poll(slug="p", options=("Ja", "Nee"), multiple=False, opens=None, closes=None, show_results=True)."""

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
