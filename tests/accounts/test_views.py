"""Account pages through HTTP: login, throttling, reset and invitation links, admin, profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.accounts.models import AccountToken, User
from app.core.models import utcnow
from app.extensions import db
from tests.helpers import Browserless, deliver_mail, link_in, login, mail_text, text_of

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a much better passphrase"


def _signed_in_as(client) -> str | None:
    response = client.get("/profiel")
    if response.status_code != 200:
        return None
    html = text_of(response)
    return html.split('name="email"')[1].split('value="')[1].split('"')[0]


# --- login -----------------------------------------------------------------------------------


def test_login_success_goes_to_the_overview(client, forms, make_user):
    user = make_user(name="Ann Peeters")
    response = forms.post("/aanmelden", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Dag Ann Peeters" in text_of(client.get("/"))
    assert _signed_in_as(client) == user.email


def test_login_failure_shows_the_error_at_the_field_and_in_the_summary(client, forms, make_user):
    user = make_user()
    response = forms.post("/aanmelden", {"email": user.email, "password": "wrong password"})
    assert response.status_code == 200
    html = text_of(response)
    assert 'class="error-summary"' in html
    assert '<a href="#password">Wachtwoord: E-mailadres of wachtwoord klopt niet.</a>' in html
    assert 'id="password-error"' in html and 'aria-describedby="password-error"' in html
    assert _signed_in_as(client) is None


def test_login_with_unknown_address_looks_the_same(client, forms):
    response = forms.post("/aanmelden", {"email": "nobody@example.org", "password": "whatever"})
    assert "E-mailadres of wachtwoord klopt niet." in text_of(response)


def test_login_form_errors_for_empty_fields(forms):
    html = text_of(forms.post("/aanmelden", {"email": "", "password": ""}))
    assert html.count('class="error-message"') == 2


def test_login_is_throttled_after_repeated_failures(client, forms, make_user, app):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert forms.post("/aanmelden", {"email": user.email, "password": "wrong"}).status_code == 200
    response = forms.post("/aanmelden", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429  # even the right password, until the window passes
    assert "Te veel pogingen" in text_of(response)
    assert _signed_in_as(client) is None


def test_signed_in_user_visiting_login_goes_home(client, make_user):
    login(client, make_user())
    assert client.get("/aanmelden").headers["Location"] == "/"


def test_logout(client, forms, make_user):
    login(client, make_user())
    response = forms.post("/afmelden", token_url="/profiel")
    assert response.status_code == 302
    assert _signed_in_as(client) is None


def test_deactivated_user_cannot_log_in_and_their_session_ends(app, client, forms, make_user):
    admin, member = make_user(role="admin"), make_user()
    login(client, member)
    assert _signed_in_as(client) == member.email

    admin_client = app.test_client()
    login(admin_client, admin)
    response = Browserless(admin_client).post(
        f"/beheer/gebruikers/{member.id}/status", token_url=f"/beheer/gebruikers/{member.id}"
    )
    assert response.status_code == 302

    assert _signed_in_as(client) is None  # the existing session has ended
    response = forms.post("/aanmelden", {"email": member.email, "password": PASSWORD})
    assert "E-mailadres of wachtwoord klopt niet." in text_of(response)


# --- password reset --------------------------------------------------------------------------


def _request_reset(app, forms, email) -> str:
    response = forms.post("/wachtwoord-vergeten", {"email": email})
    assert response.status_code == 302
    mails = deliver_mail(app)
    assert len(mails) == 1
    return link_in(mails[-1])


def test_password_reset_end_to_end(app, client, forms, make_user):
    user = make_user()
    link = _request_reset(app, forms, user.email.upper())
    assert link.startswith("/wachtwoord-instellen/")
    page = client.get(link)
    assert page.status_code == 200 and user.email in text_of(page)

    response = forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(client) == user.email
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)

    again = app.test_client()
    assert again.get(link).status_code == 404
    assert "Deze link werkt niet" in text_of(again.get(link))


def test_reused_reset_link_is_refused_even_with_a_form_open(app, client, forms, make_user):
    user = make_user()
    link = _request_reset(app, forms, user.email)
    second = Browserless(app.test_client())
    token = second.token(link)  # a second tab opened the form before the first one used it
    forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = second.client.post(
        link, data={"password": "yet another phrase", "confirm": "yet another phrase", "csrf_token": token}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD)


def test_expired_reset_link_is_refused(app, client, forms, make_user):
    user = make_user()
    link = _request_reset(app, forms, user.email)
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 404
    assert "De link is ongeldig, verlopen of al gebruikt." in text_of(response)


def test_reset_request_answers_the_same_for_unknown_addresses(app, client, forms):
    response = forms.post("/wachtwoord-vergeten", {"email": "nobody@example.org"}, follow_redirects=True)
    assert "Als er een account met dit adres bestaat" in text_of(response)
    assert deliver_mail(app) == []


def test_reset_form_checks_the_new_password(app, forms, make_user):
    link = _request_reset(app, forms, make_user().email)
    html = text_of(forms.post(link, {"password": "short", "confirm": "short"}))
    assert "Kies een wachtwoord van minstens 10 tekens." in html
    html = text_of(forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}))
    assert "De wachtwoorden verschillen." in html
    html = text_of(forms.post(link, {"password": "Wachtwoord", "confirm": "Wachtwoord"}))
    assert "Dit wachtwoord is te makkelijk te raden." in html
    html = text_of(forms.post(link, {"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}))
    assert "Dit wachtwoord is te makkelijk te raden." in html


def test_reset_mail_is_in_the_users_language(app, forms, make_user):
    user = make_user()
    user.locale = "en"
    db.session.commit()
    forms.post("/wachtwoord-vergeten", {"email": user.email})
    message = deliver_mail(app)[0]
    assert message["Subject"] == "Set a new password"
    assert "It works once and expires after 2 hours" in mail_text(message)


def test_unknown_token_is_refused(client):
    assert client.get("/wachtwoord-instellen/not-a-token").status_code == 404
    assert client.get("/uitnodiging/not-a-token").status_code == 404


# --- invitations and user admin --------------------------------------------------------------


def test_invitation_by_email_works_once(app, client, forms, make_user):
    admin = make_user(role="admin", name="Ada Admin")
    login(client, admin)
    response = forms.post(
        "/beheer/gebruikers/uitnodigen",
        {"name": "Nieuwe Collega", "email": "New@Example.org", "role": "researcher"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/beheer/gebruikers"
    invited = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert invited.role == "researcher" and not invited.has_password
    assert "uitgenodigd" in text_of(client.get("/beheer/gebruikers"))

    message = deliver_mail(app)[-1]
    assert message["To"] == "new@example.org"
    assert "Ada Admin nodigt je uit" in mail_text(message)
    link = link_in(message)
    assert link.startswith("/uitnodiging/")

    guest = app.test_client()
    guest_forms = Browserless(guest)
    assert "Welkom, Nieuwe Collega" in text_of(guest.get(link))
    response = guest_forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    # A researcher sets up an authenticator app before being signed in (tests/twofactor).
    assert response.headers["Location"] == "/profiel/tweestapsverificatie"
    assert _signed_in_as(guest) is None

    assert app.test_client().get(link).status_code == 404  # works once
    fresh = app.test_client()
    login(fresh, invited, NEW_PASSWORD)


def test_invitation_of_a_deactivated_account_no_longer_works(app, client, forms, make_user):
    admin = make_user(role="admin")
    login(client, admin)
    forms.post("/beheer/gebruikers/uitnodigen", {"name": "Weg", "email": "weg@example.org", "role": "member"})
    link = link_in(deliver_mail(app)[-1])
    invited = db.session.scalar(select(User).where(User.email == "weg@example.org"))
    url = f"/beheer/gebruikers/{invited.id}"
    forms.post(url + "/status", token_url=url)
    assert app.test_client().get(link).status_code == 404


def test_inviting_an_existing_address_is_refused_at_the_field(client, forms, make_user):
    admin = make_user(role="admin")
    login(client, admin)
    response = forms.post(
        "/beheer/gebruikers/uitnodigen", {"name": "X", "email": admin.email, "role": "member"}
    )
    assert response.status_code == 200
    assert "Er bestaat al een account met dit e-mailadres." in text_of(response)


def test_admin_changes_a_role(client, forms, make_user):
    admin, member = make_user(role="admin"), make_user()
    login(client, admin)
    response = forms.post(f"/beheer/gebruikers/{member.id}", {"role": "researcher"})
    assert response.status_code == 302
    db.session.expire_all()
    assert member.role == "researcher"


def test_admin_cannot_remove_own_admin_role(client, forms, make_user):
    admin = make_user(role="admin")
    login(client, admin)
    response = forms.post(f"/beheer/gebruikers/{admin.id}", {"role": "member"})
    assert response.status_code == 200
    assert "Je kan je eigen beheerdersrol niet afnemen." in text_of(response)
    db.session.expire_all()
    assert admin.role == "admin"


def test_admin_deactivates_and_reactivates(client, forms, make_user):
    admin, member = make_user(role="admin"), make_user()
    login(client, admin)
    url = f"/beheer/gebruikers/{member.id}"
    response = forms.post(url + "/status", token_url=url, follow_redirects=True)
    assert "Het account is gedeactiveerd." in text_of(response)
    db.session.expire_all()
    assert not member.is_active
    assert "gedeactiveerd" in text_of(client.get("/beheer/gebruikers"))
    response = forms.post(url + "/status", token_url=url, follow_redirects=True)
    assert "Het account is weer actief." in text_of(response)


def test_admin_cannot_deactivate_self(client, forms, make_user):
    admin = make_user(role="admin")
    login(client, admin)
    url = f"/beheer/gebruikers/{admin.id}"
    response = forms.post(url + "/status", token_url=url, follow_redirects=True)
    assert "Je kan je eigen account niet deactiveren." in text_of(response)
    db.session.expire_all()
    assert admin.is_active
    assert _signed_in_as(client) == admin.email


def test_user_list_and_search(client, make_user):
    login(client, make_user(role="admin", name="Ada"))
    make_user(name="Zoë Janssens")
    html = text_of(client.get("/beheer/gebruikers?q=zo"))
    assert "Zoë Janssens" in html and ">Ada</a></td>" not in html


def test_unknown_user_id_is_404(client, make_user):
    login(client, make_user(role="admin"))
    assert client.get("/beheer/gebruikers/99999").status_code == 404


# --- profile -----------------------------------------------------------------------------------


def test_profile_changes_name_email_and_language(client, forms, make_user):
    user = make_user()
    login(client, user)
    response = forms.post("/profiel", {"name": "Nieuwe Naam", "email": "nieuw@example.org", "locale": "en"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.name, user.email, user.locale) == ("Nieuwe Naam", "nieuw@example.org", "en")
    assert '<html lang="en">' in text_of(client.get("/profiel"))  # the account's language


def test_profile_refuses_an_address_in_use(client, forms, make_user):
    user, other = make_user(), make_user()
    login(client, user)
    response = forms.post("/profiel", {"name": "X", "email": other.email, "locale": ""})
    assert "Er bestaat al een account met dit e-mailadres." in text_of(response)


def test_password_change_keeps_this_session_and_ends_the_others(app, client, forms, make_user):
    user = make_user()
    login(client, user)
    elsewhere = app.test_client()
    login(elsewhere, user)
    response = forms.post(
        "/profiel/wachtwoord",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        token_url="/profiel",
    )
    assert response.status_code == 302
    assert "Je wachtwoord is gewijzigd." in text_of(client.get("/profiel"))
    assert _signed_in_as(client) == user.email
    assert _signed_in_as(elsewhere) is None
    login(app.test_client(), user, NEW_PASSWORD)


def test_password_change_needs_the_current_password(client, forms, make_user):
    user = make_user()
    login(client, user)
    response = forms.post(
        "/profiel/wachtwoord",
        {"current_password": "wrong", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        token_url="/profiel",
    )
    assert response.status_code == 200
    html = text_of(response)
    assert "Je huidige wachtwoord klopt niet." in html
    assert f'value="{user.email}"' in html  # the profile form beside it keeps the user's details


# --- access ------------------------------------------------------------------------------------

ADMIN_PAGES = [
    ("GET", "/beheer/gebruikers"),
    ("GET", "/beheer/gebruikers/uitnodigen"),
    ("POST", "/beheer/gebruikers/uitnodigen"),
    ("GET", "/beheer/gebruikers/{user}"),
    ("POST", "/beheer/gebruikers/{user}"),
    ("POST", "/beheer/gebruikers/{user}/status"),
    ("GET", "/beheer/gebruikers/{user}/tweestapsverificatie"),
    ("POST", "/beheer/gebruikers/{user}/tweestapsverificatie"),
]
STAFF_PAGES = [
    ("GET", "/beheer/organisaties/"),
    ("GET", "/beheer/organisaties/nieuw"),
    ("POST", "/beheer/organisaties/nieuw"),
    ("GET", "/beheer/organisaties/{org}"),
    ("POST", "/beheer/organisaties/{org}"),
    ("GET", "/beheer/organisaties/importeren"),
    ("POST", "/beheer/organisaties/importeren"),
    ("POST", "/beheer/organisaties/importeren/bevestigen"),
    ("GET", "/beheer/bevragingen/"),
    ("GET", "/beheer/bevragingen/{survey}"),
    ("POST", "/beheer/bevragingen/{survey}/status"),
    ("POST", "/beheer/bevragingen/{survey}/data"),
    ("POST", "/beheer/bevragingen/{survey}/open-link"),
    ("GET", "/beheer/bevragingen/{survey}/voorbeeld"),
    ("POST", "/beheer/bevragingen/{survey}/voorbeeld"),
    ("GET", "/beheer/bevragingen/xlsform"),
    ("POST", "/beheer/bevragingen/xlsform"),
    ("GET", "/beheer/uitnodigingen"),
    ("GET", "/beheer/bevragingen/{slug}/uitnodigen"),
    ("POST", "/beheer/bevragingen/{slug}/uitnodigen"),
    ("GET", "/beheer/bevragingen/{slug}/uitnodigingen"),
    ("POST", "/beheer/bevragingen/{slug}/herinneren"),
    ("GET", "/beheer/bevragingen/{slug}/respons"),
    ("GET", "/beheer/polls/"),
    ("GET", "/beheer/polls/nieuw"),
    ("POST", "/beheer/polls/nieuw"),
    ("GET", "/beheer/polls/{slug}"),
    ("GET", "/beheer/polls/{slug}/bewerken"),
    ("POST", "/beheer/polls/{slug}/bewerken"),
]


def _request(client, forms, method, url, ids):
    url = url.format(**ids)
    if method == "GET":
        return client.get(url)
    return forms.post(url, {}, token_url="/profiel")


@pytest.fixture
def ids(make_user, make_organisation):
    """Ids for the URLs above; {slug} names both a survey and a poll, {survey} is the survey's id."""
    from app.extensions import db
    from app.polls.services import PollFields, save_poll
    from app.surveys.common import Text
    from app.surveys.loader import load_definition_text
    from app.surveys.versions import sync_definition
    from tests.invitations.conftest import SURVEY

    version, _outcome = sync_definition(
        load_definition_text(SURVEY.format(slug="toegang", anonymity="anonymous"), "toegang.yaml")
    )
    save_poll(None, "toegang", PollFields(Text("Vraag?"), ((1, Text("Ja")), (2, Text("Nee")))))
    db.session.commit()
    return {
        "user": make_user(role="admin").id,
        "org": make_organisation().id,
        "slug": "toegang",
        "survey": version.survey_id,
    }


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES + STAFF_PAGES)
def test_member_gets_403_on_admin_pages(client, forms, make_user, ids, method, url):
    login(client, make_user(role="member"))
    response = _request(client, forms, method, url, ids)
    assert response.status_code == 403
    assert "Geen toegang" in text_of(response)


