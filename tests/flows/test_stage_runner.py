"""The in-process stage runner reads its order from the same dvc.yaml as `dvc repro`."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import KrxError
from pipeline.flows.stage_runner import order

ROOT = Path(__file__).resolve().parents[2]


def test_server_order_follows_the_dvc_dependencies() -> None:
    assert order(ROOT, "server/dvc.yaml:ops_summary") == ["tickets", "ops_summary"]
    assert order(ROOT, "server/dvc.yaml:live_cycle") == ["tickets", "ops_summary", "live_cycle"]
    assert order(ROOT, "server/dvc.yaml:live_cycle", single_item=True) == ["live_cycle"]


def test_the_pc_pipeline_order_too() -> None:
    got = order(ROOT, "dvc.yaml:backtest")
    assert got.index("clock") < got.index("ingest") < got.index("backtest")


def test_a_file_alone_means_each_of_its_stages_upstream_first() -> None:
    """``dvc repro dvc.yaml`` (the PC's daily run): every stage of the file, each once."""
    got = order(ROOT, "dvc.yaml")
    assert sorted(got) == ["backtest", "clock", "ingest", "reconcile", "reports"]
    assert got.index("clock") < got.index("ingest") < got.index("backtest")
    assert got.index("backtest") < got.index("reports")
    assert order(ROOT, "server/dvc.yaml") == ["tickets", "ops_summary", "live_cycle"]


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(KrxError, match="no stage 'nope'"):
        order(ROOT, "server/dvc.yaml:nope")
