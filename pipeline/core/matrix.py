"""Long OHLCV bars -> (days x tickers) float matrices; NaN where a ticker has no bar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PriceMatrix:
    dates: npt.NDArray[np.datetime64]  # datetime64[D], sorted, unique
    tickers: tuple[str, ...]
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray

    def column(self, ticker: str) -> int:
        return self.tickers.index(ticker)

    def upto(self, last: int) -> PriceMatrix:
        """The first ``last + 1`` days."""
        n = last + 1
        return PriceMatrix(
            self.dates[:n], self.tickers, self.open[:n], self.high[:n], self.low[:n], self.close[:n]
        )


def to_matrix(bars: pd.DataFrame, tickers: Sequence[str]) -> PriceMatrix:
    """Pivot bars (columns date, ticker, open, high, low, close) onto the given tickers.

    Days are every date on which any of ``tickers`` has a bar; bars of other tickers are ignored.
    """
    sel = bars[bars["ticker"].isin(list(tickers))]
    days = pd.to_datetime(sel["date"]).to_numpy().astype("datetime64[D]")
    dates = np.unique(days)
    row = np.searchsorted(dates, days)
    col = pd.Index(list(tickers)).get_indexer(pd.Index(sel["ticker"]))
    shape = (dates.size, len(tickers))
    mats = []
    for name in ("open", "high", "low", "close"):
        m = np.full(shape, np.nan)
        m[row, col] = sel[name].to_numpy(dtype=np.float64)
        mats.append(m)
    return PriceMatrix(dates, tuple(tickers), mats[0], mats[1], mats[2], mats[3])
