"""Operator tickets (``state/tickets/<id>.json``) and the server's results (one per id)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import OrderSide, TicketKind, TicketReason, TicketStatus
from pipeline.types import Sha256, Ticker

TICKET_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
#: A result's id: the ticket id, or ``invalid.<16 hex>`` for a file whose name is no ticket id
#: (a '.' never occurs in a ticket id, so the two never collide).
RESULT_ID_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9_-]{0,63}|invalid\.[0-9a-f]{16})$"

# Realistic bounds (absurd numbers are bad input, not data): no KRX listing trades above
# 10 million KRW a share, no single order is a billion shares.
MAX_SHARES = 100_000_000
MAX_PRICE_KRW = 10_000_000
MAX_FEE_KRW = 1_000_000_000
MAX_FILLS = 200


class Fill(Model):
    ticker: Ticker = Field(description="KRX short code, 6 characters")
    side: OrderSide = Field(description="BUY or SELL")
    shares: int = Field(gt=0, le=MAX_SHARES, description="Shares executed (integer)")
    price_krw: int = Field(
        gt=0, le=MAX_PRICE_KRW, description="Average execution price per share, KRW"
    )
    fee_krw: int = Field(
        0,
        ge=0,
        le=MAX_FEE_KRW,
        description="Commission and tax paid for this fill, KRW (at most the fill's notional)",
    )
    executed_on: dt.date = Field(description="KRX session the fill happened in")

    @model_validator(mode="after")
    def _fee_below_notional(self) -> Fill:
        if self.fee_krw > self.shares * self.price_krw:
            raise ValueError("fee_krw exceeds the fill's notional (shares x price_krw)")
        return self


class TicketV1(Envelope):
    """A manual execution record of fills for a plan, or an acknowledge of a plan."""

    schema_id: Literal["ticket/v1"] = Field("ticket/v1", alias="schema")
    ticket_id: str = Field(pattern=TICKET_ID_PATTERN, description="Equals the file name stem")
    kind: TicketKind = Field(description="EXECUTION (fills for a plan) or ACK (acknowledge)")
    plan_id: str = Field(min_length=1, max_length=80, description="Order plan it refers to")
    created_by: str = Field(min_length=1, max_length=80, description="Operator")
    note: str = Field("", max_length=500, description="Free text from the operator")
    fills: tuple[Fill, ...] = Field(
        (), max_length=MAX_FILLS, description="EXECUTION: at least one; ACK: none"
    )

    @model_validator(mode="after")
    def _fills_match_kind(self) -> TicketV1:
        if self.kind is TicketKind.EXECUTION and not self.fills:
            raise ValueError("an EXECUTION ticket needs at least one fill")
        if self.kind is TicketKind.ACK and self.fills:
            raise ValueError("an ACK ticket has no fills")
        return self


class TicketResultV1(Envelope):
    """``reports/tickets/<id>.json``: written exactly once per ticket id."""

    schema_id: Literal["ticket_result/v1"] = Field("ticket_result/v1", alias="schema")
    ticket_id: str = Field(
        pattern=RESULT_ID_PATTERN,
        description="Ticket id = file name stem; 'invalid.<hash>' for a file with a bad name",
    )
    ticket_sha256: Sha256 = Field(description="SHA-256 of the ticket file's bytes when processed")
    kind: TicketKind | None = Field(description="Null if the ticket could not be parsed")
    plan_id: str | None = Field(description="Plan the ticket refers to (null if unparsable)")
    status: TicketStatus = Field(description="DONE, REJECTED or EXPIRED")
    reason: TicketReason = Field(description="ENUM reason (rules in pipeline.core.tickets)")
    detail: str = Field(description="Korean explanation for the operator")
    applied_fills: tuple[Fill, ...] = Field(description="Fills applied to positions (DONE only)")

    @model_validator(mode="after")
    def _status_reason(self) -> TicketResultV1:
        done = {TicketReason.APPLIED, TicketReason.ACKNOWLEDGED}
        if (self.status is TicketStatus.DONE) != (self.reason in done):
            raise ValueError(f"status {self.status} does not go with reason {self.reason}")
        if (self.status is TicketStatus.EXPIRED) != (self.reason is TicketReason.PLAN_EXPIRED):
            raise ValueError("EXPIRED goes with PLAN_EXPIRED and only with it")
        if self.applied_fills and self.reason is not TicketReason.APPLIED:
            raise ValueError("only an APPLIED result carries fills")
        return self
