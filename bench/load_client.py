"""The simulated respondents of the load test: stdlib HTTP only, so they run in any process.

A `Browser` keeps one connection (HTTP/1.1 keep-alive when the server allows it; gunicorn's sync
workers close after each response) and a cookie jar. A `Respondent` answers a questionnaire
through an invitation link like a person in a browser: start page, each page (GET, then POST with
the page's CSRF token), the summary, the submit and the thank-you page. A connection cut by a
killed worker is never ambiguous for the test: the respondent opens the same link again, which
shows the thank-you page when the cut request was stored, and otherwise answers again.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SHOWN_RE = re.compile(r'name="getoond" value="([^"]+)"')
THANKS = "Uw antwoorden zijn goed ontvangen."
REQUEST_TIMEOUT = 60  # seconds; well above gunicorn's 30 s worker timeout
MAX_ATTEMPTS = 8  # per invitation: a cut connection or a 503 starts the questionnaire again
MAX_RETRY_AFTER = 5  # seconds we are willing to wait when the server asks for it

LOREM = (
    "In onze dienst werken we sinds enkele jaren met een chatpermanentie die jongeren 's avonds "
    "bereikt. Het team wisselt ervaringen uit in een wekelijks overleg en we houden bij welke "
    "vragen vaak terugkomen, zodat de website en de sociale media daarop kunnen inspelen. "
)


class Interrupted(Exception):
    """The connection broke before a whole response came back (e.g. the worker was killed)."""


class Unexpected(Exception):
    """A status or page the questionnaire should not give; the attempt starts over."""


class Browser:
    """One client: a connection to 127.0.0.1:port and the cookies the site set."""

    def __init__(self, port: int, record):
        self.port = port
        self.record = record  # record(kind, status, seconds)
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, kind: str, method: str, path: str, form: dict | None = None):
        """(status, headers, body); raises Interrupted when the connection broke."""
        headers = {"Accept-Language": "nl", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        started = time.monotonic()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = None
            self.record(kind, 0, time.monotonic() - started)
            raise Interrupted(f"{kind}: {type(error).__name__}") from error
        self.record(kind, response.status, time.monotonic() - started)
        if response.will_close:
            self.connection.close()
            self.connection = None
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0" and "1970" not in morsel["expires"]:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers, text

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def location_path(headers) -> str:
    parts = urllib.parse.urlsplit(headers.get("Location", ""))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_answers(page: str, marker: str, rng: random.Random) -> dict:
    """Valid answers for each page of bench/load-survey.yaml; the marker goes in the long text."""
    if page == "dienst":
        return {
            "q-soort": str(rng.randint(1, 3)),
            "q-medewerkers": str(rng.randint(1, 400)),
            "q-kanalen": rng.sample(["1", "2", "3"], rng.randint(0, 3)),
        }
    if page == "ervaring":
        story = LOREM * rng.randint(3, 8)
        cut = rng.randint(0, len(story))
        return {
            "q-tevreden": str(rng.randint(1, 5)),
            "q-stellingen_tijd": str(rng.randint(1, 5)),
            "q-stellingen_bereik": str(rng.randint(1, 5)),
            "q-verhaal": f"{story[:cut]} {marker} {story[cut:]}",
        }
    if page == "slot":
        return {
            "q-functie": rng.choice(["Coördinator", "Hulpverlener", "Directie"]),
            "q-opmerking": rng.choice(["", "Veel succes!", "Geen opmerkingen."]),
        }
    raise Unexpected(f"unknown page {page}")


class Respondent:
    """Answers questionnaires, one invitation after another, until its deadline."""

    def __init__(self, port: int, number: int, record, rng: random.Random):
        self.browser = Browser(port, record)
        self.number = number
        self.rng = rng

    def _retry_later(self, headers) -> None:
        try:
            wait = float(headers.get("Retry-After", "1"))
        except ValueError:
            wait = 1.0
        time.sleep(min(max(wait, 0.2), MAX_RETRY_AFTER))

    def _get(self, kind: str, path: str, expect: int = 200):
        status, headers, body = self.browser.request(kind, "GET", path)
        if status == 503:
            self._retry_later(headers)
            raise Unexpected(f"{kind}: 503")
        if status != expect:
            raise Unexpected(f"{kind}: status {status}")
        return headers, body

    def _post(self, kind: str, path: str, page_html: str, data: dict):
        match = CSRF_RE.search(page_html)
        if not match:
            raise Unexpected(f"{kind}: no CSRF token on the page")
        form = {"csrf_token": match.group(1), "getoond": SHOWN_RE.findall(page_html), **data}
        status, headers, _body = self.browser.request(kind, "POST", path, form)
        if status == 503:
            self._retry_later(headers)
            raise Unexpected(f"{kind}: 503")
        if status != 302:
            raise Unexpected(f"{kind}: status {status}")
        return location_path(headers)

    def answer_once(self, token: str, marker: str, state: dict) -> str:
        """One go at the questionnaire; 'thanks-at-start' when the link already says thank-you."""
        base = f"/u/{token}"
        _headers, start = self._get("start", base)
        if THANKS in start:
            return "thanks-at-start"
        path = self._post("start-post", base, start, {"name": f"Respondent {self.number}"})
        for _step in range(6):
            if "stap=overzicht" in path:
                break
            page = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("pagina", [""])[0]
            _headers, html = self._get("page", path)
            answers = {**page_answers(page, marker, self.rng), "actie": "volgende"}
            path = self._post("save", path, html, answers)
        else:
            raise Unexpected("the pages never led to the summary")
        _headers, summary = self._get("summary", path)
        if marker not in summary:
            raise Unexpected("summary: the long text with the marker is missing")
        state["submitting"] = state["sent"] = True
        after = self._post("submit", path, summary, {"actie": "versturen"})
        state["submitting"] = False
        _headers, thanks = self._get("thanks", after)
        if THANKS not in thanks:
            raise Unexpected("thanks: no thank-you after the submit")
        return "thanks"

    def answer(self, invitation_id: int, token: str, marker: str) -> dict:
        """Answer through one invitation until acknowledged (bounded); what happened, for the report."""
        outcome = {
            "invitation": invitation_id,
            "marker": marker,
            "acknowledged": False,
            "attempts": 0,
            "cut_submits": [],
            "problems": [],
        }
        state = {"submitting": False, "sent": False}
        cut_submit_pending = False
        while outcome["attempts"] < MAX_ATTEMPTS:
            outcome["attempts"] += 1
            try:
                result = self.answer_once(token, marker, state)
            except Interrupted as error:
                outcome["problems"].append(str(error))
                if state["submitting"]:
                    cut_submit_pending = True
                state["submitting"] = False
                time.sleep(0.3)
                continue
            except Unexpected as error:
                outcome["problems"].append(str(error))
                state["submitting"] = False
                continue
            outcome["acknowledged"] = True
            if cut_submit_pending:
                # The link still works: it says thank-you (the cut submit was stored) or it let
                # the respondent answer and submit again (the cut submit left no trace).
                outcome["cut_submits"].append("stored" if result == "thanks-at-start" else "no-trace")
            elif result == "thanks-at-start" and not state["sent"]:
                outcome["problems"].append("thank-you before any submit")
            return outcome
        if cut_submit_pending:
            outcome["cut_submits"].append("unresolved")
        return outcome


def run_client_process(
    port: int,
    assignments: list[list[tuple[int, str]]],
    run_id: str,
    deadline: float,
    hard_deadline: float,
    seed: int,
) -> dict:
    """Run one thread per respondent (each with its own invitations); returns what they saw."""
    lock = threading.Lock()
    records: list[tuple[str, int, float, float]] = []
    outcomes: list[dict] = []
    exhausted: list[int] = []

    def record(kind: str, status: int, seconds: float) -> None:
        with lock:
            records.append((kind, status, seconds, time.time()))

    def work(number: int, invitations: list[tuple[int, str]]) -> None:
        respondent = Respondent(port, number, record, random.Random(seed * 1000 + number))
        try:
            for invitation_id, token in invitations:
                if time.time() >= deadline:
                    break
                outcome = respondent.answer(invitation_id, token, f"LOADMARK-{run_id}-{invitation_id}")
                with lock:
                    outcomes.append(outcome)
                if time.time() >= hard_deadline:
                    break
            else:
                with lock:
                    exhausted.append(number)  # ran out of invitations before the deadline
        finally:
            respondent.browser.close()

    threads = [
        threading.Thread(target=work, args=(seed * 100 + i, invitations), daemon=True)
        for i, invitations in enumerate(assignments)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, hard_deadline - time.time() + REQUEST_TIMEOUT))
    with lock:
        return {
            "records": list(records),
            "outcomes": list(outcomes),
            "stuck_threads": sum(thread.is_alive() for thread in threads),
            "exhausted": len(exhausted),
        }
