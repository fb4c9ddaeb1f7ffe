"""The heartbeat client against a real local HTTP server: the healthchecks.io URLs, bounded
timeouts, and never an exception (a monitor that is down never fails a run)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pipeline.io.heartbeat import ENV_URL, Ping, heartbeat_url, ping, ping_url


class Monitor:
    def __init__(self) -> None:
        self.hits: list[tuple[str, bytes]] = []
        self.delay = 0.0
        self.status = 200
        self.base = ""


@contextmanager
def monitor() -> Iterator[Monitor]:
    mon = Monitor()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            mon.hits.append((self.path, self.rfile.read(length)))
            time.sleep(mon.delay)
            self.send_response(mon.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")

        do_GET = do_POST = _answer  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    mon.base = f"http://127.0.0.1:{server.server_address[1]}/ping/abc-123"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield mon
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_start_success_fail_and_exit_codes() -> None:
    with monitor() as mon:
        assert ping(Ping.START, mon.base).sent
        assert ping(Ping.SUCCESS, mon.base, body="완료").sent
        assert ping(Ping.FAIL, mon.base).sent
        assert ping(3, mon.base).sent
        assert ping(2, mon.base).sent
        assert ping(0, mon.base).sent
    assert [p for p, _ in mon.hits] == [
        "/ping/abc-123/start",
        "/ping/abc-123",
        "/ping/abc-123/fail",
        "/ping/abc-123/3",
        "/ping/abc-123/2",
        "/ping/abc-123",
    ]
    assert mon.hits[1][1] == "완료".encode()


def test_never_raises_and_is_bounded() -> None:
    with monitor() as mon:
        mon.delay = 2.0
        result = ping(Ping.START, mon.base, timeout_s=0.2)
        assert not result.sent and result.detail == "timeout"
        mon.delay, mon.status = 0.0, 500
        assert ping(Ping.SUCCESS, mon.base).detail == "HTTP 500"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nobody listens there once closed
    down = ping(Ping.FAIL, f"http://127.0.0.1:{port}/x", timeout_s=1.0)
    assert not down.sent and down.detail.startswith("not reachable")


def test_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_URL, raising=False)
    assert ping(Ping.START).detail == "not configured"
    assert heartbeat_url({ENV_URL: "https://hc-ping.com/uuid/"}) == "https://hc-ping.com/uuid"
    assert heartbeat_url({ENV_URL: "file:///etc/passwd"}) is None
    assert heartbeat_url({ENV_URL: "  "}) is None
    assert ping_url("https://h/x", 999) == "https://h/x/255"
    with monitor() as mon:
        monkeypatch.setenv(ENV_URL, mon.base)
        assert ping(Ping.START).sent
    assert mon.hits[0][0] == "/ping/abc-123/start"
