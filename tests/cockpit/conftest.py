"""A real git repo the cockpit can look at and act on: the project's committed PC artifacts,
a baseline portfolio and one server day (2026-11-23) with a rebalancing order plan.

Built once per session (stages run in-process, ~2 s) and copied per test, so every test acts on
its own repo and counts its own commits.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.flows import live_cycle, ops_summary
from pipeline.flows import tickets as ticket_stage
from pipeline.flows.portfolio import write_portfolio
from tests.conftest import BASE_ENV, copy_project, git
from tests.server.factories import bundle_model, put
from tests.support import net
from tests.support.net import SRC

SESSION = dt.date(2026, 11, 23)  # Monday; the bundle was signalled on Friday's close
SIGNAL = dt.date(2026, 11, 20)
APP = SRC / "cockpit" / "app.py"
METRICS = "reports/backtest/metrics.json"


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


def commit_count(root: Path) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def changed_paths(root: Path, commit: str = "HEAD") -> list[str]:
    return git(root, "show", "--name-only", "--format=", commit).split()


def subject(root: Path, commit: str = "HEAD") -> str:
    return git(root, "log", "-1", "--format=%s", commit)


def _commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def _older_metrics(root: Path) -> None:
    """A previous backtest_metrics version, so the history has two points."""
    path = root / METRICS
    current = path.read_bytes()
    doc = json.loads(current)
    doc["metrics"]["strategy"]["total_return"] *= 0.8
    doc["metrics"]["excess_return"] = (
        doc["metrics"]["strategy"]["total_return"] - doc["metrics"]["benchmark"]["total_return"]
    )
    path.write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n", "utf-8")
    _commit_all(root, "artifact(pc): asof 2026-11-19 [backtest_metrics]")
    path.write_bytes(current)
    _commit_all(root, "artifact(pc): asof 2026-11-20 [backtest_metrics]")


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("cockpit") / "repo")
    git(root, "config", "user.name", "KRX Operator")
    git(root, "config", "user.email", "operator@example.invalid")
    _older_metrics(root)
    # The repo ships the safety files at their standing values; these tests start from an
    # operator repo without them (read fail-closed as MOCK_ONLY / off), as before.
    for name in ("execution_gate", "real_sender", "emergency_stop"):
        (root / registry.get(name).path).unlink()
    _commit_all(root, "ops(safety): start without safety files")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KRX_ROLE", "PC")
        mp.setenv("KRX_NOW", "2026-11-20T18:00:00+09:00")
        put(root, "strategy_bundle", bundle_model(SIGNAL, rebalance_due=True))
        write_portfolio(root, 10_000_000, [("102110", 20, 30_000)], SIGNAL.isoformat(), "kim", "")
        _commit_all(root, "artifact(pc): asof 2026-11-20 [portfolio, strategy_bundle]")
        mp.setenv("KRX_ROLE", "SERVER")
        mp.setenv("KRX_ASOF", SESSION.isoformat())
        mp.setenv("KRX_NOW", f"{SESSION.isoformat()}T09:05:00+09:00")
        for stage in (ticket_stage, ops_summary, live_cycle):
            stage.main(root, None)
        _commit_all(root, f"artifact(server): asof {SESSION}")
    return root


@pytest.fixture
def repo(template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the template repo; the environment the cockpit runs in on the PC."""
    root = tmp_path / "pc"
    shutil.copytree(template_repo, root, symlinks=True)
    for key, value in BASE_ENV.items():
        if not key.startswith("GIT_AUTHOR") and not key.startswith("GIT_COMMITTER"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("KRX_ROLE", "PC")
    monkeypatch.setenv("KRX_ASOF", SESSION.isoformat())
    monkeypatch.setenv("KRX_NOW", f"{SESSION.isoformat()}T10:00:00+09:00")
    monkeypatch.setenv("KRX_COCKPIT_REPO", str(root))
    monkeypatch.setenv("KRX_OPERATOR", "kim")
    monkeypatch.delenv("KRX_COCKPIT_API", raising=False)
    return root


@pytest.fixture
def resolver(repo: Path) -> Iterator[str]:
    """``python -m ops_api`` serving ``repo`` on a free loopback port; its base URL."""
    with net.resolver(repo) as url:
        yield url
