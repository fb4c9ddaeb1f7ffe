"""Turning a source's frame into our bar columns, with clear errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pipeline.errors import DataError

OHLCV = ("open", "high", "low", "close", "volume")


def to_bars(frame: pd.DataFrame, ticker: str, columns: dict[str, str], where: str) -> pd.DataFrame:
    """Rename a per-ticker frame indexed by date to bar columns (``columns``: ours -> theirs).

    A no-trade day (volume 0) that a source reports with zero open/high/low (KRX does) is
    normalised to a flat bar at the close; any other non-integer or missing value is an error.
    """
    missing = [theirs for theirs in columns.values() if theirs not in frame.columns]
    if missing:
        raise DataError(
            f"{ticker}: {where} frame lacks columns {missing} (has {list(frame.columns)})"
        )
    out = pd.DataFrame({ours: frame[theirs].to_numpy() for ours, theirs in columns.items()})
    out.insert(0, "ticker", ticker)
    out.insert(0, "date", [_as_date(d, ticker, where) for d in frame.index])
    flat = (out["volume"] == 0) & (out[["open", "high", "low"]] == 0).any(axis=1)
    for col in ("open", "high", "low"):
        out.loc[flat, col] = out.loc[flat, "close"]
    for col in OHLCV:
        values = pd.to_numeric(out[col], errors="coerce").to_numpy(dtype="float64")
        bad = ~np.isfinite(values) | (np.round(values) != values)
        if bad.any():
            day = out["date"].iloc[int(np.argmax(bad))]
            raise DataError(f"{ticker} {day}: {where} {col} is missing or not a whole number")
        out[col] = values.astype("int64")
    return out


def _as_date(value: object, ticker: str, where: str) -> dt.date:
    try:
        return pd.Timestamp(value).date()  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise DataError(f"{ticker}: {where} has an unreadable date {value!r}") from None
