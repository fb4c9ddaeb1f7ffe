"""Stage ``live_cycle``: bundle check -> order plan -> gate -> delivery -> receipt (DESIGN §5).

Exit code: 0 completed/partial, 2 a normal safety block, 3 a fault a human must fix (table in
``pipeline.core.cycle``). The receipt is written in every case; non-trading days write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.live import OrderPlanV2
from pipeline.artifacts.ops import OpsSummaryV2
from pipeline.core.bundle_check import BUNDLE_PATH, BundleVerdict, check_bundle
from pipeline.core.cycle import Outcome, decide, delivery_key, first_block
from pipeline.core.message import render
from pipeline.core.orders import build_plan
from pipeline.core.safety import SafetyState
from pipeline.enums import BundleStatus, CycleReason, DeliveryStatus, Owner
from pipeline.errors import EXIT_OK
from pipeline.flows.live_records import (
    Env,
    cycle_receipt,
    delivery_record,
    message_facts,
    order_plan,
    update_ledger,
)
from pipeline.io import gitref
from pipeline.io import server_state as st
from pipeline.io.context import now_seoul, producer
from pipeline.io.delivery import deliver, delivery_lock
from pipeline.io.safety import read_safety
from pipeline.params import load_params, params_sha256

READS = (
    BUNDLE_PATH,
    registry.path("portfolio"),
    registry.path("positions"),
    registry.path("execution_gate"),
    registry.path("real_sender"),
    registry.path("emergency_stop"),
)


@dataclass(frozen=True)
class Prepared:
    """Everything the run decides before delivery (shared with the PC's push preview)."""

    env: Env
    safety: SafetyState
    verdict: BundleVerdict
    block: CycleReason | None
    plan: OrderPlanV2
    planned: Outcome
    text: str
    head: str | None


def stale(verdict: BundleVerdict) -> bool:
    """A stale bundle plans the exits only (no buys) and says so in the receipt."""
    return verdict.status is BundleStatus.STALE


def prepare(root: Path, session: st.Session) -> Prepared:
    """Bundle check -> order plan -> the message text; reads files, writes nothing."""
    p = load_params(root)
    safety = read_safety(root)
    verdict = check_bundle(st.read_raw(root, BUNDLE_PATH), session.day, session.cal, p.live)
    holdings = st.load_holdings(root)
    block = first_block(safety.stop, verdict.status, holdings.block())
    draft = None
    if block is None and verdict.bundle and holdings.positions:
        pos = holdings.positions
        draft = build_plan(
            session.day,
            verdict.bundle,
            pos.cash_krw,
            pos.holdings,
            p.strategy,
            p.live,
            p.costs,
            buys_allowed=verdict.status is not BundleStatus.STALE,
        )
        block = draft.block_reason
    head = gitref.head(root)
    env = Env(
        session.day,
        now_seoul(),
        producer("live_cycle", root),
        params_sha256(p.strategy, p.live, p.costs),
        st.refs(root, list(READS), head),
    )
    plan = order_plan(env, safety, verdict, holdings, draft, block)
    ops = st.read_valid(root, "ops_summary", OpsSummaryV2)
    ops = ops if ops and ops.asof == session.day else None
    planned = decide(plan.status, block, DeliveryStatus.SIMULATED, stale(verdict))
    facts = message_facts(env, ops, planned, safety, verdict, plan, session.cal)
    return Prepared(env, safety, verdict, block, plan, planned, render(facts), head)


def main(root: Path, asof: str | None) -> int:
    st.require_role(Owner.SERVER, "stage live_cycle")
    session = st.trading_session(root, asof)
    if session is None:
        print("live_cycle: not a KRX trading day; no receipt")
        return EXIT_OK
    p = load_params(root)
    pre = prepare(root, session)
    env, safety, verdict, block, plan, planned = (
        pre.env,
        pre.safety,
        pre.verdict,
        pre.block,
        pre.plan,
        pre.planned,
    )
    text, head = pre.text, pre.head
    key = delivery_key(session.day.isoformat(), plan.plan_id, planned.reason)
    with delivery_lock(
        root, p.live.delivery_lock_wait_s
    ):  # idempotency must hold against a concurrent run too
        sent = deliver(root, key, text, safety, p.live, session=session.day, plan_id=plan.plan_id)
        st.write(root, "delivery_record", delivery_record(env, key, plan.plan_id, sent, text))
    outcome = decide(plan.status, block, sent.status, stale(verdict))
    st.write(root, "order_plan", plan)
    update_ledger(root, env, plan)
    has_bundle = verdict.status is not BundleStatus.MISSING
    ref = gitref.snapshot_ref(root, BUNDLE_PATH, head) if has_bundle else None
    receipt = cycle_receipt(env, outcome, ref, verdict, safety, plan, key, sent)
    st.write(root, "live_cycle_receipt", receipt)
    print(
        f"live_cycle {session.day}: result={receipt.result} decision={receipt.decision} "
        f"reason={receipt.reason} delivery={sent.actual} snapshot_ref={receipt.snapshot_ref}"
    )
    return outcome.exit_code
