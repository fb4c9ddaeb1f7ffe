"""Ops summary rules: risks from the server's view of the world, then one status rule.

Risk table (code -> severity, when):

==========================  ========  ===================================================
EMERGENCY_STOP              CRITICAL  stop file enabled, corrupt, or the server override
SAFETY_FILE_INVALID         WARN      a safety file is corrupt (read as its safest value)
GATE_MOCK_ONLY              INFO      effective gate is MOCK_ONLY (nothing is sent for real)
BUNDLE_MISSING              CRITICAL  state/strategy_bundle.json is missing
BUNDLE_INVALID              CRITICAL  bundle fails its schema or its integrity hash
BUNDLE_STALE                CRITICAL  bundle STALE: exits only (WARN when LATE: 1 session behind)
NO_PORTFOLIO                CRITICAL  state/portfolio.json is missing
PORTFOLIO_INCONSISTENT      CRITICAL  portfolio invalid, derived positions inconsistent, or
                                      positions derived from another baseline
PORTFOLIO_STALE             WARN      baseline older than portfolio_max_age_trading_days
TICKETS_FAILED              WARN      REJECTED/EXPIRED ticket results in the recent window
ORDER_PLAN_BLOCKED          WARN      the latest order plan (last session) was BLOCKED
LAST_CYCLE_FAILED           WARN      the latest live-cycle receipt has result FAILED
RECON_CRITICAL              CRITICAL  the PC's reconcile summary reports CRITICAL
DRILL_FAILED                WARN      the last ``krx drill`` has overall_result FAIL
DRILL_STALE                 WARN      the last drill is older than drill_max_age_trading_days
NO_DRILL                    INFO      no valid drill report yet (run ``krx drill``)
==========================  ========  ===================================================

The drill risks are WARN, not CRITICAL: a failed drill says the loop *would* fault, but the
real cycle's own inputs raise their own CRITICAL risks; a drill must never block trading.

Status rule, first match wins: EMERGENCY_STOP -> STOPPED; any CRITICAL -> BLOCKED; no live-cycle
receipt ever -> NO_RUN_HISTORY; any WARN -> WARN; else OK. INFO never changes the status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline import registry
from pipeline.artifacts.ops import Risk
from pipeline.core.bundle_check import BUNDLE_PATH, BundleVerdict
from pipeline.core.ops_rule import RANK, SEVERITY, overall_status
from pipeline.core.safety import SafetyState
from pipeline.enums import (
    BundleStatus,
    CycleResult,
    ExecutionGate,
    OverallStatus,
    PlanStatus,
    RiskCode,
    Severity,
    TicketStatus,
)
from pipeline.krx_calendar import KrxCalendar
from pipeline.params import OpsParams

PORTFOLIO_PATH = registry.path("portfolio")
POSITIONS_PATH = registry.path("positions")


@dataclass(frozen=True)
class PortfolioView:
    """What the server knows about holdings (None fields: not available)."""

    baseline_asof: dt.date | None  # None: portfolio missing or invalid
    baseline_invalid: bool = False
    positions_problems: tuple[str, ...] = ()  # inconsistencies or a baseline mismatch


@dataclass(frozen=True)
class OpsInputs:
    session: dt.date
    safety: SafetyState
    bundle: BundleVerdict
    portfolio: PortfolioView
    ticket_results: tuple[tuple[str, TicketStatus, dt.date], ...]  # (id, status, asof)
    last_plan: tuple[PlanStatus, dt.date] | None
    last_receipt: tuple[CycleResult, dt.date] | None
    recon_status: str | None  # the reconcile summary's status string, if any
    recon_path: str = registry.path("recon_summary")
    last_drill: tuple[bool, dt.date] | None = None  # (the drill found a fault, its asof)


def _risk(code: RiskCode, message: str, *refs: str, severity: Severity | None = None) -> Risk:
    sev = severity or SEVERITY[code]
    return Risk(code=code, severity=sev, message=message, evidence_refs=refs)


def _safety_risks(s: SafetyState) -> list[Risk]:
    out = []
    if s.stop:
        out.append(
            _risk(
                RiskCode.EMERGENCY_STOP,
                "긴급 정지 상태입니다. 모든 실행과 발송이 멈춥니다.",
                registry.path("emergency_stop"),
            )
        )
    if s.any_corrupt:
        out.append(
            _risk(
                RiskCode.SAFETY_FILE_INVALID,
                "안전 설정 파일이 손상되어 가장 안전한 값으로 읽었습니다.",
                registry.path("execution_gate"),
                registry.path("real_sender"),
                registry.path("emergency_stop"),
            )
        )
    if s.gate is ExecutionGate.MOCK_ONLY:
        out.append(
            _risk(
                RiskCode.GATE_MOCK_ONLY,
                "실행 게이트가 MOCK_ONLY입니다 (실제 발송 없음).",
                registry.path("execution_gate"),
            )
        )
    return out


def _bundle_risks(v: BundleVerdict) -> list[Risk]:
    if v.status is BundleStatus.MISSING:
        return [
            _risk(
                RiskCode.BUNDLE_MISSING,
                "전략 번들이 없습니다. PC에서 백테스트 후 push하세요.",
                BUNDLE_PATH,
            )
        ]
    if v.status in (BundleStatus.INVALID, BundleStatus.TAMPERED):
        return [
            _risk(
                RiskCode.BUNDLE_INVALID, f"전략 번들이 유효하지 않습니다 ({v.status}).", BUNDLE_PATH
            )
        ]
    if v.status is BundleStatus.LATE:
        return [
            _risk(
                RiskCode.BUNDLE_STALE,
                "전략 번들이 마지막 종가보다 한 거래일 늦습니다: 오늘 PC 일일 실행을 확인하세요.",
                BUNDLE_PATH,
                severity=Severity.WARN,
            )
        ]
    if v.status is BundleStatus.STALE:
        return [
            _risk(
                RiskCode.BUNDLE_STALE,
                "전략 번들이 오래되어 매수하지 않습니다 (매도만 계획). "
                "PC에서 일일 실행 후 push하세요.",
                BUNDLE_PATH,
            )
        ]
    if v.status is BundleStatus.NOT_YET_VALID:
        return [
            _risk(
                RiskCode.BUNDLE_STALE,
                f"전략 번들을 오늘 사용할 수 없습니다 ({v.status}).",
                BUNDLE_PATH,
            )
        ]
    return []


def _portfolio_risks(
    p: PortfolioView, session: dt.date, cal: KrxCalendar, ops: OpsParams
) -> list[Risk]:
    if p.baseline_invalid:
        return [
            _risk(
                RiskCode.PORTFOLIO_INCONSISTENT,
                "포트폴리오 파일이 유효하지 않습니다.",
                PORTFOLIO_PATH,
            )
        ]
    if p.baseline_asof is None:
        return [_risk(RiskCode.NO_PORTFOLIO, "포트폴리오 파일이 없습니다.", PORTFOLIO_PATH)]
    out = []
    if p.positions_problems:
        out.append(
            _risk(
                RiskCode.PORTFOLIO_INCONSISTENT,
                "현재 포지션이 일관되지 않습니다: " + "; ".join(p.positions_problems),
                PORTFOLIO_PATH,
                POSITIONS_PATH,
            )
        )
    age = cal.count_after(p.baseline_asof, session)
    if age > ops.portfolio_max_age_trading_days:
        out.append(
            _risk(
                RiskCode.PORTFOLIO_STALE,
                f"포트폴리오 기준일이 {age} 거래일 전입니다 "
                f"(허용 {ops.portfolio_max_age_trading_days}).",
                PORTFOLIO_PATH,
            )
        )
    return out


def _history_risks(i: OpsInputs, cal: KrxCalendar, ops: OpsParams) -> list[Risk]:
    out = []
    window_start = cal.add(i.session, -ops.ticket_window_trading_days)
    failed = sorted(
        t
        for t, status, asof in i.ticket_results
        if status is not TicketStatus.DONE and asof > window_start
    )
    if failed:
        out.append(
            _risk(
                RiskCode.TICKETS_FAILED,
                f"최근 {ops.ticket_window_trading_days} 거래일 티켓 실패 {len(failed)}건.",
                *(registry.path("ticket_result", t) for t in failed),
            )
        )
    if (
        i.last_plan
        and i.last_plan[0] is PlanStatus.BLOCKED
        and i.last_plan[1] >= cal.add(i.session, -1)
    ):
        out.append(
            _risk(
                RiskCode.ORDER_PLAN_BLOCKED,
                f"최근 주문 계획({i.last_plan[1]})이 차단되었습니다.",
                registry.path("order_plan"),
            )
        )
    if i.last_receipt and i.last_receipt[0] is CycleResult.FAILED:
        out.append(
            _risk(
                RiskCode.LAST_CYCLE_FAILED,
                f"최근 라이브 사이클({i.last_receipt[1]})이 실패했습니다.",
                registry.path("live_cycle_receipt"),
            )
        )
    if i.recon_status is not None and i.recon_status.upper() == "CRITICAL":
        out.append(_risk(RiskCode.RECON_CRITICAL, "정산 결과가 CRITICAL입니다.", i.recon_path))
    return out


DRILL_PATH = registry.path("drill_report")


def _drill_risks(i: OpsInputs, cal: KrxCalendar, ops: OpsParams) -> list[Risk]:
    if i.last_drill is None:
        return [_risk(RiskCode.NO_DRILL, "드릴 기록이 없습니다 (krx drill).", DRILL_PATH)]
    failed, asof = i.last_drill
    out = []
    if failed:
        out.append(_risk(RiskCode.DRILL_FAILED, f"최근 드릴({asof})이 실패했습니다.", DRILL_PATH))
    age = cal.count_after(asof, i.session)
    if age > ops.drill_max_age_trading_days:
        out.append(
            _risk(
                RiskCode.DRILL_STALE,
                f"최근 드릴이 {age} 거래일 전입니다 (허용 {ops.drill_max_age_trading_days}).",
                DRILL_PATH,
            )
        )
    return out


def assess(
    i: OpsInputs, cal: KrxCalendar, ops: OpsParams
) -> tuple[OverallStatus, tuple[Risk, ...]]:
    """All risks of the day, most severe first, and the overall status by the rule above."""
    risks = [
        *_safety_risks(i.safety),
        *_bundle_risks(i.bundle),
        *_portfolio_risks(i.portfolio, i.session, cal, ops),
        *_history_risks(i, cal, ops),
        *_drill_risks(i, cal, ops),
    ]
    risks.sort(key=lambda r: (RANK[r.severity], r.code.value))
    return overall_status(risks, has_history=i.last_receipt is not None), tuple(risks)
