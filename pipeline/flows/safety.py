"""Operator write: the safety switches (gate, sender, stop), from the CLI and the cockpit.

Every change records who, when and why in the file; git history is the audit trail. The
emergency stop is one action: write, commit and push, and say when the server will see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.safety import EmergencyStopV1, ExecutionGateV1, RealSenderV1
from pipeline.core.safety import gate_confirmation_problem
from pipeline.enums import (
    ExecutionGate,
    Owner,
    SafetyFileState,
)
from pipeline.errors import KrxError, OperatorError
from pipeline.io.context import now_seoul, producer, requested_asof
from pipeline.io.gitcli import git
from pipeline.io.gitlog import PUSH_TIMEOUT_S, commit_paths, push
from pipeline.io.jsonio import write_artifact
from pipeline.io.safety import read_safety_file
from pipeline.io.server_state import (
    require_role,
)

ON_OFF = {"on": True, "off": False}
SWITCHES = {"set-gate": "execution_gate", "set-sender": "real_sender", "set-stop": "emergency_stop"}


def write_switch(
    root: Path, name: str, value: str, by: str, reason: str, confirm: str | None = None
) -> Path:
    """Validate and write one safety file (``value``: a gate name, or on/off); its path.

    OperatorError (nothing written) on an unknown value or an empty ``by``/``reason``. The CLI
    and the cockpit both call this, so a switch is always recorded the same way.
    """
    action = next((a for a, n in SWITCHES.items() if n == name), None)
    if action is None:
        raise OperatorError(f"{name!r} is not a safety file: one of {', '.join(SWITCHES.values())}")
    require_role(Owner.PC, f"krx safety {action}")
    if not by.strip():
        raise OperatorError("who makes the change is required (operator name)")
    if not reason.strip():
        raise OperatorError("a reason is required")
    allowed = [g.value for g in ExecutionGate] if name == "execution_gate" else list(ON_OFF)
    if value not in allowed:
        raise OperatorError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    if name == "execution_gate" and (problem := gate_confirmation_problem(value, confirm)):
        raise OperatorError(problem)
    common = {
        "asof": requested_asof(None),
        "generated_at": now_seoul(),
        "producer": producer(f"safety {action}", root),
        "changed_by": by.strip(),
        "reason": reason.strip(),
    }
    model: Envelope
    try:
        if name == "execution_gate":
            model = ExecutionGateV1(**common, gate=ExecutionGate(value))
        elif name == "real_sender":
            model = RealSenderV1(**common, enabled=ON_OFF[value])
        else:
            model = EmergencyStopV1(**common, enabled=ON_OFF[value])
    except ValueError as err:  # pydantic's ValidationError is a ValueError (e.g. too long)
        raise OperatorError(f"invalid {name}: {err}") from None
    return write_artifact(root, registry.get(name), model)


# ----------------------------------------------------------------------- emergency stop


@dataclass(frozen=True)
class StopOutcome:
    """The emergency-stop action: the commit, and whether the push reached the remote."""

    commit: str
    pushed: bool
    push_output: str


def emergency_stop(
    root: Path, on: bool, by: str, reason: str, timeout: float = PUSH_TIMEOUT_S
) -> StopOutcome:
    """Turn the emergency stop on (or off), commit that one file and push: one action.

    OperatorError (nothing written or committed) on a missing name or reason, or when the stop
    is already in that state. A failed push keeps the commit (push again later).
    """
    value = "on" if on else "off"
    current = emergency_stop_state(root)
    if current == value:
        raise OperatorError(f"the emergency stop is already {value}")
    path = write_switch(root, "emergency_stop", value, by, reason)
    rel = path.relative_to(root).as_posix()
    subject = f"operator(stop): {current} -> {value} by {by.strip()}: {_one_line(reason)}"
    body = f"artifact: emergency_stop\npath: {rel}\nby: {by.strip()}\nreason: {reason.strip()}\n"
    try:
        sha = commit_paths(root, [rel], subject + "\n\n" + body)
    except KrxError:
        restore(root, rel)
        raise
    result = push(root, timeout)
    return StopOutcome(sha, result.ok, result.output)


def emergency_stop_state(root: Path) -> str:
    """``on``, ``off``, ``MISSING`` (the server reads: not stopped) or ``CORRUPT`` (stopped)."""
    state, doc = read_safety_file(root, "emergency_stop", EmergencyStopV1)
    if state is not SafetyFileState.OK or not isinstance(doc, EmergencyStopV1):
        return state.value
    return "on" if doc.enabled else "off"


def restore(root: Path, rel: str) -> None:
    """Put ``rel`` back as committed at HEAD (or remove it if it never was)."""
    try:
        git(root, "reset", "-q", "--", rel)
        git(root, "checkout", "-q", "HEAD", "--", rel)
    except KrxError:  # a file never committed: remove the new one
        (root / rel).unlink(missing_ok=True)


def _one_line(text: str, width: int = 60) -> str:
    first = " ".join(text.split())
    return first if len(first) <= width else first[: width - 1] + "…"
