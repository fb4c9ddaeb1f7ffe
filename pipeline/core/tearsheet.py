"""Tearsheet figures for the human report: drawdown periods, rolling ratios, monthly returns,
trade statistics, exit reasons and per-ticker contribution.

Pure: every input is an argument. The metric definitions are those of
:mod:`pipeline.core.metrics` (DESIGN §4): drawdown is ``1 - E_t / running peak``, a drawdown
period runs from the last close at the peak to the first close back at it, its length counts
trading days; Sharpe is :func:`pipeline.core.metrics.sharpe_of_excess` with the daily risk-free
rate of :func:`pipeline.core.metrics.excess_returns`; volatility is ``std(r, ddof=1) *
sqrt(252)``. A trade outcome is one sell's realized P&L (as ``Metrics.win_rate`` counts it).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.core import metrics

BUY, SELL = "BUY", "SELL"


@dataclass(frozen=True)
class DrawdownPeriod:
    """One spell under water: peak close -> deepest close -> first close back at the peak."""

    start: dt.date  # last close at the peak
    trough: dt.date
    recovery: dt.date | None  # None: not recovered by the last close
    depth: float  # positive fraction, 1 - trough / peak
    days: int  # trading days from start to recovery (or to the last close)


def drawdown_periods(
    dates: Sequence[dt.date], equity: Sequence[float], top: int = 5
) -> list[DrawdownPeriod]:
    """The ``top`` deepest drawdown periods, deepest first (ties: earliest first)."""
    e = np.asarray(equity, dtype=np.float64)
    if e.size < 2:
        return []
    peak = np.maximum.accumulate(e)
    under = e < peak
    out: list[DrawdownPeriod] = []
    i, n = 1, e.size
    while i < n:
        if not under[i]:
            i += 1
            continue
        j = i
        while j < n and under[j]:
            j += 1
        trough = i + int(np.argmax(1.0 - e[i:j] / peak[i:j]))
        out.append(
            DrawdownPeriod(
                start=dates[i - 1],
                trough=dates[trough],
                recovery=dates[j] if j < n else None,
                depth=float(1.0 - e[trough] / peak[trough]),
                days=(j if j < n else n - 1) - (i - 1),
            )
        )
        i = j
    out.sort(key=lambda p: (-p.depth, p.start))
    return out[:top]


@dataclass(frozen=True)
class Rolling:
    """Rolling annualised ratios; ``dates[k]`` is the last close of window ``k``."""

    dates: list[dt.date]
    sharpe: list[float | None]  # None where the window's excess returns do not vary
    volatility: list[float]


def rolling_ratios(
    dates: Sequence[dt.date],
    equity: Sequence[float],
    window: int,
    risk_free_rate: float,
    min_active: float = 0.0,
) -> Rolling:
    """Sharpe and volatility over each trailing ``window`` of daily returns (DESIGN §4).

    Sharpe is None for a window whose share of days with a non-zero return (invested days)
    is below ``min_active``."""
    r = metrics.daily_returns(np.asarray(equity, dtype=np.float64))
    ex = metrics.excess_returns(r, risk_free_rate)
    ann = math.sqrt(metrics.DAYS_PER_YEAR)
    out = Rolling([], [], [])
    for k in range(window, r.size + 1):
        out.dates.append(dates[k])
        active = float(np.mean(r[k - window : k] != 0.0))
        sharpe = metrics.sharpe_of_excess(ex[k - window : k]) if active >= min_active else None
        out.sharpe.append(sharpe)
        out.volatility.append(float(np.std(r[k - window : k], ddof=1)) * ann)
    return out


def monthly_returns(
    dates: Sequence[dt.date], values: Sequence[float]
) -> dict[int, dict[int, float]]:
    """Return per (year, month) from month-end closes (the first month: from the first close)."""
    ends: dict[tuple[int, int], float] = {}
    for d, v in zip(dates, values, strict=True):
        ends[(d.year, d.month)] = v
    out: dict[int, dict[int, float]] = {}
    prev = values[0] if len(values) else None
    for (y, m), v in sorted(ends.items()):
        if prev:
            out.setdefault(y, {})[m] = v / prev - 1
        prev = v
    return out


def compound(returns: Sequence[float]) -> float:
    """``prod(1 + r) - 1``: e.g. a year's return from its monthly returns."""
    return float(np.prod([1.0 + r for r in returns])) - 1.0


@dataclass(frozen=True)
class Fill:
    """One backtest fill (a row of the trades artifact)."""

    date: dt.date
    ticker: str
    side: str  # BUY | SELL
    shares: int
    price: float  # KRW per share incl. modelled slippage
    notional: int  # KRW
    reason: str  # REBALANCE | STOP_LOSS
    pnl: int | None  # realized KRW on sells, None on buys


@dataclass(frozen=True)
class OutcomeStats:
    """Statistics of a sequence of outcomes (sell P&L in KRW, or daily returns)."""

    count: int
    wins: int
    losses: int
    win_rate: float | None  # wins / count (a zero is not a win), as Metrics.win_rate
    avg_win: float | None
    avg_loss: float | None  # negative
    profit_factor: float | None  # sum of wins / |sum of losses|; None without losses
    expectancy: float | None  # mean outcome
    max_win_streak: int
    max_loss_streak: int


