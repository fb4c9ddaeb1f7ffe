"""Price sources. Each returns bars (``pipeline.core.bars.BAR_COLUMNS``) for a date range.

The sources are edges (they may touch files or the network); the checks in
``pipeline.core.bars`` decide whether what they returned may be stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.enums import PriceSource
from pipeline.krx_calendar import KrxCalendar
from pipeline.params import DataParams, Instrument


def fetch_bars(
    params: DataParams,
    instruments: Sequence[Instrument],
    start: dt.date,
    end: dt.date,
    calendar: KrxCalendar,
    root: Path,
) -> pd.DataFrame:
    """Bars of ``instruments`` for ``start <= date <= end`` from the configured source."""
    if params.source is PriceSource.SAMPLE:
        from pipeline.sources.sample import generate

        return generate(params, instruments, start, end, calendar)
    if params.source is PriceSource.CSV:
        from pipeline.sources.csv import read_csv_dir

        return read_csv_dir(root / params.csv_dir, instruments, start, end)
    if params.source is PriceSource.PYKRX:
        from pipeline.sources.pykrx_source import fetch_pykrx

        return fetch_pykrx(instruments, start, end)
    from pipeline.sources.fdr_source import fetch_fdr

    return fetch_fdr(instruments, start, end)


SOURCE_NOTES = {
    PriceSource.SAMPLE: "SYNTHETIC sample data (deterministic generator) — not market data",
    PriceSource.CSV: "CSV files supplied by the operator",
    PriceSource.PYKRX: "KRX market data via pykrx",
    PriceSource.FDR: "market data via FinanceDataReader",
}


def empty_bars() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.Series([], dtype="object"),
            "ticker": pd.Series([], dtype="object"),
            **{c: pd.Series([], dtype="int64") for c in ("open", "high", "low", "close", "volume")},
        }
    )
