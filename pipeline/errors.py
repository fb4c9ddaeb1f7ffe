"""Error families and their exit codes, in one place (STYLE §11).

* ``OperatorError`` — stop and alert a human: bad input, invalid params, a corrupt artifact.
* ``RetryableError`` — a transient fault (network, lock held): the next run may succeed.
* ``SafetyBlock`` — a normal safety block (gate, emergency stop, stale bundle).

Exit codes follow the runbook: 0 completed (incl. WARN), 2 blocked, 3 operational fault.
Input errors from the CLI (bad arguments, validation failures) exit 1.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_BLOCKED = 2
EXIT_FAULT = 3


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
