"""The price store: one parquet file per month under ``data/prices/YYYY/YYYY-MM.parquet``.

A daily update rewrites only the current month's file, so git grows by one small blob a day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline import registry
from pipeline.artifacts.prices import PricePartition
from pipeline.canonical import sha256_hex
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.parquet import PRICES_SCHEMA, read_table, table_bytes
from pipeline.sources import empty_bars

PRICES = registry.get("prices")


def partition_key(day: dt.date) -> str:
    return f"{day.year:04d}/{day.year:04d}-{day.month:02d}"


def partition_paths(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data" / "prices").glob("*/*.parquet") if p.is_file())


def read_prices(root: Path) -> pd.DataFrame:
    """Every stored bar, sorted by (date, ticker); ``date`` as ``datetime.date``."""
    paths = partition_paths(root)
    if not paths:
        return empty_bars()
    frames = [read_table(p, PRICES_SCHEMA) for p in paths]
    bars = pd.concat(frames, ignore_index=True)
    return bars.sort_values(["date", "ticker"], ignore_index=True)


def write_partitions(root: Path, bars: pd.DataFrame, keys: set[str]) -> list[str]:
    """Write the month files ``keys`` from ``bars``; return the keys whose bytes changed."""
    month = bars["date"].map(partition_key)
    changed = []
    for key in sorted(keys):
        part = bars[month == key].sort_values(["date", "ticker"], ignore_index=True)
        path = root / PRICES.path_for(key)
        if part.empty:
            if path.exists():
                path.unlink()
                changed.append(key)
            continue
        if write_bytes_atomic(path, table_bytes(part, PRICES_SCHEMA)):
            changed.append(key)
    return changed


def describe_partitions(root: Path, bars: pd.DataFrame) -> list[PricePartition]:
    month = bars["date"].map(partition_key)
    out = []
    for key, part in bars.groupby(month, sort=True):
        rel = PRICES.path_for(str(key))
        out.append(
            PricePartition(
                key=str(key),
                path=rel,
                rows=len(part),
                first_date=part["date"].min(),
                last_date=part["date"].max(),
                sha256=sha256_hex((root / rel).read_bytes()),
            )
        )
    return out
