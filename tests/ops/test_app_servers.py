"""Two gunicorn app servers on one PostgreSQL database share sessions, login throttling and limits.

Each server is a separate process with its own memory, so whatever they agree on lives in the
signed session cookie or in the database. The browser is plain http.client with a cookie dict.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse
from http.cookies import SimpleCookie

import pytest

from tests.helpers import csrf_token_from, free_port
from tests.ops.conftest import BIN, is_postgresql, output_of, process_environment, processes

SESSION_COOKIE = "wwwelzijn_session"
PASSWORD = "correct horse battery"
START_TIMEOUT = 60
REQUEST_TIMEOUT = 20


class Browser:
    """Talks to one server; keeps its cookies (no redirects followed)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = {}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, dict(response.headers), text
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, dict, str]:
        return self.request("GET", path)

    def post_form(self, path: str, data: dict) -> tuple[int, dict, str]:
        """Open the form page first (as a browser does) and post with its CSRF token."""
        status, _headers, page = self.get(path)
        assert status == 200, page[:500]
        return self.request("POST", path, {**data, "csrf_token": csrf_token_from(page)})


def _wait_until_serving(server, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn on port {port} exited:\n{output_of(server)[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/aanmelden")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    pytest.fail(f"gunicorn on port {port} did not answer within {START_TIMEOUT} s:\n{output_of(server)}")


@pytest.fixture(scope="module")
def two_servers(database_uri, tmp_path_factory):
    """Ports of two gunicorn servers (one worker each) on the same PostgreSQL database.

    Started once for this module; the tests' data is emptied after each test as usual.
    """
    if not is_postgresql(database_uri):
        pytest.skip(
            "several app servers need a shared PostgreSQL database; scripts/test runs this on its "
            "throwaway PostgreSQL cluster (TEST_DATABASE_URL)"
        )
    folder = tmp_path_factory.mktemp("servers")
    # POLL_VOTE_LIMIT is for the poll check that comes with the polls (reach branch).
    env = process_environment(database_uri, folder, LOGIN_MAX_FAILURES=5, POLL_VOTE_LIMIT=3)
    ports = [free_port(), free_port()]
    gunicorn = [str(BIN / "gunicorn"), "--workers", "1", "--no-control-socket"]
    with processes(folder) as group:
        servers = [
            group.start([*gunicorn, "--bind", f"127.0.0.1:{port}", "wsgi:app"], env, f"gunicorn-{port}.log")
            for port in ports
        ]
        for server, port in zip(servers, ports, strict=True):
            _wait_until_serving(server, port)
        yield ports


def test_a_login_on_one_server_is_valid_on_the_other(two_servers, make_user):
    port_a, port_b = two_servers
    user = make_user(email="twee@example.org")

    on_a = Browser(port_a)
    status, headers, _ = on_a.post_form("/aanmelden", {"email": user.email, "password": PASSWORD})
    assert status == 302, headers
    assert on_a.get("/profiel")[0] == 200

    assert Browser(port_b).get("/profiel")[0] == 302  # no cookie: sent to the login page
    on_b = Browser(port_b, {SESSION_COOKIE: on_a.cookies[SESSION_COOKIE]})
    status, _headers, page = on_b.get("/profiel")
    assert status == 200
    assert user.email in page

    # A form opened on B posts fine to A: the CSRF secret travels in the shared session cookie.
    status, _headers, page = on_b.get("/profiel")
    on_a.cookies = dict(on_b.cookies)
    status, headers, _ = on_a.request("POST", "/afmelden", {"csrf_token": csrf_token_from(page)})
    assert status == 302
    assert on_a.get("/profiel")[0] == 302


def test_login_throttling_counts_failures_on_both_servers(two_servers, make_user):
    port_a, port_b = two_servers
    user = make_user(email="slot@example.org")
    wrong = {"email": user.email, "password": "not the password"}

    for port in (port_a, port_a, port_a, port_b, port_b):  # LOGIN_MAX_FAILURES = 5
        status, _headers, page = Browser(port).post_form("/aanmelden", wrong)
        assert status == 200
        assert 'aria-invalid="true"' in page or "klopt niet" in page

    # The sixth attempt is refused on either server, even with the right password.
    for port in (port_b, port_a):
        status, _headers, _page = Browser(port).post_form(
            "/aanmelden", {"email": user.email, "password": PASSWORD}
        )
        assert status == 429


def test_a_rate_limit_holds_across_both_servers(two_servers, app):
    """The reset-request limit (10 per hour per address) counts requests made to either server."""
    port_a, port_b = two_servers
    form = {"email": "niemand@example.org"}
    for n in range(10):
        status, _headers, _page = Browser(port_a if n % 2 else port_b).post_form("/wachtwoord-vergeten", form)
        assert status == 302
    for port in (port_a, port_b):
        status, _headers, _page = Browser(port).post_form("/wachtwoord-vergeten", form)
        assert status == 429


def test_a_poll_vote_limit_holds_across_both_servers(two_servers, app):
    """POLL_VOTE_LIMIT = 3 votes per poll per address, counted over both servers together."""
    from app.extensions import db
    from app.polls import services
    from app.surveys.common import Text
    from tests.polls.conftest import ballot_fields

    fields = services.PollFields(
        Text("Welk kanaal?", "Which channel?"),
        ((1, Text("Facebook", "Facebook")), (2, Text("Instagram", "Instagram"))),
        False,
        None,
        None,
        True,
    )
    services.save_poll(None, "twee-servers", fields)
    db.session.commit()
    port_a, port_b = two_servers
    for port in (port_a, port_b, port_a):  # three fresh browsers, alternating servers
        browser = Browser(port)
        status, _headers, page = browser.get("/p/twee-servers")
        assert status == 200
        status, _headers, _page = browser.request(
            "POST", "/p/twee-servers", {**ballot_fields(page), "keuze": "1"}
        )
        assert status == 302
    for port in (port_b, port_a):
        browser = Browser(port)
        status, _headers, page = browser.get("/p/twee-servers")
        status, _headers, _page = browser.request(
            "POST", "/p/twee-servers", {**ballot_fields(page), "keuze": "2"}
        )
        assert status == 429