def _streak(flags: Sequence[bool]) -> int:
    best = run = 0
    for f in flags:
        run = run + 1 if f else 0
        best = max(best, run)
    return best


def outcome_stats(values: Sequence[float]) -> OutcomeStats:
    """Win rate, average win and loss, profit factor, expectancy and streaks of ``values``."""
    v = [float(x) for x in values]
    wins, losses = [x for x in v if x > 0], [x for x in v if x < 0]
    loss_sum = -sum(losses)
    return OutcomeStats(
        count=len(v),
        wins=len(wins),
        losses=len(losses),
        win_rate=len(wins) / len(v) if v else None,
        avg_win=sum(wins) / len(wins) if wins else None,
        avg_loss=sum(losses) / len(losses) if losses else None,
        profit_factor=sum(wins) / loss_sum if loss_sum > 0 else None,
        expectancy=sum(v) / len(v) if v else None,
        max_win_streak=_streak([x > 0 for x in v]),
        max_loss_streak=_streak([x < 0 for x in v]),
    )


@dataclass(frozen=True)
class RoundTrip:
    """A position from the buy that opened it (flat before) to the sell that closed it."""

    ticker: str
    opened: dt.date
    closed: dt.date
    sessions: int  # trading days held (open fill to close fill)
    pnl: int  # realized KRW of its sells


def _ordered(fills: Sequence[Fill]) -> list[Fill]:
    # Sells go first within a session (they fund the buys), as in the simulator.
    return sorted(fills, key=lambda f: (f.date, f.side != SELL, f.ticker))


def round_trips(fills: Sequence[Fill], sessions: Sequence[dt.date]) -> list[RoundTrip]:
    """Closed positions in close order; ``sessions`` are the trading days (sorted)."""
    held: dict[str, tuple[int, dt.date, int]] = {}  # ticker -> (shares, opened, pnl so far)
    out: list[RoundTrip] = []
    for f in _ordered(fills):
        shares, opened, pnl = held.get(f.ticker, (0, f.date, 0))
        if f.side == BUY:
            held[f.ticker] = (shares + f.shares, opened if shares else f.date, pnl)
            continue
        shares, pnl = shares - f.shares, pnl + (f.pnl or 0)
        if shares > 0:
            held[f.ticker] = (shares, opened, pnl)
            continue
        held.pop(f.ticker, None)
        days = bisect.bisect_left(sessions, f.date) - bisect.bisect_left(sessions, opened)
        out.append(RoundTrip(f.ticker, opened, f.date, days, pnl))
    return out


@dataclass(frozen=True)
class TradeStats:
    sells: OutcomeStats  # per sell's realized P&L (KRW)
    round_trips: int
    avg_holding_sessions: float | None


def trade_stats(fills: Sequence[Fill], sessions: Sequence[dt.date]) -> TradeStats:
    """Outcome statistics per sell and the average holding period per round trip."""
    sells = [f for f in _ordered(fills) if f.side == SELL]
    trips = round_trips(fills, sessions)
    hold = sum(t.sessions for t in trips) / len(trips) if trips else None
    return TradeStats(outcome_stats([f.pnl or 0 for f in sells]), len(trips), hold)


@dataclass(frozen=True)
class ExitReason:
    reason: str
    count: int
    win_rate: float | None
    total_pnl: int
    avg_pnl: float | None


def exit_reasons(fills: Sequence[Fill]) -> list[ExitReason]:
    """Sells grouped by reason (most frequent first)."""
    groups: dict[str, list[int]] = {}
    for f in fills:
        if f.side == SELL:
            groups.setdefault(f.reason, []).append(f.pnl or 0)
    out = []
    for reason, pnl in groups.items():
        s = outcome_stats(pnl)
        out.append(ExitReason(reason, s.count, s.win_rate, sum(pnl), s.expectancy))
    out.sort(key=lambda x: (-x.count, x.reason))
    return out


@dataclass(frozen=True)
class Holding:
    """An open position after the last close."""

    ticker: str
    shares: int
    avg_entry: float  # KRW per share
    value: int  # KRW at the last close


@dataclass(frozen=True)
class Contribution:
    ticker: str
    realized: int  # KRW, sum of its sells' realized P&L
    unrealized: int  # KRW, value - shares x average entry of the open position
    total: int


def contributions(fills: Sequence[Fill], holdings: Sequence[Holding]) -> list[Contribution]:
    """P&L per ticker, realized + unrealized, largest first."""
    realized: dict[str, int] = {}
    for f in fills:
        if f.side == SELL:
            realized[f.ticker] = realized.get(f.ticker, 0) + (f.pnl or 0)
    unrealized = {h.ticker: round(h.value - h.shares * h.avg_entry) for h in holdings}
    out = [
        Contribution(t, realized.get(t, 0), unrealized.get(t, 0), 0)
        for t in sorted(set(realized) | set(unrealized))
    ]
    out = [Contribution(c.ticker, c.realized, c.unrealized, c.realized + c.unrealized) for c in out]
    out.sort(key=lambda c: (-c.total, c.ticker))
    return out
