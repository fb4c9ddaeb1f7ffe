"""Real `dvc repro` on a fresh copy of the project (PC pipeline), and DVC's views of it."""

from __future__ import annotations

import json
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


def test_changing_one_strategy_param_reruns_backtest_and_downstream_only(tmp_path: Path) -> None:
    """Also DVC's own views of the backtest: metrics show/diff, params diff, plots show."""
    repo = copy_project(tmp_path / "pc")
    env = {"KRX_ASOF": "2026-11-20"}
    out = dvc(repo, "repro", env=env)
    assert "Stage 'ingest' didn't change, skipping" in out
    assert "Stage 'backtest' didn't change, skipping" in out
    # `dvc repro` defaults to ./dvc.yaml: the server's stages (server/dvc.yaml) never run here.
    assert "Running stage 'clock'" in out
    assert "server/dvc.yaml" not in out and "live_cycle" not in out
    assert not (repo / "reports/live").exists()
    shown = json.loads(dvc(repo, "metrics", "show", "--json"))
    # DVC's metric is the flat headline file; the enveloped metrics.json is a plain output.
    assert list(shown[""]["data"]) == ["reports/backtest/dvc_metrics.json"]
    data = shown[""]["data"]["reports/backtest/dvc_metrics.json"]["data"]
    assert isinstance(data["cagr"], float) and isinstance(data["trades"], int)

    params = repo / "params.yaml"
    params.write_text(
        params.read_text(encoding="utf-8").replace("max_positions: 5", "max_positions: 3"),
        encoding="utf-8",
    )
    out = dvc(repo, "repro", env=env)
    assert "Stage 'ingest' didn't change, skipping" in out
    assert "Running stage 'backtest'" in out and "Running stage 'reports'" in out
    run([sys.executable, "-m", "pipeline.cli", "validate", "--all"], repo)
    bundle = (repo / "state/strategy_bundle.json").read_text(encoding="utf-8")
    assert bundle.count('"weight"') >= 1
    assert "strategy.max_positions" in dvc(repo, "params", "diff")
    diff = json.loads(dvc(repo, "metrics", "diff", "--json"))
    assert "trades" in diff["reports/backtest/dvc_metrics.json"]
    plots = dvc(repo, "plots", "show", "--json")
    assert "reports/backtest/equity.csv" in plots and "reports/backtest/drawdown.csv" in plots


def _status(repo: Path) -> dict[str, object]:
    out = dvc(repo, "status", "--json", "dvc.yaml")
    doc = json.loads(out[out.index("{") :])
    assert isinstance(doc, dict)
    return doc


@pytest.mark.parametrize(
    ("module", "old", "new"),
    [
        ("pipeline/krx_calendar.py", '"""', '"""\n# edited\n'),
        (
            "pipeline/params/__init__.py",
            "max_positions: int = Field(5,",
            "max_positions: int = Field(4,",
        ),
    ],
)
def test_an_edit_to_a_module_the_backtest_reaches_indirectly_marks_it_changed(
    tmp_path: Path, module: str, old: str, new: str
) -> None:
    repo = copy_project(tmp_path / "pc")
    dvc(repo, "commit", "-f", "-q", "dvc.yaml")  # the lock as the code is now, however old
    assert "backtest" not in _status(repo)
    path = repo / module
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    status = _status(repo)
    assert "backtest" in status, status
    assert {"changed deps": {module: "modified"}} in status["backtest"]  # type: ignore[operator]


def test_invalid_params_leave_the_previous_artifacts_in_place(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "pc")
    dvc(repo, "commit", "-f", "-q", "dvc.yaml")
    outs = [repo / "state/strategy_bundle.json", *sorted((repo / "reports/backtest").iterdir())]
    before = {p: p.read_bytes() for p in outs}
    params = repo / "params.yaml"
    text = params.read_text(encoding="utf-8")
    params.write_text(text.replace("adx_threshold: 17.5", "adx_threshold: .inf"), encoding="utf-8")
    proc = run(
        [str(BIN / "dvc"), "repro"],
        repo,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "KRX_ASOF": "2026-11-20"},
        check=False,
    )
    assert proc.returncode != 0
    assert "strategy.adx_threshold" in proc.stdout + proc.stderr
    assert {p: p.read_bytes() for p in outs if p.exists()} == before  # nothing deleted or changed
