"""The strategy bundle built from a run: semantics of the handoff and per-ticker reasons."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.envelope import Producer
from pipeline.canonical import canonical_bytes
from pipeline.core import handoff
from pipeline.core.backtest import BacktestRun, backtest_bars
from pipeline.enums import PriceSource
from pipeline.io.validate import validate_document
from pipeline.krx_calendar import load_calendar
from pipeline.params import Params
from tests.conftest import ROOT
from tests.core.bt_factories import UNIVERSE, make_bars, make_params
from tests.core.test_backtest import FAST

BARS = make_bars(400, seed=5)
CAL = load_calendar(ROOT)


def bundle_at(asof: dt.date, params: Params, bars: pd.DataFrame = BARS) -> StrategyBundleV1:
    run = backtest_bars(bars, params, asof)
    return _bundle(run, params, asof)


def _bundle(run: BacktestRun, params: Params, asof: dt.date) -> StrategyBundleV1:
    env = handoff.envelope(
        asof,
        dt.datetime(2026, 1, 1, 16, tzinfo=dt.UTC),
        Producer(stage="backtest", host="PC", code_sha=None),
        "a" * 64,
        [],
    )
    doc = handoff.bundle_artifact(run, params, CAL, env, PriceSource.SAMPLE, True)
    data = json.loads(canonical_bytes(doc.model_dump(mode="json", by_alias=True)))
    assert validate_document(data, "state/strategy_bundle.json") == []
    return doc


@pytest.fixture(scope="module")
def full() -> tuple[BacktestRun, Params]:
    params = make_params(**FAST)
    return backtest_bars(BARS, params, BARS["date"].max()), params


def _day(run: BacktestRun, t: int) -> dt.date:
    out: dt.date = run.matrix.dates[t].astype(object)
    return out


def test_no_look_ahead_truncated_history_decides_the_same(full) -> None:  # type: ignore[no-untyped-def]
    run, params = full
    k = 250
    short = backtest_bars(BARS, params, _day(run, k))
    np.testing.assert_array_equal(
        short.strategy.regime.day_state, run.strategy.regime.day_state[: k + 1]
    )
    sig = run.strategy.signal_days
    np.testing.assert_array_equal(short.strategy.signal_days, sig[sig <= k])
    np.testing.assert_array_equal(short.strategy.targets, run.strategy.targets[: (sig <= k).sum()])
    np.testing.assert_array_equal(short.sim.equity, run.sim.equity[: k + 1])


def test_signal_day_bundle_trades_to_a_fresh_selection(full) -> None:  # type: ignore[no-untyped-def]
    run, params = full
    s = run.strategy
    t = int(next(d for d in s.signal_days if s.exposure[d] == 1.0 and d > 100))
    doc = bundle_at(_day(run, t), params)
    assert doc.rebalance_due and doc.last_rebalance == _day(run, t) and doc.exposure == 1.0
    want = {
        run.matrix.tickers[j]: w
        for j, w in enumerate(s.targets[list(s.signal_days).index(t)])
        if w > 0
    }
    assert {tw.ticker: tw.weight for tw in doc.target_weights} == want
    by_reason = {sig.ticker: sig.reason.value for sig in doc.signals}
    for sig in doc.signals:
        if sig.weight > 0:
            assert sig.reason.value == "SELECTED" and sig.rank is not None and sig.rank <= 3
        elif sig.rank is not None and sig.rank > 3:
            assert sig.reason.value == "NOT_TOP_N"
        elif sig.rank is not None:
            assert sig.reason.value == "RSI_OVERBOUGHT" and sig.rsi is not None and sig.rsi >= 80
    assert set(by_reason) == set(UNIVERSE)
    assert doc.valid_from == CAL.add(doc.asof, 1) and doc.valid_until >= doc.valid_from


def test_between_signals_the_bundle_holds_the_last_targets(full) -> None:  # type: ignore[no-untyped-def]
    run, params = full
    s = run.strategy
    held = [t for t in range(150, 399) if t not in set(s.signal_days) and s.exposure[t] == 1.0]
    t = held[0]
    doc = bundle_at(_day(run, t), params)
    last = int(s.signal_days[s.signal_days < t][-1])
    assert not doc.rebalance_due and doc.last_rebalance == _day(run, last)
    assert {sig.reason.value for sig in doc.signals} <= {"HELD_BETWEEN_REBALANCES", "NO_DATA"}
    row = s.targets[list(s.signal_days).index(last)]
    assert [tw.weight for tw in doc.target_weights] == [
        row[run.matrix.column(tw.ticker)] for tw in doc.target_weights
    ]


def test_risk_off_bundle_has_no_weights(full) -> None:  # type: ignore[no-untyped-def]
    run, params = full
    s = run.strategy
    t = int(next(d for d in range(100, 399) if s.exposure[d] == 0.0))
    doc = bundle_at(_day(run, t), params)
    assert doc.day_state.value in ("BEAR", "CHOP") and doc.exposure == 0.0
    assert doc.target_weights == () and doc.cash_weight == 1.0
    assert {sig.reason.value for sig in doc.signals} <= {"RISK_OFF", "NO_DATA"}


def test_warmup_bundle_is_valid_and_empty() -> None:
    params = make_params()
    bars = make_bars(40, seed=3)  # fewer bars than momentum_period: nothing is eligible
    doc = bundle_at(bars["date"].max(), params, bars)
    assert (doc.day_state.value, doc.regime.value, doc.regime_reason.value) == (
        "WARMUP",
        "WARMUP",
        "WARMUP_HISTORY",
    )
    assert doc.target_weights == () and "too little history" in doc.regime_detail
    assert {sig.reason.value for sig in doc.signals} == {"NO_DATA"}


def test_benchmark_outside_the_universe_is_listed_as_benchmark_only() -> None:
    params = make_params(universe=[t for t in UNIVERSE if t != "069500"], **FAST)
    doc = bundle_at(BARS["date"].max(), params)
    bench = next(s for s in doc.signals if s.ticker == "069500")
    assert bench.reason.value == "BENCHMARK_ONLY" and bench.weight == 0.0