@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_researcher_gets_403_on_user_admin(client, forms, make_user, ids, method, url):
    login(client, make_user(role="researcher"))
    assert _request(client, forms, method, url, ids).status_code == 403


@pytest.mark.parametrize(("method", "url"), [p for p in STAFF_PAGES if p[0] == "GET"])
def test_researcher_may_open_the_register(client, forms, make_user, ids, method, url):
    login(client, make_user(role="researcher"))
    assert _request(client, forms, method, url, ids).status_code == 200


@pytest.mark.parametrize(("method", "url"), [p for p in ADMIN_PAGES + STAFF_PAGES if p[0] == "GET"])
def test_anonymous_visitor_is_sent_to_login(client, ids, method, url):
    response = client.get(url.format(**ids))
    assert response.status_code == 302 and response.headers["Location"].startswith("/aanmelden?next=")


def test_the_access_lists_cover_every_admin_url(app):
    """A new /beheer page must be added to the lists above (and so get its access test)."""
    listed = {(m, u) for m, u in ADMIN_PAGES + STAFF_PAGES}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/beheer"):
            continue
        path = rule.rule.replace("<int:user_id>", "{user}").replace("<int:org_id>", "{org}")
        path = path.replace("<int:survey_id>", "{survey}").replace("<slug>", "{slug}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in listed, f"{method} {rule.rule} has no access test"
