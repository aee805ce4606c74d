"""Privacy guarantees, proven on the real schema and the real requests.

- Anonymous surveys: no column stores or derives from the link token, the client address, the
  user agent or the referrer (searched in every text column of every table, the draft included);
  no time finer than the day; response ids do not reveal submit order; the invitation holds no
  link to the response.
- Logs never contain answers, tokens, passwords or e-mail addresses (the main journeys at DEBUG,
  and the request log of a real server).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest
from sqlalchemy import BigInteger, Date, DateTime, Integer, MetaData, String, Text, func, select

from app.core.models import utcnow
from app.extensions import db
from tests.helpers import SECOND_STEP_URL, Browserless, deliver_mail, login, mail_text, text_of, totp_code

CLIENT_ADDRESS = "203.0.113.219"
USER_AGENT = "Okapi-Browser/7.31 (privacy-test; wwwelzijn)"
REFERRER = "https://referrer-okapi.example/pagina?bron=nieuwsbrief-7731"
ANSWERS = {"name": "Dienst Zebravink Zeldzaam", "remark": "Opmerking-Zebravink-8812 over onze werking"}


def reflect() -> dict:
    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    return dict(metadata.tables)


def derived(value: str) -> set[str]:
    """A value and what a careless column would store instead: common hashes and a prefix."""
    raw = value.encode()
    return {
        value,
        value[:12],
        hashlib.sha256(raw).hexdigest(),
        hashlib.sha1(raw).hexdigest(),  # noqa: S324 - looking for it, not using it
        hashlib.md5(raw).hexdigest(),  # noqa: S324
    }


def text_hits(needles: set[str], skip: set[tuple[str, str]] = frozenset()) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every text column of every table that contains a needle."""
    db.session.commit()
    hits, searched = [], 0
    for name, table in reflect().items():
        for column in table.columns:
            if not isinstance(column.type, String | Text) or (name, column.name) in skip:
                continue
            searched += 1
            for needle in needles:
                count = db.session.scalar(
                    select(func.count()).select_from(table).where(column.contains(needle, autoescape=True))
                )
                if count:
                    hits.append((name, column.name, needle))
    assert searched > 30, "the search did not go through the schema"
    return hits


def datetime_values() -> dict[tuple, object]:
    """(table, primary key, column) -> value of every date-time column of every row."""
    db.session.commit()
    values = {}
    with db.engine.connect() as conn:
        for name, table in reflect().items():
            columns = [c for c in table.columns if isinstance(c.type, DateTime)]
            if not columns:
                continue
            key = list(table.primary_key.columns)
            for row in conn.execute(select(*key, *columns)):
                ids = tuple(row[: len(key)])
                for column, value in zip(columns, row[len(key) :], strict=True):
                    values[(name, ids, column.name)] = value
    return values


@pytest.fixture
def anonymous_journey(app, make_survey, make_invitation, respondent):
    """An anonymous response through an invitation link, with distinctive client headers."""
    survey = make_survey(anonymity="anonymous")
    invitation, token = make_invitation(survey)
    client = app.test_client()
    client.environ_base.update(
        {"REMOTE_ADDR": CLIENT_ADDRESS, "HTTP_USER_AGENT": USER_AGENT, "HTTP_REFERER": REFERRER}
    )
    walk = respondent(client, f"/u/{token}")
    return survey, invitation, token, walk


CLIENT_NEEDLES = set().union(*(derived(v) for v in (CLIENT_ADDRESS, USER_AGENT, REFERRER)))


