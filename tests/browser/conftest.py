"""Browser fixtures: the app on a live server, Debian's chromium through Playwright, axe checks.

Reuse them in every feature's browser tests (mark those tests `@pytest.mark.browser`):

- `live_server`: the app served on 127.0.0.1 (same test database as the other fixtures);
  `live_server.url`, `live_server.app`, `live_server.mails()`.
- `page` (desktop, 1280x900) and `phone` (360x740): a fresh browser context per test, base URL
  set, so `page.goto("/aanmelden")` works; `new_page(width, height)` for other sizes.
- `check_a11y(page)`: runs axe-core in the page and fails on serious or critical violations.
- `screenshot(page, name)`: writes test-artifacts/<name>.png (a failing test gets one too).
- `ui_login(page, email, password)`: signs in through the login form, and answers the second
  step (or sets up an app) for staff, as `tests.helpers.login` does; `finish_login(page, email)`
  does that last part after a password form a test filled in itself.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


class LiveServer:
    def __init__(self, app, url: str):
        self.app = app
        self.url = url

    def mails(self) -> list:
        """Deliver the app's mail queue (memory transport) and return every message sent so far."""
        from app.core.mail import deliver_queued

        with self.app.app_context():
            deliver_queued()
        return list(self.app.extensions.get("mail_outbox", []))


@pytest.fixture
def live_server(make_app):
    """The app served by werkzeug in a thread on 127.0.0.1 and a free port."""
    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in e-mails point at this server
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, started once per run."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # as the pages' own timeout: CI machines can be busy

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does)")
    playwright = sync_playwright().start()
    instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield instance
    finally:
        instance.close()
        playwright.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _artifact_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:150]


@pytest.fixture
def new_page(browser, live_server, request):
    """new_page(width=..., height=...): a page in a fresh context (own cookies) on the live server."""
    contexts = []

    def factory(width: int = DESKTOP["width"], height: int = DESKTOP["height"]):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.url,
            locale="nl-BE",
            service_workers="block",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    failed = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if failed is not None and failed.failed:
            for m, open_page in enumerate(context.pages):
                name = _artifact_name(f"FAILED-{request.node.nodeid}-{n}-{m}")
                _screenshot(open_page, name)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page(**DESKTOP)


@pytest.fixture
def phone(new_page):
    return new_page(**PHONE)


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    """screenshot(page, name): the whole page as test-artifacts/<name>.png (gitignored)."""
    return _screenshot


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
  }));
}"""


def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run `npm ci` (scripts/test does)")
    return AXE_JS.read_text(encoding="utf-8")


def check_a11y(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in `page`; fail listing every violation of the given impacts.

    axe is evaluated through the DevTools protocol (Playwright's evaluate), which the page's CSP
    does not govern; the site's CSP stays as it is (no bypass_csp, no inline <script>).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(AXE_RUN)
    bad = [v for v in violations if v["impact"] in impacts]
    if bad:
        lines = [f"axe found {len(bad)} violation(s) on {page.url}:"]
        for v in bad:
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5])
        pytest.fail("\n".join(lines), pytrace=False)
    return violations


@pytest.fixture(name="check_a11y")
def check_a11y_fixture():
    return check_a11y


def ui_login(page, email: str, password: str) -> None:
    """Sign in through the login form and wait for the overview.

    Staff answer the second step with their app's current code (the test reads the stored
    secret); staff without an app set one up from the page's secret, as a person would.
    """
    page.goto("/aanmelden")
    main = page.get_by_role("main")
    main.get_by_label("E-mailadres").fill(email)
    main.get_by_label("Wachtwoord").fill(password)
    main.get_by_role("button", name="Aanmelden").click()
    finish_login(page, email)


def finish_login(page, email: str) -> None:
    """After the password form: answer the second step, or set up an app, then wait for the
    overview. Finds the fields by id, so it works in either language."""
    import pyotp

    from tests.helpers import SECOND_STEP_URL, SETUP_URL

    paths = ("/", SECOND_STEP_URL, SETUP_URL)
    page.wait_for_url(lambda url: urlsplit(url).path in paths)
    path = urlsplit(page.url).path
    main = page.get_by_role("main")
    if path == SECOND_STEP_URL:
        main.locator("#code").fill(_current_code(email))
        main.locator("button[type=submit]").click()
        page.wait_for_url(at_path("/"))
    elif path == SETUP_URL:
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        main.locator("#code").fill(pyotp.TOTP(secret).now())
        main.locator("button[type=submit]").click()
        main.locator("a.button").click()  # past the recovery codes
        page.wait_for_url(at_path("/"))


def _current_code(email: str) -> str:
    from sqlalchemy import select

    from app.accounts.models import User
    from app.extensions import db
    from tests.helpers import totp_code

    return totp_code(db.session.scalar(select(User).where(User.email == email)))


def at_path(path: str):
    """A URL test for `page.wait_for_url` that ignores query and fragment (browsers keep the
    #fragment of the page a form was posted from across the redirect)."""
    return lambda url: urlsplit(url).path == path


@pytest.fixture(name="ui_login")
def ui_login_fixture():
    return ui_login


def no_horizontal_scroll(page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (typeof e.className === 'string' && e.className ? '.' + e.className : ''))""",
        width,
    )
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px ({scroll} px): {json.dumps(wide)}"
