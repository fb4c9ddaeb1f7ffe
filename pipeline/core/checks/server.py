"""Cross-field rules of the server's artifacts (registered in ``pipeline.core.checks.CHECKS``).

They catch hand-edited or half-consistent artifacts that each pass their JSON Schema. A legacy
version's document is checked as the current version it upgrades to (``pipeline.io.validate``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pipeline import registry
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.live import DeliveryRecordV1, LiveCycleReceiptV2, OrderPlanV2, PlanLedgerV1
from pipeline.artifacts.ops import OpsSummaryV2
from pipeline.artifacts.portfolio import PositionsV1
from pipeline.canonical import sha256_hex
from pipeline.core.ops_rule import RANK, SEVERITY, overall_status, severity_ok
from pipeline.enums import (
    CycleDecision,
    CycleResult,
    DeliveryChannel,
    DeliveryStatus,
    ExecutionGate,
    OrderAdjustment,
    OrderSide,
    PlanStatus,
)
from pipeline.errors import cycle_exit

Finding = tuple[str, str]
REAL = {DeliveryStatus.SENT, DeliveryStatus.DUPLICATE_SKIPPED}


def _check_order_plan(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, OrderPlanV2)
    for i, o in enumerate(doc.orders):
        if o.notional_krw != o.shares * o.price_krw:
            yield f"/orders/{i}/notional_krw", "notional_krw must equal shares x price_krw"
        if o.shares > o.intended_shares:
            yield f"/orders/{i}/shares", "guardrails never increase an order"
        if (o.shares != o.intended_shares) == (o.adjustment is OrderAdjustment.NONE):
            yield f"/orders/{i}/adjustment", "adjustment must say why shares differ from intended"
    sides = [o.side for o in doc.orders]
    if sides != sorted(sides, key=lambda s: s is OrderSide.BUY):
        yield "/orders", "sells come before buys"
    buy = sum(o.notional_krw for o in doc.orders if o.side is OrderSide.BUY)
    if (
        buy != doc.total_buy_krw
        or doc.total_sell_krw != sum(o.notional_krw for o in doc.orders) - buy
    ):
        yield "/total_buy_krw", "totals must equal the sums of the order lines"
    adjusted = any(o.adjustment is not OrderAdjustment.NONE for o in doc.orders)
    expected = {
        PlanStatus.READY: not adjusted and bool(doc.orders),
        PlanStatus.CLIPPED: adjusted,
        PlanStatus.EMPTY: not doc.orders,
    }
    if not expected.get(doc.status, True):
        yield "/status", f"status {doc.status} does not match the order lines"
    if doc.executable and doc.gate is not ExecutionGate.REAL_ENABLED:
        yield "/executable", "only a REAL_ENABLED plan is executable"


def _check_receipt(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, LiveCycleReceiptV2)
    if doc.result is CycleResult.FAILED and doc.decision is not CycleDecision.BLOCKED:
        yield "/decision", "a FAILED cycle is BLOCKED"
    code = cycle_exit(doc.result, doc.decision)
    if doc.exit_code != code:
        yield "/exit_code", f"exit_code must be {code} for {doc.result}/{doc.decision}"
    blocked = doc.decision is CycleDecision.BLOCKED
    if blocked != (doc.plan_status is PlanStatus.BLOCKED) or blocked != (doc.plan_id is None):
        yield "/plan_id", "a BLOCKED cycle has a BLOCKED plan without id, and only then"
    if (doc.push.delivery_actual is DeliveryChannel.TELEGRAM) != (doc.push.status in REAL):
        yield "/push/delivery_actual", "TELEGRAM exactly when the message was really sent"
    if not doc.push.delivery_key.startswith(f"{doc.asof}:"):
        yield "/push/delivery_key", "the delivery key starts with the receipt's asof"


def _check_delivery(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, DeliveryRecordV1)
    if doc.message_sha256 != sha256_hex(doc.message_text.encode("utf-8")):
        yield "/message_sha256", "does not match message_text"
    if (doc.delivery_actual is DeliveryChannel.TELEGRAM) != (doc.status in REAL):
        yield "/delivery_actual", "TELEGRAM exactly when the message was really sent"
    if doc.status is DeliveryStatus.SENT and doc.telegram_message_id is None:
        yield "/telegram_message_id", "a SENT message has Telegram's message_id"
    if [a.n for a in doc.attempts] != list(range(1, len(doc.attempts) + 1)):
        yield "/attempts", "attempts are numbered 1..n"


def _check_ops_summary(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, OpsSummaryV2)
    for i, r in enumerate(doc.top_risks):
        if not severity_ok(r.code, r.severity):
            yield f"/top_risks/{i}/severity", f"{r.code} is {SEVERITY[r.code]}"
    ranks = [RANK[r.severity] for r in doc.top_risks]
    if ranks != sorted(ranks):
        yield "/top_risks", "most severe first"
    expected = overall_status(doc.top_risks, has_history=doc.last_cycle_asof is not None)
    if doc.overall_status is not expected:
        yield "/overall_status", f"the status rule gives {expected} for these risks"


def _check_positions(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, PositionsV1)
    if len(set(doc.applied_tickets)) != len(doc.applied_tickets):
        yield "/applied_tickets", "a ticket is applied at most once"
    if doc.baseline.path != registry.path("portfolio"):
        yield "/baseline/path", f"positions derive from {registry.path('portfolio')}"


def _check_ledger(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, PlanLedgerV1)
    ids = [e.plan_id for e in doc.entries]
    if len(set(ids)) != len(ids):
        yield "/entries", "plan ids are unique"
    sessions = [e.session for e in doc.entries]
    if sessions != sorted(sessions):
        yield "/entries", "entries are in session order"


SERVER_CHECKS: dict[str, list[Callable[[Envelope], Iterator[Finding]]]] = {
    "order_plan/v2": [_check_order_plan],
    "live_cycle_receipt/v2": [_check_receipt],
    "delivery_record/v1": [_check_delivery],
    "ops_summary/v2": [_check_ops_summary],
    "positions/v1": [_check_positions],
    "plan_ledger/v1": [_check_ledger],
}