def test_no_column_stores_or_derives_from_token_address_agent_or_referrer(anonymous_journey):
    from app.invitations.models import Invitation
    from app.surveys.models import Draft, Response

    _survey, invitation, token, walk = anonymous_journey
    token_hash = db.session.get(Invitation, invitation.id).token_hash
    needles = CLIENT_NEEDLES | derived(token)
    # The only place the link lives: its own hash on its own invitation (for the lookup).
    allowed = {("invitations", "token_hash")}
    before = text_hits(needles | {token_hash}, skip=allowed)
    assert before == []

    summary = walk.answer_all(name=ANSWERS["name"], remark=ANSWERS["remark"])
    assert "stap=overzicht" in summary.location
    draft = db.session.scalars(select(Draft)).one()
    for needle in needles | {token_hash}:  # the draft in progress: answers only
        assert needle not in draft.answers_json and needle not in draft.key_hash
        assert needle not in (draft.updated_by or "") and needle not in (draft.page_key or "")
    during = text_hits(CLIENT_NEEDLES | derived(token) | {token_hash}, skip=allowed)
    assert during == []

    assert walk.submit().status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    after = text_hits(CLIENT_NEEDLES | derived(token) | {token_hash}, skip=allowed)
    assert after == []
    # The answers themselves are stored in the answers table and in the response's export copy
    # (responses.export_row, deleted with the response), nowhere else.
    stored = {(t, c) for t, c, _n in text_hits({ANSWERS["remark"]})}
    assert stored == {("answers", "text"), ("responses", "export_row")}
    # No rate counter (the only table keyed by client addresses, as HMACs) was written either.
    assert db.session.scalar(select(func.count()).select_from(reflect()["rate_counters"])) == 0
    assert db.session.get(Invitation, invitation.id).token_hash == token_hash  # the link itself is unchanged


def test_no_time_finer_than_the_day_is_stored_for_an_anonymous_response(anonymous_journey):
    from app.invitations.models import Invitation
    from app.surveys.models import Response

    _survey, invitation, _token, walk = anonymous_journey
    before = datetime_values()
    walk.answer_all()
    assert walk.submit().status_code == 302
    after = datetime_values()
    new_times = {k: v for k, v in after.items() if v is not None and before.get(k) != v}
    assert new_times == {}, f"times stored by answering: {sorted(new_times)}"
    tables = reflect()
    assert not [c.name for c in tables["answers"].columns if isinstance(c.type, DateTime | Date)]
    response = db.session.scalars(select(Response)).one()
    assert response.submitted_at is None and type(response.submitted_on) is date
    row = db.session.get(Invitation, invitation.id)
    assert type(row.started_on) is date and type(row.finished_on) is date


def test_response_ids_do_not_reveal_the_submit_order(
    app, make_survey, make_invitation, respondent, make_user
):
    survey = make_survey(anonymity="anonymous")
    submitted = []
    for n in range(30):
        _invitation, token = make_invitation(survey)
        walk = respondent(app.test_client(), f"/u/{token}")
        walk.answer_all(remark=f"antwoord {n}")
        assert walk.submit().status_code == 302
        submitted.append(f"antwoord {n}")
    from app.surveys.models import Answer

    rows = db.session.execute(select(Answer.text, Answer.response_id).where(Answer.variable == "opmerking"))
    by_text = {text: response_id for text, response_id in rows}
    ids = [by_text[text] for text in submitted]  # in submit order
    assert len(set(ids)) == 30
    ranks = {value: rank for rank, value in enumerate(sorted(ids))}
    n = len(ids)
    d2 = sum((i - ranks[v]) ** 2 for i, v in enumerate(ids))
    spearman = 1 - 6 * d2 / (n * (n * n - 1))
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    assert abs(spearman) < 0.7, f"ids follow the submit order (Spearman {spearman:.2f})"
    assert min(ids) > 30 or max(ids) > 10_000  # not a counter from 1
    # Nor does the order of the rows in an export or on the text-answers page.
    staff = app.test_client()
    login(staff, make_user(role="researcher"))
    exported = staff.get(f"/resultaten/{survey.slug}/export/csv").get_data(as_text=True)
    shown = text_of(staff.get(f"/resultaten/{survey.slug}/tekst/opmerking"))
    for text in (exported, shown):
        order = list(dict.fromkeys(int(n) for n in re.findall(r"antwoord (\d+)", text)))
        assert sorted(order) == list(range(30))
        assert order != list(range(30)) and order != list(range(29, -1, -1))


