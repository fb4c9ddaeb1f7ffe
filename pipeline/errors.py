"""Error families and their exit codes, in one place (STYLE §11).

* ``OperatorError`` — stop and alert a human: bad input, invalid params, a corrupt artifact.
* ``RetryableError`` — a transient fault (network, lock held): the next run may succeed.
* ``SafetyBlock`` — a normal safety block (gate, emergency stop, stale bundle).

Exit codes follow the runbook: 0 completed (incl. WARN), 2 blocked, 3 operational fault.
Input errors from the CLI (bad arguments, validation failures) exit 1. Nothing else, ever.

This module is also the one home of every outcome -> exit code map (the live cycle's receipt,
the ops summary's status, the daily run's steps and the drill that runs it).
"""

from __future__ import annotations

from pipeline.enums import (
    CycleDecision,
    CycleResult,
    OverallStatus,
    SchedulerStepResult,
)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BLOCKED = 2
EXIT_FAULT = 3
#: Every exit code a command or script of this project may return.
EXIT_CODES = (EXIT_OK, EXIT_INVALID, EXIT_BLOCKED, EXIT_FAULT)


def cycle_exit(result: CycleResult, decision: CycleDecision) -> int:
    """A live-cycle receipt's exit code: FAILED 3, BLOCKED 2, COMPLETED/PARTIAL 0."""
    if result is CycleResult.FAILED:
        return EXIT_FAULT
    return EXIT_BLOCKED if decision is CycleDecision.BLOCKED else EXIT_OK


#: The ops summary's status as an exit code (`krx check ops-summary`): WARN is still done.
SUMMARY_EXIT = {
    OverallStatus.OK: EXIT_OK,
    OverallStatus.WARN: EXIT_OK,
    OverallStatus.NO_RUN_HISTORY: EXIT_OK,
    OverallStatus.BLOCKED: EXIT_BLOCKED,
    OverallStatus.STOPPED: EXIT_BLOCKED,
}

#: A daily-run step's result (and the run's, and the drill's) as an exit code; the run exits
#: with the worst step's.
STEP_EXIT = {
    SchedulerStepResult.OK: EXIT_OK,
    SchedulerStepResult.SKIPPED: EXIT_OK,
    SchedulerStepResult.BLOCKED: EXIT_BLOCKED,
    SchedulerStepResult.FAULT: EXIT_FAULT,
}
#: The result an exit code records (the inverse of ``STEP_EXIT`` without SKIPPED).
EXIT_RESULT = {
    EXIT_OK: SchedulerStepResult.OK,
    EXIT_BLOCKED: SchedulerStepResult.BLOCKED,
    EXIT_FAULT: SchedulerStepResult.FAULT,
}


def as_exit_code(code: int | None) -> int:
    """Any code that is not 0, 2 or 3 (a crash, a signal, a usage error) is a fault."""
    return code if code in (EXIT_OK, EXIT_BLOCKED, EXIT_FAULT) else EXIT_FAULT


class KrxError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code = EXIT_FAULT


class OperatorError(KrxError):
    """Stop and alert a human: the input is wrong and retrying will not help."""

    exit_code = EXIT_INVALID


class DataError(OperatorError):
    """Market data is malformed (the message names ticker and date)."""


class ParamsError(OperatorError):
    """params.yaml is invalid (the message names the key)."""


class ArtifactError(OperatorError):
    """An artifact is missing, unreadable or fails its schema."""


class RetryableError(KrxError):
    """A transient fault; the next run may succeed."""

    exit_code = EXIT_FAULT


class SafetyBlock(KrxError):  # noqa: N818 - a block is not an error
    """A normal safety block; not a fault."""

    exit_code = EXIT_BLOCKED
