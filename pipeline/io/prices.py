"""Read the partitioned price store (``data/prices/YYYY/YYYY-MM.parquet``).

Placeholder written on the backtest branch against the lead's ``read_prices`` signature;
when the ingest branch's module lands, that one wins.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.errors import DataError
from pipeline.io.parquet import PRICES_SCHEMA, read_table


def read_prices(root: Path) -> pd.DataFrame:
    """All bars, columns date (datetime.date), ticker, open..volume, sorted by (date, ticker)."""
    files = sorted((root / "data" / "prices").glob("*/*.parquet"))
    if not files:
        raise DataError("data/prices: no price partitions (run the ingest stage)")
    df = pd.concat([read_table(f, PRICES_SCHEMA) for f in files], ignore_index=True)
    return df.sort_values(["date", "ticker"], kind="stable").reset_index(drop=True)
