"""Always-run stages skip when nothing they read changed, and never otherwise (issue 16)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pipeline.errors import EXIT_OK
from tests.conftest import ROOT, copy_project, git, run

SKIPPED = "inputs unchanged since its last clean run"
PINNED = {"KRX_ASOF": "2026-11-20", "KRX_NOW": "2026-11-20T18:00:00+09:00"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("memo") / "repo")


def stage(root: Path, name: str, env: dict[str, str] | None = None) -> str:
    proc = run(
        [sys.executable, "-m", "pipeline.cli", "-C", str(root), "stage", name],
        ROOT,
        env={**PINNED, **(env or {})},
    )
    assert proc.returncode == EXIT_OK
    return proc.stdout


def test_clock_skips_a_repeat_and_puts_back_what_dvc_deleted(repo: Path) -> None:
    assert SKIPPED not in stage(repo, "clock")
    asof = repo / "data" / "asof.json"
    written = asof.read_bytes()
    assert SKIPPED in stage(repo, "clock")
    asof.unlink()  # what DVC does to a non-persistent output before it runs the stage
    assert SKIPPED in stage(repo, "clock")
    assert asof.read_bytes() == written


def test_clock_runs_again_when_the_clock_or_the_output_changed(repo: Path) -> None:
    stage(repo, "clock")
    out = stage(repo, "clock", {"KRX_ASOF": "2026-11-19", "KRX_NOW": "2026-11-19T18:00:00+09:00"})
    assert SKIPPED not in out
    assert json.loads((repo / "data" / "asof.json").read_text(encoding="utf-8"))["asof"] == (
        "2026-11-19"
    )
    (repo / "data" / "asof.json").write_text("{}", encoding="utf-8")  # edited by hand
    assert SKIPPED not in stage(repo, "clock")
    assert json.loads((repo / "data" / "asof.json").read_text(encoding="utf-8"))["asof"] == (
        "2026-11-20"
    )


def test_reconcile_skips_a_repeat_but_not_a_new_commit_or_changed_input(repo: Path) -> None:
    stage(repo, "clock")
    stage(repo, "reconcile")
    assert SKIPPED in stage(repo, "reconcile")
    git(repo, "commit", "-q", "--allow-empty", "-m", "server receipts arrive")
    assert SKIPPED not in stage(repo, "reconcile")  # the server's history may have changed
    assert SKIPPED in stage(repo, "reconcile")
    params = repo / "params.yaml"
    before = params.read_text(encoding="utf-8")
    params.write_text(before + "\n# a comment is a change of params.yaml\n", encoding="utf-8")
    try:
        assert SKIPPED not in stage(repo, "reconcile")
    finally:
        params.write_text(before, encoding="utf-8")


def test_a_failed_run_leaves_no_memo(repo: Path) -> None:
    stage(repo, "clock")
    assert SKIPPED in stage(repo, "clock")
    proc = run(
        [sys.executable, "-m", "pipeline.cli", "-C", str(repo), "stage", "clock"],
        ROOT,
        env={**PINNED, "KRX_NOW": "not a time"},
        check=False,
    )
    assert proc.returncode != EXIT_OK
    assert not (repo / ".dvc" / "tmp" / "krx-memo-clock.json").exists()
    assert SKIPPED not in stage(repo, "clock")
