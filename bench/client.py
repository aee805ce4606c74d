"""The load generator: several client processes, each one concurrent client on a raw socket.

gunicorn's sync workers close every connection after the response, so each request is one short
connection; a bare socket with `Connection: close` and regex parsing keeps the client's own cost
per request small (its CPU use is measured and reported, so one can check it is not the limit).
Every loop stops at its deadline or when its invitation links run out, whichever comes first.
"""

from __future__ import annotations

import multiprocessing
import random
import re
import resource
import socket
import time
from urllib.parse import urlencode

STATUS_RE = re.compile(rb"^HTTP/1\.[01] (\d{3})")
COOKIE_RE = re.compile(rb"\r\nSet-Cookie: ([A-Za-z0-9_]+=[^;\r\n]*)", re.IGNORECASE)
LOCATION_RE = re.compile(rb"\r\nLocation: (?:https?://[^/\r\n]+)?([^\r\n]+)", re.IGNORECASE)
CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
THANKS_MARK = b'<div class="panel-success">'

BENCH_PAGE = "vragen"
QUESTIONS = (
    "stelling_1",
    "stelling_2",
    "stelling_3",
    "stelling_4",
    "stelling_5",
    "soort_dienst",
    "kanalen",
    "medewerkers",
    "functie",
    "opmerking",
)
TEXTS = ("Coördinator", "Maatschappelijk werker", "Communicatie", "Directie")
REMARKS = (
    "We posten elke week een verhaal van een vrijwilliger; dat werkt beter dan aankondigingen.",
    "Meer vorming over privacy zou ons helpen.",
    "",
)


class FlowError(Exception):
    pass


class Connection:
    """One request per connection, as gunicorn's sync worker answers."""

    def __init__(self, port: int):
        self.port = port
        self.host = f"127.0.0.1:{port}".encode()
        self.cookies: dict[bytes, bytes] = {}
        self.requests = 0

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self.host, b"Connection: close"]
        if self.cookies:
            head.append(b"Cookie: " + b"; ".join(k + b"=" + v for k, v in self.cookies.items()))
        if method == "POST":
            head.append(b"Content-Type: application/x-www-form-urlencoded")
            head.append(b"Content-Length: " + str(len(body)).encode())
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        self.requests += 1
        data = b"".join(chunks)
        match = STATUS_RE.match(data)
        if not match:
            raise FlowError(f"no HTTP response to {method} {path}")
        headers, _sep, payload = data.partition(b"\r\n\r\n")
        for cookie in COOKIE_RE.findall(headers):
            name, _eq, value = cookie.partition(b"=")
            self.cookies[name] = value
        return int(match.group(1)), headers, payload


def _expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise FlowError(f"{what}: HTTP {status}, expected {wanted}")


def _location(headers: bytes) -> str:
    match = LOCATION_RE.search(headers)
    if not match:
        raise FlowError("redirect without Location")
    return match.group(1).decode()


def _csrf(payload: bytes) -> str:
    match = CSRF_RE.search(payload)
    if not match:
        raise FlowError("no csrf_token on the page")
    return match.group(1).decode()


def answers_body(rng: random.Random, csrf: str) -> bytes:
    """The posted page: every question answered as a respondent would, then "next"."""
    fields = [("csrf_token", csrf)]
    fields += [("getoond", key) for key in QUESTIONS]
    fields += [(f"q-stelling_{i}", str(rng.randint(1, 5))) for i in range(1, 6)]
    fields.append(("q-soort_dienst", str(rng.randint(1, 4))))
    fields += [("q-kanalen", str(c)) for c in sorted(rng.sample((1, 2, 3, 4), 2))]
    fields.append(("q-medewerkers", str(rng.randint(3, 400))))
    fields.append(("q-functie", rng.choice(TEXTS)))
    fields.append(("q-opmerking", rng.choice(REMARKS)))
    fields.append(("actie", "volgende"))
    return urlencode(fields).encode()


def submit_once(port: int, token: str, rng: random.Random) -> int:
    """One respondent from the form to the thank-you page; returns the number of requests."""
    conn = Connection(port)
    page = f"/u/{token}?pagina={BENCH_PAGE}"
    status, _h, payload = conn.request("GET", page)
    _expect(status, 200, "form page")
    status, headers, _p = conn.request("POST", page, answers_body(rng, _csrf(payload)))
    _expect(status, 302, "posting the page")
    summary = _location(headers)
    status, _h, payload = conn.request("GET", summary)
    _expect(status, 200, "summary")
    body = urlencode({"csrf_token": _csrf(payload), "actie": "versturen"}).encode()
    status, headers, _p = conn.request("POST", summary, body)
    _expect(status, 302, "submitting")
    status, _h, payload = conn.request("GET", _location(headers))
    _expect(status, 200, "thank-you page")
    if THANKS_MARK not in payload:
        raise FlowError("the last page is not the thank-you page")
    return conn.requests


def get_once(port: int, path: str) -> int:
    status, _h, _payload = Connection(port).request("GET", path)
    _expect(status, 200, path)
    return 1


def _worker(args) -> dict:
    kind, port, items, start_at, seconds, seed = args
    rng = random.Random(seed)
    while time.time() < start_at:  # all clients start together
        time.sleep(0.001)
    deadline = time.monotonic() + seconds
    began = time.monotonic()
    done = requests = errors = 0
    first_error = None
    exhausted = False
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    index = 0
    while time.monotonic() < deadline:
        if kind == "flow":
            if index >= len(items):
                exhausted = True
                break
            token = items[index]
            index += 1
        try:
            if kind == "flow":
                requests += submit_once(port, token, rng)
            else:
                requests += get_once(port, items[0])
            done += 1
        except (FlowError, OSError) as error:
            errors += 1
            first_error = first_error or str(error)
            if errors > 50 and errors > done:  # the server is broken, not busy: stop early
                break
    elapsed = time.monotonic() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (usage.ru_utime - usage_before.ru_utime) + (usage.ru_stime - usage_before.ru_stime)
    return {
        "done": done,
        "requests": requests,
        "errors": errors,
        "elapsed": elapsed,
        "cpu": cpu,
        "exhausted": exhausted,
        "first_error": first_error,
    }


def run_load(kind: str, port: int, clients: int, seconds: float, items: list, seed: int = 0) -> dict:
    """`clients` processes hitting the server for `seconds`; totals and rates.

    kind "flow": items are invitation tokens, split evenly over the clients (each used once);
    kind "get": items is [path].
    """
    shares = [items[i::clients] for i in range(clients)] if kind == "flow" else [items] * clients
    start_at = time.time() + 0.5
    jobs = [(kind, port, shares[i], start_at, seconds, seed * 1000 + i) for i in range(clients)]
    context = multiprocessing.get_context("fork")
    with context.Pool(clients) as pool:
        results = pool.map_async(_worker, jobs).get(timeout=seconds + 120)
    elapsed = max(r["elapsed"] for r in results)
    done = sum(r["done"] for r in results)
    requests = sum(r["requests"] for r in results)
    return {
        "done": done,
        "requests": requests,
        "errors": sum(r["errors"] for r in results),
        "elapsed": elapsed,
        "per_second": done / elapsed,
        "requests_per_second": requests / elapsed,
        "client_cpu_share": sum(r["cpu"] for r in results) / elapsed,  # cores used by clients
        "exhausted": any(r["exhausted"] for r in results),
        "first_error": next((r["first_error"] for r in results if r["first_error"]), None),
    }
