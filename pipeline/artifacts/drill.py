"""``reports/ops/drill_report.json``: the last ``krx drill`` (DESIGN §5 Drill, issues 9, 13).

v1 (a drill-specific step list and reasons) and v2 (the receipt's reason spelled ``NO_BUNDLE``
for a missing bundle) are kept so reports at old refs still validate; v3 is written (v2 with
``BUNDLE_MISSING``: one name per fact).

A drill runs the whole server loop against HEAD in a scratch copy with the gate forced to
MOCK_ONLY and delivery forced to the console; this report is the only thing it adds to the
real repository.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.artifacts import legacy
from pipeline.artifacts.envelope import Envelope, Model
from pipeline.artifacts.scheduler import SchedulerStep
from pipeline.enums import (
    CycleDecision,
    CycleReason,
    CycleResult,
    DeliveryChannel,
    DrillReason,
    DrillResult,
    DrillStep,
    ExecutionGate,
    OverallStatus,
    SafetyFileState,
    SchedulerStepResult,
    StepResult,
)
from pipeline.types import CommitSha


class ObservedSafety(Model):
    """The real repository's safety settings as the server reads them (not what was forced)."""

    gate: ExecutionGate = Field(description="Effective execution gate of the real working tree")
    gate_file: SafetyFileState = Field(description="How the execution gate file was read")
    real_sender_enabled: bool = Field(description="Effective real-sender switch")
    real_sender_file: SafetyFileState = Field(description="How the real sender file was read")
    emergency_stop: bool = Field(description="Effective emergency stop (file or environment)")
    emergency_stop_file: SafetyFileState = Field(description="How the emergency stop file was read")
    emergency_stop_env: bool = Field(description="KRX_EMERGENCY_STOP=1 in the environment")
    telegram_credentials_present: bool = Field(
        description="KRX_TELEGRAM_TOKEN and KRX_TELEGRAM_CHAT_ID set (values never recorded)"
    )
    real_send_possible: bool = Field(
        description="A real cycle could send to Telegram right now (gate, sender, stop, token)"
    )


class ForcedSafety(Model):
    """What the drill forced in its scratch copy so that nothing can leave the machine."""

    gate: ExecutionGate = Field(description="Gate written into the scratch copy (MOCK_ONLY)")
    real_sender_enabled: bool = Field(description="Sender switch written into the scratch copy")
    removed_env: tuple[str, ...] = Field(
        description="Environment variables removed for the scratch steps (Telegram settings)"
    )


class StepReport(Model):
    step: DrillStep = Field(description="Which step (in run order)")
    result: StepResult = Field(description="PASS, WARN, FAIL or SKIPPED")
    reason: DrillReason = Field(description="ENUM reason (rule table in pipeline.core.drill)")
    duration_ms: int = Field(ge=0, description="Wall time of the step, milliseconds")
    exit_code: int | None = Field(
        description="Exit code of the step's process (null if it ran no process)"
    )
    detail: str = Field(max_length=2000, description="English detail for the operator")


class CycleView(Model):
    """The scratch live cycle's receipt, as evidence."""

    result: CycleResult = Field(description="Receipt result")
    decision: CycleDecision = Field(description="Receipt decision")
    reason: CycleReason = Field(description="Receipt reason")
    delivery_actual: DeliveryChannel = Field(
        description="Where the message went (always CONSOLE_SIMULATED in a drill)"
    )


class DrillReportV1(Envelope):
    schema_id: Literal["drill_report/v1"] = Field("drill_report/v1", alias="schema")
    head_commit: CommitSha | None = Field(
        description="The real repository's HEAD that was drilled (null: no commits)"
    )
    real_tree_dirty: bool = Field(
        description="The real working tree had uncommitted changes (the drill used HEAD only)"
    )
    observed_safety: ObservedSafety = Field(description="The real repository's safety settings")
    forced_safety: ForcedSafety = Field(description="What the scratch copy ran with")
    steps: tuple[StepReport, ...] = Field(description="Every step, in run order")
    ops_status: OverallStatus | None = Field(
        description="overall_status of the scratch ops summary (null if none was written)"
    )
    cycle: legacy.CycleView | None = Field(
        description="The scratch receipt (null if none was written)"
    )
    overall_result: DrillResult = Field(
        description="FAIL if any step failed, else BLOCKED on a safety block, else WARN, else PASS"
    )
    exit_code: int = Field(description="0 pass/warn, 2 safety block found, 3 fault")
    duration_ms: int = Field(ge=0, description="Wall time of the whole drill, milliseconds")


