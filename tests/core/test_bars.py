"""``check_bars``: one message per flagged row, in row order, for every kind of bad bar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pipeline.core.bars import check_bars

D1, D2, D3 = dt.date(2025, 3, 5), dt.date(2025, 3, 6), dt.date(2025, 3, 7)


Row = tuple[dt.date, str, float, float, float, float, float]


def bars(*rows: Row) -> pd.DataFrame:
    cols = ["date", "ticker", "open", "high", "low", "close", "volume"]
    return pd.DataFrame(list(rows), columns=cols)


def good(day: dt.date, ticker: str = "069500") -> Row:
    return (day, ticker, 100.0, 110.0, 90.0, 105.0, 1000.0)


def test_clean_bars_have_no_problem() -> None:
    assert check_bars(bars(good(D1), good(D2), good(D1, "132030"))) == []
    assert check_bars(bars()) == []


def test_every_kind_of_bad_row_is_named_by_ticker_and_date_in_row_order() -> None:
    frame = bars(
        good(D1),
        (D2, "069500", 100.0, 110.0, 90.0, np.nan, 1000.0),  # NaN price
        (D3, "069500", 100.0, 110.0, 90.0, 0.0, 1000.0),  # zero price
        (D1, "132030", 100.0, 80.0, 90.0, 85.0, 1000.0),  # high < low
        (D2, "132030", 120.0, 110.0, 90.0, 105.0, 1000.0),  # open above the high
        (D3, "132030", 100.0, 110.0, 90.0, 85.0, 1000.0),  # close below the low
        (D1, "114800", 100.0, 110.0, 90.0, 105.0, -1.0),  # negative volume
        (D2, "114800", 100.0, 110.0, 90.0, 105.0, np.nan),  # NaN volume
        good(D1),  # the first row again
    )
    assert check_bars(frame) == [
        "069500 2025-03-05: duplicate date",
        "069500 2025-03-06: NaN, zero or negative price",
        "069500 2025-03-07: NaN, zero or negative price",
        "132030 2025-03-05: high < low",
        "132030 2025-03-06: open/close outside high-low",
        "132030 2025-03-07: open/close outside high-low",
        "114800 2025-03-05: NaN or negative volume",
        "114800 2025-03-06: NaN or negative volume",
    ]


def test_a_missing_column_or_ticker_is_reported() -> None:
    assert check_bars(bars(good(D1)).drop(columns=["volume"])) == ["missing columns: ['volume']"]
    assert check_bars(bars(good(D1)), expected_tickers=["069500", "132030"]) == [
        "132030: missing ticker (no bars at all)"
    ]
