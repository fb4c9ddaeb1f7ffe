"""Test-only registry entries for the runbook routes' artifacts.

The real models (ops summary, live-cycle receipt, scheduler record) belong to other stages, are
rich, and move on their own schedule; these dummies carry only the fields the runbook's
one-liners read, so the resolver (which is generic over the registry) is tested end to end
without coupling to them. They replace the real entries only inside a test, via monkeypatch,
as version 99 so the real models' cross-field checks (keyed by schema id) never see them.
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
    schema_id: Literal["live_cycle_receipt/v99"] = Field("live_cycle_receipt/v99", alias="schema")
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
    schema_id: Literal["ops_summary/v99"] = Field("ops_summary/v99", alias="schema")
    overall_status: str
    top_risks: tuple[_Risk, ...]


class DummyScheduler(Envelope):
    schema_id: Literal["scheduler_record/v99"] = Field("scheduler_record/v99", alias="schema")
    exit_code: int


DUMMIES = tuple(
    registry.ArtifactSpec(
        name=name,
        version=99,
        path=path,
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage=stage,
        description="test dummy",
        model=model,
    )
    for name, path, stage, model in (
        ("ops_summary", "reports/ops/summary.json", "ops_summary", DummySummary),
        ("live_cycle_receipt", "reports/live/receipt.json", "live_cycle", DummyReceipt),
        ("scheduler_record", "reports/ops/scheduler.json", "daily_ops", DummyScheduler),
    )
)


def register_dummies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the dummies for this test, replacing real entries of the same names."""
    mine = {d.name for d in DUMMIES}
    arts = (*(a for a in registry.ARTIFACTS if a.name not in mine), *DUMMIES)
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
        **_envelope("live_cycle_receipt/v99", "live_cycle", asof),
        "result": "OK",
        "decision": "COMPLETED",
        "reason": "REBALANCE_PLANNED",
        "snapshot_ref": snapshot_ref,
        "push": {"delivery_actual": "CONSOLE_SIMULATED"},
    }


def summary(asof: dt.date) -> dict[str, Any]:
    return {
        **_envelope("ops_summary/v99", "ops_summary", asof),
        "overall_status": "WARN",
        "top_risks": [
            {"code": "BUNDLE_STALE", "severity": "WARN", "message": "번들이 2 거래일 지났습니다"},
            {"code": "NO_PORTFOLIO", "severity": "INFO", "message": "portfolio missing"},
        ],
    }


def scheduler(asof: dt.date, exit_code: int) -> dict[str, Any]:
    return {**_envelope("scheduler_record/v99", "daily_ops", asof), "exit_code": exit_code}
