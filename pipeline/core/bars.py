"""Checks of daily OHLCV bars; every message names the ticker and the date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.krx_calendar import KrxCalendar

BAR_COLUMNS = ("date", "ticker", "open", "high", "low", "close", "volume")


def check_bars(
    bars: pd.DataFrame,
    calendar: KrxCalendar | None = None,
    expected_tickers: Sequence[str] = (),
    gap_check_from: dt.date | None = None,
) -> list[str]:
    """All problems of a bar frame (columns ``BAR_COLUMNS``), as human messages.

    With a calendar: bars on non-trading days and missing trading days (gaps) per ticker
    between its first bar (or ``gap_check_from``) and its last.
    """
    missing_cols = [c for c in BAR_COLUMNS if c not in bars.columns]
    if missing_cols:
        return [f"missing columns: {missing_cols}"]
    out: list[str] = []
    if expected_tickers:
        tickers = set(bars["ticker"].astype(str))
        out += [
            f"{t}: missing ticker (no bars at all)" for t in expected_tickers if t not in tickers
        ]
    # The masks in numpy, the messages only for the rows they flag: a clean month (the usual
    # case, ~200 per validation) costs no per-row pandas work.
    out += _flagged(
        bars, bars.duplicated(["ticker", "date"], keep="first").to_numpy(), "duplicate date"
    )
    prices = bars[["open", "high", "low", "close"]].astype("float64").to_numpy()
    bad = np.isnan(prices).any(axis=1) | (prices <= 0).any(axis=1)
    out += _flagged(bars, bad, "NaN, zero or negative price")
    opn, high, low, close = prices.T
    ok = ~bad
    hl = ok & (high < low)
    out += _flagged(bars, hl, "high < low")
    outside = ok & ~hl & ((np.maximum(opn, close) > high) | (np.minimum(opn, close) < low))
    out += _flagged(bars, outside, "open/close outside high-low")
    vol = bars["volume"]
    badvol = vol.isna().to_numpy() | (vol.astype("float64").to_numpy() < 0)
    out += _flagged(bars, badvol, "NaN or negative volume")
    if calendar is not None and len(bars):
        out += _calendar_problems(bars, calendar, gap_check_from)
    return out


def _flagged(bars: pd.DataFrame, mask: np.ndarray, problem: str) -> list[str]:
    """``"<ticker> <date>: <problem>"`` for each row ``mask`` flags, in row order."""
    if not mask.any():
        return []
    return [f"{r.ticker} {r.date}: {problem}" for r in bars[mask].itertuples()]


def _calendar_problems(
    bars: pd.DataFrame, calendar: KrxCalendar, gap_check_from: dt.date | None
) -> list[str]:
    out: list[str] = []
    dates = pd.to_datetime(bars["date"]).to_numpy(dtype="datetime64[D]")
    on_session = np.isin(dates, calendar.sessions)
    for r in bars[~on_session].itertuples():
        out.append(f"{r.ticker} {r.date}: bar on a non-trading day")
    for ticker, grp in bars[on_session].groupby("ticker", sort=True):
        days = pd.to_datetime(grp["date"]).dt.date
        first = max(days.min(), gap_check_from) if gap_check_from else days.min()
        expected = set(calendar.between(first, days.max()))
        gaps = sorted(expected - set(days))
        if gaps:
            shown = ", ".join(str(d) for d in gaps[:5])
            more = f" (+{len(gaps) - 5} more)" if len(gaps) > 5 else ""
            out.append(f"{ticker} {gaps[0]}: gap, missing trading days {shown}{more}")
    return out