def test_the_invitation_holds_no_link_to_the_anonymous_response(anonymous_journey):
    from app.surveys.models import Response

    _survey, invitation, _token, walk = anonymous_journey
    walk.answer_all()
    walk.submit()
    response_id = db.session.scalars(select(Response.id)).one()
    tables = reflect()
    invitations = tables["invitations"]
    row = db.session.execute(select(invitations).where(invitations.c.id == invitation.id)).one()
    assert row.response_id is None
    for column, value in row._mapping.items():
        assert value != response_id and str(response_id) not in str(value), f"invitations.{column}"
    # No number or text column of any other table holds the response id either.
    for name, table in tables.items():
        if name in ("responses", "answers"):
            continue
        for column in table.columns:
            if isinstance(column.type, BigInteger) or (
                isinstance(column.type, Integer) and response_id < 2**31  # else it cannot hold it
            ):
                hits = db.session.scalar(select(func.count()).select_from(table).where(column == response_id))
            elif isinstance(column.type, String | Text):
                hits = db.session.scalar(
                    select(func.count()).select_from(table).where(column.contains(str(response_id)))
                )
            else:
                continue
            assert hits == 0, f"{name}.{column.name} holds the response id"


# -- logs -------------------------------------------------------------------------------------

PASSWORD = "Wachtwoord-Gnoe-5521"
NEW_PASSWORD = "Nieuw-Wachtwoord-Gnoe-7734"
USER_EMAIL = "gnoe.gebruiker@example.org"
MEMBER_EMAIL = "gnoe.lid@example.org"
ORG_EMAIL = "gnoe.contact@example.org"
CSV_EMAILS = ("csv.gnoe.een@example.org", "csv.gnoe.twee@example.org")
INVITED_EMAIL = "gnoe.nieuw@example.org"
SECRET_ANSWERS = ("Antwoord-Gnoe-9931", "Toelichting-Gnoe-4417 vertrouwelijk")
LINK_RE = re.compile(r"http://localhost(/[^\s]+)")


def _links(app, recipient: str) -> list[str]:
    messages = [m for m in deliver_mail(app) if m["To"] == recipient]
    assert messages, f"no mail to {recipient}"
    return LINK_RE.findall(mail_text(messages[-1]))


