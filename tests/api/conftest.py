"""Fixtures for the resolver tests: a deep git history served by a real uvicorn server.

``server_for``, ``http`` and ``GitRepo`` are shared (tests/conftest.py, tests/support/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ops_api.app import create_app
from ops_api.settings import Settings
from tests.api.factories import make_clock, make_prices_meta
from tests.support.gitrepo import GitRepo
from tests.support.net import serve

ASOF = dt.date(2026, 11, 20)


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
def repo(git_repo: GitRepo) -> GitRepo:
    """The resolver tests' name for the shared ``git_repo``."""
    return git_repo
