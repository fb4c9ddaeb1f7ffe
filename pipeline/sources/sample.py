"""The embedded default data: deterministic synthetic daily bars on XKRX trading days.

Not market data, and marked ``synthetic`` wherever it is shown. It is built to exercise every
strategy state: the market factor runs through scripted bull, bear and sideways (chop)
stretches; each ETF is the market times a beta (inverse and leveraged ETFs included) plus its
own noise. Prefix-stable: the bars of a day never depend on how far the history extends,
so a daily ingest only adds bars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.krx_calendar import KrxCalendar
from pipeline.params import DataParams, Instrument

#: Stylised behaviour per real ticker: (beta to the market, idiosyncratic daily vol, drift/day,
#: starting price in KRW). Unknown tickers get a deterministic profile from their code.
PROFILES: dict[str, tuple[float, float, float, int]] = {
    "069500": (1.0, 0.002, 0.0, 18_000),  # KODEX 200: the market itself
    "102110": (1.0, 0.0025, 0.0, 18_100),  # TIGER 200
    "229200": (1.3, 0.009, -0.0001, 9_500),  # KOSDAQ150
    "122630": (2.0, 0.003, -0.0001, 8_000),  # leverage
    "114800": (-1.0, 0.002, -0.0001, 12_000),  # inverse
    "091160": (1.4, 0.011, 0.0002, 7_000),  # semiconductors
    "091170": (0.9, 0.009, -0.0001, 6_500),  # banks
    "117680": (1.1, 0.010, -0.0002, 8_500),  # steel
    "139260": (1.3, 0.010, 0.0002, 6_000),  # 200 IT
    "133690": (0.3, 0.011, 0.0005, 10_000),  # NASDAQ100
    "143850": (0.3, 0.009, 0.0003, 11_000),  # S&P500 futures (H)
    "132030": (-0.1, 0.009, 0.0002, 10_000),  # gold futures (H)
    "148070": (-0.15, 0.003, 0.0001, 100_000),  # KTB 10y
    "261240": (-0.3, 0.005, 0.0, 10_000),  # USD futures
}

#: Market regimes: (drift per day, vol per day, mean-reversion strength toward the level).
_REGIMES = {
    "bull": (0.0009, 0.010, 0.0),
    "bear": (-0.0011, 0.016, 0.0),
    "chop": (0.0, 0.009, 0.15),
}
_SCRIPT = ("bull", "chop", "bear", "chop", "bull", "bull", "chop", "bear", "bull", "chop")
_HORIZON = 20_000  # trading days the regime schedule covers (far beyond any real use)
_TICK = 5  # KRX ETF tick size, KRW


def _schedule(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-trading-day (drift, vol, kappa) arrays for the whole horizon, from the seed."""
    rng = np.random.default_rng([seed, 1])
    drift, vol, kappa = (np.empty(_HORIZON) for _ in range(3))
    i, k = 0, 0
    while i < _HORIZON:
        name = _SCRIPT[k % len(_SCRIPT)]
        length = int(rng.integers(90, 300)) if name != "chop" else int(rng.integers(70, 160))
        d, v, kap = _REGIMES[name]
        drift[i : i + length], vol[i : i + length], kappa[i : i + length] = d, v, kap
        i, k = i + length, k + 1
    return drift, vol, kappa


def _profile(ticker: str) -> tuple[float, float, float, int]:
    if ticker in PROFILES:
        return PROFILES[ticker]
    h = int(ticker, 36)
    return (0.5 + (h % 10) / 10, 0.008 + (h % 7) / 1000, 0.0, 5_000 + (h % 50) * 200)


def _tick_round(x: np.ndarray) -> np.ndarray:
    return np.maximum(_TICK, np.round(x / _TICK) * _TICK).astype(np.int64)


def generate(
    params: DataParams,
    instruments: Sequence[Instrument],
    start: dt.date,
    end: dt.date,
    calendar: KrxCalendar,
) -> pd.DataFrame:
    """Bars for ``start <= date <= end`` (history always begins at ``params.start``)."""
    days = calendar.between(calendar.next_or_same(params.start), end)
    n = len(days)
    if n == 0 or n > _HORIZON:
        raise ValueError(f"sample source covers 1..{_HORIZON} trading days, asked for {n}")
    drift, vol, kappa = (a[:n] for a in _schedule(params.seed))
    rng = np.random.default_rng([params.seed, 2])
    # One row of shocks per day: market, then (close, gap, range, volume) per profile slot.
    # Drawing row by row in a fixed order keeps every prefix identical (prefix stability).
    slots = 4 * len(PROFILES) + 4 * 64
    shocks = rng.standard_normal((n, 1 + slots))
    market = np.empty(n)
    level = 0.0
    for t in range(n):  # mean reversion makes chop stretches trendless (low ADX)
        r = drift[t] + vol[t] * shocks[t, 0] - kappa[t] * level * 0.05
        market[t] = r
        level += r
    frames = []
    for inst in instruments:
        slot = _slot(inst.ticker)
        beta, idio, alpha, p0 = _profile(inst.ticker)
        z = shocks[:, 1 + 4 * slot : 5 + 4 * slot]
        ret = beta * market + alpha + idio * z[:, 0]
        close_f = p0 * np.exp(np.cumsum(ret))
        prev = np.concatenate([[p0], close_f[:-1]])
        open_f = prev * np.exp(0.3 * np.abs(vol) * z[:, 1])
        spread = np.abs(z[:, 2]) * (0.4 * vol + 0.5 * idio) + 0.001
        close, open_ = _tick_round(close_f), _tick_round(open_f)
        high = np.maximum(
            _tick_round(np.maximum(open_f, close_f) * (1 + spread)), np.maximum(open_, close)
        )
        low = np.minimum(
            _tick_round(np.minimum(open_f, close_f) * (1 - spread)), np.minimum(open_, close)
        )
        base_volume = 2_000_000 // max(1, p0 // 5_000)
        volume = (base_volume * np.exp(0.35 * z[:, 3] + 20 * np.abs(ret))).astype(np.int64)
        frames.append(
            pd.DataFrame(
                {
                    "date": days,
                    "ticker": inst.ticker,
                    "open": open_,
                    "high": high,
                    "low": low,
                    "close": close,
                    "volume": volume,
                }
            )
        )
    bars = pd.concat(frames, ignore_index=True)
    keep = pd.Series([d >= start for d in bars["date"]], index=bars.index)
    return bars[keep].sort_values(["date", "ticker"], ignore_index=True)


def _slot(ticker: str) -> int:
    """A stable shock slot per ticker: known profiles first, others hashed into 64 spares."""
    names = list(PROFILES)
    if ticker in PROFILES:
        return names.index(ticker)
    return len(PROFILES) + int(ticker, 36) % 64
