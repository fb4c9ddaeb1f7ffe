"""``reports/ops/ops_summary.json``: the server's single pane of glass (DESIGN §5).

v2 spells the missing bundle ``BUNDLE_MISSING`` (v1: ``NO_BUNDLE``); v1 is kept with its frozen
codes (``pipeline.artifacts.legacy``) so summaries at old refs still validate.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from pipeline.artifacts import legacy
from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import ExecutionGate, OverallStatus, RiskCode, SafetyFileState, Severity


class Risk(Model):
    code: RiskCode = Field(description="Risk code (rule table in pipeline.core.ops)")
    severity: Severity = Field(description="CRITICAL blocks, WARN warns, INFO informs")
    message: str = Field(description="Korean one-line explanation for the operator")
    evidence_refs: tuple[str, ...] = Field(
        description="Repo-relative paths (or <commit>:<path>) that show the risk"
    )


class SafetyView(Model):
    """The safety files as the server read them (after fail-closed defaults)."""

    gate: ExecutionGate = Field(description="Effective execution gate")
    gate_file: SafetyFileState = Field(description="How the execution gate file was read")
    real_sender_enabled: bool = Field(description="Effective real-sender switch")
    real_sender_file: SafetyFileState = Field(description="How the real sender file was read")
    emergency_stop: bool = Field(description="Effective emergency stop")
    emergency_stop_file: SafetyFileState = Field(description="How the emergency stop file was read")


class OpsSummaryV1(Envelope):
    schema_id: Literal["ops_summary/v1"] = Field("ops_summary/v1", alias="schema")
    overall_status: OverallStatus = Field(
        description="STOPPED > BLOCKED (any CRITICAL) > NO_RUN_HISTORY > WARN (any WARN) > OK"
    )
    top_risks: tuple[legacy.Risk, ...] = Field(description="Most severe first, then by code")
    safety: SafetyView = Field(description="The safety files as read, after fail-closed defaults")
    bundle_asof: dt.date | None = Field(description="asof of the strategy bundle (null if none)")
    last_cycle_asof: dt.date | None = Field(description="asof of the latest live-cycle receipt")


class OpsSummaryV2(Envelope):
    """v2: risk code ``BUNDLE_MISSING`` (v1 ``NO_BUNDLE``)."""

    schema_id: Literal["ops_summary/v2"] = Field("ops_summary/v2", alias="schema")
    overall_status: OverallStatus = Field(
        description="STOPPED > BLOCKED (any CRITICAL) > NO_RUN_HISTORY > WARN (any WARN) > OK"
    )
    top_risks: tuple[Risk, ...] = Field(description="Most severe first, then by code")
    safety: SafetyView = Field(description="The safety files as read, after fail-closed defaults")
    bundle_asof: dt.date | None = Field(description="asof of the strategy bundle (null if none)")
    last_cycle_asof: dt.date | None = Field(description="asof of the latest live-cycle receipt")