@pytest.fixture
def log_everything(caplog):
    """Every logger at DEBUG (what LOG_LEVEL=DEBUG gives), captured."""
    caplog.set_level(logging.DEBUG)
    for name in ("app", "werkzeug", "gunicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_logs_never_hold_answers_tokens_passwords_or_addresses(
    app, make_user, make_survey, make_poll, respondent, log_everything
):
    import io

    from app.twofactor import services as twofactor

    secrets: set[str] = {
        PASSWORD,
        NEW_PASSWORD,
        USER_EMAIL,
        MEMBER_EMAIL,
        ORG_EMAIL,
        INVITED_EMAIL,
        *CSV_EMAILS,
        *SECRET_ANSWERS,
    }

    # Login with password and the second step.
    admin = make_user(role="admin", email=USER_EMAIL, password=PASSWORD)
    secrets.add(twofactor.decrypt_secret(twofactor.get_credential(admin).secret_encrypted))
    staff = app.test_client()
    forms = Browserless(staff)
    first = forms.post("/aanmelden", {"email": USER_EMAIL, "password": PASSWORD})
    assert first.headers["Location"].startswith(SECOND_STEP_URL)
    code = totp_code(admin)
    secrets.add(code)
    assert forms.post(SECOND_STEP_URL, {"code": code}).status_code == 302

    # A wrong password, and a reset through the mailed link (of a member: a reset ends sessions).
    member = make_user(email=MEMBER_EMAIL, password=PASSWORD)
    visitor = app.test_client()
    Browserless(visitor).post("/aanmelden", {"email": MEMBER_EMAIL, "password": PASSWORD + "x"})
    Browserless(visitor).post("/wachtwoord-vergeten", {"email": MEMBER_EMAIL})
    reset_path = _links(app, MEMBER_EMAIL)[0]
    secrets.add(reset_path.rsplit("/", 1)[1])
    done = Browserless(visitor).post(reset_path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and member.id

    # An account invitation.
    forms.post("/beheer/gebruikers/uitnodigen", {"name": "Gnoe", "email": INVITED_EMAIL, "role": "member"})
    secrets.add(_links(app, INVITED_EMAIL)[0].rsplit("/", 1)[1])

    # CSV import with e-mail addresses.
    csv = "naam;soort;regio;e-mail\n" + "\n".join(
        f"Gnoe {n};caw;antwerpen;{email}" for n, email in enumerate(CSV_EMAILS)
    )
    token = forms.token("/beheer/organisaties/importeren")
    imported = staff.post(
        "/beheer/organisaties/importeren",
        data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "organisaties.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302

    # An invitation mail to an organisation, its link opened, a survey answered and submitted.
    forms.post(
        "/beheer/organisaties/nieuw",
        {"name": "Gnoe dienst", "service_type": "clb", "region": "limburg", "contact_email": ORG_EMAIL},
    )
    survey = make_survey(slug="gnoe")
    survey.closes_at = utcnow() + timedelta(days=30)
    db.session.commit()
    invited = forms.post(
        "/beheer/bevragingen/gnoe/uitnodigen",
        {"soort": "clb", "regio": "limburg"},
        token_url="/beheer/bevragingen/gnoe/uitnodigen",
    )
    assert invited.status_code == 302
    invitation_path = next(p for p in _links(app, ORG_EMAIL) if not p.endswith("/afmelden"))
    secrets.add(invitation_path.rsplit("/", 1)[1])
    walk = respondent(app.test_client(), invitation_path)
    walk.answer_all(name=SECRET_ANSWERS[0], remark=SECRET_ANSWERS[1])
    assert walk.submit().status_code == 302

    # A poll vote.
    make_poll(slug="gnoe-poll")
    voter = app.test_client()
    html = text_of(voter.get("/p/gnoe-poll"))
    form_token = re.search(r'name="form_token"[^>]*value="([^"]+)"', html).group(1)
    secrets.add(form_token)
    from tests.helpers import csrf_token_from

    voted = voter.post(
        "/p/gnoe-poll", data={"csrf_token": csrf_token_from(html), "form_token": form_token, "keuze": "1"}
    )
    assert voted.status_code == 302

    # An API token made in the browser and used, and an export downloaded.
    html = text_of(forms.post("/api-tokens/", {"name": "laptop"}))
    api_token = re.search(r'<code class="token">(wwz_[^<]+)</code>', html).group(1)
    secrets.add(api_token)
    assert staff.get("/api/v1/surveys", headers={"Authorization": f"Bearer {api_token}"}).status_code == 200
    staff.get("/api/v1/surveys", headers={"Authorization": f"Bearer {api_token}x"})
    assert staff.get("/resultaten/gnoe/export/csv").status_code == 200

    logged = "\n".join(
        [
            log_everything.text,
            *(r.getMessage() for r in log_everything.records),
            *(r.exc_text or "" for r in log_everything.records),
        ]
    )
    assert "response submitted for survey" in logged and "logged in" in logged  # the journeys ran
    leaked = sorted(s for s in secrets if s in logged)
    assert leaked == [], f"in the log: {leaked}"


def test_sql_statements_and_rows_stay_out_of_a_debug_log(app, make_user, log_everything):
    """With LOG_LEVEL=DEBUG the root logger is at DEBUG; SQLAlchemy keeps its own loggers at WARNING
    (it would otherwise log every statement's values and every row it reads)."""
    user = make_user(email=USER_EMAIL, password=PASSWORD)
    login(app.test_client(), user, password=PASSWORD)
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() >= logging.WARNING
    assert USER_EMAIL not in log_everything.text and "pbkdf2" not in log_everything.text


def test_a_real_servers_request_log_masks_tokens(app, make_survey, make_invitation, log_everything):
    """Werkzeug's request log (the development server) with the token paths masked."""
    from werkzeug.serving import make_server

    survey = make_survey()
    _invitation, token = make_invitation(survey)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    paths = [f"/u/{token}", f"/u/{token}/afmelden", f"/wachtwoord-instellen/{token}?next=/u/{token}"]
    try:
        for path in paths:
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(base + path, timeout=10).read()
    finally:
        server.shutdown()
        thread.join(10)
    lines = [r.getMessage() for r in log_everything.records if r.name == "werkzeug"]
    assert len([line for line in lines if "/u/TOKEN" in line]) == 2, lines
    assert any("/wachtwoord-instellen/TOKEN" in line for line in lines)
    assert token not in log_everything.text


def test_the_gunicorn_access_log_masks_tokens():
    """`--logger-class app.core.logs.TokenMaskingLogger`: request line, path, query, referrer."""
    from types import SimpleNamespace

    from gunicorn.config import Config

    from app.core.logs import TokenMaskingLogger

    token = "Zq3vXb8-secret_token_value"
    logger = TokenMaskingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/u/{token}?pagina=dienst",
        "PATH_INFO": f"/u/{token}",
        "QUERY_STRING": "pagina=dienst",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://site.example/wachtwoord-instellen/{token}",
        "HTTP_USER_AGENT": "test",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, request, environ, timedelta(seconds=0))
    formatted = logger.cfg.access_log_format % atoms
    assert token not in formatted and token not in str(dict(atoms))
    assert '"GET /u/TOKEN HTTP/1.1"' in formatted
    assert "https://site.example/wachtwoord-instellen/TOKEN" in formatted
    # Gunicorn's error log names the request when a worker fails on it.
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.error_log.addHandler(handler)
    try:
        logger.error("Error handling request %s", f"/u/{token}?pagina=dienst")
    finally:
        logger.error_log.removeHandler(handler)
    assert [r.getMessage() for r in records] == ["Error handling request /u/TOKEN"]


def test_every_token_route_is_masked(app):
    """A new URL rule with a secret argument must be covered by the log mask."""
    from app.core.logs import mask_tokens

    secret_args = {"token", "resume"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not secret_args & set(rule.arguments):
            continue
        values = {a: ("SECRETVALUE" if a in secret_args else "x") for a in rule.arguments}
        if "public_token" in rule.arguments:
            values["public_token"] = "pub"
        path = rule.build(values)[1] if hasattr(rule, "build") else None
        with app.test_request_context():
            from flask import url_for

            path = url_for(rule.endpoint, **values)
        assert "SECRETVALUE" not in mask_tokens(f'"GET {path} HTTP/1.1"'), rule.rule
        checked += 1
    assert checked >= 5


# -- retention: what the issue promises, searched in the whole database -------------------------


def test_purge_leaves_no_address_or_link_token_of_a_long_closed_survey_anywhere(app, make_user, make_survey):
    """The link and address were gone from the invitation, but the sent mail kept both in its
    body (and its address in the recipient only until then)."""
    from app.core.mail import OutgoingMail
    from app.privacy.services import purge

    admin = make_user(role="admin")
    staff = app.test_client()
    login(staff, admin)
    forms = Browserless(staff)
    forms.post(
        "/beheer/organisaties/nieuw",
        {"name": "Oude dienst", "service_type": "clb", "region": "limburg", "contact_email": ORG_EMAIL},
    )
    survey = make_survey(slug="oud")
    survey.closes_at = utcnow() + timedelta(days=30)
    db.session.commit()
    forms.post(
        "/beheer/bevragingen/oud/uitnodigen", {"soort": "clb"}, token_url="/beheer/bevragingen/oud/uitnodigen"
    )
    path = next(p for p in _links(app, ORG_EMAIL) if not p.endswith("/afmelden"))
    token = path.rsplit("/", 1)[1]
    # Two hundred days later: the survey closed long ago, the mail went out long ago.
    long_ago = utcnow() - timedelta(days=200)
    survey.closes_at = long_ago
    for mail in db.session.scalars(select(OutgoingMail)):
        mail.sent_at = long_ago
    db.session.commit()
    assert text_hits({token, ORG_EMAIL})  # before: in the invitation and the mail

    purge(days=90)
    db.session.commit()
    hits = text_hits({token, ORG_EMAIL} | derived(token), skip={("organisations", "contact_email")})
    assert hits == [], hits
    assert app.test_client().get(path).status_code == 404
