"""The Crisis Alpha regime state machine (DESIGN §4) over the benchmark's daily bars.

* raw regime: BULL if close >= SMA(long) or SMA(short) > SMA(long) (golden cross), else BEAR.
* locked regime: the first warm day takes the raw regime; afterwards a different raw regime
  must hold ``hold_days`` consecutive trading days before it is accepted, except BEAR -> BULL
  by golden cross, which is immediate.
* chop filter (highest priority): ADX < threshold makes the *day* CHOP without touching the
  locked regime, which keeps evolving underneath.
* WARMUP until every indicator of the benchmark is defined.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipeline.artifacts.bundle import RegimeReason
from pipeline.core.indicators import adx, sma
from pipeline.enums import DayState, Regime
from pipeline.errors import DataError
from pipeline.params import StrategyParams

#: Integer codes used in arrays (index into these tuples).
DAY_STATES: tuple[DayState, ...] = (DayState.WARMUP, DayState.BULL, DayState.BEAR, DayState.CHOP)
REGIMES: tuple[Regime, ...] = (Regime.WARMUP, Regime.BULL, Regime.BEAR)
REASONS: tuple[RegimeReason, ...] = tuple(RegimeReason)
_WARMUP, _BULL, _BEAR, _CHOP = 0, 1, 2, 3


@dataclass(frozen=True)
class RegimeSeries:
    """Per-day regime output; codes index ``DAY_STATES``, ``REGIMES`` and ``REASONS``."""

    day_state: npt.NDArray[np.int8]
    regime: npt.NDArray[np.int8]
    reason: npt.NDArray[np.int8]
    close: npt.NDArray[np.float64]
    sma_short: npt.NDArray[np.float64]
    sma_long: npt.NDArray[np.float64]
    adx: npt.NDArray[np.float64]
    pending: npt.NDArray[np.int32]  # days a differing raw regime has held so far (0 = none)

    def state_at(self, t: int) -> DayState:
        return DAY_STATES[int(self.day_state[t])]

    def regime_at(self, t: int) -> Regime:
        return REGIMES[int(self.regime[t])]

    def reason_at(self, t: int) -> RegimeReason:
        return REASONS[int(self.reason[t])]


def check_benchmark(close: npt.NDArray[np.float64], ticker: str) -> None:
    """A missing or gapped benchmark is an error, never a silently disabled filter."""
    ok = np.isfinite(close)
    if not ok.any():
        raise DataError(f"{ticker}: benchmark series is missing (no bars); the regime needs it")
    first = int(np.argmax(ok))
    gaps = np.flatnonzero(~ok[first:])
    if gaps.size:
        raise DataError(
            f"{ticker}: benchmark series has {gaps.size} missing day(s) after its first bar "
            f"(first at position {first + int(gaps[0])}); the regime needs every day"
        )


def regime_series(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, p: StrategyParams
) -> RegimeSeries:
    """Day state, locked regime and reason for every day of the benchmark's bars."""
    c = np.asarray(close, dtype=np.float64)
    check_benchmark(c, p.benchmark)
    s_short, s_long = sma(c, p.ma_short), sma(c, p.ma_long)
    return regime_from(c, s_short, s_long, adx(high, low, c, p.adx_period), p)


def regime_from(
    c: npt.NDArray[np.float64],
    s_short: npt.NDArray[np.float64],
    s_long: npt.NDArray[np.float64],
    a: npt.NDArray[np.float64],
    p: StrategyParams,
) -> RegimeSeries:
    """The regime from the benchmark close and its indicators (``regime_series`` minus them).

    A sweep computes ``sma``/``adx`` once per period and reuses them across combinations.
    """
    check_benchmark(c, p.benchmark)
    warm = np.isfinite(s_short) & np.isfinite(s_long) & np.isfinite(a)
    golden = warm & (s_short > s_long)
    raw_bull = warm & ((c >= s_long) | golden)
    chop = warm & (a < p.adx_threshold)
    day_state, regime, reason, pending = lock_regime(
        warm, raw_bull, golden, chop, c >= s_long, p.regime_hold_days
    )
    return RegimeSeries(day_state, regime, reason, c, s_short, s_long, a, pending)


def lock_regime(
    warm: npt.NDArray[np.bool_],
    raw_bull: npt.NDArray[np.bool_],
    golden: npt.NDArray[np.bool_],
    chop: npt.NDArray[np.bool_],
    above: npt.NDArray[np.bool_],
    hold: int,
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8], npt.NDArray[np.int8], npt.NDArray[np.int32]]:
    """The state machine over per-day booleans: (day state, locked regime, reason, pending)."""
    # A sequential rule over one series (a few thousand days): a plain loop is clearest.
    n = warm.size
    day_state = np.zeros(n, dtype=np.int8)
    regime = np.zeros(n, dtype=np.int8)
    reason = np.full(n, REASONS.index(RegimeReason.WARMUP_HISTORY), dtype=np.int8)
    pending = np.zeros(n, dtype=np.int32)
    locked = _WARMUP
    streak = 0
    for t in range(n):
        if not warm[t]:
            locked, streak = _WARMUP, 0
            continue
        raw = _BULL if raw_bull[t] else _BEAR
        if locked == _WARMUP or raw == locked:
            locked, streak = raw, 0
        elif locked == _BEAR and golden[t]:
            locked, streak = _BULL, 0  # golden cross: immediate
        else:
            streak += 1
            if streak >= hold:
                locked, streak = raw, 0
        regime[t] = locked
        pending[t] = streak
        if chop[t]:
            day_state[t], why = _CHOP, RegimeReason.CHOP_FILTER
        else:
            day_state[t] = locked
            if streak > 0:
                why = RegimeReason.HOLDING
            elif locked == _BEAR:
                why = RegimeReason.BELOW_SMA_LONG
            elif above[t]:
                why = RegimeReason.ABOVE_SMA_LONG
            else:
                why = RegimeReason.GOLDEN_CROSS
        reason[t] = REASONS.index(why)
    return day_state, regime, reason, pending


def benchmark_day_states(
    dates: npt.NDArray[np.datetime64],
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    p: StrategyParams,
) -> dict[dt.date, DayState]:
    """Day state per benchmark bar date (what reconcile and the reports show)."""
    reg = regime_series(high, low, close, p)
    return {
        d.astype("datetime64[D]").astype(object): DAY_STATES[int(s)]
        for d, s in zip(dates, reg.day_state, strict=True)
    }
