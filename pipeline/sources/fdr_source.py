"""``fdr`` source: FinanceDataReader's ``DataReader(code, start, end)`` (Open, High, Low,
Close, Volume, Change; DatetimeIndex ``Date``). Install with ``pip install '.[market]'``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from pipeline.errors import OperatorError, RetryableError
from pipeline.params import Instrument
from pipeline.sources.frames import to_bars

COLUMNS = {"open": "Open", "high": "High", "low": "Low", "close": "Close", "volume": "Volume"}


def fetch_fdr(instruments: Sequence[Instrument], start: dt.date, end: dt.date) -> pd.DataFrame:
    try:
        import FinanceDataReader as fdr  # noqa: N813 - the library's own spelling
    except ImportError:
        raise OperatorError("source 'fdr' needs: pip install '.[market]'") from None
    frames = []
    for inst in instruments:
        try:
            raw = fdr.DataReader(inst.ticker, start.isoformat(), end.isoformat())
        except Exception as err:  # the library raises anything from requests to KeyError
            raise RetryableError(
                f"{inst.ticker}: FinanceDataReader request failed: {err}"
            ) from None
        frames.append(to_bars(raw, inst.ticker, COLUMNS, "FinanceDataReader"))
    return pd.concat(frames, ignore_index=True)
