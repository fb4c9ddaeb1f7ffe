"""The drill's pure rules (``pipeline.core.drill``) and what the ops summary makes of a drill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.artifacts.drill import DrillReportV1, ForcedSafety, ObservedSafety, StepReport
from pipeline.core import drill as rules
from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    CycleResult,
    DeliveryChannel,
    DeliveryStatus,
    DrillReason,
    DrillResult,
    DrillStep,
    ExecutionGate,
    OverallStatus,
    Owner,
    SafetyFileState,
    StepResult,
    TicketStatus,
)
from tests.server.factories import PRODUCER, at, read_json, run_stage, server_repo

P, W, F = StepResult.PASS, StepResult.WARN, StepResult.FAIL
CON, TG = DeliveryChannel.CONSOLE_SIMULATED, DeliveryChannel.TELEGRAM
OK, FAILED = CycleResult.OK, CycleResult.FAILED
COMPLETED, PARTIAL, BLOCKED = CycleDecision.COMPLETED, CycleDecision.PARTIAL, CycleDecision.BLOCKED
SIM, SENT = DeliveryStatus.SIMULATED, DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("seen", "expected"),
    [
        ((OK, COMPLETED, CON, SIM), (P, DrillReason.OK)),
        ((OK, PARTIAL, CON, SIM), (W, DrillReason.CYCLE_PARTIAL)),
        ((OK, BLOCKED, CON, SIM), (W, DrillReason.CYCLE_BLOCKED)),
        ((FAILED, BLOCKED, CON, SIM), (F, DrillReason.CYCLE_FAILED)),
        ((OK, COMPLETED, TG, SENT), (F, DrillReason.MESSAGE_NOT_SIMULATED)),
        ((OK, PARTIAL, CON, DeliveryStatus.FALLBACK), (F, DrillReason.MESSAGE_NOT_SIMULATED)),
        (
            (OK, BLOCKED, TG, DeliveryStatus.DUPLICATE_SKIPPED),
            (F, DrillReason.MESSAGE_NOT_SIMULATED),
        ),
    ],
)
def test_cycle_table(seen: tuple[object, ...], expected: rules.Verdict) -> None:
    assert rules.cycle_verdict(rules.CycleSeen(*seen)) == expected  # type: ignore[arg-type]


def test_every_bundle_status_and_ops_status_has_a_verdict() -> None:
    assert set(rules.BUNDLE) == set(BundleStatus) and set(rules.OPS) == set(OverallStatus)
    assert rules.BUNDLE[BundleStatus.STALE] == (W, DrillReason.BUNDLE_STALE)
    assert rules.BUNDLE[BundleStatus.TAMPERED][0] is F


def test_validate_splits_by_owner() -> None:
    assert rules.validate_verdict([]) == (P, DrillReason.OK)
    assert rules.validate_verdict([Owner.PC, Owner.PC]) == (W, DrillReason.INPUT_INVALID)
    assert rules.validate_verdict([Owner.PC, Owner.SERVER]) == (F, DrillReason.ARTIFACT_INVALID)
    assert rules.validate_verdict([None]) == (F, DrillReason.ARTIFACT_INVALID)


def test_tickets_only_this_runs_results_count() -> None:
    assert rules.tickets_verdict([]) == (P, DrillReason.OK)
    assert rules.tickets_verdict([TicketStatus.DONE, TicketStatus.EXPIRED])[0] is W


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([(P, DrillReason.OK)], (DrillResult.PASS, 0)),
        ([(P, DrillReason.NO_RUN_HISTORY), (W, DrillReason.OPS_WARN)], (DrillResult.WARN, 0)),
        ([(W, DrillReason.OPS_STOPPED), (W, DrillReason.CYCLE_BLOCKED)], (DrillResult.BLOCKED, 2)),
        (
            [(W, DrillReason.CYCLE_BLOCKED), (F, DrillReason.ARTIFACT_INVALID)],
            (DrillResult.FAIL, 3),
        ),
        ([(StepResult.SKIPPED, DrillReason.PREVIOUS_STEP_FAILED)], (DrillResult.PASS, 0)),
    ],
)
def test_overall_rule(verdicts: list[rules.Verdict], expected: tuple[DrillResult, int]) -> None:
    assert rules.overall(verdicts) == expected


def report(asof: dt.date, result: DrillResult) -> DrillReportV1:
    safe = SafetyFileState.OK
    return DrillReportV1(
        asof=asof,
        generated_at=at(asof),
        producer=PRODUCER,
        head_commit="a" * 40,
        real_tree_dirty=False,
        observed_safety=ObservedSafety(
            gate=ExecutionGate.DRY_RUN,
            gate_file=safe,
            real_sender_enabled=False,
            real_sender_file=safe,
            emergency_stop=False,
            emergency_stop_file=safe,
            emergency_stop_env=False,
            telegram_credentials_present=False,
            real_send_possible=False,
        ),
        forced_safety=ForcedSafety(
            gate=ExecutionGate.MOCK_ONLY, real_sender_enabled=False, removed_env=()
        ),
        steps=(
            StepReport(
                step=DrillStep.SCRATCH,
                result=StepResult.PASS,
                reason=DrillReason.OK,
                duration_ms=1,
                exit_code=None,
                detail="",
            ),
        ),
        ops_status=None,
        cycle=None,
        overall_result=result,
        exit_code={DrillResult.FAIL: 3, DrillResult.BLOCKED: 2}.get(result, 0),
        duration_ms=1,
    )


@pytest.mark.parametrize(
    ("drill", "codes"),
    [
        (None, {"NO_DRILL"}),
        ((dt.date(2025, 9, 19), DrillResult.FAIL), {"DRILL_FAILED"}),
    ],
)
def test_ops_summary_stage_reads_the_last_drill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drill: tuple[dt.date, DrillResult] | None,
    codes: set[str],
) -> None:  # fmt: skip
    root = server_repo(tmp_path)
    if drill is not None:
        path = root / "reports/ops/drill_report.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        from pipeline.io.jsonio import dump_model

        path.write_bytes(dump_model(report(*drill)))
    mon = dt.date(2025, 9, 22)
    assert run_stage(root, "ops_summary", mon, monkeypatch) == 0
    summary = read_json(root, "ops_summary")
    found = {r["code"] for r in summary["top_risks"]} & {"NO_DRILL", "DRILL_FAILED", "DRILL_STALE"}
    assert found == codes
    refs = [i["path"] for i in summary["inputs"]]
    assert "reports/ops/drill_report.json" in refs
