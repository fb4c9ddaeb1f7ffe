"""Real `dvc repro` on a fresh copy of the project (PC pipeline)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import copy_project, git, run

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def dvc(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    path = f"{BIN}:/usr/bin:/bin"
    return run([str(BIN / "dvc"), *args], cwd, env={"PATH": path, **(env or {})}).stdout


def test_repro_from_scratch_then_noop_then_one_new_day(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc", include_data=False)
    out = dvc(repo, "repro", env={"KRX_ASOF": "2026-11-19"})
    assert "Running stage 'ingest'" in out
    assert (repo / "data/prices/_meta.json").exists()
    run([sys.executable, "-m", "pipeline.cli", "validate", "--all"], repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "artifact(ingest): asof 2026-11-19")

    out = dvc(repo, "repro", env={"KRX_ASOF": "2026-11-19"})
    assert "Stage 'ingest' didn't change, skipping" in out
    assert git(repo, "status", "--porcelain") == ""  # a second run changes nothing

    out = dvc(repo, "repro", env={"KRX_ASOF": "2026-11-20"})
    assert "Running stage 'ingest'" in out
    assert git(repo, "ls-files", "--others", "--exclude-standard") == ""
    changed = set(git(repo, "diff", "--name-only").split("\n"))
    assert {
        "data/asof.json",
        "data/prices/2026/2026-11.parquet",
        "data/prices/_meta.json",
        "dvc.lock",
        "state/strategy_bundle.json",
        "reports/backtest/metrics.json",
    } <= changed
    assert not any(p.startswith("data/prices/2025") for p in changed)  # only the new month


def test_server_stages_are_not_part_of_the_pc_repro(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc")
    out = dvc(repo, "repro", env={"KRX_ASOF": "2026-11-20"})
    # `dvc repro` defaults to ./dvc.yaml: the server's stages (server/dvc.yaml) never run here.
    assert "Running stage 'clock'" in out
    assert "server/dvc.yaml" not in out and "live_cycle" not in out
    assert not (repo / "reports/live").exists()


def test_changing_one_strategy_param_reruns_backtest_and_downstream_only(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc")
    env = {"KRX_ASOF": "2026-11-20"}
    out = dvc(repo, "repro", env=env)
    assert "Stage 'ingest' didn't change, skipping" in out
    params = repo / "params.yaml"
    params.write_text(
        params.read_text(encoding="utf-8").replace("max_positions: 5", "max_positions: 4"),
        encoding="utf-8",
    )
    out = dvc(repo, "repro", env=env)
    assert "Stage 'ingest' didn't change, skipping" in out
    assert "Running stage 'backtest'" in out and "Running stage 'reports'" in out
    bundle = (repo / "state/strategy_bundle.json").read_text(encoding="utf-8")
    assert bundle.count('"weight"') >= 1
    diff = dvc(repo, "params", "diff")
    assert "strategy.max_positions" in diff
