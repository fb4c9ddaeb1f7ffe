"""Parquet IO with explicit pyarrow schemas (no inferred types)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.core.bars import check_bars
from pipeline.io.atomic import write_bytes_atomic
from pipeline.registry import ArtifactSpec

PRICES_SCHEMA = pa.schema(
    [
        pa.field("date", pa.date32(), nullable=False),
        pa.field("ticker", pa.string(), nullable=False),
        pa.field("open", pa.int64(), nullable=False),
        pa.field("high", pa.int64(), nullable=False),
        pa.field("low", pa.int64(), nullable=False),
        pa.field("close", pa.int64(), nullable=False),
        pa.field("volume", pa.int64(), nullable=False),
    ],
    metadata={"units": "prices in KRW (integer won), volume in shares"},
)

TRADES_SCHEMA = pa.schema(
    [
        pa.field("date", pa.date32(), nullable=False),
        pa.field("ticker", pa.string(), nullable=False),
        pa.field("side", pa.string(), nullable=False),
        pa.field("shares", pa.int64(), nullable=False),
        pa.field("price", pa.float64(), nullable=False),
        pa.field("notional", pa.int64(), nullable=False),
        pa.field("commission", pa.int64(), nullable=False),
        pa.field("slippage", pa.int64(), nullable=False),
        pa.field("sell_tax", pa.int64(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("realized_pnl", pa.int64(), nullable=True),
    ],
    metadata={
        "units": "date = fill day (open after the signal close); side BUY|SELL; price in KRW "
        "per share incl. modelled slippage (fractional); shares integer; notional, commission, "
        "slippage, sell_tax, realized_pnl in KRW rounded to the won; realized_pnl null on buys; "
        "reason REBALANCE|STOP_LOSS"
    },
)

#: name -> explicit schema of each registered parquet artifact.
PARQUET_SCHEMAS: dict[str, pa.Schema] = {"prices": PRICES_SCHEMA, "backtest_trades": TRADES_SCHEMA}


def table_bytes(df: pd.DataFrame, schema: pa.Schema) -> bytes:
    """Deterministic parquet bytes of ``df`` under ``schema`` (same data -> same bytes)."""
    table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(
        table,
        buf,
        compression="zstd",
        compression_level=9,
        use_dictionary=["ticker"] if "ticker" in schema.names else False,
        write_statistics=True,
        store_schema=False,
    )
    return buf.getvalue()


def write_table_atomic(path: Path, df: pd.DataFrame, schema: pa.Schema) -> bool:
    return write_bytes_atomic(path, table_bytes(df, schema))


def read_table(path: Path | io.BytesIO, schema: pa.Schema) -> pd.DataFrame:
    table = pq.read_table(path, schema=schema)
    frame: pd.DataFrame = table.to_pandas()
    return frame


def validate_parquet_bytes(spec: ArtifactSpec, raw: bytes) -> list[str]:
    schema = PARQUET_SCHEMAS.get(spec.name)
    if schema is None:
        return [f"no parquet schema registered for {spec.name}"]
    try:
        table = pq.read_table(io.BytesIO(raw))
    except (pa.ArrowInvalid, OSError) as err:
        return [f"not a readable parquet file: {err}"]
    if not table.schema.remove_metadata().equals(schema.remove_metadata()):
        return [f"parquet schema {table.schema.to_string()} != expected {schema.to_string()}"]
    if spec.name == "prices":
        return check_bars(table.to_pandas())
    return []
