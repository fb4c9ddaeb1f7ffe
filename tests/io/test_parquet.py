"""Parquet IO on fastparquet: explicit schemas, deterministic bytes, pyarrow-written files."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import registry
from pipeline.io.parquet import (
    PRICES_SCHEMA,
    TRADES_SCHEMA,
    ParquetSchemaError,
    read_table,
    read_tables,
    table_bytes,
    validate_parquet_bytes,
)

PRICES = registry.get("prices")
TRADES = registry.get("backtest_trades")


def make_prices(days: int = 5, tickers: tuple[str, ...] = ("069500", "114800")) -> pd.DataFrame:
    rows = []
    for i in range(days):
        for j, t in enumerate(tickers):
            px = 10_000 + 100 * i + j
            rows.append(
                (dt.date(2026, 11, 2 + i), t, px, px + 50, px - 50, px + 10, 1000 * (i + 1))
            )
    return pd.DataFrame(rows, columns=PRICES_SCHEMA.names)


def make_trades(with_sells: bool = True) -> pd.DataFrame:
    sides = ["BUY", "SELL"] if with_sells else ["BUY", "BUY"]
    pnl = pd.array([None, 1234] if with_sells else [None, None], dtype="Int64")
    return pd.DataFrame(
        {
            "date": [dt.date(2026, 11, 2), dt.date(2026, 11, 3)],
            "ticker": ["069500", "114800"],
            "side": sides,
            "shares": np.array([10, 10], dtype=np.int64),
            "price": [10_010.5, 10_120.25],
            "notional": np.array([100_105, 101_203], dtype=np.int64),
            "commission": np.array([15, 15], dtype=np.int64),
            "slippage": np.array([100, 101], dtype=np.int64),
            "sell_tax": np.array([0, 0], dtype=np.int64),
            "reason": ["REBALANCE", "STOP_LOSS"],
            "realized_pnl": pnl,
        }
    )


def pyarrow_bytes(df: pd.DataFrame, prices: bool = True) -> bytes:
    """The bytes pyarrow wrote in earlier versions (pipeline/io/parquet.py at 61fcff2)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    if prices:
        fields = [pa.field("date", pa.date32(), False), pa.field("ticker", pa.string(), False)]
        fields += [pa.field(n, pa.int64(), False) for n in PRICES_SCHEMA.names[2:]]
    else:
        types = {"date32": pa.date32(), "string": pa.string(), "int64": pa.int64()}
        types["float64"] = pa.float64()
        fields = [pa.field(c.name, types[c.kind], c.nullable) for c in TRADES_SCHEMA.columns]
    schema = pa.schema(fields)
    table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(
        table,
        buf,
        compression="zstd",
        compression_level=9,
        use_dictionary=["ticker"],
        write_statistics=True,
        store_schema=False,
    )
    return bytes(buf.getvalue())


def test_round_trip_prices() -> None:
    df = make_prices()
    back = read_table(io.BytesIO(table_bytes(df, PRICES_SCHEMA)), PRICES_SCHEMA)
    assert isinstance(back["date"].iloc[0], dt.date)
    assert back["ticker"].dtype == "str"
    pd.testing.assert_frame_equal(back, df.astype({"ticker": "str"}))


@pytest.mark.parametrize("with_sells", [True, False])
def test_round_trip_trades_nullable_pnl(with_sells: bool) -> None:
    df = make_trades(with_sells)
    back = read_table(io.BytesIO(table_bytes(df, TRADES_SCHEMA)), TRADES_SCHEMA)
    # As pyarrow's to_pandas gave it: float64 with NaN when a null is present.
    assert back["realized_pnl"].dtype == np.float64
    assert back["realized_pnl"].isna().tolist() == df["realized_pnl"].isna().tolist()
    assert validate_parquet_bytes(TRADES, table_bytes(back, TRADES_SCHEMA)) == []


def test_same_data_same_bytes() -> None:
    df = make_prices()
    raw = table_bytes(df, PRICES_SCHEMA)
    assert table_bytes(df.copy(), PRICES_SCHEMA) == raw
    # The same data in other dtypes (object strings, a shuffled column order) -> same bytes.
    other = df.astype({"ticker": object})[list(reversed(df.columns))]
    assert table_bytes(other, PRICES_SCHEMA) == raw
    # Reading and writing again is a fixed point.
    assert table_bytes(read_table(io.BytesIO(raw), PRICES_SCHEMA), PRICES_SCHEMA) == raw


