"""The as-of rule (pipeline.io.context); every stage honours ``--asof`` or refuses it (exit 1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import ArtifactError, OperatorError
from pipeline.io.context import SEOUL, pc_asof, pinned_asof, require_asof, trading_session
from pipeline.krx_calendar import load_calendar
from tests.conftest import ROOT, copy_project

FRI, SAT, THU = dt.date(2026, 11, 20), dt.date(2026, 11, 21), dt.date(2026, 11, 19)
CAL = load_calendar(ROOT)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), SEOUL)


@pytest.mark.parametrize(
    ("requested", "now", "explicit", "expected"),
    [
        (FRI, at(FRI, 15, 0), False, THU),  # today's bars are not final before 16:00
        (FRI, at(FRI, 16, 0), False, FRI),
        (FRI, at(FRI, 15, 0), True, FRI),  # asked for explicitly: the day itself
        (SAT, at(SAT, 9, 0), False, FRI),  # a weekend resolves to the previous session
        (SAT, at(FRI, 9, 0), True, FRI),
    ],
)
def test_pc_asof_is_the_last_session_with_final_bars(
    requested: dt.date, now: dt.datetime, explicit: bool, expected: dt.date
) -> None:
    assert pc_asof(requested, now, explicit, CAL) == expected


def _clock(root: Path, day: dt.date) -> None:
    (root / "data").mkdir(parents=True, exist_ok=True)
    doc = {
        "schema": "clock/v1",
        "asof": day.isoformat(),
        "generated_at": f"{day.isoformat()}T15:30:00+09:00",
        "inputs": [],
        "params_sha256": None,
        "producer": {"code_sha": None, "host": "PC", "stage": "clock"},
    }
    (root / "data/asof.json").write_text(json.dumps(doc), encoding="utf-8")
    (root / "config").mkdir(exist_ok=True)
    (root / "config/krx_closures.yaml").write_bytes(
        (ROOT / "config/krx_closures.yaml").read_bytes()
    )


def test_pinned_asof_reads_the_clock_and_refuses_another_session(tmp_path: Path) -> None:
    _clock(tmp_path, FRI)
    assert pinned_asof(tmp_path) == FRI
    assert pinned_asof(tmp_path, "2026-11-20", "ingest") == FRI
    assert pinned_asof(tmp_path, "2026-11-22", "ingest") == FRI  # Sunday -> Friday's session
    with pytest.raises(OperatorError, match=r"stage ingest: --asof 2026-11-19 .*KRX_ASOF="):
        pinned_asof(tmp_path, "2026-11-19", "ingest")


def test_pinned_asof_without_a_clock(tmp_path: Path) -> None:
    assert pinned_asof(tmp_path, "2026-11-19") == THU  # a stage run by hand outside dvc
    assert pinned_asof(tmp_path, None, fallback=FRI) == FRI
    with pytest.raises(ArtifactError, match=r"data/asof\.json: missing"):
        pinned_asof(tmp_path)


def test_require_asof_and_trading_session(tmp_path: Path) -> None:
    require_asof(None, FRI, "reports", "bundle", ROOT)
    require_asof("2026-11-21", FRI, "reports", "bundle", ROOT)
    with pytest.raises(OperatorError, match="stage reports: --asof 2026-11-19"):
        require_asof("2026-11-19", FRI, "reports", "bundle", ROOT)
    session = trading_session(ROOT, "2026-11-20")
    assert session is not None and session.day == FRI
    assert trading_session(ROOT, "2026-11-21") is None


@pytest.fixture(scope="module")
def pc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with its committed artifacts, pinned to 2026-11-20 by the clock stage."""
    root = copy_project(tmp_path_factory.mktemp("asof") / "pc")
    assert main(["-C", str(root), "stage", "clock", "--asof", "2026-11-20"]) == 0
    return root


@pytest.mark.parametrize("stage", ["ingest", "backtest", "reconcile", "reports"])
def test_pc_stages_refuse_an_asof_the_clock_did_not_pin(
    pc: Path, stage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in (pc / "reports").rglob("*") if p.is_file()}
    assert main(["-C", str(pc), "stage", stage, "--asof", "2026-11-19"]) == 1
    err = capsys.readouterr().err
    assert f"stage {stage}: --asof 2026-11-19 is not the session" in err
    assert "KRX_ASOF=2026-11-19 dvc repro" in err
    after = {p: p.read_bytes() for p in (pc / "reports").rglob("*") if p.is_file()}
    assert after == before  # refused before anything was written


@pytest.mark.parametrize("stage", ["ingest", "reconcile", "reports"])
def test_pc_stages_honour_the_pinned_asof(pc: Path, stage: str) -> None:
    assert main(["-C", str(pc), "stage", stage, "--asof", "2026-11-21"]) == 0  # -> Friday


def test_clock_honours_asof(pc: Path) -> None:
    assert main(["-C", str(pc), "stage", "clock", "--asof", "2026-11-22"]) == 0
    assert json.loads((pc / "data/asof.json").read_text(encoding="utf-8"))["asof"] == "2026-11-20"


@pytest.mark.parametrize("stage", ["tickets", "ops_summary", "live_cycle"])
def test_server_stages_honour_asof_a_holiday_is_a_no_op(
    pc: Path, stage: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KRX_ROLE", "SERVER")
    assert main(["-C", str(pc), "stage", stage, "--asof", "2026-11-22"]) == 0
    assert "not a KRX trading day" in capsys.readouterr().out
