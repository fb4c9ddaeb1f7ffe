"""Ops summary: each risk code triggered by one fixture, and the documented status rule."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.core.bundle_check import BundleVerdict
from pipeline.core.ops import SEVERITY, OpsInputs, PortfolioView, assess
from pipeline.core.safety import effective_safety
from pipeline.enums import (
    BundleStatus,
    CycleResult,
    ExecutionGate,
    OverallStatus,
    PlanStatus,
    RiskCode,
    SafetyFileState,
    Severity,
    TicketStatus,
)
from pipeline.params import OpsParams
from tests.server.factories import bundle_model, cal

OK = SafetyFileState.OK
MON = dt.date(2025, 9, 22)
FRI = dt.date(2025, 9, 19)
SAFE = effective_safety((OK, ExecutionGate.DRY_RUN), (OK, False), (OK, False))


def healthy() -> OpsInputs:
    return OpsInputs(
        session=MON,
        safety=SAFE,
        bundle=BundleVerdict(BundleStatus.VALID, bundle_model(FRI), "ok"),
        portfolio=PortfolioView(baseline_asof=FRI),
        ticket_results=(("T-1", TicketStatus.DONE, FRI),),
        last_plan=(PlanStatus.READY, FRI),
        last_receipt=(CycleResult.OK, FRI),
        recon_status="OK",
        last_drill=(False, FRI),
    )


def change(**kw: object) -> OpsInputs:
    return dataclasses.replace(healthy(), **kw)


CASES = {
    RiskCode.EMERGENCY_STOP: (
        change(safety=effective_safety((OK, ExecutionGate.DRY_RUN), (OK, False), (OK, True))),
        OverallStatus.STOPPED,
    ),
    RiskCode.SAFETY_FILE_INVALID: (
        change(safety=effective_safety((SafetyFileState.CORRUPT, None), (OK, False), (OK, False))),
        OverallStatus.WARN,  # the corrupt gate also reads MOCK_ONLY (INFO)
    ),
    RiskCode.GATE_MOCK_ONLY: (
        change(safety=effective_safety((OK, ExecutionGate.MOCK_ONLY), (OK, True), (OK, False))),
        OverallStatus.OK,
    ),
    RiskCode.BUNDLE_MISSING: (
        change(bundle=BundleVerdict(BundleStatus.MISSING, None, "")),
        OverallStatus.BLOCKED,
    ),
    RiskCode.BUNDLE_INVALID: (
        change(bundle=BundleVerdict(BundleStatus.TAMPERED, None, "")),
        OverallStatus.BLOCKED,
    ),
    RiskCode.BUNDLE_STALE: (
        change(bundle=BundleVerdict(BundleStatus.STALE, bundle_model(FRI), "")),
        OverallStatus.BLOCKED,
    ),
    RiskCode.NO_PORTFOLIO: (
        change(portfolio=PortfolioView(baseline_asof=None)),
        OverallStatus.BLOCKED,
    ),
    RiskCode.PORTFOLIO_INCONSISTENT: (
        change(portfolio=PortfolioView(baseline_asof=FRI, positions_problems=("negative cash",))),
        OverallStatus.BLOCKED,
    ),
    RiskCode.PORTFOLIO_STALE: (
        change(portfolio=PortfolioView(baseline_asof=dt.date(2025, 9, 12))),  # 6 sessions
        OverallStatus.WARN,
    ),
    RiskCode.TICKETS_FAILED: (
        change(ticket_results=(("T-2", TicketStatus.REJECTED, FRI),)),
        OverallStatus.WARN,
    ),
    RiskCode.ORDER_PLAN_BLOCKED: (
        change(last_plan=(PlanStatus.BLOCKED, FRI)),
        OverallStatus.WARN,
    ),
    RiskCode.LAST_CYCLE_FAILED: (
        change(last_receipt=(CycleResult.FAILED, FRI)),
        OverallStatus.WARN,
    ),
    RiskCode.RECON_CRITICAL: (
        change(recon_status="CRITICAL"),
        OverallStatus.BLOCKED,
    ),
    RiskCode.DRILL_FAILED: (
        change(last_drill=(True, FRI)),
        OverallStatus.WARN,
    ),
    RiskCode.DRILL_STALE: (
        change(last_drill=(False, dt.date(2025, 9, 16))),  # 4 sessions > 3
        OverallStatus.WARN,
    ),
    RiskCode.NO_DRILL: (
        change(last_drill=None),
        OverallStatus.OK,  # INFO: a server that never drilled is told, not blocked
    ),
}


def test_every_risk_code_has_a_case_and_a_severity() -> None:
    assert set(CASES) == set(RiskCode) == set(SEVERITY)


def test_healthy_is_ok_with_no_risks() -> None:
    assert assess(healthy(), cal(), OpsParams()) == (OverallStatus.OK, ())


@pytest.mark.parametrize("code", list(CASES), ids=[c.value for c in CASES])
def test_each_risk(code: RiskCode) -> None:
    inputs, expected = CASES[code]
    status, risks = assess(inputs, cal(), OpsParams())
    assert code in [r.code for r in risks]
    assert status is expected
    risk = next(r for r in risks if r.code is code)
    assert risk.severity is SEVERITY[code] and risk.message and risk.evidence_refs


def test_status_rule_order_and_sorting() -> None:
    stop = effective_safety((OK, ExecutionGate.MOCK_ONLY), (OK, False), (OK, True))
    inputs = change(
        safety=stop,
        bundle=BundleVerdict(BundleStatus.MISSING, None, ""),
        last_receipt=None,
        ticket_results=(("T-9", TicketStatus.EXPIRED, MON),),
    )
    status, risks = assess(inputs, cal(), OpsParams())
    assert status is OverallStatus.STOPPED  # the stop wins over everything
    ranks = [{Severity.CRITICAL: 0, Severity.WARN: 1, Severity.INFO: 2}[r.severity] for r in risks]
    assert ranks == sorted(ranks)
    assert assess(change(last_receipt=None), cal(), OpsParams())[0] is OverallStatus.NO_RUN_HISTORY
    blocked = change(last_receipt=None, bundle=BundleVerdict(BundleStatus.MISSING, None, ""))
    assert assess(blocked, cal(), OpsParams())[0] is OverallStatus.BLOCKED


def test_drill_age_boundary_and_blocked_drills() -> None:
    fresh = change(last_drill=(False, dt.date(2025, 9, 17)))  # 3 sessions: allowed
    assert assess(fresh, cal(), OpsParams()) == (OverallStatus.OK, ())
    # a BLOCKED drill is not a failed one: the block itself is raised by its own risk code
    assert assess(change(last_drill=(False, FRI)), cal(), OpsParams())[1] == ()
    strict = OpsParams(drill_max_age_trading_days=1)
    codes = [r.code for r in assess(change(last_drill=(False, FRI)), cal(), strict)[1]]
    assert codes == []  # FRI -> MON is 1 session
    old = change(last_drill=(True, dt.date(2025, 9, 12)))
    codes = [r.code for r in assess(old, cal(), OpsParams())[1]]
    assert codes == [RiskCode.DRILL_FAILED, RiskCode.DRILL_STALE]


def test_old_failures_and_old_blocked_plans_age_out() -> None:
    old = change(
        ticket_results=(("T-3", TicketStatus.REJECTED, dt.date(2025, 9, 12)),),
        last_plan=(PlanStatus.BLOCKED, dt.date(2025, 9, 17)),
    )
    assert assess(old, cal(), OpsParams()) == (OverallStatus.OK, ())
