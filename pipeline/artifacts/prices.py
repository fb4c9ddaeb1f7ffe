"""Artifacts of the clock and ingest stages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import InstrumentType, PriceSource
from pipeline.types import Sha256, Ticker


class ClockV1(Envelope):
    """The as-of trading date of the PC pipeline; changes only when the date does."""

    schema_id: Literal["clock/v1"] = Field("clock/v1", alias="schema")


class UniverseEntry(Model):
    ticker: Ticker = Field(description="KRX short code")
    name: str = Field(description="Display name")
    type: InstrumentType = Field(description="ETF or STOCK (decides the sell tax)")
    first_date: dt.date = Field(description="First bar stored")
    last_date: dt.date = Field(description="Last bar stored")
    bars: int = Field(ge=1, description="Number of daily bars stored")


class PricePartition(Model):
    key: str = Field(description="Partition key YYYY/YYYY-MM")
    path: str = Field(description="Repo-relative parquet path")
    rows: int = Field(ge=1, description="Bars in the file")
    first_date: dt.date = Field(description="First bar date in the file")
    last_date: dt.date = Field(description="Last bar date in the file")
    sha256: Sha256 = Field(description="SHA-256 of the parquet file's bytes")


class PricesMetaV1(Envelope):
    """Index of the price store: what is there, where it came from, and whether it is real."""

    schema_id: Literal["prices_meta/v1"] = Field("prices_meta/v1", alias="schema")
    source: PriceSource = Field(description="Price source from params (sample, csv, pykrx, fdr)")
    synthetic: bool = Field(description="True for the generated sample data: not market data")
    source_note: str = Field(description="Human description of the source (shown in reports)")
    first_date: dt.date = Field(description="First bar date in the store")
    last_date: dt.date = Field(description="Last bar date in the store")
    bars: int = Field(ge=0, description="Total bars across tickers")
    universe: tuple[UniverseEntry, ...] = Field(description="Stored tickers with their ranges")
    partitions: tuple[PricePartition, ...] = Field(description="Monthly parquet files, by key")
