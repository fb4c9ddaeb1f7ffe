"""Builders of server artifacts for reconcile fixture histories."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from pipeline.artifacts.envelope import Producer
from pipeline.artifacts.live import LiveCycleReceiptV2, OrderLine, OrderPlanV2, Push
from pipeline.artifacts.tickets import Fill, TicketResultV1
from pipeline.core.reconcile import Versioned
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
    TicketKind,
    TicketReason,
    TicketStatus,
)

SEOUL = ZoneInfo("Asia/Seoul")
Order = tuple[str, OrderSide, int]


def _env(day: dt.date, stage: str) -> dict[str, object]:
    return {
        "asof": day,
        "generated_at": dt.datetime.combine(day, dt.time(9, 6), SEOUL),
        "producer": Producer(stage=stage, host="SERVER", code_sha=None),
    }


def plan_id(day: dt.date, n: int = 0) -> str:
    return f"P-{day:%Y%m%d}-{hashlib.sha256(f'{day}{n}'.encode()).hexdigest()[:12]}"


def plan(day: dt.date, orders: list[Order], rebalance: bool = True, n: int = 0) -> OrderPlanV2:
    lines = tuple(
        OrderLine(
            ticker=t,
            side=side,
            shares=q,
            intended_shares=q,
            price_krw=10_000,
            notional_krw=q * 10_000,
            reason=OrderReason.REBALANCE,
            adjustment=OrderAdjustment.NONE,
            current_shares=0 if side is OrderSide.BUY else q,
            current_weight=0.0,
            target_weight=0.2,
        )
        for t, side, q in orders
    )
    buys = sum(line.notional_krw for line in lines if line.side is OrderSide.BUY)
    sells = sum(line.notional_krw for line in lines if line.side is OrderSide.SELL)
    return OrderPlanV2(
        **_env(day, "live_cycle"),  # type: ignore[arg-type]
        plan_id=plan_id(day, n),
        status=PlanStatus.READY if lines else PlanStatus.EMPTY,
        block_reason=None,
        gate=ExecutionGate.DRY_RUN,
        executable=False,
        bundle_asof=day - dt.timedelta(days=1),
        rebalance=rebalance,
        equity_krw=10_000_000,
        cash_krw=10_000_000,
        est_cash_after_krw=10_000_000 - buys + sells,
        total_buy_krw=buys,
        total_sell_krw=sells,
        orders=lines,
    )


def receipt(day: dt.date, p: OrderPlanV2, failed: bool = False) -> LiveCycleReceiptV2:
    return LiveCycleReceiptV2(
        **_env(day, "live_cycle"),  # type: ignore[arg-type]
        result=CycleResult.FAILED if failed else CycleResult.OK,
        decision=CycleDecision.BLOCKED if failed else CycleDecision.COMPLETED,
        reason=CycleReason.BUNDLE_INVALID if failed else CycleReason.ORDERS_READY,
        exit_code=3 if failed else 0,
        snapshot_ref=None,
        bundle_status=BundleStatus.INVALID if failed else BundleStatus.VALID,
        gate=ExecutionGate.DRY_RUN,
        plan_id=p.plan_id,
        plan_status=p.status,
        order_count=len(p.orders),
        push=Push(
            delivery_actual=DeliveryChannel.CONSOLE_SIMULATED,
            status=DeliveryStatus.SIMULATED,
            delivery_key=f"{day}:{p.plan_id}",
            telegram_message_id=None,
            attempts=0,
        ),
    )


def ticket_result(tid: str, pid: str, day: dt.date, fills: list[Order]) -> TicketResultV1:
    return TicketResultV1(
        **_env(day, "tickets"),  # type: ignore[arg-type]
        ticket_id=tid,
        ticket_sha256="0" * 64,
        kind=TicketKind.EXECUTION,
        plan_id=pid,
        status=TicketStatus.DONE,
        reason=TicketReason.APPLIED,
        detail="적용됨",
        applied_fills=tuple(
            Fill(ticker=t, side=s, shares=q, price_krw=10_000, executed_on=day) for t, s, q in fills
        ),
    )


def v(doc: object, path: str, n: int = 0) -> Versioned[object]:
    return Versioned(f"{n:040x}", path, "0" * 64, doc)
