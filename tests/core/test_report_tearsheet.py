"""Tearsheet figures as scenario tables: a few equity points or fills -> expected figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from pipeline.core import metrics
from pipeline.core import tearsheet as ts
from pipeline.core.svg import YAxis, nice_ticks, time_ticks

D = dt.date
DAYS = [D(2026, 1, 1) + dt.timedelta(days=i) for i in range(12)]


def dd(*equity: float, top: int = 5) -> list[tuple[int, int, int | None, float, int]]:
    """Drawdown periods as (start, trough, recovery) day indices, depth and length."""
    out = []
    for p in ts.drawdown_periods(DAYS[: len(equity)], list(equity), top):
        rec = DAYS.index(p.recovery) if p.recovery else None
        out.append((DAYS.index(p.start), DAYS.index(p.trough), rec, round(p.depth, 4), p.days))
    return out


@pytest.mark.parametrize(
    ("equity", "expected"),
    [
        ((100, 101, 102), []),  # only new highs
        ((100, 90, 100), [(0, 1, 2, 0.1, 2)]),  # back exactly at the peak is a recovery
        ((100, 80, 90, 110), [(0, 1, 3, 0.2, 3)]),
        ((100, 110, 99, 88, 95), [(1, 3, None, 0.2, 3)]),  # not recovered: to the last close
        (  # two spells: the deeper first, then the earlier
            (100, 95, 101, 70, 80, 102, 101),
            [(2, 3, 5, 0.3069, 3), (0, 1, 2, 0.05, 2), (5, 6, None, 0.0098, 1)],
        ),
        ((100, 100, 90, 100), [(1, 2, 3, 0.1, 2)]),  # start: the last close at the peak
    ],
)
def test_drawdown_periods(equity: tuple[float, ...], expected: list[tuple[object, ...]]) -> None:
    assert dd(*equity) == expected


def test_deepest_period_agrees_with_the_metrics_definition() -> None:
    rng = np.random.default_rng(3)
    eq = 1e6 * np.cumprod(1 + rng.normal(0.0003, 0.012, 900))
    dates = [D(2020, 1, 1) + dt.timedelta(days=i) for i in range(eq.size)]
    worst = ts.drawdown_periods(dates, eq.tolist(), 1)[0]
    mdd, days = metrics.max_drawdown(eq)
    assert worst.depth == pytest.approx(mdd) and worst.days == days
    assert (
        ts.drawdown_periods(dates, eq.tolist(), 3)
        == sorted(ts.drawdown_periods(dates, eq.tolist(), 50), key=lambda p: -p.depth)[:3]
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], (0, None, None, None, None, None, 0, 0)),
        ([100, -50, 200, 0, -50], (5, 0.4, 150.0, -50.0, 3.0, 40.0, 1, 1)),
        ([10, 20, 30], (3, 1.0, 20.0, None, None, 20.0, 3, 0)),  # no loss: no profit factor
        ([-1, -2, 5, -3, -4, -5], (6, 1 / 6, 5.0, -3.0, 5 / 15, -10 / 6, 1, 3)),
    ],
)
def test_outcome_stats(values: list[float], expected: tuple[object, ...]) -> None:
    s = ts.outcome_stats(values)
    got = (
        s.count,
        s.win_rate,
        s.avg_win,
        s.avg_loss,
        s.profit_factor,
        s.expectancy,
        s.max_win_streak,
        s.max_loss_streak,
    )
    assert got == pytest.approx(expected)


def fill(
    day: int, ticker: str, side: str, shares: int, pnl: int | None = None, **kw: str
) -> ts.Fill:
    return ts.Fill(
        DAYS[day], ticker, side, shares, 1000.0, shares * 1000, kw.get("reason", "REBALANCE"), pnl
    )


FILLS = [
    fill(0, "A", "BUY", 10),
    fill(0, "B", "BUY", 5),
    fill(2, "A", "SELL", 4, 300),  # a reduction: a sell, not yet a round trip
    fill(3, "A", "SELL", 6, -100),  # A flat: round trip 0 -> 3 (3 sessions), P&L 200
    fill(3, "B", "SELL", 5, -400, reason="STOP_LOSS"),  # B flat: 0 -> 3
    fill(5, "A", "BUY", 2),
    fill(9, "A", "SELL", 2, 50),  # second trip 5 -> 9
    fill(10, "C", "BUY", 7),  # still open
]


def test_round_trips_and_holding_period() -> None:
    trips = ts.round_trips(FILLS, DAYS)
    assert [(t.ticker, t.opened.day, t.closed.day, t.sessions, t.pnl) for t in trips] == [
        ("A", 1, 4, 3, 200),
        ("B", 1, 4, 3, -400),
        ("A", 6, 10, 4, 50),
    ]
    st = ts.trade_stats(FILLS, DAYS)
    assert st.round_trips == 3 and st.avg_holding_sessions == pytest.approx(10 / 3)
    assert (st.sells.count, st.sells.wins, st.sells.losses) == (4, 2, 2)
    assert st.sells.profit_factor == pytest.approx(350 / 500)
    assert (st.sells.max_win_streak, st.sells.max_loss_streak) == (1, 2)  # by date, sells first


def test_exit_reasons_and_contributions() -> None:
    reasons = ts.exit_reasons(FILLS)
    assert [(r.reason, r.count, r.win_rate, r.total_pnl) for r in reasons] == [
        ("REBALANCE", 3, pytest.approx(2 / 3), 250),
        ("STOP_LOSS", 1, 0.0, -400),
    ]
    held = [ts.Holding("C", 7, 1000.0, 7700), ts.Holding("A", 0, 0.0, 0)]
    got = [(c.ticker, c.realized, c.unrealized, c.total) for c in ts.contributions(FILLS, held)]
    assert got == [("C", 0, 700, 700), ("A", 250, 0, 250), ("B", -400, 0, -400)]


def test_rolling_ratios_use_the_metrics_definitions() -> None:
    rng = np.random.default_rng(11)
    eq = 1e6 * np.cumprod(1 + rng.normal(0.0004, 0.01, 300))
    dates = [D(2020, 1, 1) + dt.timedelta(days=i) for i in range(eq.size)]
    roll = ts.rolling_ratios(dates, eq.tolist(), 60, 0.03)
    assert len(roll.dates) == eq.size - 60 and roll.dates[-1] == dates[-1]
    perf = metrics.performance(
        np.array(dates[-61:], dtype="datetime64[D]"), eq[-61:], 0.03, min_obs=60
    )
    assert roll.sharpe[-1] == pytest.approx(perf.sharpe)
    assert roll.volatility[-1] == pytest.approx(perf.volatility)


def test_rolling_sharpe_is_null_on_windows_mostly_in_cash() -> None:
    r = [0.0] * 40 + list(np.random.default_rng(1).normal(0, 0.01, 40))
    eq = 1e6 * np.cumprod(np.concatenate(([1.0], 1 + np.asarray(r))))
    dates = [D(2020, 1, 1) + dt.timedelta(days=i) for i in range(eq.size)]
    roll = ts.rolling_ratios(dates, eq.tolist(), 40, 0.03, min_active=0.5)
    assert roll.sharpe[0] is None and roll.sharpe[-1] is not None  # all cash, then all invested
    assert ts.rolling_ratios(dates, eq.tolist(), 40, 0.03).sharpe[0] is None  # no spread at all


def test_monthly_returns_compound_to_the_year() -> None:
    dates = [D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 3)]
    eq = [100.0, 110.0, 99.0, 108.9, 98.01]
    m = ts.monthly_returns(dates, eq)
    assert m[2025] == {12: pytest.approx(0.1)}
    assert m[2026] == {1: pytest.approx(-0.1), 2: pytest.approx(0.1), 3: pytest.approx(-0.1)}
    assert ts.compound(list(m[2026].values())) == pytest.approx(98.01 / 110 - 1)


@pytest.mark.parametrize(
    ("lo", "hi", "ticks"),
    [
        (6_748_198, 17_200_000, [5e6, 10e6, 15e6, 20e6]),  # not 6,748,198
        (-0.577, 0.0, [-0.6, -0.4, -0.2, 0.0]),
        (-7.2, 4.1, [-10.0, -5.0, 0.0, 5.0]),
        (0.0, 0.0, [0.0, 0.25]),  # a flat line still gets an axis
    ],
)
def test_nice_ticks_are_round(lo: float, hi: float, ticks: list[float]) -> None:
    assert nice_ticks(lo, hi) == pytest.approx(ticks)


def test_axis_labels_carry_units_and_enough_decimals() -> None:
    assert YAxis("백만원", "millions").label(6_500_000, 500_000) == "6.5"
    assert YAxis("%", "percent").label(-0.075, 0.025) == "-7.5%"
    assert YAxis("Sharpe").label(2.5, 2.5) == "2.5"


def test_time_ticks_fit_the_width() -> None:
    years = time_ticks(D(2009, 6, 1), D(2026, 11, 20), 340)
    assert len(years) <= 340 // 44 and all(label.isdigit() for _, label in years)
    months = time_ticks(D(2026, 1, 5), D(2026, 11, 20), 800)
    assert [label for _, label in months][:3] == ["2026.2", "3월", "4월"]
    crossing = time_ticks(D(2025, 10, 1), D(2026, 3, 1), 800)
    assert [label for _, label in crossing] == ["2025.10", "11월", "12월", "2026", "2월", "3월"]
