"""The price store rewrites only the months whose rows changed (a daily update touches one)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.io import parquet, prices
from pipeline.io.parquet import TableSchema
from pipeline.io.prices import partition_paths, read_prices, write_partitions
from tests.support.factories import bars_frame

ROWS = [
    ("2026-09-30", "069500", 100, 110, 90, 105, 1000),
    ("2026-09-30", "114800", 50, 55, 45, 52, 2000),
    ("2026-10-01", "069500", 105, 112, 100, 110, 1100),
    ("2026-10-01", "114800", 52, 53, 48, 49, 2100),
    ("2026-11-02", "069500", 110, 115, 108, 113, 1200),
    ("2026-11-02", "114800", 49, 50, 47, 48, 2200),
]


def files(root: Path) -> dict[str, tuple[int, bytes]]:
    """Month file -> (inode, bytes): an atomic rewrite gets a new inode even for equal bytes."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.read_bytes())
        for p in partition_paths(root)
    }


def test_only_the_months_whose_rows_changed_are_encoded_and_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []

    def table_bytes(df: pd.DataFrame, schema: TableSchema) -> bytes:
        encoded.append(str(df["date"].min())[:7])
        return parquet.table_bytes(df, schema)

    monkeypatch.setattr(prices, "table_bytes", table_bytes)
    first = bars_frame(ROWS)
    # Shuffled rows and object-typed columns: the order and the dtypes are not what changed.
    assert write_partitions(tmp_path, first.sample(frac=1, random_state=3)) == [
        "2026/2026-09",
        "2026/2026-10",
        "2026/2026-11",
    ]
    stored = read_prices(tmp_path)
    before = files(tmp_path)

    fixed = ("2026-09-30", "069500", 100, 110, 90, 106, 1000)  # a corrected close
    new_day = ("2026-11-03", "069500", 113, 114, 111, 112, 900)
    update = bars_frame([fixed, *ROWS[1:], new_day])
    encoded.clear()
    assert write_partitions(tmp_path, update, stored) == ["2026/2026-09", "2026/2026-11"]
    assert encoded == ["2026-09", "2026-11"], "the unchanged month is not even encoded"
    after = files(tmp_path)
    october = "data/prices/2026/2026-10.parquet"
    assert after[october] == before[october], "an unchanged month is not rewritten"
    assert (
        after["data/prices/2026/2026-09.parquet"][1]
        != before["data/prices/2026/2026-09.parquet"][1]
    )
    expected = update.sort_values(["date", "ticker"], ignore_index=True)
    pd.testing.assert_frame_equal(read_prices(tmp_path), expected, check_dtype=False)


def test_a_month_with_no_rows_left_is_removed_and_an_unchanged_store_is_untouched(
    tmp_path: Path,
) -> None:
    write_partitions(tmp_path, bars_frame(ROWS))
    stored = read_prices(tmp_path)
    before = files(tmp_path)
    assert write_partitions(tmp_path, stored, stored) == []
    assert files(tmp_path) == before

    without_october = bars_frame([r for r in ROWS if not r[0].startswith("2026-10")])
    assert write_partitions(tmp_path, without_october, stored) == ["2026/2026-10"]
    assert sorted(files(tmp_path)) == [
        "data/prices/2026/2026-09.parquet",
        "data/prices/2026/2026-11.parquet",
    ]


def test_a_missing_month_file_is_written_even_if_the_rows_match(tmp_path: Path) -> None:
    write_partitions(tmp_path, bars_frame(ROWS))
    stored = read_prices(tmp_path)
    (tmp_path / "data/prices/2026/2026-10.parquet").unlink()
    assert write_partitions(tmp_path, stored, stored) == ["2026/2026-10"]
    assert len(read_prices(tmp_path)) == len(ROWS)
