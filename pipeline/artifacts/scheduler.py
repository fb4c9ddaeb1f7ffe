"""``reports/ops/scheduler_record.json``: the last ``daily_ops.sh`` run (DESIGN §5).

Written by ``krx scheduler finish`` even when a step failed, then committed by the script, so
the resolver's ``/api/ops/scheduler/latest`` and ``/api/ops/health`` show the last run's exit code.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import PushState, SchedulerStepResult, ServerStep
from pipeline.errors import STEP_EXIT
from pipeline.types import CommitSha

#: Names a step may have: ``pipeline.enums.ServerStep`` (the order is
#: ``pipeline.core.server_steps.STEPS``; ``push`` is recorded only when it failed).
STEP_NAMES = tuple(s.value for s in ServerStep)
#: Exit code of each step result (one map, in pipeline.errors).
RESULT_CODES = STEP_EXIT


class SchedulerStep(Model):
    name: str = Field(
        description="Step: pull, health, ops_summary, live_cycle, commit, resolve, push (failed)"
    )
    result: SchedulerStepResult = Field(
        description="OK, BLOCKED (normal safety block), FAULT, SKIPPED"
    )
    exit_code: Literal[0, 2, 3] = Field(description="Exit code of the step: 0, 2 or 3")
    started_at: AwareDatetime = Field(description="When the step started (Asia/Seoul)")
    duration_s: float = Field(ge=0.0, description="Wall-clock duration of the step, seconds")
    message: str = Field(description="One line for the operator (what happened, what to do)")

    @model_validator(mode="after")
    def _code_matches_result(self) -> SchedulerStep:
        if RESULT_CODES[self.result] != self.exit_code:
            raise ValueError(
                f"step {self.name}: result {self.result} needs exit code "
                f"{RESULT_CODES[self.result]}, not {self.exit_code}"
            )
        return self


class SchedulerRecordV1(Envelope):
    schema_id: Literal["scheduler_record/v1"] = Field("scheduler_record/v1", alias="schema")
    started_at: AwareDatetime = Field(description="When daily_ops.sh took its lock (Asia/Seoul)")
    finished_at: AwareDatetime = Field(description="When the record was written (Asia/Seoul)")
    duration_s: float = Field(ge=0.0, description="Wall-clock run time until the record, seconds")
    trading_day: bool = Field(description="Whether asof is a KRX session (else steps 3-5 skip)")
    steps: tuple[SchedulerStep, ...] = Field(description="Steps in the order they ran")
    exit_code: Literal[0, 2, 3] = Field(
        description="The script's exit code: the worst step (0 completed/WARN, 2 blocked, 3 fault)"
    )
    result: SchedulerStepResult = Field(description="OK, BLOCKED or FAULT: the name of exit_code")
    head_before: CommitSha | None = Field(description="Checkout HEAD before the pull")
    head_pulled: CommitSha | None = Field(description="HEAD after the pull (the inputs used)")
    outputs_commit: CommitSha | None = Field(
        description="Commit of this run's server artifacts (null: nothing changed or not committed)"
    )
    remote: str = Field(description="Git remote pulled from and pushed to (e.g. origin)")
    branch: str = Field(description="Branch pulled and pushed")
    push: PushState = Field(description="What happened to the remote after this record's commit")
    missed_sessions: tuple[dt.date, ...] = Field(
        default=(),
        description="KRX sessions since the previous recorded run on which no run happened",
    )

    @model_validator(mode="after")
    def _exit_code_is_the_worst_step(self) -> SchedulerRecordV1:
        worst = max((s.exit_code for s in self.steps), default=0)
        if worst != self.exit_code or RESULT_CODES[self.result] != self.exit_code:
            raise ValueError(
                f"exit_code {self.exit_code} / result {self.result} disagree with "
                f"the worst step's exit code {worst}"
            )
        if self.result is SchedulerStepResult.SKIPPED:
            raise ValueError("a run's result is OK, BLOCKED or FAULT, never SKIPPED")
        return self
