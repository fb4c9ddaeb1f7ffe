"""Holdings: the operator's baseline ``portfolio`` and the server-derived ``positions``.

The operator writes ``state/portfolio.json`` on the PC (cash and holdings at the close of its
``asof``). The server never edits it: it derives ``state/server/positions.json`` = baseline +
fills of processed execution tickets after the baseline, so path ownership stays clean.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from pipeline.artifacts.envelope import Envelope, InputRef, Model
from pipeline.types import Ticker


class Holding(Model):
    ticker: Ticker = Field(description="KRX short code, 6 characters")
    shares: int = Field(gt=0, description="Shares held (integer)")
    avg_price_krw: int = Field(gt=0, description="Average entry price per share, KRW")


class _Holdings(Envelope):
    cash_krw: int = Field(description="Cash available, KRW (negative = inconsistent)")
    holdings: tuple[Holding, ...] = Field(description="One entry per ticker, sorted by ticker")

    @model_validator(mode="after")
    def _unique_sorted(self) -> _Holdings:
        tickers = [h.ticker for h in self.holdings]
        if tickers != sorted(set(tickers)):
            raise ValueError("holdings must be unique per ticker and sorted by ticker")
        return self

    def shares_of(self, ticker: str) -> int:
        return next((h.shares for h in self.holdings if h.ticker == ticker), 0)


class PortfolioV1(_Holdings):
    """``state/portfolio.json``: the operator's baseline at the close of ``asof``."""

    schema_id: Literal["portfolio/v1"] = Field("portfolio/v1", alias="schema")
    updated_by: str = Field(min_length=1, max_length=80, description="Operator who wrote it")
    note: str = Field("", max_length=500, description="Free text (broker statement reference)")


class PositionsV1(_Holdings):
    """``state/server/positions.json``: baseline + fills of processed tickets after it."""

    schema_id: Literal["positions/v1"] = Field("positions/v1", alias="schema")
    baseline: InputRef = Field(description="The portfolio file this was derived from")
    baseline_asof: dt.date = Field(description="asof of the baseline portfolio")
    applied_tickets: tuple[str, ...] = Field(
        description="Ticket ids whose fills are applied, in application order"
    )
    inconsistencies: tuple[str, ...] = Field(
        (), description="Problems found while deriving (e.g. negative cash); empty if none"
    )