class DrillReportV2(Envelope):
    """v2: the drill runs the server's daily flow itself, so it reports in the daily run's
    words — its steps are the scheduler record's steps, its reason is the receipt's
    ``CycleReason``, its result the scheduler record's result (one enum name per fact)."""

    schema_id: Literal["drill_report/v2"] = Field("drill_report/v2", alias="schema")
    head_commit: CommitSha | None = Field(
        description="The real repository's HEAD that was drilled (null: no commits)"
    )
    real_tree_dirty: bool = Field(
        description="The real working tree had uncommitted changes (the drill used HEAD only)"
    )
    observed_safety: ObservedSafety = Field(description="The real repository's safety settings")
    forced_safety: ForcedSafety = Field(description="What the scratch copy ran with")
    steps: tuple[SchedulerStep, ...] = Field(
        description="The daily run's steps as it ran them in the scratch copy (record format)"
    )
    ops_status: OverallStatus | None = Field(
        description="overall_status of the scratch ops summary (null if none was written)"
    )
    cycle: legacy.CycleView | None = Field(
        description="The scratch receipt (null if none was written)"
    )
    reason: legacy.CycleReason | None = Field(
        description="The receipt's reason, as the scheduled run would write it (null: none)"
    )
    result: SchedulerStepResult = Field(
        description="OK, BLOCKED or FAULT: what the scheduled run would end with"
    )
    exit_code: Literal[0, 2, 3] = Field(
        description="The scheduled run's exit code on this HEAD: 0 ok/WARN, 2 blocked, 3 fault"
    )
    fault: str | None = Field(
        description="Why the drill itself failed (no commits, no scratch copy, a message that "
        "was not console-only); null when the flow ran"
    )
    duration_ms: int = Field(ge=0, description="Wall time of the whole drill, milliseconds")


class DrillReportV3(Envelope):
    """v3: v2 with the receipt's reason ``BUNDLE_MISSING`` for a missing bundle (v2
    ``NO_BUNDLE``). Since v2 the drill runs the server's daily flow itself, so it reports in
    the daily run's words — its steps are the scheduler record's steps, its reason is the
    receipt's ``CycleReason``, its result the scheduler record's result (one name per fact)."""

    schema_id: Literal["drill_report/v3"] = Field("drill_report/v3", alias="schema")
    head_commit: CommitSha | None = Field(
        description="The real repository's HEAD that was drilled (null: no commits)"
    )
    real_tree_dirty: bool = Field(
        description="The real working tree had uncommitted changes (the drill used HEAD only)"
    )
    observed_safety: ObservedSafety = Field(description="The real repository's safety settings")
    forced_safety: ForcedSafety = Field(description="What the scratch copy ran with")
    steps: tuple[SchedulerStep, ...] = Field(
        description="The daily run's steps as it ran them in the scratch copy (record format)"
    )
    ops_status: OverallStatus | None = Field(
        description="overall_status of the scratch ops summary (null if none was written)"
    )
    cycle: CycleView | None = Field(description="The scratch receipt (null if none was written)")
    reason: CycleReason | None = Field(
        description="The receipt's reason, as the scheduled run would write it (null: none)"
    )
    result: SchedulerStepResult = Field(
        description="OK, BLOCKED or FAULT: what the scheduled run would end with"
    )
    exit_code: Literal[0, 2, 3] = Field(
        description="The scheduled run's exit code on this HEAD: 0 ok/WARN, 2 blocked, 3 fault"
    )
    fault: str | None = Field(
        description="Why the drill itself failed (no commits, no scratch copy, a message that "
        "was not console-only); null when the flow ran"
    )
    duration_ms: int = Field(ge=0, description="Wall time of the whole drill, milliseconds")