def test_pyarrow_written_files_read_and_validate() -> None:
    prices, trades = make_prices(), make_trades()
    old_prices, old_trades = pyarrow_bytes(prices), pyarrow_bytes(trades, prices=False)
    assert validate_parquet_bytes(PRICES, old_prices) == []
    assert validate_parquet_bytes(TRADES, old_trades) == []
    pd.testing.assert_frame_equal(
        read_table(io.BytesIO(old_prices), PRICES_SCHEMA),
        read_table(io.BytesIO(table_bytes(prices, PRICES_SCHEMA)), PRICES_SCHEMA),
    )
    pd.testing.assert_frame_equal(
        read_table(io.BytesIO(old_trades), TRADES_SCHEMA),
        read_table(io.BytesIO(table_bytes(trades, TRADES_SCHEMA)), TRADES_SCHEMA),
    )


def test_our_files_read_the_same_with_pyarrow() -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    for df, schema in ((make_prices(), PRICES_SCHEMA), (make_trades(), TRADES_SCHEMA)):
        raw = table_bytes(df, schema)
        pd.testing.assert_frame_equal(
            pq.read_table(io.BytesIO(raw)).to_pandas(), read_table(io.BytesIO(raw), schema)
        )


def test_committed_pyarrow_trades_fixture() -> None:
    """A trades file pyarrow wrote (kept as a fixture) reads and validates."""
    raw = (Path(__file__).parent / "fixtures" / "trades_pyarrow_26.parquet").read_bytes()
    assert b"parquet-cpp-arrow" in raw
    assert validate_parquet_bytes(TRADES, raw) == []
    frame = read_table(io.BytesIO(raw), TRADES_SCHEMA)
    assert len(frame) > 0 and set(frame["side"]) <= {"BUY", "SELL"}


def _strings(problems: list[str]) -> str:
    return "\n".join(problems)


def test_wrong_column_type_is_an_error() -> None:
    df = make_prices().astype({"volume": np.float64})
    df["volume"] += 0.5
    with pytest.raises(ValueError, match="'volume' holds fractional values"):
        table_bytes(df, PRICES_SCHEMA)
    bad = make_prices()
    bad["ticker"] = 69500
    with pytest.raises(ValueError, match="'ticker' holds int"):
        table_bytes(bad, PRICES_SCHEMA)
    # A file whose ticker column is int64 (written under a schema of its own).
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(bad, preserve_index=False), buf)
    problems = validate_parquet_bytes(PRICES, buf.getvalue())
    assert "column 'ticker: int64', expected 'ticker: string not null'" in _strings(problems)
    with pytest.raises(ParquetSchemaError, match="column 'ticker: int64'"):
        read_table(io.BytesIO(buf.getvalue()), PRICES_SCHEMA)


def test_missing_extra_and_nullable_columns_are_errors() -> None:
    trades_raw = table_bytes(make_trades(), TRADES_SCHEMA)
    problems = _strings(validate_parquet_bytes(PRICES, trades_raw))
    assert "missing column 'open: int64 not null'" in problems
    assert "unexpected column 'side: string not null'" in problems
    with pytest.raises(ValueError, match="lacks columns"):
        table_bytes(make_prices().drop(columns=["volume"]), PRICES_SCHEMA)
    # A nullable column where the schema says not null (pyarrow-written: nullable fields).
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    buf = io.BytesIO()
    fields = [pa.field("date", pa.date32()), pa.field("ticker", pa.string(), False)]
    fields += [pa.field(n, pa.int64(), False) for n in PRICES_SCHEMA.names[2:]]
    table = pa.Table.from_pandas(make_prices(), schema=pa.schema(fields), preserve_index=False)
    pq.write_table(table, buf)
    assert "column 'date: date32', expected 'date: date32 not null'" in _strings(
        validate_parquet_bytes(PRICES, buf.getvalue())
    )


