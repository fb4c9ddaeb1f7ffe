"""Real `dvc repro` of server/dvc.yaml on a fresh git + dvc copy of the project."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_project, git, run
from tests.server.factories import bundle_model, portfolio, put

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def dvc(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    path = f"{BIN}:/usr/bin:/bin"
    return run([str(BIN / "dvc"), *args], cwd, env={"PATH": path, **(env or {})}).stdout


def receipt(repo: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(
        (repo / "reports/live/live_cycle_receipt.json").read_text("utf-8")
    )
    return data


def test_every_run_executes_and_nothing_comes_from_the_run_cache(tmp_path: Path) -> None:
    repo = copy_project(tmp_path / "server", include_data=False)
    fri = dt.date(2025, 9, 19)
    put(repo, "strategy_bundle", bundle_model(fri))
    put(repo, "portfolio", portfolio(fri))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pc: bundle + portfolio")
    env = {"KRX_ROLE": "SERVER", "KRX_ASOF": "2025-09-22", "KRX_NOW": "2025-09-22T09:05:00"}
    stages = ("tickets", "ops_summary", "live_cycle")
    for n in (1, 2):
        env["KRX_NOW"] = f"2025-09-22T09:0{n}:00"
        out = dvc(repo, "repro", "--no-run-cache", "server/dvc.yaml", env=env)
        for stage in stages:
            assert f"Running stage 'server/dvc.yaml:{stage}'" in out, out
        assert "skipping" not in out and "Restored" not in out, out
        assert receipt(repo)["generated_at"] == f"2025-09-22T09:0{n}:00+09:00"
    # a second day re-executes too; a blocked day is recorded, not a crashed stage
    # (a stale bundle is no block any more: it plans exits only; the server's stop is one)
    env.update(KRX_ASOF="2025-09-24", KRX_NOW="2025-09-24T09:05:00", KRX_EMERGENCY_STOP="1")
    out = dvc(repo, "repro", "--no-run-cache", "server/dvc.yaml", env=env)
    assert "Running stage 'server/dvc.yaml:live_cycle'" in out
    r = receipt(repo)
    assert (r["asof"], r["decision"], r["reason"]) == ("2025-09-24", "BLOCKED", "EMERGENCY_STOP")
    check = run([sys.executable, "-m", "pipeline.cli", "live", "check"], repo, check=False)
    assert check.returncode == 2 and "decision=BLOCKED" in check.stdout
    # even without --no-run-cache (a forgotten flag) nothing is skipped or restored
    env["KRX_NOW"] = "2025-09-24T09:30:00"
    out = dvc(repo, "repro", "server/dvc.yaml", env=env)
    for stage in stages:
        assert f"Running stage 'server/dvc.yaml:{stage}'" in out, out
    assert "Restored" not in out and receipt(repo)["generated_at"] == "2025-09-24T09:30:00+09:00"
    assert (repo / "server/dvc.lock").exists()
    lock = (repo / "server/dvc.lock").read_text("utf-8")
    assert "live_cycle" in lock and "reports/live/live_cycle_receipt.json" in lock
    # the PC's lock is never written by the server, and the PC's repro never runs server stages
    assert git(repo, "status", "--porcelain", "--", "dvc.lock") == ""
    # DVC's default target is ./dvc.yaml: swap in a probe PC pipeline (no market data here)
    (repo / "dvc.yaml").write_text(
        "stages:\n  pc_probe:\n    cmd: echo probe > probe.txt\n    always_changed: true\n"
        "    outs:\n      - probe.txt:\n          cache: false\n",
        encoding="utf-8",
    )
    before = (repo / "reports/live/live_cycle_receipt.json").read_bytes()
    out = dvc(repo, "repro", env={**env, "KRX_ASOF": "2025-09-25"})
    assert "Running stage 'pc_probe'" in out and "server/dvc.yaml" not in out, out
    assert (repo / "reports/live/live_cycle_receipt.json").read_bytes() == before
    run([sys.executable, "-m", "pipeline.cli", "validate", "--all"], repo)
