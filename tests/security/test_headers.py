"""Security headers on every page: CSP (no plug-ins, no <base>, no framing but the poll embed, no
inline code), nosniff, a referrer policy, HSTS in production, and no-store on personal pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from tests.helpers import SECOND_STEP_URL, Browserless, login

EMBED = "polls.embed"


def check_headers(response, url: str, *, personal: bool, frameable: bool = False) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "object-src 'none'" in csp, url
    assert "base-uri 'none'" in csp, url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    if frameable:
        assert "frame-ancestors *" in csp and "X-Frame-Options" not in response.headers, url
    else:
        assert "frame-ancestors 'none'" in csp and response.headers["X-Frame-Options"] == "DENY", url
    assert response.headers["X-Content-Type-Options"] == "nosniff", url
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), url
    if personal:
        assert response.headers.get("Cache-Control") == "no-store", (
            f"{url}: {response.headers.get('Cache-Control')}"
        )


def get_routes(app) -> list[str]:
    """Every GET URL rule that needs no arguments (static files aside)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


@pytest.fixture
def site(app, make_user, make_survey, make_invitation, make_poll, make_organisation, make_network):
    """One of everything, for the pages that take arguments."""
    from app.accounts.models import AccountToken

    admin = make_user(role="admin")
    member = make_user(name="Lid")
    survey = make_survey(public=True)
    _invitation, token = make_invitation(survey)
    poll = make_poll(slug="koppen")
    organisation = make_organisation()
    _r, reset = AccountToken.issue(member, "reset", timedelta(hours=1))
    invited = make_user(name="Genodigde", password=None)
    _i, invite = AccountToken.issue(invited, "invite", timedelta(hours=1))
    network = make_network(facilitator=admin)
    db.session.commit()
    return {
        "network": network,
        "admin": admin,
        "member": member,
        "survey": survey,
        "token": token,
        "poll": poll,
        "organisation": organisation,
        "reset": reset,
        "invite": invite,
    }


def test_every_page_without_arguments_carries_the_headers(app, site):
    anonymous = app.test_client()
    staff = app.test_client()
    login(staff, site["admin"])
    checked = 0
    for url in get_routes(app):
        for client, personal in ((anonymous, False), (staff, True)):
            response = client.get(url)
            assert response.status_code < 500, url
            check_headers(response, url, personal=personal)
            checked += 1
    assert checked > 20


def test_pages_with_arguments_carry_the_headers_and_personal_ones_are_not_stored(app, site):
    s = site
    anonymous = app.test_client()
    public_pages = [
        f"/p/{s['poll'].slug}",
        f"/p/{s['poll'].slug}/presentatie",
        f"/p/{s['poll'].slug}/resultaten.json",
        f"/p/{s['poll'].slug}/qr.svg",
        "/bestaat-niet",
        "/praktijken",
    ]
    personal_pages = [
        f"/u/{s['token']}",
        f"/u/{s['token']}?pagina=dienst",
        f"/u/{s['token']}?stap=overzicht",
        f"/u/{s['token']}/afmelden",
        "/u/vervalst-token",
        f"/e/{s['survey'].public_token}",
        f"/e/{s['survey'].public_token}?pagina=dienst",
        f"/wachtwoord-instellen/{s['reset']}",
        f"/uitnodiging/{s['invite']}",
        "/wachtwoord-instellen/vervalst",
        "/netwerken/uitnodiging/vervalst",
    ]
    for url in public_pages:
        check_headers(anonymous.get(url), url, personal=False)
    for url in personal_pages:
        check_headers(anonymous.get(url), url, personal=True)
    embed = anonymous.get(f"/p/{s['poll'].slug}/embed")
    check_headers(embed, "embed", personal=False, frameable=True)

    staff = app.test_client()
    login(staff, s["admin"])
    staff_pages = [
        f"/beheer/bevragingen/{s['survey'].id}",
        f"/beheer/bevragingen/{s['survey'].id}/voorbeeld",
        f"/beheer/bevragingen/{s['survey'].slug}/uitnodigingen",
        f"/beheer/bevragingen/{s['survey'].slug}/respons",
        f"/beheer/polls/{s['poll'].slug}",
        f"/beheer/gebruikers/{s['member'].id}",
        f"/beheer/organisaties/{s['organisation'].id}",
        f"/p/{s['poll'].slug}",
        f"/netwerken/{s['network'].id}",
        f"/netwerken/{s['network'].id}/leden",
        f"/netwerken/{s['network'].id}/gesprekken",
        f"/netwerken/{s['network'].id}/logboek",
        "/netwerken/mijn-bijdragen.json",
        f"/resultaten/{s['survey'].slug}",
        f"/resultaten/{s['survey'].slug}/tekst/opmerking",
        f"/resultaten/{s['survey'].slug}/export/csv",
        f"/resultaten/{s['survey'].slug}/export/codebook-html",
        "/api-tokens/",
    ]
    for url in staff_pages:
        response = staff.get(url)
        assert response.status_code == 200, url
        check_headers(response, url, personal=True)


def test_own_answers_and_the_api_carry_the_headers(app, site, respondent):
    walk = respondent(app.test_client(), f"/u/{site['token']}")
    walk.answer_all()
    walk.submit()
    own = walk.client.get(f"/resultaten/{site['survey'].slug}/mijn-antwoorden")
    assert own.status_code == 200
    check_headers(own, "own answers", personal=True)
    from app.exports.tokens import create_token

    token = create_token(site["admin"], "test")
    db.session.commit()
    api = app.test_client().get("/api/v1/surveys", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    check_headers(api, "api", personal=True)


def test_the_second_login_step_and_the_forced_set_up_are_not_stored(app, make_user):
    staff = make_user(role="researcher")
    client = app.test_client()
    Browserless(client).post("/aanmelden", {"email": staff.email, "password": "correct horse battery"})
    check_headers(client.get(SECOND_STEP_URL), "second step", personal=True)
    fresh = make_user(role="admin", two_factor=False)
    other = app.test_client()
    Browserless(other).post("/aanmelden", {"email": fresh.email, "password": "correct horse battery"})
    setup = other.get("/profiel/tweestapsverificatie")
    assert setup.status_code == 200 and "totp-secret" in setup.get_data(as_text=True)
    check_headers(setup, "set-up with the secret", personal=True)


def test_production_sends_hsts_on_every_page(make_app):
    from tests.core.test_security import _production_settings

    app = make_app(**_production_settings(SECRET_KEY="x" * 48, MAIL_TRANSPORT="memory"))
    client = app.test_client()
    for url in [*get_routes(app), "/bestaat-niet", "/p/x/embed"]:
        response = client.get(url)
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 15_552_000, url
