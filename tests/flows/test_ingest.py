"""The ingest stage: sample determinism, incremental updates, and refusal of bad data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import DataError
from pipeline.flows import clock, ingest
from pipeline.io.prices import read_prices
from pipeline.krx_calendar import load_calendar
from pipeline.params import load_params
from pipeline.sources.sample import generate
from tests.conftest import ROOT
from tests.support.factories import small_root, write_csv_dir

D = dt.date


def run_ingest(root: Path, asof: str) -> None:
    clock.main(root, asof)
    ingest.main(root, None)


def snapshot(root: Path) -> dict[str, str]:
    """Hash of every file under data/ (to prove nothing changed)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "data").rglob("*"))
        if p.is_file() and p.name != "asof.json"
    }


def test_sample_is_deterministic_realistic_and_prefix_stable() -> None:
    params = load_params(ROOT).data
    cal = load_calendar(ROOT)
    full = generate(params, params.universe, params.start, D(2026, 11, 20), cal)
    again = generate(params, params.universe, params.start, D(2026, 11, 20), cal)
    shorter = generate(params, params.universe, params.start, D(2025, 6, 30), cal)
    pd.testing.assert_frame_equal(full, again)
    head = full[[d <= D(2025, 6, 30) for d in full["date"]]].reset_index(drop=True)
    pd.testing.assert_frame_equal(head, shorter.reset_index(drop=True))
    days = sorted(set(full["date"]))
    assert days == cal.between(D(2009, 1, 2), D(2026, 11, 20))
    assert (days[-1] - days[0]).days / 365.25 >= 15
    assert set(full["ticker"]) == {i.ticker for i in params.universe}
    # Realistic: daily moves of the market ETF mostly within a few percent, never absurd.
    kodex = full[full["ticker"] == "069500"]["close"].astype(float)
    moves = kodex.pct_change().dropna().abs()
    assert moves.max() < 0.15 and 0.003 < moves.mean() < 0.03
    inverse = full[full["ticker"] == "114800"]["close"].astype(float).pct_change().dropna()
    assert (
        inverse.corr(kodex.pct_change().dropna().reset_index(drop=True).set_axis(inverse.index))
        < -0.5
    )


def test_sample_has_bull_bear_and_sideways_stretches() -> None:
    """Yearly returns of the market ETF include clear ups, clear downs and flat years."""
    params = load_params(ROOT).data
    bars = generate(params, params.universe[:1], params.start, D(2026, 11, 20), load_calendar(ROOT))
    close = bars.set_index(pd.to_datetime(bars["date"]))["close"].astype(float)
    half_years = close.resample("6MS").last().pct_change().dropna()
    assert (
        (half_years > 0.10).any() and (half_years < -0.10).any() and (half_years.abs() < 0.03).any()
    )


def test_incremental_ingest_adds_only_new_bars(tmp_path: Path) -> None:
    root = small_root(tmp_path)
    run_ingest(root, "2025-03-28")
    first = snapshot(root)
    before = read_prices(root)
    run_ingest(root, "2025-04-01")  # next trading days: 03-31 and 04-01
    after = read_prices(root)
    assert len(after) == len(before) + 2 * 3
    pd.testing.assert_frame_equal(after.iloc[: len(before)], before)
    changed = {k for k, v in snapshot(root).items() if first.get(k) != v}
    assert changed == {
        "data/prices/2025/2025-03.parquet",
        "data/prices/2025/2025-04.parquet",
        "data/prices/_meta.json",
    }
    meta = json.loads((root / "data/prices/_meta.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and "SYNTHETIC" in meta["source_note"]
    assert meta["last_date"] == "2025-04-01"


def test_rerun_on_the_same_day_changes_nothing(tmp_path: Path) -> None:
    root = small_root(tmp_path)
    run_ingest(root, "2025-02-28")
    first = snapshot(root)
    run_ingest(root, "2025-02-28")
    assert snapshot(root) == first


# --- bad data through the csv source: each refused with ticker + date, store unchanged ------


def _good_csv_bars(root: Path, end: str) -> pd.DataFrame:
    params = load_params(root).data
    return generate(
        params, params.universe, params.start, D.fromisoformat(end), load_calendar(root)
    )


def _corrupt(kind: str, bars: pd.DataFrame) -> pd.DataFrame:
    bars = bars.copy()
    last = bars["date"].max()
    i = bars.index[(bars["ticker"] == "114800") & (bars["date"] == last)][0]
    if kind == "duplicate":
        return pd.concat([bars, bars.loc[[i]]], ignore_index=True)
    if kind == "non_trading_day":
        row = bars.loc[[i]].copy()
        row["date"] = D(2025, 3, 3)  # substitute holiday for Independence Movement Day
        return pd.concat([bars, row], ignore_index=True)
    if kind in ("zero", "negative"):
        bars.loc[i, "low"] = 0 if kind == "zero" else -5
        return bars
    if kind == "nan":
        bars["close"] = bars["close"].astype("float64")
        bars.loc[i, "close"] = float("nan")
        return bars
    if kind == "high_low":
        bars.loc[i, ["high", "low"]] = [bars.loc[i, "low"] - 5, bars.loc[i, "high"]]
        return bars
    if kind == "missing_ticker":
        return bars[bars["ticker"] != "114800"]
    if kind == "gap":
        prev = sorted(set(bars["date"]))[-2]
        return bars.drop(bars.index[(bars["ticker"] == "114800") & (bars["date"] == prev)])
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("duplicate", "114800 2025-03-07: duplicate date"),
        ("non_trading_day", "114800 2025-03-03: bar on a non-trading day"),
        ("zero", "114800 2025-03-07: NaN, zero or negative price"),
        ("negative", "114800 2025-03-07: NaN, zero or negative price"),
        ("nan", "114800 2025-03-07: 114800.csv close is missing or not a whole number"),
        ("high_low", "114800 2025-03-07: high < low"),
        ("missing_ticker", "114800 2025-02-27: missing ticker, no bars from 2025-02-27"),
        ("gap", "114800 2025-03-06: gap, missing trading days 2025-03-06"),
    ],
)
def test_bad_data_is_refused_and_the_store_is_unchanged(
    tmp_path: Path, kind: str, message: str
) -> None:
    root = small_root(tmp_path, source="csv", csv_dir="csv_in")
    write_csv_dir(root / "csv_in", _good_csv_bars(root, "2025-02-26"))
    run_ingest(root, "2025-02-26")
    before = snapshot(root)
    write_csv_dir(root / "csv_in", _corrupt(kind, _good_csv_bars(root, "2025-03-07")))
    clock.main(root, "2025-03-07")
    with pytest.raises(DataError) as err:
        ingest.main(root, None)
    assert message in str(err.value)
    assert snapshot(root) == before


def test_source_stopping_early_is_refused(tmp_path: Path) -> None:
    root = small_root(tmp_path, source="csv", csv_dir="csv_in")
    write_csv_dir(root / "csv_in", _good_csv_bars(root, "2025-02-27"))
    clock.main(root, "2025-02-28")
    with pytest.raises(DataError, match="069500 2025-02-28: no bars after 2025-02-27"):
        ingest.main(root, None)
    assert not (root / "data/prices").exists()
