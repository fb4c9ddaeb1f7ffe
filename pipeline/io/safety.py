"""Read the safety files fail-closed; write them for the operator CLI (PC only).

``KRX_EMERGENCY_STOP=1`` in the server's environment stops everything without touching a
PC-owned file (a kill switch for when the PC is out of reach).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

from pipeline import registry
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.safety import EmergencyStopV1, ExecutionGateV1, RealSenderV1
from pipeline.canonical import parse_json
from pipeline.core.safety import SafetyState, effective_safety
from pipeline.enums import SafetyFileState
from pipeline.io.validate import validate_bytes

M = TypeVar("M", bound=Envelope)


def read_safety_file(root: Path, name: str, model: type[M]) -> tuple[SafetyFileState, M | None]:
    """(state, model) of one safety file; anything unreadable or invalid is CORRUPT."""
    rel = registry.get(name).path
    try:
        raw = (root / rel).read_bytes()
    except FileNotFoundError:
        return SafetyFileState.MISSING, None
    except OSError:
        return SafetyFileState.CORRUPT, None
    if validate_bytes(raw, rel):
        return SafetyFileState.CORRUPT, None
    return SafetyFileState.OK, model.model_validate(parse_json(raw))


def read_safety(root: Path) -> SafetyState:
    """The effective safety switches of the working tree at ``root``."""
    g_state, gate = read_safety_file(root, "execution_gate", ExecutionGateV1)
    s_state, sender = read_safety_file(root, "real_sender", RealSenderV1)
    e_state, stop = read_safety_file(root, "emergency_stop", EmergencyStopV1)
    return effective_safety(
        (g_state, gate.gate if gate else None),
        (s_state, sender.enabled if sender else None),
        (e_state, stop.enabled if stop else None),
        stop_override=os.environ.get("KRX_EMERGENCY_STOP", "").strip() == "1",
    )
