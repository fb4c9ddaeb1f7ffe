"""Fixtures for the resolver tests: real git repositories and a real uvicorn server."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from ops_api.app import create_app
from ops_api.limits import protocol_class
from ops_api.settings import Settings
from tests.api.factories import GitRepo, make_clock, make_prices_meta

ASOF = dt.date(2026, 11, 20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


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
        http=protocol_class(),  # as ops_api.__main__ serves it
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


@dataclass(frozen=True)
class Deep:
    """A repository with a known history (see ``deep_repo``)."""

    repo: GitRepo
    commits: list[str]  # oldest first
    clock_commits: list[str]  # commits that changed data/asof.json, oldest first
    tag_commit: str


@pytest.fixture(scope="session")
def deep_repo(tmp_path_factory: pytest.TempPathFactory) -> Deep:
    """120 commits: clock changes every 3rd, prices_meta every 5th, notes otherwise.

    Tag ``v1`` at commit 10, branch ``feature`` with one extra commit off commit 20.
    """
    repo = GitRepo(tmp_path_factory.mktemp("deep") / "repo")
    batch = []
    clock_idx = []
    for i in range(120):
        files: dict[str, object] = {"notes.txt": f"note {i}\n"}
        if i % 3 == 0:
            files["data/asof.json"] = make_clock(ASOF - dt.timedelta(days=(120 - i) // 3), i)
            clock_idx.append(i)
        if i % 5 == 0:
            files["data/prices/_meta.json"] = make_prices_meta(ASOF, i, months=12)
        batch.append((files, f"commit {i}"))
    commits = repo.bulk(batch)  # type: ignore[arg-type]
    repo.git("tag", "-a", "v1", "-m", "tag v1", commits[10])
    repo.git("branch", "feature", commits[20])
    return Deep(repo, commits, [commits[i] for i in clock_idx], commits[10])


@pytest.fixture(scope="session")
def deep_url(deep_repo: Deep) -> Iterator[str]:
    with serve(create_app(Settings(repo=deep_repo.repo.path, branch="main"))) as url:
        yield url


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def server_for() -> Iterator[Callable[[Path], str]]:
    """Start a server for a repo path (stopped at the end of the test)."""
    stack: list[object] = []

    def start(path: Path) -> str:
        cm = serve(create_app(Settings(repo=path)))
        stack.append(cm)
        return cm.__enter__()

    yield start
    for cm in reversed(stack):
        cm.__exit__(None, None, None)  # type: ignore[attr-defined]


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client
