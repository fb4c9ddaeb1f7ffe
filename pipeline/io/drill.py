"""The drill's I/O around the daily flow: observe the real safety settings, force the scratch
copy's, clean up. No verdicts here (``pipeline.core.drill``); the flow is ``pipeline.flows.drill``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.drill import ForcedSafety, ObservedSafety
from pipeline.artifacts.safety import ExecutionGateV1, RealSenderV1
from pipeline.enums import ExecutionGate
from pipeline.io import scratch
from pipeline.io.context import producer
from pipeline.io.delivery import lock_path
from pipeline.io.jsonio import write_artifact
from pipeline.io.safety import read_safety
from pipeline.io.telegram import ENV_CHAT, ENV_TOKEN

SAFETY_FILES = ("execution_gate", "real_sender", "emergency_stop")


def observe(root: Path) -> ObservedSafety:
    """The real repository's safety settings as the server reads them."""
    s = read_safety(root)
    creds = bool(os.environ.get(ENV_TOKEN, "").strip() and os.environ.get(ENV_CHAT, "").strip())
    return ObservedSafety(
        gate=s.gate,
        gate_file=s.gate_file,
        real_sender_enabled=s.sender_enabled,
        real_sender_file=s.sender_file,
        emergency_stop=s.stop,
        emergency_stop_file=s.stop_file,
        emergency_stop_env=os.environ.get("KRX_EMERGENCY_STOP", "").strip() == "1",
        telegram_credentials_present=creds,
        real_send_possible=s.real_send_allowed(creds),
    )


def force_safety(copy: Path, day: dt.date, now: dt.datetime) -> ForcedSafety:
    """MOCK_ONLY and sender off in the copy: nothing leaves the machine whatever HEAD says."""
    common = {
        "asof": day,
        "generated_at": now,
        "producer": producer("drill", copy),
        "changed_by": "krx drill",
        "reason": "drill: forced in the scratch copy",
    }
    gate = ExecutionGateV1(gate=ExecutionGate.MOCK_ONLY, **common)
    sender = RealSenderV1(enabled=False, **common)
    write_artifact(copy, registry.get("execution_gate"), gate)
    write_artifact(copy, registry.get("real_sender"), sender)
    return ForcedSafety(
        gate=ExecutionGate.MOCK_ONLY, real_sender_enabled=False, removed_env=scratch.REMOVED_ENV
    )


def cleanup(copy: Path | None, keep: bool) -> None:
    if copy is None:
        return
    lock_path(copy).unlink(missing_ok=True)  # the delivery lock the scratch cycle created
    if not keep:
        shutil.rmtree(copy.parent, ignore_errors=True)
