"""Two-factor login through HTTP: forced set-up, second step, replay, recovery, throttling,
admin reset, member opt-in, the pending marker, and the set-up page under the CSP."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import unquote

import pyotp
import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import LOGIN_SCOPE_ACCOUNT
from app.core import ratelimit
from app.extensions import db
from app.twofactor import services
from app.twofactor.flow import PENDING_KEY
from tests.helpers import Browserless, deliver_mail, link_in, login, secret_on_setup_page, text_of
from tests.twofactor.conftest import (
    SECOND_STEP,
    SETUP,
    app_for,
    next_step_code,
    password_step,
    send_code,
    set_up_app,
)

NEW_PASSWORD = "a much better passphrase"


def signed_in(client) -> bool:
    return client.get("/profiel").status_code == 200


def wrong_code(totp: pyotp.TOTP) -> str:
    accepted = {totp.at(time.time() + offset) for offset in (-30, 0, 30)}
    return next(c for c in ("123456", "654321", "111111") if c not in accepted)


# --- staff must set up an app ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "researcher"])
def test_staff_without_an_app_are_sent_to_the_set_up_and_are_not_signed_in(client, make_user, role):
    user = make_user(role=role, two_factor=False)
    response = password_step(client, user)
    assert response.status_code == 302 and response.headers["Location"] == SETUP
    assert not signed_in(client)
    assert client.get(SECOND_STEP).headers["Location"] == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200
    html = text_of(page)
    assert "Tweestapsverificatie instellen" in html and 'src="data:image/svg+xml' in html
    assert 'class="totp-secret"' in html


def test_set_up_refuses_a_wrong_code_and_accepts_the_right_one(client, make_user):
    user = make_user(role="researcher", two_factor=False)
    password_step(client, user, next_url="/beheer/organisaties/")
    secret = secret_on_setup_page(text_of(client.get(SETUP)))
    assert secret_on_setup_page(text_of(client.get(SETUP))) == secret  # the same on a reload
    totp = pyotp.TOTP(secret)

    response = Browserless(client).post(SETUP, {"code": wrong_code(totp)})
    assert response.status_code == 200
    assert "Deze code klopt niet." in text_of(response)
    assert services.get_credential(user) is None and not signed_in(client)

    response = Browserless(client).post(SETUP, {"code": totp.now()})
    assert response.status_code == 200
    html = text_of(response)
    assert "Je herstelcodes" in html
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)
    assert len(codes) == 10
    assert 'href="/beheer/organisaties/"' in html  # next= kept through password, set-up and codes
    assert signed_in(client)
    assert client.get("/beheer/organisaties/").status_code == 200
    db.session.expire_all()
    assert services.get_credential(user) is not None


def test_each_login_session_gets_its_own_unconfirmed_secret(app, client, make_user):
    user = make_user(role="admin", two_factor=False)
    password_step(client, user)
    first = secret_on_setup_page(text_of(client.get(SETUP)))
    other = app.test_client()
    password_step(other, user)
    assert secret_on_setup_page(text_of(other.get(SETUP))) != first


def test_a_staff_session_without_an_app_only_reaches_the_set_up(app, client, forms, make_user):
    user = make_user(role="member")
    login(client, user)
    user.role = "researcher"  # promoted while signed in
    db.session.commit()
    response = client.get("/beheer/organisaties/?soort=caw")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{SETUP}?next=/beheer/organisaties/?soort%3Dcaw"
    assert client.get("/").headers["Location"].startswith(SETUP)
    assert client.get("/profiel").headers["Location"].startswith(SETUP)
    assert client.get("/static/css/site.css").status_code == 200
    assert client.get("/taal/en").status_code == 302

    _totp, response = set_up_app(client, f"{SETUP}?next=/beheer/organisaties/?soort%3Dcaw")
    assert 'href="/beheer/organisaties/?soort=caw"' in text_of(response)
    assert client.get("/beheer/organisaties/?soort=caw").status_code == 200

    other = app.test_client()
    login(other, make_user(role="admin", two_factor=False))
    response = Browserless(other).post("/afmelden", token_url=SETUP)  # logging out is allowed
    assert response.status_code == 302 and not signed_in(other)


# --- the second step -----------------------------------------------------------------------------


def test_login_needs_the_code(client, make_user):
    user = make_user(role="admin", name="Ada")
    totp = app_for(user)
    response = password_step(client, user)
    assert response.headers["Location"] == SECOND_STEP
    assert not signed_in(client)
    assert "Tweede stap" in text_of(client.get(SECOND_STEP))

    response = send_code(client, wrong_code(totp))
    assert response.status_code == 200
    html = text_of(response)
    assert "Deze code klopt niet." in html and 'aria-describedby="code-hint code-error"' in html
    assert not signed_in(client)

    response = send_code(client, totp.now())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Dag Ada" in text_of(client.get("/"))


def test_the_same_code_twice_in_its_window_is_refused(app, client, make_user):
    user = make_user(role="researcher")
    code = app_for(user).now()
    password_step(client, user)
    assert send_code(client, code).status_code == 302

    other = app.test_client()
    password_step(other, user)
    response = send_code(other, code)
    assert response.status_code == 200
    assert "Deze code is al gebruikt." in text_of(response)
    assert not signed_in(other)
    assert send_code(other, next_step_code(app_for(user))).status_code == 302


def test_a_recovery_code_works_once(app, client, make_user):
    user = make_user(role="researcher")
    codes = services.new_recovery_codes(user)
    db.session.commit()
    password_step(client, user)
    response = send_code(client, codes[3])
    assert response.status_code == 302
    assert "Je gebruikte een herstelcode. Je hebt er nog 9 over." in text_of(client.get("/"))

    other = app.test_client()
    password_step(other, user)
    response = send_code(other, codes[3])
    assert response.status_code == 200 and "Deze code klopt niet." in text_of(response)
    assert not signed_in(other)


def test_second_step_brute_force_gets_429_with_its_own_counter(app, client, make_user):
    user, bystander = make_user(role="admin"), make_user(role="admin")
    totp = app_for(user)
    password_step(client, user)
    for _ in range(app.config["TWOFACTOR_MAX_ATTEMPTS"]):
        assert send_code(client, wrong_code(totp)).status_code == 200
    response = send_code(client, totp.now())
    assert response.status_code == 429  # even the right code, until the window passes
    assert response.headers["Retry-After"] == str(app.config["TWOFACTOR_WINDOW_SECONDS"])
    assert not signed_in(client)
    # The password throttle did not count these, and other accounts are not affected.
    window = app.config["LOGIN_WINDOW_SECONDS"]
    assert ratelimit.current(LOGIN_SCOPE_ACCOUNT, user.email, window) == 0
    login(app.test_client(), bystander)


def test_the_second_step_keeps_next_and_refuses_open_redirects(app, client, make_user):
    user = make_user(role="admin")
    password_step(client, user, next_url="/beheer/gebruikers?q=a")
    assert send_code(client, app_for(user).now()).headers["Location"] == "/beheer/gebruikers?q=a"
    other = app.test_client()
    password_step(other, user, next_url="https://evil.example/")
    assert send_code(other, next_step_code(app_for(user))).headers["Location"] == "/"


def test_the_second_step_without_a_password_goes_to_the_login(client):
    assert client.get(SECOND_STEP).headers["Location"] == "/aanmelden"
    response = Browserless(client).post(SECOND_STEP, {"code": "123456"}, token_url="/aanmelden")
    assert response.headers["Location"] == "/aanmelden"
    assert client.get(SETUP).headers["Location"].startswith("/aanmelden")


# --- the pending marker ------------------------------------------------------------------------


def test_the_pending_marker_expires(client, make_user):
    user = make_user(role="researcher")
    password_step(client, user)
    with client.session_transaction() as session:
        session[PENDING_KEY] = {**session[PENDING_KEY], "until": session[PENDING_KEY]["until"] - 3600}
    response = send_code(client, app_for(user).now())
    assert response.status_code == 302 and response.headers["Location"] == "/aanmelden"
    assert "Je aanmelding is verlopen." in text_of(client.get("/aanmelden"))
    assert not signed_in(client)


def test_the_pending_marker_is_void_after_a_password_change(client, make_user):
    user = make_user(role="researcher")
    password_step(client, user)
    user.set_password(NEW_PASSWORD)  # e.g. changed in another session, or reset by mail
    db.session.commit()
    response = send_code(client, app_for(user).now())
    assert response.headers["Location"] == "/aanmelden"
    assert not signed_in(client)


def test_the_pending_marker_is_void_for_a_deactivated_account(client, make_user):
    user = make_user(role="researcher")
    password_step(client, user)
    user.is_active_account = False
    db.session.commit()
    assert send_code(client, app_for(user).now()).headers["Location"] == "/aanmelden"
    assert not signed_in(client)


def test_a_password_reset_link_does_not_skip_the_second_step(app, client, forms, make_user):
    user = make_user(role="admin")
    forms.post("/wachtwoord-vergeten", {"email": user.email})
    link = link_in(deliver_mail(app)[-1])
    response = forms.post(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == SECOND_STEP
    assert not signed_in(client)
    assert send_code(client, app_for(user).now()).headers["Location"] == "/"
    assert signed_in(client)


# --- admin reset ---------------------------------------------------------------------------------


def test_admin_resets_a_users_two_factor_login(app, client, forms, make_user, caplog):
    admin, researcher = make_user(role="admin"), make_user(role="researcher", name="Rita")
    codes = services.new_recovery_codes(researcher)
    db.session.commit()
    theirs = app.test_client()
    login(theirs, researcher)
    login(client, admin)

    assert "Tweestapsverificatie herstellen" in text_of(client.get(f"/beheer/gebruikers/{researcher.id}"))
    url = f"/beheer/gebruikers/{researcher.id}/tweestapsverificatie"
    assert "Nog 10 herstelcodes over." in text_of(client.get(url))
    with caplog.at_level("INFO", logger="app"):
        response = forms.post(url)
    assert (
        response.status_code == 302 and response.headers["Location"] == f"/beheer/gebruikers/{researcher.id}"
    )
    assert "De tweestapsverificatie van Rita is hersteld." in text_of(
        client.get(response.headers["Location"])
    )
    assert f"user {admin.id} reset the two-factor login of user {researcher.id}" in caplog.text
    assert codes[0] not in caplog.text

    db.session.expire_all()
    assert services.get_credential(researcher) is None
    assert not signed_in(theirs)  # their sessions ended
    assert password_step(app.test_client(), researcher).headers["Location"] == SETUP


def test_admin_cannot_reset_their_own_two_factor_login(client, forms, make_user):
    admin = make_user(role="admin")
    login(client, admin)
    url = f"/beheer/gebruikers/{admin.id}/tweestapsverificatie"
    response = forms.post(url, follow_redirects=True)
    assert "Vraag het een andere beheerder." in text_of(response)
    assert services.get_credential(admin) is not None and signed_in(client)


def test_reset_of_an_unknown_user_is_404(client, make_user):
    login(client, make_user(role="admin"))
    assert client.get("/beheer/gebruikers/99999/tweestapsverificatie").status_code == 404


def test_command_line_reset_for_a_locked_out_admin(app, make_user, caplog):
    admin = make_user(role="admin")
    with caplog.at_level("INFO", logger="app"):
        result = app.test_cli_runner().invoke(args=["twofactor", "reset", admin.email.upper()])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert services.get_credential(admin) is None
    assert f"the command line reset the two-factor login of user {admin.id}" in caplog.text
    result = app.test_cli_runner().invoke(args=["twofactor", "reset", "nobody@example.org"])
    assert result.exit_code != 0


# --- members opt in ----------------------------------------------------------------------------


def test_a_member_opts_in_from_the_profile_and_can_turn_it_off(app, client, make_user):
    member = make_user(role="member")
    response = password_step(client, member)
    assert response.headers["Location"] == "/"  # no second step yet
    profile = text_of(client.get("/profiel"))
    assert "Tweestapsverificatie instellen" in profile and f'href="{SETUP}"' in profile

    totp, response = set_up_app(client)
    assert "Je herstelcodes" in text_of(response) and f'href="{SETUP}"' in text_of(response)
    assert "Tweestapsverificatie staat aan sinds" in text_of(client.get(SETUP))
    assert "Tweestapsverificatie beheren" in text_of(client.get("/profiel"))

    fresh = app.test_client()
    assert password_step(fresh, member).headers["Location"] == SECOND_STEP
    assert send_code(fresh, next_step_code(totp)).status_code == 302

    response = Browserless(fresh).post(SETUP + "/uitzetten", {"off_code": wrong_code(totp)}, token_url=SETUP)
    assert response.status_code == 200 and "Deze code klopt niet." in text_of(response)
    services.get_credential(member).last_used_step = None  # the test reuses the current step
    db.session.commit()
    response = Browserless(fresh).post(SETUP + "/uitzetten", {"off_code": totp.now()}, token_url=SETUP)
    assert response.headers["Location"] == "/profiel"
    assert password_step(app.test_client(), member).headers["Location"] == "/"


def test_staff_cannot_turn_it_off_but_can_make_new_recovery_codes(client, make_user):
    user = make_user(role="researcher")
    old = services.new_recovery_codes(user)
    db.session.commit()
    login(client, user)
    page = text_of(client.get(SETUP))
    assert "Nog " not in page and "Je hebt nog 10 herstelcodes." in page
    assert "moeten tweestapsverificatie gebruiken" in page and 'name="off_code"' not in page
    response = Browserless(client).post(SETUP + "/uitzetten", {"off_code": old[0]}, token_url=SETUP)
    assert "moeten tweestapsverificatie gebruiken" in text_of(response)
    assert services.get_credential(user) is not None

    response = Browserless(client).post(SETUP + "/herstelcodes", {"code": old[1]}, token_url=SETUP)
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", text_of(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert "Je hebt nog 10 herstelcodes." in text_of(client.get(SETUP))


# --- the set-up page: nothing external, nothing inline -------------------------------------------

ATTR_RE = re.compile(r'\b(src|href|action|srcset|poster|data)="([^"]*)"')


def test_the_qr_page_has_no_external_references_and_passes_the_csp(client, make_user):
    user = make_user(role="admin", two_factor=False)
    password_step(client, user)
    response = client.get(SETUP)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "img-src 'self' data:" in csp and "unsafe-inline" not in csp
    html = text_of(response)
    assert "<script" not in html and " style=" not in html and "<iframe" not in html
    images = []
    for name, value in ATTR_RE.findall(html):
        if value.startswith("data:"):
            assert name == "src" and value.startswith("data:image/svg+xml"), value[:40]
            images.append(value)
        elif value.startswith("otpauth://totp/"):
            assert name == "href"  # opens the authenticator app on this device; no host involved
        else:
            assert value.startswith(("/", "#")) and not value.startswith("//"), f'{name}="{value}"'
    assert len(images) == 1
    header, _sep, payload = images[0].partition(",")
    svg = base64.b64decode(payload).decode() if header.endswith(";base64") else unquote(payload)
    assert svg.lstrip().startswith("<svg") or svg.lstrip().startswith("<?xml")
    svg_without_namespace = re.sub(r"xmlns=(['\"])http://www.w3.org/2000/svg\1", "", svg)
    for needle in ("http:", "https:", "href", "<script", "<image", "url(", "<foreignObject"):
        assert needle not in svg_without_namespace, needle
    assert 'alt="QR-code' in html


def test_secrets_and_codes_never_reach_the_log(client, make_user, caplog):
    user = make_user(role="researcher", two_factor=False)
    with caplog.at_level("DEBUG"):
        password_step(client, user)
        secret = secret_on_setup_page(text_of(client.get(SETUP)))
        code = pyotp.TOTP(secret).now()
        response = Browserless(client).post(SETUP, {"code": code})
        codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", text_of(response))
    assert codes and f"user {user.id} set up two-factor login" in caplog.text
    for value in [secret, code, *codes]:
        assert value not in caplog.text
    stored = db.session.scalar(select(User).where(User.id == user.id))
    assert stored is not None and services.get_credential(stored) is not None


def test_the_user_admin_page_offers_a_reset_only_when_there_is_something_to_reset(client, make_user):
    login(client, make_user(role="admin"))
    member, new_researcher = make_user(), make_user(role="researcher", two_factor=False)
    html = text_of(client.get(f"/beheer/gebruikers/{member.id}"))
    assert "Staat uit." in html and "/tweestapsverificatie" not in html
    html = text_of(client.get(f"/beheer/gebruikers/{new_researcher.id}"))
    assert "Nog niet ingesteld" in html and "/tweestapsverificatie" not in html
    services.save_credential(member, services.new_secret())
    db.session.commit()
    html = text_of(client.get(f"/beheer/gebruikers/{member.id}"))
    assert f'href="/beheer/gebruikers/{member.id}/tweestapsverificatie"' in html and "aan sinds" in html
