"""The load generator's client processes: spawned, collected by a deadline, none left behind."""

import multiprocessing
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import client


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_run_load_collects_every_client_and_leaves_no_process_behind(tiny_server):
    result = client.run_load("get", tiny_server, 2, 0.3, ["/"])
    assert result["requests"] > 0
    assert result["errors"] == 0
    assert multiprocessing.active_children() == []


def test_a_request_gives_up_at_the_hard_stop():
    connection = client.Connection(1, stop_at=0.0)  # long past
    with pytest.raises(client.FlowError):
        connection.request("GET", "/")


def test_the_fast_answers_body_is_the_urlencoded_form():
    import random
    from urllib.parse import urlencode

    from bench.client import answers_body, answers_fields

    for seed in range(50):
        csrf = f"2026112918{seed:04d}##{seed:040x}"
        expected = urlencode(answers_fields(random.Random(seed), csrf)).encode()
        assert answers_body(random.Random(seed), csrf) == expected
