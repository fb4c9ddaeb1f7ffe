"""``csv`` source: one file per ticker, ``<csv_dir>/<ticker>.csv``.

Columns (header required, UTF-8, comma-separated): ``date`` (YYYY-MM-DD), ``open``, ``high``,
``low``, ``close`` (KRW, whole numbers), ``volume`` (shares). Extra columns are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.errors import DataError
from pipeline.params import Instrument
from pipeline.sources.frames import to_bars

COLUMNS = {c: c for c in ("open", "high", "low", "close", "volume")}


def read_csv_dir(
    folder: Path, instruments: Sequence[Instrument], start: dt.date, end: dt.date
) -> pd.DataFrame:
    frames = []
    for inst in instruments:
        path = folder / f"{inst.ticker}.csv"
        if not path.exists():
            raise DataError(f"{inst.ticker}: missing ticker, no file {path.name} in {folder.name}/")
        try:
            raw = pd.read_csv(path, dtype={"date": str}, encoding="utf-8")
        except (ValueError, UnicodeDecodeError) as err:
            raise DataError(f"{inst.ticker}: {path.name} is not a readable CSV: {err}") from None
        if "date" not in raw.columns:
            raise DataError(f"{inst.ticker}: {path.name} has no 'date' column")
        raw = raw.set_index("date")
        bars = to_bars(raw, inst.ticker, COLUMNS, path.name)
        keep = [start <= d <= end for d in bars["date"]]
        frames.append(bars[keep])
    return pd.concat(frames, ignore_index=True)
