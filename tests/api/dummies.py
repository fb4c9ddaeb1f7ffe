"""Test-only registry entries for the runbook routes' artifacts.

The real models (ops summary, live-cycle receipt, scheduler record) belong to other stages and
may not be registered yet; these dummies carry only the fields the runbook's one-liners read, so
the resolver can be tested end to end. They are registered with monkeypatch, never for real.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import pytest
from pydantic import Field

from pipeline import registry
from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import ArtifactKind, Owner

SEOUL = dt.timezone(dt.timedelta(hours=9))


class _Push(Model):
    delivery_actual: str


class DummyReceipt(Envelope):
    schema_id: Literal["live_cycle_receipt/v1"] = Field("live_cycle_receipt/v1", alias="schema")
    result: str
    decision: str
    reason: str
    snapshot_ref: str
    push: _Push


class _Risk(Model):
    code: str
    severity: str
    message: str
    evidence_refs: tuple[str, ...] = ()


class DummySummary(Envelope):
    schema_id: Literal["ops_summary/v1"] = Field("ops_summary/v1", alias="schema")
    overall_status: str
    top_risks: tuple[_Risk, ...]


class DummyScheduler(Envelope):
    schema_id: Literal["scheduler_record/v1"] = Field("scheduler_record/v1", alias="schema")
    exit_code: int


DUMMIES = (
    registry.ArtifactSpec(
        "ops_summary",
        1,
        "reports/ops/summary.json",
        Owner.SERVER,
        ArtifactKind.JSON,
        "ops_summary",
        "test dummy",
        DummySummary,
    ),
    registry.ArtifactSpec(
        "live_cycle_receipt",
        1,
        "reports/live/receipt.json",
        Owner.SERVER,
        ArtifactKind.JSON,
        "live_cycle",
        "test dummy",
        DummyReceipt,
    ),
    registry.ArtifactSpec(
        "scheduler_record",
        1,
        "reports/ops/scheduler.json",
        Owner.SERVER,
        ArtifactKind.JSON,
        "daily_ops",
        "test dummy",
        DummyScheduler,
    ),
)


def register_dummies(monkeypatch: pytest.MonkeyPatch) -> None:
    arts = (*registry.ARTIFACTS, *(d for d in DUMMIES if d.name not in registry.names()))
    monkeypatch.setattr(registry, "ARTIFACTS", arts)
    monkeypatch.setattr(registry, "_BY_NAME", {a.name: a for a in arts})


def _envelope(schema: str, stage: str, asof: dt.date) -> dict[str, Any]:
    return {
        "schema": schema,
        "asof": asof.isoformat(),
        "generated_at": dt.datetime.combine(asof, dt.time(9, 6), SEOUL).isoformat(),
        "producer": {"stage": stage, "host": "SERVER", "code_sha": None},
        "params_sha256": None,
        "inputs": [],
    }


def receipt(asof: dt.date, snapshot_ref: str) -> dict[str, Any]:
    return {
        **_envelope("live_cycle_receipt/v1", "live_cycle", asof),
        "result": "OK",
        "decision": "COMPLETED",
        "reason": "REBALANCE_PLANNED",
        "snapshot_ref": snapshot_ref,
        "push": {"delivery_actual": "CONSOLE_SIMULATED"},
    }


def summary(asof: dt.date) -> dict[str, Any]:
    return {
        **_envelope("ops_summary/v1", "ops_summary", asof),
        "overall_status": "WARN",
        "top_risks": [
            {"code": "BUNDLE_STALE", "severity": "WARN", "message": "번들이 2 거래일 지났습니다"},
            {"code": "NO_PORTFOLIO", "severity": "INFO", "message": "portfolio missing"},
        ],
    }


def scheduler(asof: dt.date, exit_code: int) -> dict[str, Any]:
    return {**_envelope("scheduler_record/v1", "daily_ops", asof), "exit_code": exit_code}
