"""``pykrx`` source: KRX data through pykrx (``pip install '.[market]'``).

ETFs come from ``stock.get_etf_ohlcv_by_date`` (columns NAV, 시가, 고가, 저가, 종가, 거래량,
거래대금, 기초지수; index 날짜), stocks from ``stock.get_market_ohlcv`` (시가, 고가, 저가, 종가,
거래량, …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from pipeline.enums import InstrumentType
from pipeline.errors import OperatorError, RetryableError
from pipeline.params import Instrument
from pipeline.sources.frames import to_bars

COLUMNS = {"open": "시가", "high": "고가", "low": "저가", "close": "종가", "volume": "거래량"}


def fetch_pykrx(instruments: Sequence[Instrument], start: dt.date, end: dt.date) -> pd.DataFrame:
    try:
        from pykrx import stock
    except ImportError:
        raise OperatorError("source 'pykrx' needs: pip install '.[market]'") from None
    frames = []
    for inst in instruments:
        fetch = (
            stock.get_etf_ohlcv_by_date
            if inst.type is InstrumentType.ETF
            else stock.get_market_ohlcv
        )
        try:
            raw = fetch(start.strftime("%Y%m%d"), end.strftime("%Y%m%d"), inst.ticker)
        except Exception as err:  # the library raises anything from requests to KeyError
            raise RetryableError(f"{inst.ticker}: pykrx request failed: {err}") from None
        frames.append(to_bars(raw, inst.ticker, COLUMNS, "pykrx"))
    return pd.concat(frames, ignore_index=True)
