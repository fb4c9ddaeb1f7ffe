"""The daily Korean message as a to-do list (pure: everything comes in as arguments).

Order of the text: today's action first (the orders and how to record the fills, or "hold; next
rebalance <date>", or why nothing can be done and the one thing to do), then each risk in words
with its to-do (``pipeline.core.risk_advice``), then the status lines. The text always fits one
Telegram message: a plan too long for it lists the first orders and says where the rest is.
The server's delivery and the PC's push preview both call ``render``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline import registry
from pipeline.artifacts.live import OrderLine
from pipeline.core.risk_advice import reason_advice, risk_advice
from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    ExecutionGate,
    OrderReason,
    OrderSide,
    OverallStatus,
)
from pipeline.errors import OperatorError
from pipeline.krx_calendar import KrxCalendar

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
GATE_KO = {
    ExecutionGate.MOCK_ONLY: "모의(MOCK_ONLY)",
    ExecutionGate.DRY_RUN: "드라이런(DRY_RUN)",
    ExecutionGate.REAL_ENABLED: "실거래(REAL_ENABLED)",
}
SIDE_KO = {OrderSide.BUY: "매수", OrderSide.SELL: "매도"}
WEEKDAY_KO = "월화수목금토일"
#: Telegram's limit is 4,096 characters (UTF-16 units; all our characters are in the BMP).
TELEGRAM_LIMIT = 4096
#: What ``render`` keeps to, with a margin under Telegram's limit.
MAX_CHARS = 4000
#: Up to this many orders, the fill-recording command lists every fill.
FULL_COMMAND_ORDERS = 5
#: Where the operator records fills in the cockpit (the section's title there).
COCKPIT_TICKET_FORM = "체결 기록(티켓)"
COCKPIT_TODAY = "오늘"


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
    next_rebalance: dt.date | None = None  # the session of the next scheduled rebalance


def day_ko(d: dt.date) -> str:
    """``2026-11-23(월)``."""
    return f"{d.isoformat()}({WEEKDAY_KO[d.weekday()]})"


def order_line(n: int, o: OrderLine, names: dict[str, str]) -> str:
    """``1) 매수 069500 KODEX 200 142주 × 35,000원 = 4,970,000원``."""
    why = " (손절)" if o.reason is OrderReason.STOP_LOSS else ""
    name = names.get(o.ticker, "").strip()
    who = f"{o.ticker} {name}" if name else o.ticker
    return (
        f"{n}) {SIDE_KO[o.side]} {who} {o.shares:,}주 × {o.price_krw:,}원 "
        f"= {o.notional_krw:,}원{why}"
    )


def ticket_command(plan_id: str, orders: tuple[OrderLine, ...], ack: bool = False) -> str:
    """The exact ``krx ticket new`` line that records these fills at the reference prices."""
    if ack:
        return f"krx ticket new --plan {plan_id} --ack --by 이름"
    shown = orders if len(orders) <= FULL_COMMAND_ORDERS else orders[:1]
    fills = " ".join(f"--fill {o.ticker}:{o.side.value}:{o.shares}:{o.price_krw}" for o in shown)
    more = " …(체결마다 --fill 하나)" if len(orders) > len(shown) else ""
    return f"krx ticket new --plan {plan_id} {fills}{more} --by 이름"


def _active(f: MessageFacts) -> tuple[OrderLine, ...]:
    return tuple(o for o in f.orders if o.shares > 0)


def _hold_line(f: MessageFacts) -> str:
    nxt = day_ko(f.next_rebalance) if f.next_rebalance else "미정"
    return f"▶ 보유 유지 — 주문 없음; 다음 리밸런싱 {nxt}"


def _action_head(f: MessageFacts) -> list[str]:
    """The first lines: what to do today (without the order lines themselves)."""
    active = _active(f)
    if f.plan_id is None or f.decision is CycleDecision.BLOCKED:
        adv = reason_advice(f.reason)
        return [f"▶ 오늘은 주문 없음 — 차단: {adv.what}", f"  할 일: {adv.todo}"]
    if not active:
        return [_hold_line(f)]
    real = f.gate is ExecutionGate.REAL_ENABLED
    buy = sum(o.notional_krw for o in active if o.side is OrderSide.BUY)
    sell = sum(o.notional_krw for o in active if o.side is OrderSide.SELL)
    head = "HTS/MTS에서 아래대로 주문하세요" if real else "참고용 — 실제로 주문하지 마세요"
    return [
        f"▶ 주문 {len(active)}건 ({head}; 계획 {f.plan_id})",
        f"  매도 합계 {sell:,}원 · 매수 합계 {buy:,}원 · 가격은 기준가(번들 종가)",
    ]


def _action_tail(f: MessageFacts) -> list[str]:
    """After the order lines: how to record what was done."""
    active = _active(f)
    if f.plan_id is None or f.decision is CycleDecision.BLOCKED or not active:
        return []
    if f.gate is not ExecutionGate.REAL_ENABLED:
        return [
            f"※ 실행 게이트가 {GATE_KO[f.gate]}라 참고용입니다. 확인만 기록하려면:",
            f"  {ticket_command(f.plan_id, active, ack=True)}",
        ]
    return [
        f"체결 기록: 주문 후 콕핏 '{COCKPIT_TICKET_FORM}'에서 계획 {f.plan_id}를 고르거나",
        f"  {ticket_command(f.plan_id, active)}",
        "  (실제 체결 수량·가격으로 고쳐 적고, 커밋·푸시하면 서버가 반영합니다)",
    ]


def _risk_lines(f: MessageFacts) -> list[str]:
    if not f.risk_codes:
        return ["위험: 없음"]
    lines = [f"위험 {len(f.risk_codes)}건:"]
    for code in f.risk_codes:
        adv = risk_advice(code)
        lines.append(f"- {adv.what} → {adv.todo}")
    return lines


def _status_lines(f: MessageFacts) -> list[str]:
    ops = f.ops_status.value if f.ops_status else "요약 없음"
    bundle = BUNDLE_KO[f.bundle_status]
    if f.bundle_asof:
        bundle += f" (기준일 {f.bundle_asof}, 상태 {f.day_state})"
    return [
        f"운영 상태: {ops} · 라이브 결과: {DECISION_KO[f.decision]} ({f.reason})",
        f"실행 게이트: {GATE_KO[f.gate]} · 전략 번들: {bundle}",
    ]


def render(f: MessageFacts, limit: int = MAX_CHARS) -> str:
    """The message text; no secrets, no timestamps (a rerun renders the same text).

    At most ``limit`` characters: when every order line does not fit, the first ones are kept
    and one line says how many are left out and where to see them all.
    """
    title = [f"[KRX Alertor] {day_ko(f.session)} 오늘 할 일"]
    head, tail = _action_head(f), _action_tail(f)
    rest = ["", *_risk_lines(f), "", *_status_lines(f)]
    active = _active(f) if head and head[0].startswith("▶ 주문") else ()
    orders = [order_line(n, o, f.names) for n, o in enumerate(active, 1)]
    fixed = title + head + tail + rest
    budget = limit - sum(len(x) + 1 for x in fixed)
    if sum(len(x) + 1 for x in orders) > budget:
        left_out = len(orders)
        kept: list[str] = []
        while True:
            more = _overflow_line(left_out)
            if sum(len(x) + 1 for x in kept) + len(orders[len(kept)]) + len(more) + 2 > budget:
                break
            kept.append(orders[len(kept)])
            left_out -= 1
        orders = [*kept, _overflow_line(left_out)]
    text = "\n".join(title + head + orders + tail + rest) + "\n"
    return text if len(text) <= limit else text[: limit - 2] + "…\n"


def _overflow_line(n: int) -> str:
    plan = registry.get("order_plan").path
    return f"… 외 {n}건: 전체 주문은 콕핏 '{COCKPIT_TODAY}' 또는 {plan}에서 보세요"


def next_rebalance_session(valid_until: dt.date, cal: KrxCalendar) -> dt.date | None:
    """The session that trades the next scheduled rebalance: the one after the bundle's last
    valid day (its next signal day), or None past the calendar's end."""
    try:
        return cal.add(valid_until, 1)
    except OperatorError:
        return None
