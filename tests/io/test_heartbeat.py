"""The heartbeat pings a real HTTP server on 127.0.0.1 and never fails the run (issue 14.3)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipeline.io import heartbeat

SECRET = "0f8b2c1e-5d4a-4e0b-9a7c-3b2d1e0f9a8b"


@dataclass
class Monitor:
    """A healthchecks.io-like server: records every path; answers ``status`` (or hangs)."""

    url: str
    paths: list[str] = field(default_factory=list)
    status: int = 200
    hang: threading.Event | None = None


@pytest.fixture
def monitor() -> Iterator[Monitor]:
    state = Monitor(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.paths.append(self.path)
            if state.hang is not None:
                state.hang.wait(30)  # longer than any timeout the tests use
                return
            body = b"OK"
            self.send_response(state.status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/ping/{SECRET}"
    try:
        yield state
    finally:
        if state.hang is not None:
            state.hang.set()
        server.shutdown()
        server.server_close()


def test_start_success_and_fail_with_the_exit_code(monitor: Monitor) -> None:
    lines: list[str] = []
    assert heartbeat.ping(monitor.url, "start", log=lines.append) is True
    assert heartbeat.ping(monitor.url, "success", log=lines.append) is True
    assert heartbeat.ping(monitor.url + "/", "fail", exit_code=2, log=lines.append) is True
    assert heartbeat.ping(monitor.url, "fail", exit_code=3, log=lines.append) is True
    assert heartbeat.ping(monitor.url, "fail", log=lines.append) is True  # no code: 1
    assert monitor.paths == [
        f"/ping/{SECRET}/start",
        f"/ping/{SECRET}",
        f"/ping/{SECRET}/2",
        f"/ping/{SECRET}/3",
        f"/ping/{SECRET}/1",
    ]
    host = monitor.url.split("/ping/")[0]
    assert lines[0] == f"heartbeat start: delivered to {host}/…"
    assert not any(SECRET in line for line in lines), "the check's UUID is a secret"


@pytest.mark.parametrize("code", [0, 256, -1])
def test_a_code_outside_1_255_is_sent_as_fail(monitor: Monitor, code: int) -> None:
    assert heartbeat.ping(monitor.url, "fail", exit_code=code, log=lambda _: None)
    assert monitor.paths == [f"/ping/{SECRET}/fail"]


def test_a_500_is_not_delivered_retried_once_and_never_raises(monitor: Monitor) -> None:
    monitor.status = 500
    lines: list[str] = []
    assert heartbeat.ping(monitor.url, "success", log=lines.append) is False
    assert monitor.paths == [f"/ping/{SECRET}"] * heartbeat.ATTEMPTS
    (line,) = lines
    assert "NOT delivered" in line and "HTTP 500" in line and SECRET not in line


def test_a_hanging_monitor_times_out_within_the_bound(monitor: Monitor) -> None:
    monitor.hang = threading.Event()
    lines: list[str] = []
    assert heartbeat.ping(monitor.url, "start", timeout_s=0.3, log=lines.append) is False
    assert len(monitor.paths) == 2, "two attempts, then give up"
    assert "timeout after 0.3 s" in lines[-1] and SECRET not in lines[-1]


def test_connection_refused_returns_false() -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lines: list[str] = []
    url = f"http://127.0.0.1:{port}/{SECRET}"
    assert heartbeat.ping(url, "fail", exit_code=3, log=lines.append) is False
    assert "ConnectError" in lines[-1] and SECRET not in lines[-1]


def test_no_proxy_from_the_environment(monitor: Monitor, monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy in the environment (dead here) is ignored: the ping still goes direct."""
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert heartbeat.ping(monitor.url, "success", log=lambda _: None) is True
    assert monitor.paths == [f"/ping/{SECRET}"]


@pytest.mark.parametrize(
    "url", [None, "", "   ", "ftp://example.invalid/x", "http://[::1/bad", "not a url"]
)
def test_unconfigured_or_bad_urls_send_nothing_and_never_raise(url: str | None) -> None:
    lines: list[str] = []
    assert heartbeat.ping(url, "start", log=lines.append) is False
    assert all("Traceback" not in line for line in lines)


def test_redact_keeps_scheme_and_host_only() -> None:
    assert heartbeat.redact(f"https://hc-ping.com/{SECRET}/start") == "https://hc-ping.com/…"
    assert heartbeat.redact(f"http://user:pw@10.0.0.5:8000/p/{SECRET}?k=1") == (
        "http://10.0.0.5:8000/…"
    )
