"""bench/load.py's driver against a tiny local server: it sends exactly the requests it is told to, counts
every unexpected answer as an error, and stops at its time limit (what the figures rest on, not speed)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.bench.scripts import bench_module

load = bench_module("load")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served: list[str] = []

    def do_GET(self) -> None:
        Handler.served.append(self.path)
        if self.path == "/slow":
            time.sleep(0.05)
        status = 500 if self.path == "/broken" else 200
        body = b"x" * 2048
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "sessionid=abc; Path=/")
        # Every other answer closes the connection, as gunicorn's sync workers always do.
        if len(Handler.served) % 2:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def port() -> Iterator[int]:
    Handler.served = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def get(path: str) -> load.Request:
    return lambda session, _: session.request("GET", path)


def test_sends_exactly_the_bounded_number_of_requests(port: int) -> None:
    sessions = [load.Session(port) for _ in range(4)]
    figures, served = load.drive(sessions, get("/ok"), requests=50, time_limit=30, warmup=1)
    assert served == 54
    assert figures["requests"] == 50
    assert figures["errors"] == 0
    assert figures["stopped_by"] == "request count"
    assert figures["response_kb"] == 2.0
    # The warm-up requests are sent but not counted.
    assert len(Handler.served) == 50 + 4
    assert sessions[0].cookies == {"sessionid": "abc"}
    assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]  # type: ignore[operator]


def test_unexpected_answers_are_errors(port: int) -> None:
    figures, _ = load.drive([load.Session(port)], get("/broken"), requests=5, time_limit=30, warmup=0)
    assert figures["requests"] == 5
    assert figures["errors"] == 5
    assert figures["req_per_s"] == 0
    assert figures["unexpected_statuses"] == {"500": 5}


def test_stops_at_the_time_limit(port: int) -> None:
    figures, _ = load.drive([load.Session(port)], get("/slow"), requests=10_000, time_limit=0.5, warmup=0)
    assert figures["stopped_by"] == "time limit"
    assert 1 <= figures["requests"] < 100  # type: ignore[operator]


def test_cpu_seconds_reads_this_process_and_zero_for_one_gone() -> None:
    before = load.cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    assert load.cpu_seconds(os.getpid()) - before >= 0.1
    assert load.cpu_seconds(2**22 + 1) == 0.0
