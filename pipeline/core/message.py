"""The daily Korean plain-text status message (pure: everything comes in as arguments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.artifacts.live import OrderLine
from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    ExecutionGate,
    OrderReason,
    OrderSide,
    OverallStatus,
)

DECISION_KO = {
    CycleDecision.COMPLETED: "완료",
    CycleDecision.PARTIAL: "부분 완료",
    CycleDecision.BLOCKED: "차단",
}
BUNDLE_KO = {
    BundleStatus.VALID: "정상",
    BundleStatus.MISSING: "없음",
    BundleStatus.INVALID: "손상",
    BundleStatus.TAMPERED: "무결성 불일치",
    BundleStatus.NOT_YET_VALID: "아직 유효하지 않음",
    BundleStatus.LATE: "한 거래일 늦음",
    BundleStatus.STALE: "만료 (매도만)",
}
#: Telegram rejects messages over 4096 characters; orders beyond this are summarised.
MAX_CHARS = 3900

GATE_KO = {
    ExecutionGate.MOCK_ONLY: "모의(MOCK_ONLY)",
    ExecutionGate.DRY_RUN: "드라이런(DRY_RUN)",
    ExecutionGate.REAL_ENABLED: "실거래(REAL_ENABLED)",
}


@dataclass(frozen=True)
class MessageFacts:
    session: dt.date
    ops_status: OverallStatus | None  # None: no ops summary for the session
    risk_codes: tuple[str, ...]
    decision: CycleDecision
    reason: str
    gate: ExecutionGate
    bundle_status: BundleStatus
    bundle_asof: dt.date | None
    day_state: str | None
    plan_id: str | None
    orders: tuple[OrderLine, ...]
    names: dict[str, str]


def _order_line(o: OrderLine, names: dict[str, str]) -> str:
    side = "매수" if o.side is OrderSide.BUY else "매도"
    why = " (손절)" if o.reason is OrderReason.STOP_LOSS else ""
    name = names.get(o.ticker, "")
    return (
        f"- {side} {o.ticker} {name} {o.shares:,}주 × {o.price_krw:,}원 = {o.notional_krw:,}원{why}"
    )


def render(f: MessageFacts) -> str:
    """The message text; no secrets, no timestamps (a rerun renders the same text)."""
    ops = f.ops_status.value if f.ops_status else "요약 없음"
    risks = ", ".join(f.risk_codes) if f.risk_codes else "없음"
    bundle = BUNDLE_KO[f.bundle_status]
    if f.bundle_asof:
        bundle += f" (기준일 {f.bundle_asof}, 상태 {f.day_state})"
    lines = [
        f"[KRX Alertor] {f.session} 일일 현황",
        f"운영 상태: {ops}",
        f"라이브 결과: {DECISION_KO[f.decision]} ({f.reason})",
        f"실행 게이트: {GATE_KO[f.gate]}",
        f"전략 번들: {bundle}",
    ]
    active = [o for o in f.orders if o.shares > 0]
    if f.plan_id:
        lines.append(f"주문 계획: {f.plan_id} ({len(active)}건)")
        order_lines = [_order_line(o, f.names) for o in active]
        budget = MAX_CHARS - sum(len(x) + 1 for x in lines) - 200
        kept = 0
        while kept < len(order_lines) and budget - len(order_lines[kept]) - 1 >= 0:
            budget -= len(order_lines[kept]) + 1
            kept += 1
        lines += order_lines[:kept]
        if kept < len(order_lines):
            lines.append(f"… 외 {len(order_lines) - kept}건 (reports/live/order_plan.json 참고)")
        if f.gate is not ExecutionGate.REAL_ENABLED and active:
            lines.append("※ 실거래 게이트가 아니므로 참고용입니다. 주문하지 마세요.")
    lines.append(f"위험: {risks}")
    return "\n".join(lines) + "\n"