def test_nulls_in_a_not_null_column_are_refused() -> None:
    df = make_prices().astype({"close": "Int64"})
    df.loc[0, "close"] = pd.NA
    with pytest.raises(ValueError, match="'close' has nulls"):
        table_bytes(df, PRICES_SCHEMA)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:100],
        lambda raw: b"not parquet at all",
        lambda raw: raw[:-30] + raw[-8:],
        lambda raw: raw[:40] + bytes(len(raw) - 48) + raw[-8:],
        lambda raw: b"",
    ],
)
def test_not_a_parquet_file_is_one_clear_error(
    mangle: object, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = mangle(table_bytes(make_prices(), PRICES_SCHEMA))  # type: ignore[operator]
    problems = validate_parquet_bytes(PRICES, raw)
    assert len(problems) == 1 and problems[0].startswith("not a readable parquet file: ")
    with pytest.raises(ParquetSchemaError, match="not a readable parquet file"):
        read_table(io.BytesIO(raw), PRICES_SCHEMA)
    assert capsys.readouterr().out == ""  # fastparquet's own prints are swallowed


def test_empty_trades_round_trip() -> None:
    empty = make_trades().iloc[:0]
    raw = table_bytes(empty, TRADES_SCHEMA)
    assert validate_parquet_bytes(TRADES, raw) == []
    back = read_table(io.BytesIO(raw), TRADES_SCHEMA)
    assert list(back.columns) == TRADES_SCHEMA.names and len(back) == 0


def test_read_error_names_the_file(tmp_path: Path) -> None:
    part = tmp_path / "2026-11.parquet"
    raw = table_bytes(make_prices(), PRICES_SCHEMA)
    part.write_bytes(raw[:200] + bytes(100) + raw[300:])
    with pytest.raises(ParquetSchemaError, match=f"^{part.as_posix()}: not a readable parquet"):
        read_table(part, PRICES_SCHEMA)
    assert part.read_bytes() == raw[:200] + bytes(100) + raw[300:]  # reading never rewrites


def pandas_metadata_bytes(df: pd.DataFrame) -> bytes:
    """pyarrow's bytes with pandas metadata (ticker a category): a file of our schema that
    fastparquet decodes to other column types than the files this project writes."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    fields = [pa.field("date", pa.date32(), False), pa.field("ticker", pa.string(), False)]
    fields += [pa.field(n, pa.int64(), False) for n in PRICES_SCHEMA.names[2:]]
    table = pa.Table.from_pandas(df.assign(ticker=df["ticker"].astype("category")))
    buf = io.BytesIO()
    pq.write_table(table.cast(pa.schema(fields, metadata=table.schema.metadata)), buf)
    return bytes(buf.getvalue())


def write_files(folder: Path, contents: list[bytes]) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"{i:02d}.parquet" for i in range(len(contents))]
    for path, raw in zip(paths, contents, strict=True):
        path.write_bytes(raw)
    return paths


def test_many_files_read_as_one_frame_are_the_files_read_one_by_one(tmp_path: Path) -> None:
    ours = [table_bytes(make_prices(days=d), PRICES_SCHEMA) for d in (1, 5, 3)]
    empty = table_bytes(make_prices().iloc[:0], PRICES_SCHEMA)
    store = write_files(tmp_path / "prices", [ours[0], empty, ours[1], ours[2]])
    one_by_one = pd.concat([read_table(p, PRICES_SCHEMA) for p in store], ignore_index=True)
    assert len(one_by_one) == 2 * (1 + 5 + 3)
    pd.testing.assert_frame_equal(read_tables(store, PRICES_SCHEMA), one_by_one)
    # a nullable column: null in one file, none in the other -> float64 with NaN, as concat
    trades = [table_bytes(make_trades(s), TRADES_SCHEMA) for s in (False, True)]
    for contents in (trades, trades[::-1], trades[1:]):
        paths = write_files(tmp_path / f"trades{len(list(tmp_path.iterdir()))}", contents)
        expected = pd.concat([read_table(p, TRADES_SCHEMA) for p in paths], ignore_index=True)
        pd.testing.assert_frame_equal(read_tables(paths, TRADES_SCHEMA), expected)
    empty_read = read_tables([], PRICES_SCHEMA)
    assert list(empty_read.columns) == PRICES_SCHEMA.names and len(empty_read) == 0


def test_files_written_by_other_writers_read_the_same(tmp_path: Path) -> None:
    df = make_prices(days=4)
    paths = write_files(
        tmp_path / "prices",
        [
            table_bytes(df, PRICES_SCHEMA),
            pyarrow_bytes(make_prices(days=2)),
            pandas_metadata_bytes(make_prices(days=3)),  # other column types: file by file
        ],
    )
    got = read_tables(paths, PRICES_SCHEMA)
    one_by_one = pd.concat([read_table(p, PRICES_SCHEMA) for p in paths], ignore_index=True)
    pd.testing.assert_frame_equal(got, one_by_one)
    pd.testing.assert_frame_equal(got.iloc[:8], df)
    assert got["date"].map(type).eq(dt.date).all()


def test_a_damaged_file_among_many_is_named(tmp_path: Path) -> None:
    raw = table_bytes(make_prices(), PRICES_SCHEMA)
    damaged = raw[:200] + bytes(100) + raw[300:]
    paths = write_files(tmp_path / "prices", [raw, damaged, raw])
    with pytest.raises(ParquetSchemaError, match=f"^{paths[1].as_posix()}: not a readable"):
        read_tables(paths, PRICES_SCHEMA)
    wrong = table_bytes(make_trades(), TRADES_SCHEMA)
    paths = write_files(tmp_path / "mixed", [raw, wrong])
    with pytest.raises(ParquetSchemaError, match=f"^{paths[1].as_posix()}: missing column"):
        read_tables(paths, PRICES_SCHEMA)
    assert paths[1].read_bytes() == wrong
