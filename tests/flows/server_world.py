"""A server world on real git: a bare origin and the server's clone, plus the flow's settings.

The origin holds what the PC pushed (a bundle signalled Friday 2025-09-19, the operator's
baseline portfolio, server/dvc.yaml, the DVC repository files); the server clone runs
``pipeline.flows.daily_server.run_daily`` in-process against a real resolver process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.flows.daily_server import Outcome, Settings, run_daily
from pipeline.io.api_probe import free_port, serve
from tests.conftest import BASE_ENV, ROOT, git
from tests.server.factories import add_server_pipeline, commit_all, git_init, server_repo
from tests.support.gitrepo import clone

FRI = dt.date(2025, 9, 19)
MON = dt.date(2025, 9, 22)
TUE = dt.date(2025, 9, 23)
TARGETS = {"069500": 0.3, "132030": 0.3}
RECORD = "reports/ops/scheduler_record.json"


def seed_repo(tmp: Path, portfolio: bool = True) -> Path:
    """What the PC pushed: bundle (+ portfolio), server/dvc.yaml, lock files, a DVC repo."""
    root = server_repo(tmp, targets=TARGETS)  # inside every guardrail: a clean COMPLETED
    if not portfolio:
        (root / "state/portfolio.json").unlink()
    add_server_pipeline(root)
    git_init(root)
    commit_all(root, "pc: bundle + portfolio")
    return root


@dataclass
class ServerWorld:
    tmp: Path
    seed: Path  # the PC's side: edit, commit, `push()`
    origin: Path
    server: Path
    logs: list[str] = field(default_factory=list)
    #: How the runs run their DVC stages (Settings.runner): None, real ``dvc repro`` processes;
    #: ``pipeline.flows.stage_runner.run_in_process``, the same stages in this process.
    runner: Callable[[Path, Sequence[str], Mapping[str, str]], int] | None = None

    def push(self, message: str) -> None:
        commit_all(self.seed, message)
        git(self.seed, "push", "-q", "origin", "HEAD:main")

    def settings(self, day: dt.date, api_url: str, **changes: Any) -> Settings:
        env = {**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)}
        base = Settings(
            root=self.server,
            asof=day,
            now=dt.datetime.fromisoformat(f"{day.isoformat()}T09:05:00+09:00"),
            env=env,
            api_url=api_url,
            net_timeout_s=20.0,
            lock_wait_s=1.0,
            runner=self.runner,
        )
        return Settings(**{**base.__dict__, **changes})

    def daily(self, day: dt.date, **changes: Any) -> Outcome:
        """One in-process daily run against a resolver serving the server clone."""
        self.logs.clear()
        with self.resolver() as url:
            return run_daily(self.settings(day, url, **changes), self.logs.append)

    @contextlib.contextmanager
    def resolver(self) -> Iterator[str]:
        env = {**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)}
        with serve(self.server, "main", free_port(), env, timeout=60) as api:
            yield api.base_url

    def log(self) -> str:
        return "\n".join(self.logs)

    def head(self, repo: Path | None = None, ref: str = "HEAD") -> str:
        return git(repo or self.server, "rev-parse", ref)


def build_world(
    tmp: Path,
    portfolio: bool = True,
    prepare: Callable[[Path], None] | None = None,
    runner: Callable[[Path, Sequence[str], Mapping[str, str]], int] | None = None,
) -> ServerWorld:
    """Origin and server clone; ``prepare`` edits the PC's seed before its one commit."""
    seed = seed_repo(tmp / "pc", portfolio=portfolio)
    if prepare is not None:
        prepare(seed)
        commit_all(seed, "pc: the world's twist")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    git(seed, "remote", "add", "origin", str(origin))
    git(seed, "fetch", "-q", "origin")
    server = tmp / "server"
    clone(origin, server)
    git(server, "config", "user.email", "server@example.invalid")
    git(server, "config", "user.name", "server")
    return ServerWorld(tmp, seed, origin, server, runner=runner)
