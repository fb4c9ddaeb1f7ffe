"""Artifacts of the live cycle (DESIGN §5): order plan, receipt, delivery record, plan ledger.

``order_plan/v2`` and ``live_cycle_receipt/v2`` spell the missing bundle ``BUNDLE_MISSING``
(v1: ``NO_BUNDLE``); the v1 models keep their frozen ``CycleReason``
(``pipeline.artifacts.legacy``) so plans and receipts at old refs still validate.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from pipeline.artifacts import legacy
from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    CycleReason,
    CycleResult,
    DeliveryChannel,
    DeliveryStatus,
    ExecutionGate,
    OrderAdjustment,
    OrderReason,
    OrderSide,
    PlanStatus,
    SendError,
    SendOutcome,
)
from pipeline.types import Sha256, Ticker

PLAN_ID_PATTERN = r"^P-[0-9]{8}-[0-9a-f]{12}$"
SNAPSHOT_REF_PATTERN = r"^([0-9a-f]{40}|WORKTREE):[^\s]+$"


class OrderLine(Model):
    ticker: Ticker = Field(description="KRX short code, 6 characters")
    side: OrderSide = Field(description="BUY or SELL")
    shares: int = Field(ge=0, description="Shares to trade after guardrails (integer)")
    intended_shares: int = Field(ge=0, description="Shares before guardrails (integer)")
    price_krw: int = Field(gt=0, description="Reference price per share: close of the bundle asof")
    notional_krw: int = Field(ge=0, description="shares x price_krw, KRW")
    reason: OrderReason = Field(description="REBALANCE to target or STOP_LOSS")
    adjustment: OrderAdjustment = Field(description="What the guardrails did to the line")
    current_shares: int = Field(ge=0, description="Shares held before the order")
    current_weight: float = Field(ge=0, description="Weight held before the order, fraction")
    target_weight: float = Field(ge=0, le=1, description="Bundle target weight, fraction")


class OrderPlanV1(Envelope):
    """``reports/live/order_plan.json``: what to trade in session ``asof`` (or why nothing)."""

    schema_id: Literal["order_plan/v1"] = Field("order_plan/v1", alias="schema")
    plan_id: str | None = Field(pattern=PLAN_ID_PATTERN, description="Null when BLOCKED")
    status: PlanStatus = Field(description="READY, CLIPPED (guardrails), EMPTY or BLOCKED")
    block_reason: legacy.CycleReason | None = Field(
        description="Why no plan could be made (BLOCKED)"
    )
    gate: ExecutionGate = Field(description="Effective gate when the plan was made")
    executable: bool = Field(description="True only if gate is REAL_ENABLED and not blocked")
    bundle_asof: dt.date | None = Field(description="Signal date of the bundle used")
    rebalance: bool = Field(description="True if trading to targets; false = stop losses only")
    equity_krw: int = Field(description="Cash + holdings at reference prices, KRW")
    cash_krw: int = Field(description="Cash before the orders, KRW")
    est_cash_after_krw: int = Field(description="Cash after all orders incl. est. costs, KRW")
    total_buy_krw: int = Field(ge=0, description="Sum of buy notionals, KRW")
    total_sell_krw: int = Field(ge=0, description="Sum of sell notionals, KRW")
    orders: tuple[OrderLine, ...] = Field(description="Sells first, then buys; by ticker")

    @model_validator(mode="after")
    def _blocked_shape(self) -> OrderPlanV1:
        blocked = self.status is PlanStatus.BLOCKED
        if blocked != (self.block_reason is not None) or blocked != (self.plan_id is None):
            raise ValueError("BLOCKED plans have a block_reason and no plan_id; others the reverse")
        if blocked and (self.orders or self.executable):
            raise ValueError("a BLOCKED plan has no orders and is not executable")
        return self


class OrderPlanV2(Envelope):
    """``reports/live/order_plan.json``: what to trade in session ``asof`` (or why nothing).

    v2: block reason ``BUNDLE_MISSING`` (v1 ``NO_BUNDLE``).
    """

    schema_id: Literal["order_plan/v2"] = Field("order_plan/v2", alias="schema")
    plan_id: str | None = Field(pattern=PLAN_ID_PATTERN, description="Null when BLOCKED")
    status: PlanStatus = Field(description="READY, CLIPPED (guardrails), EMPTY or BLOCKED")
    block_reason: CycleReason | None = Field(description="Why no plan could be made (BLOCKED)")
    gate: ExecutionGate = Field(description="Effective gate when the plan was made")
    executable: bool = Field(description="True only if gate is REAL_ENABLED and not blocked")
    bundle_asof: dt.date | None = Field(description="Signal date of the bundle used")
    rebalance: bool = Field(description="True if trading to targets; false = stop losses only")
    equity_krw: int = Field(description="Cash + holdings at reference prices, KRW")
    cash_krw: int = Field(description="Cash before the orders, KRW")
    est_cash_after_krw: int = Field(description="Cash after all orders incl. est. costs, KRW")
    total_buy_krw: int = Field(ge=0, description="Sum of buy notionals, KRW")
    total_sell_krw: int = Field(ge=0, description="Sum of sell notionals, KRW")
    orders: tuple[OrderLine, ...] = Field(description="Sells first, then buys; by ticker")

    @model_validator(mode="after")
    def _blocked_shape(self) -> OrderPlanV2:
        blocked = self.status is PlanStatus.BLOCKED
        if blocked != (self.block_reason is not None) or blocked != (self.plan_id is None):
            raise ValueError("BLOCKED plans have a block_reason and no plan_id; others the reverse")
        if blocked and (self.orders or self.executable):
            raise ValueError("a BLOCKED plan has no orders and is not executable")
        return self


class Push(Model):
    delivery_actual: DeliveryChannel = Field(
        description="CONSOLE_SIMULATED unless a real send happened (then TELEGRAM)"
    )
    status: DeliveryStatus = Field(description="SENT, SIMULATED, FALLBACK or DUPLICATE_SKIPPED")
    delivery_key: str = Field(description="Idempotency key '<asof>:<plan_id or reason>'")
    telegram_message_id: int | None = Field(description="Telegram message_id of a real send")
    attempts: int = Field(ge=0, description="Real send attempts made in this run")


class LiveCycleReceiptV1(Envelope):
    """``reports/live/live_cycle_receipt.json``: one per trading day (the latest rerun wins)."""

    schema_id: Literal["live_cycle_receipt/v1"] = Field("live_cycle_receipt/v1", alias="schema")
    result: CycleResult = Field(description="OK, or FAILED on a fault a human must fix")
    decision: CycleDecision = Field(description="COMPLETED, PARTIAL or BLOCKED")
    reason: legacy.CycleReason = Field(description="ENUM reason (table in pipeline.core.cycle)")
    exit_code: int = Field(description="Process exit code: 0 completed, 2 blocked, 3 fault")
    snapshot_ref: str | None = Field(
        pattern=SNAPSHOT_REF_PATTERN,
        description="<commit>:<path> of the bundle read (WORKTREE: if uncommitted; null if none)",
    )
    bundle_status: BundleStatus = Field(description="Verdict on the strategy bundle")
    gate: ExecutionGate = Field(description="Effective execution gate of the run")
    plan_id: str | None = Field(
        pattern=PLAN_ID_PATTERN, description="Order plan id (null if blocked)"
    )
    plan_status: PlanStatus = Field(description="Status of the day's order plan")
    order_count: int = Field(ge=0, description="Order lines with shares > 0")
    push: Push = Field(description="What happened to the day's message")


class LiveCycleReceiptV2(Envelope):
    """``reports/live/live_cycle_receipt.json``: one per trading day (the latest rerun wins).

    v2: reason ``BUNDLE_MISSING`` (v1 ``NO_BUNDLE``).
    """

    schema_id: Literal["live_cycle_receipt/v2"] = Field("live_cycle_receipt/v2", alias="schema")
    result: CycleResult = Field(description="OK, or FAILED on a fault a human must fix")
    decision: CycleDecision = Field(description="COMPLETED, PARTIAL or BLOCKED")
    reason: CycleReason = Field(description="ENUM reason (table in pipeline.core.cycle)")
    exit_code: int = Field(description="Process exit code: 0 completed, 2 blocked, 3 fault")
    snapshot_ref: str | None = Field(
        pattern=SNAPSHOT_REF_PATTERN,
        description="<commit>:<path> of the bundle read (WORKTREE: if uncommitted; null if none)",
    )
    bundle_status: BundleStatus = Field(description="Verdict on the strategy bundle")
    gate: ExecutionGate = Field(description="Effective execution gate of the run")
    plan_id: str | None = Field(
        pattern=PLAN_ID_PATTERN, description="Order plan id (null if blocked)"
    )
    plan_status: PlanStatus = Field(description="Status of the day's order plan")
    order_count: int = Field(ge=0, description="Order lines with shares > 0")
    push: Push = Field(description="What happened to the day's message")


class SendAttempt(Model):
    n: int = Field(ge=1, description="Attempt number")
    http_status: int | None = Field(description="HTTP status (null on timeout/connect error)")
    error: SendError | None = Field(description="Null if the attempt succeeded")
    retry_after_s: float | None = Field(description="Telegram's retry_after on 429, seconds")


class DeliveryRecordV1(Envelope):
    """``reports/live/delivery_record.json``: the message and what happened to it."""

    schema_id: Literal["delivery_record/v1"] = Field("delivery_record/v1", alias="schema")
    delivery_key: str = Field(description="Idempotency key '<asof>:<plan_id or reason>'")
    plan_id: str | None = Field(
        pattern=PLAN_ID_PATTERN, description="Order plan id (null if blocked)"
    )
    real_send_allowed: bool = Field(
        description="gate != MOCK_ONLY, sender enabled, no stop, token and chat id present"
    )
    delivery_actual: DeliveryChannel = Field(description="Where the message actually went")
    status: DeliveryStatus = Field(description="SENT, SIMULATED, FALLBACK or DUPLICATE_SKIPPED")
    telegram_message_id: int | None = Field(description="Telegram message_id if sent")
    attempts: tuple[SendAttempt, ...] = Field(description="Real send attempts of this run")
    message_sha256: Sha256 = Field(description="SHA-256 of the UTF-8 message text")
    message_text: str = Field(description="The Korean plain-text message (never the token)")


class LedgerOrder(Model):
    ticker: Ticker = Field(description="KRX short code, 6 characters")
    side: OrderSide = Field(description="BUY or SELL")
    shares: int = Field(ge=0, description="Planned shares (integer)")
    price_krw: int = Field(gt=0, description="Reference price, KRW")


class LedgerEntry(Model):
    plan_id: str = Field(pattern=PLAN_ID_PATTERN, description="Order plan id")
    session: dt.date = Field(description="Session the plan was for")
    orders: tuple[LedgerOrder, ...] = Field(description="The plan's order lines")


class PlanLedgerV1(Envelope):
    """``state/server/plan_ledger.json``: recent plans, so tickets can refer to older ones."""

    schema_id: Literal["plan_ledger/v1"] = Field("plan_ledger/v1", alias="schema")
    entries: tuple[LedgerEntry, ...] = Field(description="Newest last; bounded length")


class SendIntent(Model):
    """One message the server meant to send, recorded (fsync) before the request leaves."""

    delivery_key: str = Field(
        max_length=120, description="'<session>:<plan_id or reason>': at most one send per key"
    )
    session: dt.date = Field(description="KRX session of the message")
    plan_id: str | None = Field(pattern=PLAN_ID_PATTERN, description="Order plan id, if any")
    message_sha256: Sha256 = Field(description="SHA-256 of the UTF-8 message text")
    intent_at: dt.datetime = Field(description="When the intent was recorded (Asia/Seoul)")
    outcome: SendOutcome = Field(description="PENDING, SENT, NOT_SENT or UNKNOWN")
    outcome_at: dt.datetime | None = Field(description="When the outcome was recorded")
    telegram_message_id: int | None = Field(description="Telegram message_id if SENT")


class SendLedgerV1(Envelope):
    """``state/server/send_ledger.json``: every real send's intent and outcome (at most once)."""

    schema_id: Literal["send_ledger/v1"] = Field("send_ledger/v1", alias="schema")
    intents: tuple[SendIntent, ...] = Field(
        max_length=400, description="Newest last; the oldest are dropped beyond the bound"
    )

    @model_validator(mode="after")
    def _unique_keys(self) -> SendLedgerV1:
        keys = [i.delivery_key for i in self.intents]
        if len(keys) != len(set(keys)):
            raise ValueError("a delivery key appears twice in the send ledger")
        return self
