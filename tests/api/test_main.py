"""``python -m ops_api`` as the operator (and systemd) runs it: a real process on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.gitrepo import GitRepo
from tests.support.net import free_port

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m ops_api`` started outside the checkout (its default repo is the cwd)."""
    return subprocess.run(
        [sys.executable, "-m", "ops_api", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_serves_a_repo_from_env_and_flags(repo: GitRepo) -> None:
    repo.commit({"notes.txt": "x"})
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KRX_API_REPO": str(repo.path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ops_api", "--port", str(port)],
        cwd=repo.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/api/ops/health", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert resp.status_code == 200
        assert resp.json()["rows"][0]["repo"]["commit"] == repo.git("rev-parse", "HEAD")
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises SIGTERM (systemd counts that as a clean stop).
    assert proc.returncode in (0, -15)


def test_bad_configuration_exits_1(tmp_path: Path, repo: GitRepo) -> None:
    out = run("--repo", str(tmp_path), cwd=tmp_path)
    assert out.returncode == 1 and "not a git repository" in out.stderr
    repo.commit({"notes.txt": "x"})
    out = run(cwd=repo.path, env={"KRX_API_PORT": "eighty"})
    assert out.returncode == 1 and "KRX_API_PORT" in out.stderr


def test_help(tmp_path: Path) -> None:
    out = run("--help", cwd=tmp_path)
    assert out.returncode == 0 and "--repo" in out.stdout and "--host" in out.stdout
