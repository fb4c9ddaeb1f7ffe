"""Operator-owned safety files (DESIGN §5): execution gate, real sender, emergency stop.

Each records its value and who changed it, when and why; git history is the audit trail.
A missing or corrupt file is read as the safest value (``pipeline.io.safety``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.artifacts.envelope import Envelope
from pipeline.enums import ExecutionGate


class _SafetyFile(Envelope):
    changed_by: str = Field(min_length=1, max_length=80, description="Who changed it (operator)")
    reason: str = Field(min_length=1, max_length=500, description="Why it was changed (free text)")


class ExecutionGateV1(_SafetyFile):
    """``state/execution_gate.json``: how far the live cycle may go."""

    schema_id: Literal["execution_gate/v1"] = Field("execution_gate/v1", alias="schema")
    gate: ExecutionGate = Field(description="MOCK_ONLY | DRY_RUN (standing value) | REAL_ENABLED")


class RealSenderV1(_SafetyFile):
    """``state/real_sender_enable.json``: may the server send real Telegram messages."""

    schema_id: Literal["real_sender/v1"] = Field("real_sender/v1", alias="schema")
    enabled: bool = Field(description="True allows a real send (still needs gate != MOCK_ONLY)")


class EmergencyStopV1(_SafetyFile):
    """``state/emergency_stop.json``: wins over everything (ops status STOPPED)."""

    schema_id: Literal["emergency_stop/v1"] = Field("emergency_stop/v1", alias="schema")
    enabled: bool = Field(description="True stops every live cycle and every real send")
