"""The backtest stage on a temp repo: artifacts written, valid, and failing closed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import registry
from pipeline.artifacts.envelope import Producer
from pipeline.artifacts.prices import PricePartition, PricesMetaV1, UniverseEntry
from pipeline.canonical import sha256_hex
from pipeline.errors import DataError, OperatorError, ParamsError
from pipeline.flows import backtest as stage
from pipeline.io.jsonio import write_artifact
from pipeline.io.parquet import PRICES_SCHEMA, table_bytes
from pipeline.io.validate import validate_all, validate_file
from pipeline.krx_calendar import load_calendar
from tests.conftest import ROOT
from tests.core.bt_factories import UNIVERSE, make_bars

REPO = ROOT
ASOF = dt.date(2020, 12, 30)


def _write_repo(root: Path, bars: pd.DataFrame, strategy: dict[str, object] | None = None) -> None:
    raw = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    raw["data"]["universe"] = [{"ticker": t, "name": f"ETF {t}", "type": "ETF"} for t in UNIVERSE]
    raw["strategy"].update(strategy or {})
    (root / "params.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    (root / "config").mkdir()
    shutil.copy(REPO / "config" / "krx_closures.yaml", root / "config" / "krx_closures.yaml")
    parts = []
    month = bars["date"].map(lambda d: f"{d.year:04d}/{d.year:04d}-{d.month:02d}")
    for key, part in bars.groupby(month, sort=True):
        rel = f"data/prices/{key}.parquet"
        raw_bytes = table_bytes(part.reset_index(drop=True), PRICES_SCHEMA)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(raw_bytes)
        parts.append(
            PricePartition(
                key=str(key),
                path=rel,
                rows=len(part),
                first_date=part["date"].min(),
                last_date=part["date"].max(),
                sha256=sha256_hex(raw_bytes),
            )
        )
    universe = [
        UniverseEntry(
            ticker=t,
            name=f"ETF {t}",
            type="ETF",
            first_date=g["date"].min(),
            last_date=g["date"].max(),
            bars=len(g),
        )
        for t, g in bars.groupby("ticker", sort=True)
    ]
    meta = PricesMetaV1(
        asof=bars["date"].max(),
        generated_at=dt.datetime(2021, 1, 4, 16, 0, tzinfo=dt.UTC),
        producer=Producer(stage="ingest", host="PC", code_sha=None),
        source="sample",
        synthetic=True,
        source_note="test bars",
        first_date=bars["date"].min(),
        last_date=bars["date"].max(),
        bars=len(bars),
        universe=tuple(universe),
        partitions=tuple(parts),
    )
    write_artifact(root, registry.get("prices_meta"), meta)


@pytest.fixture(scope="module")
def bars() -> pd.DataFrame:
    days = load_calendar(REPO).between(dt.date(2015, 1, 2), ASOF)
    return make_bars(days, seed=11)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, bars: pd.DataFrame) -> Path:
    root = tmp_path_factory.mktemp("repo")
    _write_repo(root, bars)
    assert stage.main(root, ASOF.isoformat()) == 0
    return root


def test_writes_every_registered_backtest_artifact_and_all_validate(repo: Path) -> None:
    for spec in registry.ARTIFACTS:
        if spec.stage == "backtest":
            assert (repo / spec.path).is_file(), spec.path
    files, problems = validate_all(repo)
    assert problems == []
    assert "state/strategy_bundle.json" in files and "reports/backtest/trades.parquet" in files


def test_bundle_is_the_handoff_for_the_next_session(repo: Path) -> None:
    doc = json.loads((repo / "state/strategy_bundle.json").read_text(encoding="utf-8"))
    assert doc["asof"] == "2020-12-30" and doc["valid_from"] == "2021-01-04"
    # Monthly: the next signal day is the first session of January (31 Dec is closed).
    assert doc["valid_until"] == "2021-01-04"
    assert doc["synthetic_data"] is True and doc["params_sha256"]
    assert sum(t["weight"] for t in doc["target_weights"]) <= 1.0
    assert {s["ticker"] for s in doc["signals"]} == set(UNIVERSE)
    assert [i["path"] for i in doc["inputs"]][:3] == [
        "params.yaml",
        "config/krx_closures.yaml",
        "data/prices/_meta.json",
    ]


def test_tampered_bundle_fails_validation(repo: Path, tmp_path: Path) -> None:
    doc = json.loads((repo / "state/strategy_bundle.json").read_text(encoding="utf-8"))
    doc["exposure"] = 0.5 if doc["exposure"] != 0.5 else 0.25
    (tmp_path / "state").mkdir()
    (tmp_path / "state/strategy_bundle.json").write_text(json.dumps(doc), encoding="utf-8")
    problems = validate_file(tmp_path, "state/strategy_bundle.json")
    assert any(p.pointer == "/integrity_sha256" for p in problems)


def test_metrics_plots_and_trades(repo: Path) -> None:
    metrics = json.loads((repo / "reports/backtest/metrics.json").read_text(encoding="utf-8"))
    assert metrics["metrics"]["benchmark_ticker"] == "069500"
    assert metrics["metrics"]["strategy"]["sharpe"] is not None
    equity = pd.read_csv(repo / "reports/backtest/equity.csv")
    assert list(equity.columns) == ["date", "strategy", "benchmark"]
    assert equity["strategy"].iloc[0] == equity["benchmark"].iloc[0] == 10_000_000
    dd = pd.read_csv(repo / "reports/backtest/drawdown.csv")
    assert (dd[["strategy", "benchmark"]] >= 0).all().all()
    # Read with pyarrow too (the dev venv has it): our fastparquet files are plain parquet.
    pq = pytest.importorskip("pyarrow.parquet")
    trades = pq.read_table(repo / "reports/backtest/trades.parquet").to_pandas()
    assert len(trades) == metrics["metrics"]["trade_count"] > 0
    assert set(trades["side"]) <= {"BUY", "SELL"}


def test_rerun_is_byte_identical_but_for_the_clock(repo: Path) -> None:
    before = (repo / "reports/backtest/trades.parquet").read_bytes()
    assert stage.main(repo, ASOF.isoformat()) == 0
    assert (repo / "reports/backtest/trades.parquet").read_bytes() == before


def test_invalid_params_name_the_key(tmp_path: Path, bars: pd.DataFrame) -> None:
    _write_repo(tmp_path, bars.head(100), strategy={"max_positions": 0})
    with pytest.raises(ParamsError, match=r"strategy\.max_positions"):
        stage.main(tmp_path, ASOF.isoformat())


def test_missing_benchmark_is_an_error_not_a_disabled_filter(
    tmp_path: Path, bars: pd.DataFrame
) -> None:
    _write_repo(tmp_path, bars[bars["ticker"] != "069500"].reset_index(drop=True))
    with pytest.raises(DataError, match="069500: benchmark series is missing"):
        stage.main(tmp_path, ASOF.isoformat())
    assert not (tmp_path / "state/strategy_bundle.json").exists()


def test_asof_after_the_last_bar_is_an_error(tmp_path: Path, bars: pd.DataFrame) -> None:
    _write_repo(tmp_path, bars)
    with pytest.raises(DataError, match="prices end on 2020-12-30, before asof 2021-01-04"):
        stage.main(tmp_path, "2021-01-04")


def test_cli_exit_code_and_message_for_invalid_params(
    tmp_path: Path, bars: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    _write_repo(tmp_path, bars.head(100), strategy={"ma_short": 200})
    assert main(["-C", str(tmp_path), "stage", "backtest", "--asof", ASOF.isoformat()]) == 1
    err = capsys.readouterr().err
    assert "params.yaml: strategy" in err and "ma_short must be < ma_long" in err


def test_bad_asof_is_an_operator_error(repo: Path) -> None:
    with pytest.raises(OperatorError, match="not YYYY-MM-DD"):
        stage.main(repo, "2020/12/30")
