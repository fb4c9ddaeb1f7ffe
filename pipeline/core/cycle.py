"""Live-cycle decision table: what a blocked input or a plan means for the receipt.

=====================  ==========  =========  =====================  ====
situation              decision    result     reason                 exit
=====================  ==========  =========  =====================  ====
emergency stop         BLOCKED     OK         EMERGENCY_STOP         2
bundle missing         BLOCKED     OK         NO_BUNDLE              2
bundle invalid         BLOCKED     FAILED     BUNDLE_INVALID         3
bundle tampered        BLOCKED     FAILED     BUNDLE_TAMPERED        3
bundle not yet valid   BLOCKED     OK         BUNDLE_NOT_YET_VALID   2
bundle stale           BLOCKED     OK         BUNDLE_STALE           2
portfolio missing      BLOCKED     OK         NO_PORTFOLIO           2
portfolio invalid      BLOCKED     FAILED     PORTFOLIO_INVALID      3
positions out of date  BLOCKED     FAILED     POSITIONS_OUT_OF_DATE  3
price missing          BLOCKED     FAILED     PRICE_MISSING          3
plan READY             COMPLETED   OK         ORDERS_READY           0
plan EMPTY             COMPLETED   OK         NO_ORDERS              0
plan CLIPPED           PARTIAL     OK         ORDERS_CLIPPED         0
real send failed       PARTIAL     OK         DELIVERY_FALLBACK      0  (unless blocked)
=====================  ==========  =========  =====================  ====

The gate does not change the decision: it decides whether the plan is executable and whether a
real send is allowed. A normal safety block exits 2, a fault a human must fix exits 3.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    CycleReason,
    CycleResult,
    DeliveryStatus,
    PlanStatus,
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

BUNDLE_BLOCKS: dict[BundleStatus, CycleReason] = {
    BundleStatus.MISSING: CycleReason.NO_BUNDLE,
    BundleStatus.INVALID: CycleReason.BUNDLE_INVALID,
    BundleStatus.TAMPERED: CycleReason.BUNDLE_TAMPERED,
    BundleStatus.NOT_YET_VALID: CycleReason.BUNDLE_NOT_YET_VALID,
    BundleStatus.STALE: CycleReason.BUNDLE_STALE,
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


def decide(plan: PlanStatus, block: CycleReason | None, delivery: DeliveryStatus) -> Outcome:
    """The receipt's result/decision/reason/exit code (table in the module docstring)."""
    if plan is PlanStatus.BLOCKED or block is not None:
        return blocked(block or CycleReason.PRICE_MISSING)
    if delivery is DeliveryStatus.FALLBACK:
        return Outcome(CycleResult.OK, CycleDecision.PARTIAL, CycleReason.DELIVERY_FALLBACK)
    if plan is PlanStatus.CLIPPED:
        return Outcome(CycleResult.OK, CycleDecision.PARTIAL, CycleReason.ORDERS_CLIPPED)
    if plan is PlanStatus.EMPTY:
        return Outcome(CycleResult.OK, CycleDecision.COMPLETED, CycleReason.NO_ORDERS)
    return Outcome(CycleResult.OK, CycleDecision.COMPLETED, CycleReason.ORDERS_READY)


def delivery_key(session: str, plan_id: str | None, reason: CycleReason) -> str:
    """Idempotency key: one real send per plan (or per block reason) and day."""
    return f"{session}:{plan_id or reason.value}"


def should_skip_send(previous_key: str | None, previous: DeliveryStatus | None, key: str) -> bool:
    """True if this (plan, day) was already delivered for real: a rerun never sends twice."""
    return previous_key == key and previous in (
        DeliveryStatus.SENT,
        DeliveryStatus.DUPLICATE_SKIPPED,
    )
