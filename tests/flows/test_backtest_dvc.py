"""The backtest stage under real DVC: repro, metrics show/diff, params diff, plots show."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_project, git, run

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
ASOF = {"KRX_ASOF": "2026-11-20"}


def dvc(cwd: Path, *args: str) -> str:
    env = {"PATH": f"{BIN}:/usr/bin:/bin", **ASOF}
    return run([str(BIN / "dvc"), *args], cwd, env=env).stdout


def test_repro_then_metrics_params_and_plots(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc")
    assert "Running stage 'backtest'" in dvc(repo, "repro", "--force", "--single-item", "backtest")
    run([sys.executable, "-m", "pipeline.cli", "validate", "--all"], repo)
    shown = json.loads(dvc(repo, "metrics", "show", "--json"))
    # DVC's metric is the flat headline file; the enveloped metrics.json is a plain output.
    assert list(shown[""]["data"]) == ["reports/backtest/dvc_metrics.json"]
    data = shown[""]["data"]["reports/backtest/dvc_metrics.json"]["data"]
    assert isinstance(data["cagr"], float) and isinstance(data["trades"], int)
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
    assert "trades" in diff["reports/backtest/dvc_metrics.json"]
    plots = dvc(repo, "plots", "show", "--json")
    assert "reports/backtest/equity.csv" in plots and "reports/backtest/drawdown.csv" in plots
