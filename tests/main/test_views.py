"""Home, overview, privacy, language switch and health check."""

from __future__ import annotations

from importlib.metadata import version

from tests.helpers import login, text_of


def test_home_page_is_dutch_by_default(client):
    response = client.get("/")
    html = text_of(response)
    assert response.status_code == 200
    assert '<html lang="nl">' in html
    assert "Sociale media in het welzijnswerk" in html
    assert ">Aanmelden</a>" in html


def test_browser_language_is_used_until_the_user_chooses(client):
    html = text_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="en">' in html
    html = text_of(client.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9"}))
    assert '<html lang="nl">' in html


def test_language_switch_to_english_and_back(client):
    response = client.get("/taal/en?next=/privacy")
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    html = text_of(client.get("/"))
    assert '<html lang="en">' in html
    # the English texts come from the catalogs of core, main and accounts
    assert "Social media in welfare work: measuring and learning together" in html
    assert "Skip to content" in html and ">Sign in</a>" in html
    assert "Privacy: what we store and what we do not" in text_of(client.get("/privacy"))
    assert "Forgotten your password?" in text_of(client.get("/aanmelden"))

    client.get("/taal/nl")
    assert '<html lang="nl">' in text_of(client.get("/"))


def test_unknown_language_is_ignored(client):
    client.get("/taal/fr")
    assert '<html lang="nl">' in text_of(client.get("/"))


def test_language_choice_beats_the_accounts_language(client, make_user):
    from app.extensions import db

    user = make_user()
    user.locale = "en"
    db.session.commit()
    login(client, user)
    assert '<html lang="en">' in text_of(client.get("/"))
    client.get("/taal/nl")
    assert '<html lang="nl">' in text_of(client.get("/"))


def test_overview_for_a_signed_in_user(client, make_user):
    login(client, make_user(name="Mona"))
    html = text_of(client.get("/"))
    assert "Dag Mona" in html
    assert 'href="/profiel"' in html


def test_menu_shows_what_the_role_may_open(app, client, make_user):
    login(client, make_user(role="member"))
    html = text_of(client.get("/"))
    assert "/beheer/organisaties/" not in html and "/beheer/gebruikers" not in html

    admin = app.test_client()
    login(admin, make_user(role="admin"))
    html = text_of(admin.get("/beheer/organisaties/"))
    assert '<a href="/beheer/organisaties/" aria-current="page">Organisaties</a>' in html
    assert '<a href="/beheer/gebruikers">Gebruikers</a>' in html


def test_privacy_page(client):
    assert "Privacy: wat we bewaren en wat niet" in text_of(client.get("/privacy"))


def test_healthz_reports_version_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.json == {"version": version("wwwelzijn"), "database": "ok"}


def test_healthz_reports_a_broken_database(tmp_path):
    from app import create_app
    from tests.conftest import _test_settings

    uri = f"sqlite:///{tmp_path}/missing/dir/x.sqlite"
    app = create_app({**_test_settings(), "SQLALCHEMY_DATABASE_URI": uri})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "error"
