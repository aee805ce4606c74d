"""The load generator: several client processes, each one concurrent client on a raw socket.

gunicorn's sync workers close every connection after the response, so each request is one short
connection; a bare socket with `Connection: close` and regex parsing keeps the client's own cost
per request small (its CPU use is measured and reported, so one can check it is not the limit).
Every loop stops at its deadline or when its invitation links run out, whichever comes first;
no request waits past the hard stop after the deadline, and the runner collects the totals of
its client processes (spawned, not forked) by a deadline, killing any that do not answer.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import random
import re
import resource
import socket
import time
from urllib.parse import quote_plus, urlencode

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


SOCKET_TIMEOUT = 30.0  # per connect / send / receive of one request
START_TIMEOUT = 60.0  # spawning a client process (a fresh interpreter) on a busy machine
HARD_STOP_AFTER = 30.0  # after a run's deadline, no request of it waits any longer
COLLECT_MARGIN = 30.0  # after the hard stop, for the totals to arrive


class FlowError(Exception):
    pass


class Connection:
    """One request per connection, as gunicorn's sync worker answers."""

    def __init__(self, port: int, stop_at: float | None = None):
        self.port = port
        self.stop_at = stop_at  # time.monotonic() after which no request waits any longer
        self.host = f"127.0.0.1:{port}".encode()
        self.cookies: dict[bytes, bytes] = {}
        self.requests = 0

    def _timeout(self) -> float:
        if self.stop_at is None:
            return SOCKET_TIMEOUT
        remaining = self.stop_at - time.monotonic()
        if remaining <= 0:
            raise FlowError("the run's hard stop passed during a request")
        return min(SOCKET_TIMEOUT, remaining)

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self.host, b"Connection: close"]
        if self.cookies:
            head.append(b"Cookie: " + b"; ".join(k + b"=" + v for k, v in self.cookies.items()))
        if method == "POST":
            head.append(b"Content-Type: application/x-www-form-urlencoded")
            head.append(b"Content-Length: " + str(len(body)).encode())
        with socket.create_connection(("127.0.0.1", self.port), timeout=self._timeout()) as sock:
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
            chunks = []
            while True:
                sock.settimeout(self._timeout())
                chunk = sock.recv(65536)
                if not chunk:
                    break
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


def answers_fields(rng: random.Random, csrf: str) -> list[tuple[str, str]]:
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
    return fields


# The parts of the body that are the same for every respondent, encoded once: encoding the
# whole form per post was a quarter of a client's own CPU time per request.
_SHOWN = "&".join(urlencode([("getoond", key)]) for key in QUESTIONS)
_ENCODED = {text: quote_plus(text) for text in (*TEXTS, *REMARKS)}


def answers_body(rng: random.Random, csrf: str) -> bytes:
    """`urlencode(answers_fields(rng, csrf))`, with the same random draws, encoded faster."""
    statements = "&".join(f"q-stelling_{i}={rng.randint(1, 5)}" for i in range(1, 6))
    kind = rng.randint(1, 4)
    channels = "&".join(f"q-kanalen={c}" for c in sorted(rng.sample((1, 2, 3, 4), 2)))
    staff = rng.randint(3, 400)
    role, remark = _ENCODED[rng.choice(TEXTS)], _ENCODED[rng.choice(REMARKS)]
    return (
        f"csrf_token={quote_plus(csrf)}&{_SHOWN}&{statements}&q-soort_dienst={kind}&{channels}"
        f"&q-medewerkers={staff}&q-functie={role}&q-opmerking={remark}&actie=volgende"
    ).encode()


def submit_once(port: int, token: str, rng: random.Random, stop_at: float | None = None) -> int:
    """One respondent from the form to the thank-you page; returns the number of requests."""
    conn = Connection(port, stop_at)
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


def get_once(port: int, path: str, stop_at: float | None = None) -> int:
    status, _h, _payload = Connection(port, stop_at).request("GET", path)
    _expect(status, 200, path)
    return 1


def _client_process(conn, job) -> None:
    """One client process: say it is ready, wait for the common start time, run, send the totals."""
    conn.send("ready")
    if not conn.poll(START_TIMEOUT):
        return
    start_at = conn.recv()
    if start_at is None:  # the runner gave up on a slow sibling
        return
    kind, port, items, seconds, seed = job
    try:
        result = _worker((kind, port, items, start_at, seconds, seed))
    except BaseException as error:  # report, so the runner does not wait for nothing
        result = {"failed": f"{type(error).__name__}: {error}"}
    conn.send(result)
    conn.close()


def _worker(args) -> dict:
    kind, port, items, start_at, seconds, seed = args
    rng = random.Random(seed)
    while time.time() < start_at:  # all clients start together
        time.sleep(0.001)
    deadline = time.monotonic() + seconds
    stop_at = deadline + HARD_STOP_AFTER  # a request begun before the deadline ends by then
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
                requests += submit_once(port, token, rng, stop_at)
            else:
                requests += get_once(port, items[0], stop_at)
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

    The processes are spawned (a fresh interpreter each, not a fork of the runner, whose threads
    and signal handlers may hold or take locks the child then waits on forever). Collecting their
    totals has a hard deadline: a process that has not answered by then is killed and counted as
    failed, and `run_load` raises, so no run of the runner waits longer than its bound.
    """
    shares = [items[i::clients] for i in range(clients)] if kind == "flow" else [items] * clients
    context = multiprocessing.get_context("spawn")
    processes, pipes = [], []
    try:
        for i in range(clients):
            ours, theirs = context.Pipe()
            job = (kind, port, shares[i], seconds, seed * 1000 + i)
            process = context.Process(target=_client_process, args=(theirs, job), daemon=True)
            process.start()
            theirs.close()
            processes.append(process)
            pipes.append(ours)
        ready_by = time.monotonic() + START_TIMEOUT
        for pipe in pipes:
            try:
                ready = pipe.poll(max(0.0, ready_by - time.monotonic())) and pipe.recv() == "ready"
            except (EOFError, OSError):
                ready = False
            if not ready:
                raise FlowError(f"a client process did not start within {START_TIMEOUT:g} s")
        start_at = time.time() + 0.2  # all clients start together
        for pipe in pipes:
            pipe.send(start_at)
        # A run ends at its deadline; requests still under way give up at the hard stop.
        collect_by = time.monotonic() + 0.2 + seconds + HARD_STOP_AFTER + COLLECT_MARGIN
        results = []
        for pipe in pipes:
            remaining = max(0.0, collect_by - time.monotonic())
            try:
                answered = pipe.poll(remaining)
                result = pipe.recv() if answered else None
            except (EOFError, OSError):
                result = None
            if result is None:
                raise FlowError("a client process did not report before the collection deadline")
            if "failed" in result:
                raise FlowError(f"a client process failed: {result['failed']}")
            results.append(result)
    finally:
        for pipe in pipes:
            with contextlib.suppress(OSError, ValueError):
                pipe.send(None)  # releases any process still waiting for the start
        _stop(processes)
        for pipe in pipes:
            pipe.close()
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


def _stop(processes, grace: float = 5.0) -> None:
    """Join the client processes; terminate, then kill, whichever is still there (bounded)."""
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(grace)
