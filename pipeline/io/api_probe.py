"""Serve a repository with the resolver on loopback and read artifacts back through it.

The resolver is started as a process (``python -m ops_api``): the pipeline never imports
``ops_api`` (import contract), and a separate process is what the operator's curl talks to.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pipeline.io.tls import client_context

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


class ProbeError(Exception):
    """The resolver did not come up."""


@dataclass(frozen=True)
class Served:
    base_url: str
    client: httpx.Client

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, dict[str, Any] | None]:
        """(HTTP status, JSON body or None) of one GET."""
        try:
            resp = self.client.get(self.base_url + path, timeout=timeout)
        except httpx.HTTPError as err:
            raise ProbeError(f"GET {path}: {type(err).__name__}") from None
        try:
            body = resp.json()
        except ValueError:
            return resp.status_code, None
        return resp.status_code, body if isinstance(body, dict) else None


def _tail(log: Any) -> str:
    log.seek(0)
    return str(log.read())[-400:].strip()


@contextlib.contextmanager
def serve(
    repo: Path, branch: str, port: int, env: dict[str, str], timeout: float
) -> Iterator[Served]:
    """Run the resolver on ``repo`` until the block ends; ProbeError if it never answers."""
    argv = [
        sys.executable,
        "-m",
        "ops_api",
        "--repo",
        str(repo),
        "--branch",
        branch,
        "--host",
        LOOPBACK,
        "--port",
        str(port),
    ]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        try:
            proc = subprocess.Popen(
                argv,
                cwd=repo,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        except OSError as err:
            raise ProbeError(f"cannot start the resolver: {err}") from None
        # trust_env=False: a proxy from the environment must never see loopback traffic.
        client = httpx.Client(verify=client_context(), timeout=5.0, trust_env=False)
        served = Served(f"http://{LOOPBACK}:{port}", client)
        try:
            _wait_ready(proc, served, timeout, log)
            yield served
        finally:
            client.close()
            _stop(proc)


def _wait_ready(proc: subprocess.Popen[str], served: Served, timeout: float, log: Any) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ProbeError(f"resolver exited with {proc.returncode}: {_tail(log)}")
        with contextlib.suppress(ProbeError):
            # short: a port held by someone else may accept and never answer
            if served.get("/api/ops/health", timeout=1.0)[0] == 200:
                return
        time.sleep(0.1)
    raise ProbeError(f"resolver did not answer within {timeout:.0f} s: {_tail(log)}")


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop the resolver we started (by its own pid only)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def same_json(served: dict[str, Any] | None, written: bytes) -> bool:
    """The artifact served as ``rows[0]`` equals the bytes written, as JSON."""
    if not served or not served.get("rows"):
        return False
    try:
        return bool(served["rows"][0] == json.loads(written.decode("utf-8")))
    except (UnicodeDecodeError, ValueError):
        return False


# --- the 1-minute checks (``krx check``, the daily run's health and resolve steps) ---------

DEFAULT_API = "http://127.0.0.1:8000"
ROUTES = {"live-cycle": "/api/live/cycle/latest", "ops-summary": "/api/ops/summary/latest"}


class Unhealthy(Exception):  # noqa: N818 - a finding, printed as the one line
    """The check's one-line finding when it is a fault."""


def fetch(url: str, timeout: float) -> dict[str, Any]:
    """GET one resolver envelope; Unhealthy with a clear line on any failure."""
    try:
        with httpx.Client(verify=client_context(), timeout=timeout, trust_env=False) as client:
            resp = client.get(url)
    except httpx.HTTPError as err:
        raise Unhealthy(f"resolver not reachable at {url}: {type(err).__name__} {err}") from None
    if resp.status_code >= 400:
        raise Unhealthy(f"resolver answered HTTP {resp.status_code} for {url}")
    try:
        data = resp.json()
    except ValueError:
        raise Unhealthy(f"resolver answered non-JSON for {url}") from None
    if not isinstance(data, dict):
        raise Unhealthy(f"resolver answered an unexpected document for {url}")
    return data


def served_row(env: dict[str, Any], asof: str | None, commit: str | None) -> dict[str, Any]:
    """``rows[0]`` if the envelope is a valid artifact of ``asof`` served at ``commit``."""
    if env.get("status") != "ok" or env.get("valid") is not True or not env.get("rows"):
        err = env.get("error") or {}
        detail = err.get("code") or "; ".join(map(str, env.get("validation_errors") or []))[:200]
        raise Unhealthy(f"{env.get('name')}: status={env.get('status')} {detail}".strip())
    if asof and env.get("asof") != asof:
        raise Unhealthy(f"{env.get('name')}: latest is for {env.get('asof')}, not {asof}")
    if commit and env.get("commit") != commit:
        raise Unhealthy(
            f"{env.get('name')}: resolver serves commit {str(env.get('commit'))[:12]}, "
            f"not {commit[:12]} (wrong branch, or not restarted?)"
        )
    row: dict[str, Any] = env["rows"][0]
    return row


def check_line(what: str, env: dict[str, Any], row: dict[str, Any]) -> tuple[object, str]:
    """The raw code the artifact claims (receipt exit code / summary status) and its one line."""
    commit = str(env.get("commit"))[:12]
    if what == "live-cycle":
        push = row.get("push") or {}
        line = (
            f"asof={row.get('asof')} result={row.get('result')} decision={row.get('decision')} "
            f"reason={row.get('reason')} delivery={push.get('delivery_actual')} "
            f"snapshot_ref={row.get('snapshot_ref')} commit={commit}"
        )
        return row.get("exit_code"), line
    risks = ",".join(str(r.get("code")) for r in row.get("top_risks") or []) or "-"
    status = row.get("overall_status")
    return (
        status,
        f"asof={row.get('asof')} overall_status={status} top_risks={risks} commit={commit}",
    )
