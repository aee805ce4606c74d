"""Every message has an English translation, and every catalog compiles."""

from __future__ import annotations

import io

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from app.core.i18n import APP_DIR, missing_translations


def test_every_message_is_translated():
    missing = missing_translations()
    assert missing == [], "\n".join(missing[:20])


def test_every_catalog_compiles():
    catalogs = sorted(APP_DIR.glob("*/translations/*/LC_MESSAGES/messages.po"))
    assert {p.parts[-5] for p in catalogs} >= {"core", "main", "accounts", "organisations"}
    for path in catalogs:
        with path.open("rb") as fh:
            catalog = read_po(fh)
        errors = [(m.id, e) for m, e in catalog.check()]
        assert errors == [], f"{path}: {errors}"
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        compiled = read_mo(buffer)
        assert len(compiled) == len([m for m in catalog if m.id and m.string and not m.fuzzy])


def test_placeholders_match_between_dutch_and_english():
    import re

    pattern = re.compile(r"%\((\w+)\)s")
    for path in APP_DIR.glob("*/translations/en/LC_MESSAGES/messages.po"):
        with path.open("rb") as fh:
            for message in read_po(fh):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                wanted = set(pattern.findall(ids[-1]))
                for string in strings:
                    assert set(pattern.findall(string)) == wanted, (path, message.id)


def test_templates_translate_in_the_locale_in_force_also_when_it_changes_within_a_request(app):
    """Templates look the translations up once per request and locale (app._template_translations);
    a mail in its recipient's language (force_locale) inside an English request is Dutch, and the
    page after it English again."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = '{{ _("Naar de inhoud") }}'
    # each request its own app context (and `g`), as on a server
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Skip to content"
        with force_locale("nl"):
            assert render_template_string(page) == "Naar de inhoud"
        assert render_template_string(page) == "Skip to content"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert render_template_string(page) == "Naar de inhoud"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "en",
        "nl-BE,nl;q=0.9,en;q=0.8",
        "en-GB,en;q=0.9",
        "fr-BE,fr;q=0.9",
        "de, en;q=0.1, nl;q=0.2",
        "*",
        "x" * 300,
    ],
)
def test_the_language_kept_per_header_is_the_one_werkzeug_chooses(app, header):
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    from app import _best_language

    expected = parse_accept_header(header, LanguageAccept).best_match(["nl", "en"])
    assert _best_language(header, ("nl", "en")) == expected
    assert _best_language(header, ("nl", "en")) == expected  # kept, or not for a long header
    assert _best_language(header, ("en", "nl")) == parse_accept_header(header, LanguageAccept).best_match(
        ["en", "nl"]
    )
