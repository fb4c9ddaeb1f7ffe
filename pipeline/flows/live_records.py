"""Build and write the live cycle's records: order plan, delivery record, plan ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.artifacts.envelope import InputRef, Producer
from pipeline.artifacts.live import (
    DeliveryRecordV1,
    LedgerEntry,
    LedgerOrder,
    LiveCycleReceiptV2,
    OrderPlanV2,
    PlanLedgerV1,
    Push,
)
from pipeline.artifacts.ops import OpsSummaryV2
from pipeline.canonical import sha256_hex
from pipeline.core.bundle_check import BundleVerdict
from pipeline.core.cycle import Outcome
from pipeline.core.holdings import Holdings
from pipeline.core.message import MessageFacts, next_rebalance_session
from pipeline.core.orders import PlanDraft, plan_id
from pipeline.core.safety import SafetyState
from pipeline.enums import CycleReason, ExecutionGate, PlanStatus
from pipeline.io import server_state as st
from pipeline.io.delivery import Delivery
from pipeline.krx_calendar import KrxCalendar

#: Plans kept in the ledger (tickets older than their expiry are rejected anyway).
LEDGER_SIZE = 60


@dataclass(frozen=True)
class Env:
    """The envelope fields shared by the artifacts of one stage run."""

    asof: dt.date
    generated_at: dt.datetime
    producer: Producer
    params_sha256: str
    inputs: tuple[InputRef, ...]

    def kw(self) -> dict[str, Any]:
        return {
            "asof": self.asof,
            "generated_at": self.generated_at,
            "producer": self.producer,
            "params_sha256": self.params_sha256,
            "inputs": self.inputs,
        }


def order_plan(
    env: Env,
    safety: SafetyState,
    verdict: BundleVerdict,
    holdings: Holdings,
    draft: PlanDraft | None,
    block: CycleReason | None,
) -> OrderPlanV2:
    """The plan artifact: the draft's orders, or a BLOCKED plan with its reason."""
    bundle_asof = verdict.bundle.asof if verdict.bundle else None
    pos = holdings.positions
    cash = pos.cash_krw if pos else 0
    if draft is None or block is not None:
        return OrderPlanV2(
            **env.kw(),
            plan_id=None,
            status=PlanStatus.BLOCKED,
            block_reason=block or CycleReason.PRICE_MISSING,
            gate=safety.gate,
            executable=False,
            bundle_asof=bundle_asof,
            rebalance=bool(verdict.bundle and verdict.bundle.rebalance_due),
            equity_krw=draft.equity_krw if draft else cash,
            cash_krw=cash,
            est_cash_after_krw=cash,
            total_buy_krw=0,
            total_sell_krw=0,
            orders=(),
        )
    assert verdict.bundle is not None and pos is not None
    pid = plan_id(
        env.asof, verdict.bundle.integrity_sha256, pos.cash_krw, pos.holdings, draft.orders
    )
    return OrderPlanV2(
        **env.kw(),
        plan_id=pid,
        status=draft.status,
        block_reason=None,
        gate=safety.gate,
        executable=safety.gate is ExecutionGate.REAL_ENABLED,
        bundle_asof=bundle_asof,
        rebalance=draft.rebalance,
        equity_krw=draft.equity_krw,
        cash_krw=draft.cash_krw,
        est_cash_after_krw=draft.est_cash_after_krw,
        total_buy_krw=draft.total_buy_krw,
        total_sell_krw=draft.total_sell_krw,
        orders=draft.orders,
    )


def delivery_record(
    env: Env, key: str, pid: str | None, sent: Delivery, text: str
) -> DeliveryRecordV1:
    return DeliveryRecordV1(
        **env.kw(),
        delivery_key=key,
        plan_id=pid,
        real_send_allowed=sent.allowed,
        delivery_actual=sent.actual,
        status=sent.status,
        telegram_message_id=sent.message_id,
        attempts=sent.attempts,
        message_sha256=sha256_hex(text.encode("utf-8")),
        message_text=text,
    )


def update_ledger(root: Path, env: Env, plan: OrderPlanV2) -> None:
    """Remember a made plan (not a blocked one) so later tickets can refer to it."""
    if plan.plan_id is None:
        return
    old = st.read_valid(root, "plan_ledger", PlanLedgerV1)
    entries = [e for e in (old.entries if old else ()) if e.plan_id != plan.plan_id]
    entries.append(
        LedgerEntry(
            plan_id=plan.plan_id,
            session=plan.asof,
            orders=tuple(
                LedgerOrder(ticker=o.ticker, side=o.side, shares=o.shares, price_krw=o.price_krw)
                for o in plan.orders
            ),
        )
    )
    if old is not None and [e.plan_id for e in old.entries] == [e.plan_id for e in entries]:
        return  # unchanged: keep the file (and its git history) as it is
    ledger = PlanLedgerV1(**env.kw(), entries=tuple(entries[-LEDGER_SIZE:]))
    st.write(root, "plan_ledger", ledger)


def message_facts(
    env: Env,
    ops: OpsSummaryV2 | None,
    planned: Outcome,
    safety: SafetyState,
    verdict: BundleVerdict,
    plan: OrderPlanV2,
    cal: KrxCalendar | None = None,
) -> MessageFacts:
    """What the Korean daily message says (``ops``: today's summary, if any)."""
    bundle = verdict.bundle
    next_rebalance = None
    if bundle is not None and cal is not None:
        next_rebalance = next_rebalance_session(bundle.valid_until, cal)
    return MessageFacts(
        session=env.asof,
        ops_status=ops.overall_status if ops else None,
        risk_codes=tuple(r.code.value for r in ops.top_risks) if ops else (),
        decision=planned.decision,
        reason=planned.reason.value,
        gate=safety.gate,
        bundle_status=verdict.status,
        bundle_asof=bundle.asof if bundle else None,
        day_state=bundle.day_state.value if bundle else None,
        plan_id=plan.plan_id,
        orders=plan.orders,
        names={s.ticker: s.name for s in bundle.signals} if bundle else {},
        next_rebalance=next_rebalance,
    )


def cycle_receipt(
    env: Env,
    outcome: Outcome,
    snapshot_ref: str | None,
    verdict: BundleVerdict,
    safety: SafetyState,
    plan: OrderPlanV2,
    key: str,
    sent: Delivery,
) -> LiveCycleReceiptV2:
    return LiveCycleReceiptV2(
        **env.kw(),
        result=outcome.result,
        decision=outcome.decision,
        reason=outcome.reason,
        exit_code=outcome.exit_code,
        snapshot_ref=snapshot_ref,
        bundle_status=verdict.status,
        gate=safety.gate,
        plan_id=plan.plan_id,
        plan_status=plan.status,
        order_count=sum(1 for o in plan.orders if o.shares > 0),
        push=Push(
            delivery_actual=sent.actual,
            status=sent.status,
            delivery_key=key,
            telegram_message_id=sent.message_id,
            attempts=len(sent.attempts),
        ),
    )
