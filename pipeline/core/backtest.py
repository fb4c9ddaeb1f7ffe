"""The Crisis Alpha backtest: indicators -> regime -> signals -> weights -> simulation -> metrics.

``run_backtest`` is the one core function the ``backtest`` stage (and the benchmark) calls.
Signal days are the calendar rebalance days (first trading day of a month, or every N trading
days from the first day of history) plus every day whose exposure differs from the day
before (a state change trades at once). On a signal day the targets are a fresh selection
times the day's exposure; between signal days the portfolio holds (only stops trade).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipeline.artifacts.backtest import Metrics
from pipeline.core import simulate as sim
from pipeline.core.indicators import momentum, rsi
from pipeline.core.matrix import PriceMatrix, to_matrix
from pipeline.core.metrics import compute_metrics
from pipeline.core.regime import DAY_STATES, RegimeSeries, regime_series
from pipeline.core.weights import Selection, exposure_for, select
from pipeline.enums import DayState, InstrumentType
from pipeline.errors import DataError
from pipeline.krx_calendar import KrxCalendar
from pipeline.params import BacktestParams, CostParams, Params, StrategyParams

FloatArray = npt.NDArray[np.float64]
TAX_TYPES: tuple[InstrumentType, ...] = tuple(InstrumentType)


@dataclass(frozen=True)
class StrategyRun:
    """What the strategy decided on every day (before any simulation)."""

    regime: RegimeSeries
    exposure: FloatArray  # per day
    calendar_rebalance: npt.NDArray[np.bool_]  # per day: scheduled rebalance signal
    signal_days: npt.NDArray[np.int64]  # day indices whose close is a trade signal
    targets: FloatArray  # (signal days x tickers) weights after exposure
    last: Selection  # the selection evaluated on the last day (for the bundle)
    last_momentum: FloatArray  # per ticker, last day
    last_rsi: FloatArray  # per ticker, last day

    def signal_row(self, days: int) -> npt.NDArray[np.int64]:
        row = np.full(days, -1, dtype=np.int64)
        row[self.signal_days] = np.arange(self.signal_days.size)
        return row


@dataclass(frozen=True)
class BacktestRun:
    matrix: PriceMatrix
    tradable: npt.NDArray[np.bool_]
    strategy: StrategyRun
    sim: sim.SimResult
    start: int  # first day of the evaluation window (first warm day)
    metrics: Metrics
    integer_shares: bool


class Indicators(Protocol):
    """Where ``run_strategy`` gets its indicators: computed directly, or from a sweep's cache.

    Every implementation returns the values of ``pipeline.core.indicators`` bit for bit.
    """

    def regime(self, m: PriceMatrix, p: StrategyParams) -> RegimeSeries: ...

    def momentum(self, m: PriceMatrix, n: int, rows: npt.NDArray[np.int64]) -> FloatArray: ...

    def rsi(self, m: PriceMatrix, n: int, rows: npt.NDArray[np.int64]) -> FloatArray: ...


class DirectIndicators:
    """Compute each indicator on the rows asked for (one backtest: nothing to reuse)."""

    def regime(self, m: PriceMatrix, p: StrategyParams) -> RegimeSeries:
        b = benchmark_column(m, p)
        return regime_series(m.high[:, b], m.low[:, b], m.close[:, b], p)

    def momentum(self, m: PriceMatrix, n: int, rows: npt.NDArray[np.int64]) -> FloatArray:
        return momentum(m.close, n, rows)

    def rsi(self, m: PriceMatrix, n: int, rows: npt.NDArray[np.int64]) -> FloatArray:
        return rsi(m.close, n, rows)


def benchmark_column(m: PriceMatrix, p: StrategyParams) -> int:
    """Column of the regime benchmark; DataError if the matrix lacks it."""
    if p.benchmark not in m.tickers:
        raise DataError(f"{p.benchmark}: benchmark series is missing (not in the price matrix)")
    return m.column(p.benchmark)


def calendar_rebalance_days(
    dates: npt.NDArray[np.datetime64], p: StrategyParams
) -> npt.NDArray[np.bool_]:
    """Scheduled rebalance signal days: first trading day of each month, or every N days."""
    if p.rebalance.mode == "monthly":
        months = dates.astype("datetime64[M]")
        out: npt.NDArray[np.bool_] = np.concatenate(([True], months[1:] != months[:-1]))
        return out
    every: npt.NDArray[np.bool_] = (np.arange(dates.size) % p.rebalance.every_n_days) == 0
    return every


def run_strategy(
    m: PriceMatrix,
    tradable: npt.NDArray[np.bool_],
    p: StrategyParams,
    indicators: Indicators | None = None,
) -> StrategyRun:
    """Regime, signal days and target weights over the whole matrix."""
    ind = indicators or DirectIndicators()
    reg = ind.regime(m, p)
    expo_by_state = np.array([exposure_for(s, p) for s in DAY_STATES])
    exposure = expo_by_state[reg.day_state]
    cal = calendar_rebalance_days(m.dates, p)
    prev = np.concatenate(([p.exposure.warmup], exposure[:-1]))
    signal_days = np.flatnonzero(cal | (exposure != prev)).astype(np.int64)
    last = m.dates.size - 1
    rows = np.union1d(signal_days, [last]).astype(np.int64)
    mom = ind.momentum(m, p.momentum_period, rows)
    r = ind.rsi(m, p.rsi_period, rows)
    sel = select(mom, r, tradable, exposure[rows], p, with_rank=False)
    in_sig = np.isin(rows, signal_days)
    return StrategyRun(
        regime=reg,
        exposure=exposure,
        calendar_rebalance=cal,
        signal_days=signal_days,
        targets=sel.weights[in_sig],
        last=select(mom[-1:], r[-1:], tradable, exposure[last : last + 1], p),
        last_momentum=mom[-1],
        last_rsi=r[-1],
    )


def tax_table(dates: npt.NDArray[np.datetime64], costs: CostParams) -> FloatArray:
    """Sell tax rate per (day, instrument type in ``TAX_TYPES``) from the dated steps."""
    out = np.zeros((dates.size, len(TAX_TYPES)))
    for k, kind in enumerate(TAX_TYPES):
        for step in sorted(costs.sell_tax.get(kind, ()), key=lambda s: s.start):
            out[dates >= np.datetime64(step.start, "D"), k] = step.rate
    return out


@dataclass(frozen=True)
class Simulated:
    """A strategy run and its simulation, before metrics (what a sweep scores)."""

    strategy: StrategyRun
    sim: sim.SimResult
    start: int  # first day of the evaluation window (first warm day)


def simulate_strategy(
    m: PriceMatrix,
    types: Sequence[InstrumentType],
    tradable: npt.NDArray[np.bool_],
    strategy: StrategyParams,
    costs: CostParams,
    bt: BacktestParams,
    *,
    integer_shares: bool = True,
    indicators: Indicators | None = None,
) -> Simulated:
    """Strategy + simulation of ``run_backtest`` without the metrics."""
    s = run_strategy(m, tradable, strategy, indicators)
    type_idx = np.array([TAX_TYPES.index(t) for t in types], dtype=np.int64)
    result = sim.simulate(
        m.open,
        m.close,
        s.signal_row(m.dates.size),
        s.targets,
        tax_rate=tax_table(m.dates, costs),
        type_idx=type_idx,
        commission=costs.commission_rate,
        slippage=costs.slippage_rate,
        threshold=strategy.rebalance_threshold,
        stop_loss=strategy.stop_loss,
        integer_shares=integer_shares,
        initial_cash=float(bt.initial_capital),
    )
    warm = np.flatnonzero(s.regime.day_state != DAY_STATES.index(DayState.WARMUP))
    return Simulated(s, result, int(warm[0]) if warm.size else 0)


def run_backtest(
    m: PriceMatrix,
    types: Sequence[InstrumentType],
    tradable: npt.NDArray[np.bool_],
    strategy: StrategyParams,
    costs: CostParams,
    bt: BacktestParams,
    *,
    integer_shares: bool = True,
    indicators: Indicators | None = None,
) -> BacktestRun:
    """Run Crisis Alpha over the matrix; ``types``/``tradable`` are per matrix column."""
    run = simulate_strategy(
        m,
        types,
        tradable,
        strategy,
        costs,
        bt,
        integer_shares=integer_shares,
        indicators=indicators,
    )
    s, result, start = run.strategy, run.sim, run.start
    b = m.column(strategy.benchmark)
    window = result.trades[result.trades[:, sim.T_DAY] > start]
    metrics = compute_metrics(
        m.dates[start:],
        result.equity[start:],
        result.invested[start:],
        m.close[start:, b],
        window,
        benchmark_ticker=strategy.benchmark,
        risk_free_rate=bt.risk_free_rate,
        min_obs=bt.min_obs_for_ratios,
    )
    return BacktestRun(m, tradable, s, result, start, metrics, integer_shares)


def valid_until(asof: dt.date, day_index: int, calendar: KrxCalendar, p: StrategyParams) -> dt.date:
    """Last session a bundle written on ``asof`` applies to: the next scheduled signal day.

    The bundle of that signal day's close replaces it from the session after, so the bundle
    stays valid through the signal day itself. ``day_index`` is asof's position in the
    history (``every_n`` counts trading days from the first day of history, index 0).
    """
    if p.rebalance.mode == "every_n":
        n = p.rebalance.every_n_days
        return calendar.add(asof, n - day_index % n)
    d = calendar.add(asof, 1)
    while (d.year, d.month) == (asof.year, asof.month):
        d = calendar.add(d, 1)
    return d


def matrix_inputs(
    bars: pd.DataFrame, params: Params, asof: dt.date
) -> tuple[PriceMatrix, list[InstrumentType], npt.NDArray[np.bool_]]:
    """(matrix, instrument type per column, tradable per column) of bars up to ``asof``.

    Columns are the universe in params order, plus the benchmark if it is not in it.
    """
    upto = bars[pd.to_datetime(bars["date"]).dt.date <= asof]
    universe = [i.ticker for i in params.data.universe]
    bench = params.strategy.benchmark
    tickers = universe if bench in universe else [*universe, bench]
    if upto.empty:
        raise DataError(f"no price bars on or before asof {asof}")
    m = to_matrix(upto, tickers)
    last = _date(m.dates[-1])
    if last != asof:
        raise DataError(f"prices end on {last}, before asof {asof}: run ingest first")
    kinds = {i.ticker: i.type for i in params.data.universe}
    types = [kinds.get(t, InstrumentType.ETF) for t in tickers]
    tradable = np.array([t in kinds for t in tickers], dtype=np.bool_)
    return m, types, tradable


def backtest_bars(
    bars: pd.DataFrame, params: Params, asof: dt.date, *, integer_shares: bool = True
) -> BacktestRun:
    """Run the backtest on long bars up to and including ``asof`` (which must have bars)."""
    m, types, tradable = matrix_inputs(bars, params, asof)
    return run_backtest(
        m,
        types,
        tradable,
        params.strategy,
        params.costs,
        params.backtest,
        integer_shares=integer_shares,
    )


def _date(x: np.datetime64) -> dt.date:
    out: dt.date = x.astype("datetime64[D]").astype(object)
    return out
