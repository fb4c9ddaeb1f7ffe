"""Loopback servers for tests: a free port, an in-thread uvicorn, a real resolver process.

One copy of each (the resolver, cockpit and end-to-end tests all use these). Everything binds
to 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from ops_api.limits import protocol_class

#: The checkout the code under test comes from (children import it through PYTHONPATH).
SRC = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_http(url: str, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers (any status); fail if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=2.0, trust_env=False)
            return
        except httpx.TransportError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{proc.args!r} exited {proc.returncode} before {url}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on a real uvicorn server on loopback in a thread; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        http=protocol_class(),  # as ops_api.__main__ serves it (errors in the JSON envelope)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def process(
    args: list[str], cwd: Path, env: dict[str, str], output: int | None = subprocess.PIPE
) -> Iterator[subprocess.Popen[bytes]]:
    """A real child process in its own session, stopped (by its pid) when the block ends."""
    proc = subprocess.Popen(
        args,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT if output == subprocess.PIPE else output,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@contextmanager
def resolver(repo: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``python -m ops_api`` serving ``repo`` on a free loopback port; yields the base URL."""
    port = free_port()
    child_env = {"PYTHONPATH": str(SRC), **(env or {})}
    with process(
        [sys.executable, "-m", "ops_api", "--repo", str(repo), "--port", str(port)],
        cwd=repo,
        env=child_env,
        output=subprocess.DEVNULL,
    ) as proc:
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/api/ops/health", timeout=30, proc=proc)
        yield url
