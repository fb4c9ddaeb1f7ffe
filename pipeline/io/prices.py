"""The price store: one parquet file per month under ``data/prices/YYYY/YYYY-MM.parquet``.

A daily update rewrites only the current month's file, so git grows by one small blob a day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import registry
from pipeline.artifacts.prices import PricePartition
from pipeline.canonical import sha256_hex
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.parquet import PRICES_SCHEMA, read_tables, table_bytes
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
    bars = read_tables(paths, PRICES_SCHEMA)
    return bars.sort_values(["date", "ticker"], ignore_index=True)


class _Months:
    """Bars sorted by (date, ticker), with the row range of each month partition."""

    def __init__(self, bars: pd.DataFrame) -> None:
        self.bars = bars.sort_values(["date", "ticker"], ignore_index=True)
        months = np.asarray(self.bars["date"].to_numpy(), dtype="datetime64[M]")
        edges = np.r_[True, months[1:] != months[:-1]] if len(months) else np.zeros(0, bool)
        starts: list[int] = np.flatnonzero(edges).tolist()
        ends = [*starts[1:], len(months)] if starts else []
        self.rows = {
            partition_key(months[a].astype(object)): slice(a, b)
            for a, b in zip(starts, ends, strict=True)
        }
        self._values = {c: self.bars[c].to_numpy(object) for c in self.bars.columns}

    def part(self, key: str) -> pd.DataFrame:
        return self.bars.iloc[self.rows[key]].reset_index(drop=True)

    def same(self, key: str, other: _Months) -> bool:
        """The same rows in month ``key`` (dtypes aside: the schema gives the file's types)."""
        mine, theirs = self.rows[key], other.rows.get(key)
        if theirs is None or mine.stop - mine.start != theirs.stop - theirs.start:
            return False
        if list(self.bars.columns) != list(other.bars.columns):
            return False
        return all(
            np.array_equal(v[mine], other._values[c][theirs]) for c, v in self._values.items()
        )


def write_partitions(
    root: Path, bars: pd.DataFrame, stored: pd.DataFrame | None = None
) -> list[str]:
    """Make the store hold ``bars``; return the month keys whose files changed.

    ``stored`` is the store as ``read_prices`` read it: a month whose rows are the same is
    left alone without encoding it again (a daily update touches one month of ~200).
    """
    new = _Months(bars)
    old = _Months(stored if stored is not None else empty_bars())
    changed = []
    for key in sorted(new.rows.keys() | old.rows.keys()):
        path = root / PRICES.path_for(key)
        if key not in new.rows:
            if path.exists():
                path.unlink()
                changed.append(key)
            continue
        if path.exists() and new.same(key, old):
            continue
        if write_bytes_atomic(path, table_bytes(new.part(key), PRICES_SCHEMA)):
            changed.append(key)
    return changed


def describe_partitions(root: Path, bars: pd.DataFrame) -> list[PricePartition]:
    months = _Months(bars)
    dates = months.bars["date"]
    out = []
    for key, rows in months.rows.items():
        rel = PRICES.path_for(key)
        out.append(
            PricePartition(
                key=key,
                path=rel,
                rows=rows.stop - rows.start,
                first_date=dates.iat[rows.start],  # sorted by date within the month
                last_date=dates.iat[rows.stop - 1],
                sha256=sha256_hex((root / rel).read_bytes()),
            )
        )
    return out
