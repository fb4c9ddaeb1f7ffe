"""The backtest stanza under real DVC: repro, metrics show/diff, params diff, plots show.

Uses ``dvc.backtest.yaml.snippet`` until the stage is part of ``dvc.yaml``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_project, git, run

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
ASOF = {"KRX_ASOF": "2026-11-20"}


def dvc(cwd: Path, *args: str) -> str:
    env = {"PATH": f"{BIN}:/usr/bin:/bin", **ASOF}
    return run([str(BIN / "dvc"), *args], cwd, env=env).stdout


def _with_backtest_stage(repo: Path) -> None:
    dvc_yaml = yaml.safe_load((repo / "dvc.yaml").read_text(encoding="utf-8"))
    if "backtest" not in dvc_yaml["stages"]:
        snippet = (repo / "dvc.backtest.yaml.snippet").read_text(encoding="utf-8")
        stage_part, top_part = snippet.split("# 2) top level")
        stage = yaml.safe_load(stage_part)
        top = yaml.safe_load(top_part.split("\n", 1)[1])
        dvc_yaml["stages"].update(stage)
        dvc_yaml.setdefault("plots", []).extend(top["plots"])
        (repo / "dvc.yaml").write_text(yaml.safe_dump(dvc_yaml, sort_keys=False), "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "wire backtest")


def test_repro_then_metrics_params_and_plots(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc")
    _with_backtest_stage(repo)
    assert "Running stage 'backtest'" in dvc(repo, "repro")
    run([sys.executable, "-m", "pipeline.cli", "validate", "--all"], repo)
    shown = json.loads(dvc(repo, "metrics", "show", "--json"))
    data = shown[""]["data"]["reports/backtest/metrics.json"]["data"]
    assert isinstance(data["metrics"]["strategy"]["total_return"], float)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "artifact(backtest): asof 2026-11-20")

    assert "didn't change, skipping" in dvc(repo, "repro", "backtest")
    assert git(repo, "status", "--porcelain") == ""

    params = (repo / "params.yaml").read_text(encoding="utf-8")
    (repo / "params.yaml").write_text(
        params.replace("max_positions: 5", "max_positions: 3"), encoding="utf-8"
    )
    assert "Running stage 'backtest'" in dvc(repo, "repro", "backtest")
    assert "strategy.max_positions" in dvc(repo, "params", "diff")
    diff = json.loads(dvc(repo, "metrics", "diff", "--json"))
    assert "metrics.trade_count" in diff["reports/backtest/metrics.json"]
    plots = dvc(repo, "plots", "show", "--json")
    assert "reports/backtest/equity.csv" in plots and "reports/backtest/drawdown.csv" in plots
