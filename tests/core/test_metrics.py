"""Metrics exactly as written in DESIGN §4 / pipeline.core.metrics, on hand-computed curves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.core import simulate as sim
from pipeline.core.metrics import compute_metrics, max_drawdown, per_year, performance

D = np.array(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04"], dtype="datetime64[D]")
EQ = np.array([100.0, 110.0, 99.0, 121.0])  # returns +10%, -10%, +2/9


def test_performance_hand_computed() -> None:
    p = performance(D, EQ, risk_free_rate=0.0, min_obs=3)
    assert p.observations == 3
    assert p.total_return == pytest.approx(0.21)
    assert p.cagr == pytest.approx(1.21 ** (365.25 / 3) - 1)
    mean = (0.1 - 0.1 + 2 / 9) / 3  # = 2/27
    var = ((0.1 - mean) ** 2 + (-0.1 - mean) ** 2 + (2 / 9 - mean) ** 2) / 2
    assert p.volatility == pytest.approx(math.sqrt(var) * math.sqrt(252))
    assert p.sharpe == pytest.approx(mean / math.sqrt(var) * math.sqrt(252))
    assert p.sortino == pytest.approx(mean / math.sqrt(0.01 / 3) * math.sqrt(252))
    assert p.max_drawdown == pytest.approx(0.1)  # 110 -> 99
    assert p.max_drawdown_days == 2  # peak day 1, back above 110 on day 3
    assert p.calmar == pytest.approx(p.cagr / 0.1)


def test_risk_free_is_compounded_daily() -> None:
    p0 = performance(D, EQ, risk_free_rate=0.0, min_obs=3)
    p1 = performance(D, EQ, risk_free_rate=0.05, min_obs=3)
    rf_d = 1.05 ** (1 / 252) - 1
    assert p1.sharpe == pytest.approx(
        (2 / 27 - rf_d) / (p0.volatility / math.sqrt(252)) * math.sqrt(252)
    )


def test_ratios_are_null_on_too_few_observations() -> None:
    p = performance(D, EQ, risk_free_rate=0.03, min_obs=60)
    assert (p.cagr, p.volatility, p.sharpe, p.sortino, p.calmar) == (None,) * 5
    assert p.total_return == pytest.approx(0.21) and p.max_drawdown == pytest.approx(0.1)


def test_flat_curve_has_null_ratios_not_infinities() -> None:
    p = performance(D, np.full(4, 100.0), risk_free_rate=0.0, min_obs=3)
    assert p.sharpe is None and p.sortino is None and p.calmar is None
    assert p.max_drawdown == 0.0 and p.max_drawdown_days == 0 and p.volatility == 0.0


def test_unrecovered_drawdown_lasts_to_the_end() -> None:
    assert max_drawdown(np.array([100.0, 120.0, 90.0, 100.0])) == (pytest.approx(0.25), 2)


def test_per_year_starts_from_previous_year_end() -> None:
    d = np.array(["2020-12-30", "2020-12-31", "2021-01-04", "2021-01-05"], dtype="datetime64[D]")
    eq = np.array([100.0, 105.0, 84.0, 126.0])
    bench = np.array([10.0, 11.0, 11.0, 12.1])
    years = per_year(d, eq, bench)
    assert [y.year for y in years] == [2020, 2021]
    assert years[0].total_return == pytest.approx(0.05)
    assert years[1].total_return == pytest.approx(0.2)
    assert years[1].max_drawdown == pytest.approx(0.2)  # 105 -> 84
    assert years[1].benchmark_return == pytest.approx(0.1)


def test_trade_figures_costs_turnover_and_benchmark() -> None:
    trades = np.zeros((3, 10))
    # buy 10 @ 5, sell 10 @ 6 (+), sell 5 @ 4 (-) ; columns per pipeline.core.simulate
    trades[:, sim.T_SIDE] = [1, -1, -1]
    trades[:, sim.T_QTY] = [10, 10, 5]
    trades[:, sim.T_PRICE] = [5, 6, 4]
    trades[:, sim.T_COMM] = [1.4, 2.6, 0.2]
    trades[:, sim.T_SLIP] = [0.5, 0.5, 0.5]
    trades[:, sim.T_TAX] = [0, 0.3, 0.1]
    trades[:, sim.T_REASON] = [0, 0, sim.REASON_STOP]
    trades[:, sim.T_PNL] = [np.nan, 5.0, -1.0]
    m = compute_metrics(
        D,
        EQ,
        np.array([0.0, 55.0, 0.0, 60.5]),
        np.array([50.0, 50.0, 40.0, 60.0]),
        trades,
        benchmark_ticker="069500",
        risk_free_rate=0.0,
        min_obs=3,
    )
    assert (m.trade_count, m.sell_count, m.stop_loss_count) == (3, 2, 1)
    assert m.win_rate == 0.5
    assert (m.costs.commission, m.costs.slippage, m.costs.sell_tax, m.costs.total) == (4, 2, 0, 6)
    assert m.exposure == pytest.approx((0.5 + 0 + 0.5) / 3)
    years = 3 / 365.25
    assert m.turnover == pytest.approx((50 + 60 + 20) / 2 / EQ.mean() / years)
    assert m.benchmark.total_return == pytest.approx(0.2)
    assert m.excess_return == pytest.approx(0.01)
    assert m.final_equity == 121
