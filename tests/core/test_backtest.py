"""The core backtest: matrix pivot, signal days, validity window, whole-run invariants."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pipeline.core import simulate as sim
from pipeline.core.backtest import backtest_bars, calendar_rebalance_days, valid_until
from pipeline.core.matrix import to_matrix
from pipeline.errors import DataError
from pipeline.krx_calendar import load_calendar
from pipeline.params import StrategyParams
from tests.conftest import ROOT
from tests.core.bt_factories import UNIVERSE, make_bars, make_params

FAST = {
    "ma_short": 5,
    "ma_long": 12,
    "adx_period": 5,
    "adx_threshold": 15.0,
    "regime_hold_days": 3,
    "momentum_period": 5,
    "rsi_period": 3,
    "max_positions": 3,
}


def test_to_matrix_pivots_and_leaves_missing_bars_nan() -> None:
    bars = pd.DataFrame(
        {
            "date": [dt.date(2024, 1, 2), dt.date(2024, 1, 2), dt.date(2024, 1, 3)],
            "ticker": ["000002", "000001", "000002"],
            "open": [10, 20, 11],
            "high": [12, 22, 13],
            "low": [9, 19, 10],
            "close": [11, 21, 12],
            "volume": [1, 1, 1],
        }
    )
    m = to_matrix(bars, ["000001", "000002", "000003"])
    assert m.dates.tolist() == [dt.date(2024, 1, 2), dt.date(2024, 1, 3)]
    np.testing.assert_array_equal(m.close, [[21, 11, np.nan], [np.nan, 12, np.nan]])
    np.testing.assert_array_equal(m.open[:, 1], [10, 11])


def test_calendar_rebalance_days() -> None:
    dates = np.array(["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"], "datetime64[D]")
    monthly = calendar_rebalance_days(dates, StrategyParams())
    assert monthly.tolist() == [True, False, True, False]
    every = StrategyParams.model_validate({"rebalance": {"mode": "every_n", "every_n_days": 3}})
    assert calendar_rebalance_days(dates, every).tolist() == [True, False, False, True]


def test_valid_until_is_the_next_scheduled_signal_day() -> None:
    cal = load_calendar(ROOT)
    monthly = StrategyParams()
    # 31 Dec 2020 is a KRX holiday: the first January session is 4 Jan.
    assert valid_until(dt.date(2020, 12, 30), 0, cal, monthly) == dt.date(2021, 1, 4)
    assert valid_until(dt.date(2021, 1, 4), 0, cal, monthly) == dt.date(2021, 2, 1)
    every = StrategyParams.model_validate({"rebalance": {"mode": "every_n", "every_n_days": 5}})
    asof = dt.date(2021, 1, 4)
    assert valid_until(asof, 10, cal, every) == cal.add(asof, 5)  # asof is a signal day
    assert valid_until(asof, 13, cal, every) == cal.add(asof, 2)


@pytest.fixture(scope="module")
def run_and_params():  # type: ignore[no-untyped-def]
    params = make_params(**FAST)
    bars = make_bars(400, seed=5)
    return backtest_bars(bars, params, bars["date"].max()), params


def test_whole_run_invariants(run_and_params) -> None:  # type: ignore[no-untyped-def]
    run, params = run_and_params
    s, r = run.strategy, run.sim
    # Every exposure change is a signal day; risk-off signals have no weights.
    change = np.flatnonzero(np.diff(s.exposure) != 0) + 1
    assert set(change) <= set(s.signal_days.tolist())
    expo = s.exposure[s.signal_days]
    assert (s.targets[expo == 0] == 0).all()
    assert (s.targets.sum(axis=1) <= expo + 1e-12).all()
    assert ((s.targets > 0).sum(axis=1) <= params.strategy.max_positions).all()
    # No position before the first warm day's signal can fill.
    assert (r.invested[: run.start + 1] == 0).all()
    assert (r.cash >= 0).all()
    # Every trade is a fill the day after a signal, or a stop loss.
    fills = r.trades[r.trades[:, sim.T_REASON] == sim.REASON_REBALANCE, sim.T_DAY]
    assert set((fills - 1).astype(int)) <= set(s.signal_days.tolist())


def test_both_regimes_and_chop_occur_in_the_fixture(run_and_params) -> None:  # type: ignore[no-untyped-def]
    run, _ = run_and_params
    states = {run.strategy.regime.state_at(t).value for t in range(run.matrix.dates.size)}
    assert {"WARMUP", "BULL", "BEAR", "CHOP"} <= states


def test_prices_must_reach_asof() -> None:
    bars = make_bars(50, seed=1)
    with pytest.raises(DataError, match="before asof"):
        backtest_bars(bars, make_params(), bars["date"].max() + dt.timedelta(days=3))


def test_benchmark_outside_the_universe_is_still_required() -> None:
    params = make_params(universe=[t for t in UNIVERSE if t != "069500"], **FAST)
    bars = make_bars(200, seed=2)
    run = backtest_bars(bars, params, bars["date"].max())
    assert not run.tradable[run.matrix.column("069500")]
    assert (run.strategy.targets[:, run.matrix.column("069500")] == 0).all()
    without = bars[bars["ticker"] != "069500"]
    with pytest.raises(DataError, match="069500: benchmark series is missing"):
        backtest_bars(without, params, bars["date"].max())


def test_integer_buy_is_cut_to_the_cash_left() -> None:
    o = np.full((2, 2), 1000.0)
    r = sim.simulate(
        o, o, np.array([0, -1]), np.array([[0.5, 0.5]]),
        tax_rate=np.zeros((2, 1)), type_idx=np.zeros(2, np.int64),
        commission=0.001, slippage=0.01, threshold=0.0, stop_loss=0.0,
        integer_shares=True, initial_cash=100_000.0,
    )  # fmt: skip
    # Each wants 50 shares at 1010 (+0.1%): the first costs 50,550.5; 49,449.5 buys 48 more.
    assert r.trades[:, sim.T_QTY].tolist() == [50.0, 48.0]
    assert 0 <= r.cash[1] < 1010 * 1.001
