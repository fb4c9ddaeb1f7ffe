"""Fail-closed reading of the safety files, as pure rules over what was found (DESIGN §5).

The IO layer says per file whether it was OK, MISSING or CORRUPT and what it held; these rules
pick the effective value. Missing gate -> MOCK_ONLY, missing sender -> disabled, missing stop ->
not stopped (its normal state); any corrupt file -> its safest value (a corrupt stop file stops).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.enums import ExecutionGate, SafetyFileState

#: What the operator types to turn on real execution (a fixed phrase, never a stale token).
#: The CLI (``krx safety set-gate REAL_ENABLED --confirm ...``) and the cockpit both ask for it.
REAL_CONFIRMATION = "REAL_ENABLED"


def gate_confirmation_problem(value: str, confirm: str | None) -> str | None:
    """Why setting the gate to ``value`` with the typed ``confirm`` is refused, or None."""
    if value == ExecutionGate.REAL_ENABLED.value and (confirm or "").strip() != REAL_CONFIRMATION:
        return f"REAL_ENABLED allows real orders: type {REAL_CONFIRMATION} to confirm"
    return None


@dataclass(frozen=True)
class SafetyState:
    """The effective safety switches and how each file was read."""

    gate: ExecutionGate
    gate_file: SafetyFileState
    sender_enabled: bool
    sender_file: SafetyFileState
    stop: bool
    stop_file: SafetyFileState

    @property
    def any_corrupt(self) -> bool:
        return SafetyFileState.CORRUPT in (self.gate_file, self.sender_file, self.stop_file)

    def real_send_allowed(self, has_credentials: bool) -> bool:
        """A real send needs gate != MOCK_ONLY, sender on, no stop and a token + chat id."""
        return (
            self.gate is not ExecutionGate.MOCK_ONLY
            and self.sender_enabled
            and not self.stop
            and has_credentials
        )


def effective_safety(
    gate: tuple[SafetyFileState, ExecutionGate | None],
    sender: tuple[SafetyFileState, bool | None],
    stop: tuple[SafetyFileState, bool | None],
    stop_override: bool = False,
) -> SafetyState:
    """Combine what the files held into effective values (``stop_override``: server env)."""
    gate_value = gate[1] if gate[0] is SafetyFileState.OK and gate[1] else ExecutionGate.MOCK_ONLY
    sender_value = bool(sender[1]) if sender[0] is SafetyFileState.OK else False
    if stop[0] is SafetyFileState.OK:
        stop_value = bool(stop[1])
    else:
        stop_value = stop[0] is SafetyFileState.CORRUPT
    return SafetyState(
        gate=gate_value,
        gate_file=gate[0],
        sender_enabled=sender_value,
        sender_file=sender[0],
        stop=stop_value or stop_override,
        stop_file=stop[0],
    )
