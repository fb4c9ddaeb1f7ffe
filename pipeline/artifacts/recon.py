"""``reports/recon/``: what the strategy intended vs what the server planned vs what ran."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import (
    CycleDecision,
    CycleResult,
    DayGate,
    DayState,
    PlanStatus,
    ReconCode,
    ReconStatus,
    Severity,
)
from pipeline.types import Sha256


class ReconIssue(Model):
    code: ReconCode = Field(description="Integrity finding (ENUM)")
    severity: Severity = Field(description="CRITICAL, WARN or INFO")
    session: dt.date | None = Field(description="KRX session it concerns (null: the window)")
    message: str = Field(description="Korean explanation for the operator")
    refs: tuple[str, ...] = Field(description="Evidence as '<commit>:<path>' or paths")


class ReconDay(Model):
    session: dt.date = Field(description="KRX trading session")
    signal_state: DayState | None = Field(description="Day state on the previous close")
    gate: DayGate = Field(description="What the strategy allowed on this session")
    intended_trades: int = Field(ge=0, description="Backtest fills on this session (count)")
    plan_id: str | None = Field(description="Server order plan of the session, if any")
    plan_status: PlanStatus | None = Field(description="Status of that plan")
    planned_orders: int = Field(ge=0, description="Order lines with shares > 0")
    receipt_result: CycleResult | None = Field(description="Live-cycle result of the session")
    receipt_decision: CycleDecision | None = Field(description="Live-cycle decision")
    executed_fills: int = Field(ge=0, description="Fills recorded by DONE tickets (count)")
    issues: tuple[ReconCode, ...] = Field(description="Codes raised for this session")


class ReconCounts(Model):
    window_days: int = Field(ge=0, description="KRX sessions in the window")
    pass_days: int = Field(ge=0, description="Sessions the strategy allowed (PASS)")
    blocked_days: int = Field(ge=0, description="CHOP_BLOCK + BEAR_BLOCK + WARMUP sessions")
    days_with_plan: int = Field(ge=0, description="Sessions with a server order plan")
    days_with_receipt: int = Field(ge=0, description="Sessions with a live-cycle receipt")
    plans_with_orders: int = Field(ge=0, description="Plans with at least one order line")
    intended_trades: int = Field(ge=0, description="Backtest fills in the window")
    planned_orders: int = Field(ge=0, description="Server order lines in the window")
    executed_fills: int = Field(ge=0, description="Recorded fills in the window")
    critical: int = Field(ge=0, description="CRITICAL issues")
    warn: int = Field(ge=0, description="WARN issues")
    info: int = Field(ge=0, description="INFO issues")


class ReconCoverage(Model):
    receipt: float | None = Field(
        description="Sessions with a receipt / sessions since the first receipt (null: none)"
    )
    plan: float | None = Field(description="Sessions with a plan / sessions since the first plan")


class ReconSource(Model):
    path: str = Field(description="Repo-relative path read")
    commit: str | None = Field(description="Commit it was read at (null: working tree)")
    sha256: Sha256 = Field(description="SHA-256 of the bytes read")
    asof: dt.date | None = Field(description="The artifact's own as-of date")


class ReconSummaryV1(Envelope):
    schema_id: Literal["recon_summary/v1"] = Field("recon_summary/v1", alias="schema")
    status: ReconStatus = Field(description="BOOTSTRAP, GREEN, AMBER or CRITICAL")
    window_start: dt.date = Field(description="First session of the window")
    window_end: dt.date = Field(description="Last session of the window (= asof)")
    counts: ReconCounts = Field(description="Counts over the window")
    coverage: ReconCoverage = Field(description="How much of the window the server covered")
    issues: tuple[ReconIssue, ...] = Field(description="Findings, most severe first")
    sources: tuple[ReconSource, ...] = Field(description="Every file version read (provenance)")


class ReconDailyV1(Envelope):
    schema_id: Literal["recon_daily/v1"] = Field("recon_daily/v1", alias="schema")
    days: tuple[ReconDay, ...] = Field(description="One row per session of the window")
