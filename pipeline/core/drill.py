"""Drill rules: what each observation means for its step, and the overall result.

==============  =====================================  ========  =====================
step            observation                            result    reason
==============  =====================================  ========  =====================
scratch         HEAD cloned, safety forced             PASS      OK
scratch         no commit / clone failed               FAIL      NO_COMMITS / SCRATCH_FAILED
bundle          VALID                                  PASS      OK
bundle          MISSING / NOT_YET_VALID / STALE        WARN      BUNDLE_* (a safety block)
bundle          INVALID / TAMPERED                     FAIL      BUNDLE_*
tickets         all new results DONE                   PASS      OK
tickets         a new REJECTED / EXPIRED result        WARN      TICKETS_REJECTED
ops_summary     OK                                     PASS      OK
ops_summary     NO_RUN_HISTORY                         PASS      NO_RUN_HISTORY
ops_summary     WARN / BLOCKED / STOPPED               WARN      OPS_WARN / _BLOCKED / _STOPPED
live_cycle      COMPLETED                              PASS      OK
live_cycle      PARTIAL                                WARN      CYCLE_PARTIAL
live_cycle      BLOCKED, result OK                     WARN      CYCLE_BLOCKED (exit 2)
live_cycle      result FAILED                          FAIL      CYCLE_FAILED
live_cycle      message not console-only               FAIL      MESSAGE_NOT_SIMULATED
any stage       not in server/dvc.yaml                 FAIL      STAGE_MISSING
any stage       unexpected exit / no artifact          FAIL      STAGE_CRASHED
validate        every artifact valid                   PASS      OK
validate        problems in PC-owned files only        WARN      INPUT_INVALID
validate        a problem in a SERVER-owned file       FAIL      ARTIFACT_INVALID
resolver        receipt served = receipt written       PASS      OK
resolver        not up / error / different             FAIL      RESOLVER_*
after a FAIL    a step that needs its output           SKIPPED   PREVIOUS_STEP_FAILED
==============  =====================================  ========  =====================

Overall, first match wins: any FAIL -> FAIL (exit 3); the live cycle stopped at a normal safety
block -> BLOCKED (exit 2); any WARN -> WARN (exit 0); else PASS (exit 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    CycleResult,
    DeliveryChannel,
    DeliveryStatus,
    DrillReason,
    DrillResult,
    OverallStatus,
    Owner,
    StepResult,
    TicketStatus,
)
from pipeline.errors import DRILL_EXIT

Verdict = tuple[StepResult, DrillReason]
PASS: Verdict = (StepResult.PASS, DrillReason.OK)

BUNDLE: dict[BundleStatus, Verdict] = {
    BundleStatus.VALID: PASS,
    BundleStatus.MISSING: (StepResult.WARN, DrillReason.BUNDLE_MISSING),
    BundleStatus.NOT_YET_VALID: (StepResult.WARN, DrillReason.BUNDLE_NOT_YET_VALID),
    BundleStatus.LATE: (StepResult.WARN, DrillReason.BUNDLE_STALE),
    BundleStatus.STALE: (StepResult.WARN, DrillReason.BUNDLE_STALE),
    BundleStatus.INVALID: (StepResult.FAIL, DrillReason.BUNDLE_INVALID),
    BundleStatus.TAMPERED: (StepResult.FAIL, DrillReason.BUNDLE_TAMPERED),
}

OPS: dict[OverallStatus, Verdict] = {
    OverallStatus.OK: PASS,
    OverallStatus.NO_RUN_HISTORY: (StepResult.PASS, DrillReason.NO_RUN_HISTORY),
    OverallStatus.WARN: (StepResult.WARN, DrillReason.OPS_WARN),
    OverallStatus.BLOCKED: (StepResult.WARN, DrillReason.OPS_BLOCKED),
    OverallStatus.STOPPED: (StepResult.WARN, DrillReason.OPS_STOPPED),
}

#: Reasons that mean "the loop works, today's cycle stops at a safety block" (exit 2).
SAFETY_BLOCKS = frozenset({DrillReason.CYCLE_BLOCKED})


def tickets_verdict(new_statuses: Iterable[TicketStatus]) -> Verdict:
    """Only the results this run wrote count (older failures are the ops summary's job)."""
    if any(s is not TicketStatus.DONE for s in new_statuses):
        return StepResult.WARN, DrillReason.TICKETS_REJECTED
    return PASS


@dataclass(frozen=True)
class CycleSeen:
    result: CycleResult
    decision: CycleDecision
    delivery_actual: DeliveryChannel
    delivery_status: DeliveryStatus


def cycle_verdict(seen: CycleSeen) -> Verdict:
    """A message that was not console-only is a failure whatever else happened."""
    simulated = (DeliveryChannel.CONSOLE_SIMULATED, DeliveryStatus.SIMULATED)
    if (seen.delivery_actual, seen.delivery_status) != simulated:
        return StepResult.FAIL, DrillReason.MESSAGE_NOT_SIMULATED
    if seen.result is CycleResult.FAILED:
        return StepResult.FAIL, DrillReason.CYCLE_FAILED
    if seen.decision is CycleDecision.BLOCKED:
        return StepResult.WARN, DrillReason.CYCLE_BLOCKED
    if seen.decision is CycleDecision.PARTIAL:
        return StepResult.WARN, DrillReason.CYCLE_PARTIAL
    return PASS


def validate_verdict(owners: Iterable[Owner | None]) -> Verdict:
    """The owner of each file with a problem (None: unregistered path).

    An invalid SERVER artifact is the loop's own fault (it would be committed as is); an
    invalid PC artifact is the PC's to fix: the stages read their inputs fail-closed, and the
    consequences show in the other steps.
    """
    found = list(owners)
    if any(o is not Owner.PC for o in found):
        return StepResult.FAIL, DrillReason.ARTIFACT_INVALID
    if found:
        return StepResult.WARN, DrillReason.INPUT_INVALID
    return PASS


def overall(steps: Iterable[Verdict]) -> tuple[DrillResult, int]:
    """The overall result and exit code by the rule in the module docstring."""
    found = list(steps)
    if any(r is StepResult.FAIL for r, _ in found):
        result = DrillResult.FAIL
    elif any(reason in SAFETY_BLOCKS for _, reason in found):
        result = DrillResult.BLOCKED
    elif any(r is StepResult.WARN for r, _ in found):
        result = DrillResult.WARN
    else:
        result = DrillResult.PASS
    return result, DRILL_EXIT[result]
