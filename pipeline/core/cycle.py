"""Live-cycle decision table: what a blocked input or a plan means for the receipt.

=====================  ==========  =========  =====================  ====
situation              decision    result     reason                 exit
=====================  ==========  =========  =====================  ====
emergency stop         BLOCKED     OK         EMERGENCY_STOP         2
bundle missing         BLOCKED     OK         BUNDLE_MISSING         2
bundle invalid         BLOCKED     FAILED     BUNDLE_INVALID         3
bundle tampered        BLOCKED     FAILED     BUNDLE_TAMPERED        3
bundle not yet valid   BLOCKED     OK         BUNDLE_NOT_YET_VALID   2
bundle stale           PARTIAL     OK         BUNDLE_STALE           0  exits only, no buys
portfolio missing      BLOCKED     OK         NO_PORTFOLIO           2
portfolio invalid      BLOCKED     FAILED     PORTFOLIO_INVALID      3
positions out of date  BLOCKED     FAILED     POSITIONS_OUT_OF_DATE  3
price missing          BLOCKED     FAILED     PRICE_MISSING          3
plan READY             COMPLETED   OK         ORDERS_READY           0
plan EMPTY             COMPLETED   OK         NO_ORDERS              0
plan CLIPPED           PARTIAL     OK         ORDERS_CLIPPED         0
real send failed       PARTIAL     OK         DELIVERY_FALLBACK      0  (unless blocked)
send outcome unknown   PARTIAL     OK         DELIVERY_OUTCOME_UNKNOWN 0  (unless blocked)
=====================  ==========  =========  =====================  ====

At most once (``send_decision``): an intent is recorded durably before every real send, keyed
by ``<session>:<plan id or block reason>``. Whatever happened in between (other plans, reruns,
a crash after Telegram answered, a timeout whose request may have arrived):

==============================  ==================================================
what the send ledger holds      this run
==============================  ==================================================
nothing for the key             record the intent (fsync), then send
SENT                            do not send (DUPLICATE_SKIPPED)
NOT_SENT (refused, never left)  record a new intent, send again
PENDING or UNKNOWN              never resend: OUTCOME_UNKNOWN, "전송 결과 불명"
ledger unreadable               no real send at all (fail closed)
==============================  ==================================================

The gate does not change the decision: it decides whether the plan is executable and whether a
real send is allowed. A normal safety block exits 2, a fault a human must fix exits 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.artifacts.live import SendIntent
from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    CycleReason,
    CycleResult,
    DeliveryStatus,
    PlanStatus,
    SendOutcome,
)
from pipeline.errors import cycle_exit

#: Blocks that are faults (a human must fix an input), not normal safety blocks.
FAULTS = frozenset(
    {
        CycleReason.BUNDLE_INVALID,
        CycleReason.BUNDLE_TAMPERED,
        CycleReason.PORTFOLIO_INVALID,
        CycleReason.POSITIONS_OUT_OF_DATE,
        CycleReason.PRICE_MISSING,
    }
)

#: A bundle that blocks the cycle: its reason is ``BUNDLE_<status>``, by construction (one name
#: per fact). STALE is no block: the plan holds the exits only (``decide(..., stale=True)``).
BUNDLE_BLOCKS: dict[BundleStatus, CycleReason] = {
    s: CycleReason(f"BUNDLE_{s.value}")
    for s in (
        BundleStatus.MISSING,
        BundleStatus.INVALID,
        BundleStatus.TAMPERED,
        BundleStatus.NOT_YET_VALID,
    )
}


@dataclass(frozen=True)
class Outcome:
    result: CycleResult
    decision: CycleDecision
    reason: CycleReason

    @property
    def exit_code(self) -> int:
        return cycle_exit(self.result, self.decision)


def first_block(
    stop: bool, bundle: BundleStatus, positions_block: CycleReason | None
) -> CycleReason | None:
    """The reason the cycle cannot make a plan, in priority order (None: go ahead)."""
    if stop:
        return CycleReason.EMERGENCY_STOP
    if bundle in BUNDLE_BLOCKS:
        return BUNDLE_BLOCKS[bundle]
    return positions_block


def blocked(reason: CycleReason) -> Outcome:
    if reason in FAULTS:
        return Outcome(CycleResult.FAILED, CycleDecision.BLOCKED, reason)
    return Outcome(CycleResult.OK, CycleDecision.BLOCKED, reason)


def decide(
    plan: PlanStatus, block: CycleReason | None, delivery: DeliveryStatus, stale: bool = False
) -> Outcome:
    """The receipt's result/decision/reason/exit code (table in the module docstring)."""
    if plan is PlanStatus.BLOCKED or block is not None:
        return blocked(block or CycleReason.PRICE_MISSING)
    if stale:  # buys withheld on a stale bundle: says so whatever else happened
        return Outcome(CycleResult.OK, CycleDecision.PARTIAL, CycleReason.BUNDLE_STALE)
    if delivery is DeliveryStatus.FALLBACK:
        return Outcome(CycleResult.OK, CycleDecision.PARTIAL, CycleReason.DELIVERY_FALLBACK)
    if delivery is DeliveryStatus.OUTCOME_UNKNOWN:
        return Outcome(CycleResult.OK, CycleDecision.PARTIAL, CycleReason.DELIVERY_OUTCOME_UNKNOWN)
    if plan is PlanStatus.CLIPPED:
        return Outcome(CycleResult.OK, CycleDecision.PARTIAL, CycleReason.ORDERS_CLIPPED)
    if plan is PlanStatus.EMPTY:
        return Outcome(CycleResult.OK, CycleDecision.COMPLETED, CycleReason.NO_ORDERS)
    return Outcome(CycleResult.OK, CycleDecision.COMPLETED, CycleReason.ORDERS_READY)


def delivery_key(session: str, plan_id: str | None, reason: CycleReason) -> str:
    """Idempotency key: one real send per plan (or per block reason) and day."""
    return f"{session}:{plan_id or reason.value}"


#: What the operator is told when a message may or may not have arrived (never resent).
OUTCOME_UNKNOWN_TEXT = "전송 결과 불명 — 텔레그램을 확인하세요"
#: Bound of the send ledger (oldest intents dropped; a key older than this is weeks old).
MAX_INTENTS = 400


def send_decision(intents: Sequence[SendIntent], key: str) -> DeliveryStatus | None:
    """None: send (after recording the intent); else the status to record instead of sending."""
    entry = next((i for i in reversed(intents) if i.delivery_key == key), None)
    if entry is None or entry.outcome is SendOutcome.NOT_SENT:
        return None
    if entry.outcome is SendOutcome.SENT:
        return DeliveryStatus.DUPLICATE_SKIPPED
    return DeliveryStatus.OUTCOME_UNKNOWN  # PENDING (a crash) or UNKNOWN (a timeout)


def with_intent(intents: Sequence[SendIntent], intent: SendIntent) -> tuple[SendIntent, ...]:
    """The ledger with ``intent`` replacing any earlier one of its key (bounded, newest last)."""
    kept = [i for i in intents if i.delivery_key != intent.delivery_key]
    return (*kept, intent)[-MAX_INTENTS:]


def sent_message_id(intents: Sequence[SendIntent], key: str) -> int | None:
    entry = next((i for i in reversed(intents) if i.delivery_key == key), None)
    return entry.telegram_message_id if entry else None
