"""``--json`` for scripts: one JSON document on stdout, the exit code unchanged."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops_api.app import create_app
from ops_api.settings import Settings
from pipeline.cli import main as krx
from pipeline.flows.sweep import run_sweep
from pipeline.krx_calendar import load_calendar
from tests.conftest import ROOT
from tests.core.bt_factories import make_bars
from tests.flows.test_backtest_stage import _write_repo
from tests.server.factories import commit_all, git_init, make_repo, put_raw, run_day, server_repo
from tests.support.net import free_port, serve

MON = dt.date(2025, 9, 22)
Capsys = pytest.CaptureFixture[str]


def doc(capsys: Capsys) -> Any:
    """The one JSON document printed on stdout (json.loads fails on anything else)."""
    return json.loads(capsys.readouterr().out)


def test_safety_show_json(tmp_path: Path, capsys: Capsys) -> None:
    root = make_repo(tmp_path / "repo")
    r = ["-C", str(root), "safety"]
    assert krx([*r, "show", "--json"]) == 0
    assert doc(capsys) == {
        "execution_gate": {"value": "MOCK_ONLY", "file": "MISSING"},
        "real_sender": {"enabled": False, "file": "MISSING"},
        "emergency_stop": {"enabled": False, "file": "MISSING"},
    }
    assert krx([*r, "set-stop", "on", "--reason", "시장 급변", "--by", "lee"]) == 0
    capsys.readouterr()
    assert krx([*r, "show", "--json"]) == 0
    assert doc(capsys)["emergency_stop"] == {"enabled": True, "file": "OK"}


def test_validate_json_lists_every_problem_and_keeps_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    root = server_repo(tmp_path)
    assert run_day(root, MON, monkeypatch) == 0
    capsys.readouterr()
    assert krx(["-C", str(root), "validate", "--all", "--json"]) == 0
    good = doc(capsys)
    assert good["problems"] == [] and good["invalid"] == []
    assert good["ok"] == len(good["files"]) >= 4
    put_raw(root, "state/execution_gate.json", {"schema": "execution_gate/v1", "gate": "YOLO"})
    put_raw(root, "state/portfolio.json", b"{]")
    assert krx(["-C", str(root), "validate", "--all", "--json"]) == 1
    bad = doc(capsys)
    assert bad["invalid"] == ["state/execution_gate.json", "state/portfolio.json"]
    assert bad["ok"] == len(bad["files"]) - 2
    assert {p["file"] for p in bad["problems"]} == set(bad["invalid"])
    assert all(set(p) == {"file", "pointer", "message"} for p in bad["problems"])
    assert krx(["-C", str(root), "validate", "--json"]) == 1  # usage: no PATH, no --all
    assert capsys.readouterr().out == ""


def test_live_check_json_keeps_the_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    root = server_repo(tmp_path)
    assert krx(["-C", str(root), "live", "check", "--json"]) == 3
    assert doc(capsys) == {"exit_code": 3, "fault": "no valid live-cycle receipt", "receipt": None}
    assert run_day(root, MON, monkeypatch) == 0
    capsys.readouterr()
    assert krx(["-C", str(root), "live", "check", "--asof", "2025-09-22", "--json"]) == 0
    ok = doc(capsys)
    assert ok["exit_code"] == 0 and ok["fault"] is None
    assert ok["receipt"]["asof"] == "2025-09-22" and ok["receipt"]["result"] == "OK"
    assert krx(["-C", str(root), "live", "check", "--asof", "2025-09-23", "--json"]) == 3
    assert "not 2025-09-23" in doc(capsys)["fault"]


def test_check_json_through_a_real_resolver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Capsys
) -> None:
    root = server_repo(tmp_path)
    assert run_day(root, MON, monkeypatch) == 0
    git_init(root)
    commit_all(root, "server day")
    capsys.readouterr()
    with serve(create_app(Settings(repo=root))) as url:
        args = ["check", "live-cycle", "ops-summary", "--api", url, "--json"]
        code = krx(args)
        out = doc(capsys)
    assert code == out["exit_code"] == 0
    assert [c["check"] for c in out["checks"]] == ["live-cycle", "ops-summary"]
    cycle, summary = out["checks"]
    assert cycle["fields"]["asof"] == "2025-09-22" and cycle["fields"]["result"] == "OK"
    assert summary["fields"]["overall_status"] in {"OK", "WARN", "NO_RUN_HISTORY"}
    assert cycle["fault"] is None and len(cycle["fields"]["commit"]) == 12
    dead = f"http://127.0.0.1:{free_port()}"
    assert krx(["check", "live-cycle", "--api", dead, "--timeout", "2", "--json"]) == 3
    fault = doc(capsys)
    assert fault["exit_code"] == 3 and fault["checks"][0]["exit_code"] == 3
    assert "not reachable" in fault["checks"][0]["fault"]


SPEC = {
    "name": "j",
    "sampling": "grid",
    "top": 3,
    "walk_forward": {"in_sample_days": 120, "out_of_sample_days": 60},
    "guard": {
        "min_oos_sharpe": -100.0,
        "min_deflated_sharpe": 0.0,
        "max_sharpe_gap": 100.0,
        "min_oos_days": 1,
        "must_beat_baseline": True,
    },
    "surface": {"x": "adx_threshold", "y": "max_positions"},
    "params": {"adx_threshold": [15.0, 25.0], "max_positions": [2, 5]},
}


def test_sweep_show_json(tmp_path: Path, capsys: Capsys) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    assert krx(["-C", str(root), "sweep", "show", "--json"]) == 1  # no leaderboard yet
    err = doc(capsys)["error"]
    assert err["exit_code"] == 1 and "leaderboard" in err["message"]
    tickers = [
        i["ticker"] for i in yaml.safe_load((ROOT / "params.yaml").read_text())["data"]["universe"]
    ]
    days = load_calendar(ROOT).between(dt.date(2015, 1, 2), dt.date(2016, 6, 30))
    _write_repo(root, make_bars(days, seed=5, tickers=tickers))
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    (root / "sweeps").mkdir()
    (root / "sweeps/j.yaml").write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    run_sweep(root, "sweeps/j.yaml", workers=1, scheduler=None, progress=False)
    capsys.readouterr()
    assert krx(["-C", str(root), "sweep", "show", "--top", "2", "--json"]) == 0
    board = doc(capsys)
    assert board["spec"] == "j" and board["trials"] == 5
    assert [c["rank"] for c in board["candidates"]] == [1, 2]
    assert board["baseline"]["is_baseline"] is True
    assert set(board["guard"]) >= {"min_oos_sharpe", "must_beat_baseline"}
