"""The drill's pure rules (``pipeline.core.drill``) and what the ops summary makes of a drill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.artifacts.drill import DrillReportV1, StepReport
from pipeline.core import drill as rules
from pipeline.enums import (
    CycleDecision,
    CycleResult,
    DeliveryChannel,
    DeliveryStatus,
    DrillReason,
    DrillResult,
    DrillStep,
    SchedulerStepResult,
    StepResult,
)
from tests.server.factories import drill_header, read_json, run_stage, server_repo

P, W, F = StepResult.PASS, StepResult.WARN, StepResult.FAIL
CON, TG = DeliveryChannel.CONSOLE_SIMULATED, DeliveryChannel.TELEGRAM
OK, FAILED = CycleResult.OK, CycleResult.FAILED
COMPLETED, PARTIAL, BLOCKED = CycleDecision.COMPLETED, CycleDecision.PARTIAL, CycleDecision.BLOCKED
SIM, SENT = DeliveryStatus.SIMULATED, DeliveryStatus.SENT


SIMULATED = (CON, SIM)


@pytest.mark.parametrize(
    ("flow_exit", "delivery", "expected"),
    [
        (0, SIMULATED, (0, SchedulerStepResult.OK)),
        (2, SIMULATED, (2, SchedulerStepResult.BLOCKED)),
        (3, None, (3, SchedulerStepResult.FAULT)),
        (1, None, (3, SchedulerStepResult.FAULT)),  # anything else is a fault
        (0, (TG, SENT), (3, SchedulerStepResult.FAULT)),
        (0, (CON, DeliveryStatus.FALLBACK), (3, SchedulerStepResult.FAULT)),
        (2, (TG, DeliveryStatus.DUPLICATE_SKIPPED), (3, SchedulerStepResult.FAULT)),
    ],
)
def test_the_drill_verdict_is_the_flows_exit_unless_a_message_left_the_console(
    flow_exit: int,
    delivery: tuple[DeliveryChannel, DeliveryStatus] | None,
    expected: tuple[int, SchedulerStepResult],
) -> None:
    code, result, fault = rules.verdict(flow_exit, delivery)
    assert (code, result) == expected
    assert (fault is not None) == (delivery not in (None, SIMULATED))


def report(asof: dt.date, result: DrillResult) -> DrillReportV1:
    return DrillReportV1(
        **drill_header(asof),
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
        ((dt.date(2025, 9, 19), DrillResult.FAIL), {"DRILL_FAILED"}),  # a v1 report still counts
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
