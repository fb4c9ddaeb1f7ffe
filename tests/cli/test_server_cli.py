"""Operator CLI: `krx safety`, `krx live check`; ownership of what the server writes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.cli import main as krx
from pipeline.enums import Owner
from pipeline.io.validate import validate_bytes
from tests.server.factories import (
    make_repo,
    put_raw,
    read_json,
    run_day,
    run_stage,
    server_repo,
    snapshot,
)

MON = dt.date(2025, 9, 22)


def test_safety_set_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path / "repo")
    r = ["-C", str(root), "safety"]
    assert krx([*r, "show"]) == 0
    out = capsys.readouterr().out
    assert "execution_gate: MOCK_ONLY (file MISSING)" in out
    assert "real_sender:    off (file MISSING)" in out and "emergency_stop: off" in out
    assert krx([*r, "set-gate", "DRY_RUN", "--reason", "일상 운영", "--by", "kim"]) == 0
    assert krx([*r, "set-sender", "on", "--reason", "go live", "--by", "kim"]) == 0
    assert krx([*r, "set-stop", "on", "--reason", "시장 급변", "--by", "lee"]) == 0
    capsys.readouterr()
    assert krx([*r, "show"]) == 0
    out = capsys.readouterr().out
    assert "DRY_RUN (file OK)" in out and "on (file OK)" in out
    data = read_json(root, "emergency_stop")
    assert (data["enabled"], data["changed_by"], data["reason"]) == (True, "lee", "시장 급변")
    assert data["generated_at"].endswith("+09:00")
    for bad in (["YOLO", "--reason", "x", "--by", "k"], ["DRY_RUN", "--by", "k"]):
        with pytest.raises(SystemExit):  # unknown value; a reason is required
            krx([*r, "set-gate", *bad])
    put_raw(root, "state/execution_gate.json", b"{]")
    capsys.readouterr()
    assert krx([*r, "show"]) == 0
    assert "MOCK_ONLY (file CORRUPT)" in capsys.readouterr().out


def test_safety_cli_never_writes_from_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    monkeypatch.setenv("KRX_ROLE", "SERVER")
    before = snapshot(root)
    assert krx(["-C", str(root), "safety", "set-stop", "on", "--reason", "x", "--by", "k"]) == 1
    assert "KRX_EMERGENCY_STOP=1" in capsys.readouterr().err
    assert snapshot(root) == before
    monkeypatch.setenv("KRX_EMERGENCY_STOP", "1")  # the server-side kill switch
    assert krx(["-C", str(root), "safety", "show"]) == 0
    assert "emergency_stop: on" in capsys.readouterr().out


def test_live_check_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = server_repo(tmp_path)
    assert krx(["-C", str(root), "live", "check"]) == 3  # nothing yet
    assert run_day(root, MON, monkeypatch) == 0
    capsys.readouterr()
    assert krx(["-C", str(root), "live", "check", "--asof", "2025-09-22"]) == 0
    line = capsys.readouterr().out
    assert "result=OK decision=PARTIAL" in line and "delivery=CONSOLE_SIMULATED" in line
    assert krx(["-C", str(root), "live", "check", "--asof", "2025-09-23"]) == 3  # stale receipt
    monkeypatch.setenv("KRX_EMERGENCY_STOP", "1")
    assert run_stage(root, "live_cycle", MON, monkeypatch) == 2
    assert krx(["-C", str(root), "live", "check"]) == 2


def test_stage_exit_codes_as_a_process(tmp_path: Path) -> None:
    """`krx stage live_cycle` exits 2 when blocked; under dvc (DVC_STAGE) it exits 0."""
    root = make_repo(tmp_path / "repo")
    env = {"KRX_ROLE": "SERVER", "KRX_ASOF": "2025-09-22", "PYTHONPATH": str(Path.cwd())}
    import os

    cmd = [sys.executable, "-m", "pipeline.cli", "-C", str(root), "stage", "live_cycle"]
    base = {**os.environ, **env}
    blocked = subprocess.run(cmd, env=base, capture_output=True, text=True, timeout=120)
    assert blocked.returncode == 2, blocked.stderr
    under_dvc = subprocess.run(
        cmd,
        env={**base, "DVC_STAGE": "server/dvc.yaml:live_cycle"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert under_dvc.returncode == 0 and "recorded" in under_dvc.stdout
    receipt = json.loads((root / "reports/live/live_cycle_receipt.json").read_text("utf-8"))
    assert receipt["reason"] == "BUNDLE_MISSING" and receipt["exit_code"] == 2


def test_server_writes_only_server_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = server_repo(tmp_path)
    before = snapshot(root)
    run_day(root, MON, monkeypatch)
    written = {p for p, b in snapshot(root).items() if before.get(p) != b}
    assert written
    for rel in written:
        assert registry.owner_of(rel) is Owner.SERVER, rel


def test_ops_summary_stage_reports_recon_and_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = server_repo(tmp_path)
    assert run_stage(root, "ops_summary", MON, monkeypatch) == 0
    codes = [r["code"] for r in read_json(root, "ops_summary")["top_risks"]]
    assert "PORTFOLIO_INCONSISTENT" in codes  # positions not derived yet
    assert run_stage(root, "tickets", MON, monkeypatch) == 0
    assert run_stage(root, "ops_summary", MON, monkeypatch) == 0
    first = read_json(root, "ops_summary")
    assert first["overall_status"] == "NO_RUN_HISTORY" and first["last_cycle_asof"] is None
    assert first["bundle_asof"] == "2025-09-19"
    run_day(root, MON, monkeypatch)
    assert read_json(root, "ops_summary")["overall_status"] == "NO_RUN_HISTORY"
    assert run_stage(root, "ops_summary", MON, monkeypatch) == 0
    assert read_json(root, "ops_summary")["overall_status"] == "OK"
    put_raw(root, "reports/recon/recon_summary.json", {"status": "CRITICAL"})
    assert run_stage(root, "ops_summary", MON, monkeypatch) == 0
    summary = read_json(root, "ops_summary")
    assert summary["overall_status"] == "BLOCKED"
    assert summary["top_risks"][0]["code"] == "RECON_CRITICAL"


def test_portfolio_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    base = ["-C", str(root), "portfolio", "set", "--by", "kim", "--asof", "2025-09-19"]
    assert (
        krx([*base, "--cash", "5000000", "--hold", "069500:10:35000", "--hold", "102110:3:35500"])
        == 0
    )
    data = read_json(root, "portfolio")
    assert data["cash_krw"] == 5_000_000 and [h["ticker"] for h in data["holdings"]] == [
        "069500",
        "102110",
    ]
    for bad in (
        ["--cash", "-1"],
        ["--cash", "1", "--hold", "69500:1:1"],
        ["--cash", "1", "--hold", "069500:1:1", "--hold", "069500:2:1"],
    ):
        assert krx([*base, *bad]) == 1
    assert krx([*base[:-1], "2025-09-20", "--cash", "1"]) == 1  # a Saturday has no close
    monkeypatch.setenv("KRX_ROLE", "SERVER")
    assert krx([*base, "--cash", "1"]) == 1
    assert read_json(root, "portfolio")["cash_krw"] == 5_000_000


def test_real_enabled_needs_the_typed_confirmation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI asks for the cockpit's phrase (one rule in pipeline.core.safety)."""
    root = make_repo(tmp_path / "repo")
    r = ["-C", str(root), "safety", "set-gate", "REAL_ENABLED", "--reason", "live", "--by", "kim"]
    assert krx(r) == 1  # no terminal, no --confirm: refused, nothing written
    assert "type REAL_ENABLED to confirm" in capsys.readouterr().err
    assert not (root / "state/execution_gate.json").exists()
    assert krx([*r, "--confirm", "yes"]) == 1
    assert not (root / "state/execution_gate.json").exists()
    assert krx([*r, "--confirm", "REAL_ENABLED"]) == 0
    assert read_json(root, "execution_gate")["gate"] == "REAL_ENABLED"


def test_repo_ships_the_safety_files_at_their_standing_values() -> None:
    """`cat state/execution_gate.json` works on day one: DRY_RUN, sender off, stop off."""
    from pipeline.core.safety import REAL_CONFIRMATION
    from tests.conftest import ROOT, git

    tracked = git(ROOT, "ls-files", "state").split()
    values = {}
    for name, field in (
        ("execution_gate", "gate"),
        ("real_sender", "enabled"),
        ("emergency_stop", "enabled"),
    ):
        rel = registry.get(name).path
        assert rel in tracked
        raw = git(ROOT, "show", f"HEAD:{rel}")
        assert validate_bytes(raw.encode(), rel) == []
        values[name] = json.loads(raw)[field]
    assert values == {"execution_gate": "DRY_RUN", "real_sender": False, "emergency_stop": False}
    assert REAL_CONFIRMATION == "REAL_ENABLED"
