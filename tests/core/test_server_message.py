"""The Korean daily message as a to-do list: today's action first (orders and how to record
the fills, or hold with the next rebalance, or the block and its one to-do), every risk in words
with its to-do, and never over Telegram's limit."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from pipeline.artifacts.live import OrderLine
from pipeline.core.message import (
    MAX_CHARS,
    TELEGRAM_LIMIT,
    MessageFacts,
    next_rebalance_session,
    render,
)
from pipeline.core.orders import build_plan
from pipeline.core.risk_advice import REASON_ADVICE, RISK_ADVICE, reason_advice, risk_advice
from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    CycleReason,
    ExecutionGate,
    OrderAdjustment,
    OrderReason,
    OrderSide,
    OverallStatus,
    RiskCode,
)
from pipeline.params import CostParams, LiveParams, StrategyParams
from tests.server.factories import bundle_model, cal

SESSION = dt.date(2025, 9, 22)
PLAN = "P-20250922-0123456789ab"


def facts(**kw: object) -> MessageFacts:
    b = bundle_model(dt.date(2025, 9, 19))
    draft = build_plan(
        SESSION, b, 10_000_000, (), StrategyParams(), LiveParams(), CostParams(sell_tax={})
    )
    base = MessageFacts(
        session=SESSION,
        ops_status=OverallStatus.WARN,
        risk_codes=("PORTFOLIO_STALE",),
        decision=CycleDecision.COMPLETED,
        reason="ORDERS_READY",
        gate=ExecutionGate.REAL_ENABLED,
        bundle_status=BundleStatus.VALID,
        bundle_asof=b.asof,
        day_state="BULL",
        plan_id=PLAN,
        orders=draft.orders,
        names={"069500": "KODEX 200"},
        next_rebalance=dt.date(2025, 10, 2),
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def line(n: int, side: OrderSide = OrderSide.BUY) -> OrderLine:
    return OrderLine(
        ticker=f"{n:06d}",
        side=side,
        shares=12,
        intended_shares=12,
        price_krw=123_450,
        notional_krw=12 * 123_450,
        reason=OrderReason.REBALANCE,
        adjustment=OrderAdjustment.NONE,
        current_shares=0,
        current_weight=0.0,
        target_weight=0.01,
    )


def test_orders_come_first_with_how_to_record_the_fills() -> None:
    f = facts()
    text = render(f)
    assert text == render(f)  # no clock: a rerun renders the same text
    lines = text.splitlines()
    assert lines[0] == "[KRX Alertor] 2025-09-22(월) 오늘 할 일"
    assert lines[1].startswith("▶ 주문 ") and PLAN in lines[1] and "HTS/MTS" in lines[1]
    assert "1) 매수 069500 KODEX 200 142주 × 35,000원 = 4,970,000원" in text
    # the exact command, with every fill at the reference price, and the cockpit form
    assert f"krx ticket new --plan {PLAN} --fill 069500:BUY:142:35000" in text
    assert "--by 이름" in text and "콕핏 '체결 기록(티켓)'" in text
    # the action comes before the risks, the risks before the status
    assert text.index("▶ 주문") < text.index("위험 1건") < text.index("운영 상태: WARN")
    assert "포트폴리오가 오래되었습니다" in text and "PORTFOLIO_STALE" not in text.split("위험")[1]
    assert text.endswith("\n")


def test_not_real_gate_says_do_not_trade_and_offers_an_ack() -> None:
    text = render(facts(gate=ExecutionGate.DRY_RUN))
    assert "실제로 주문하지 마세요" in text and "드라이런(DRY_RUN)" in text
    assert f"krx ticket new --plan {PLAN} --ack --by 이름" in text
    assert "--fill" not in text


def test_no_orders_is_hold_with_the_next_rebalance() -> None:
    text = render(facts(orders=(), reason="NO_ORDERS", risk_codes=()))
    assert text.splitlines()[1] == "▶ 보유 유지 — 주문 없음; 다음 리밸런싱 2025-10-02(목)"
    assert "krx ticket" not in text and "위험: 없음" in text
    unknown = render(facts(orders=(), reason="NO_ORDERS", next_rebalance=None))
    assert "다음 리밸런싱 미정" in unknown


def test_blocked_says_why_and_the_one_thing_to_do() -> None:
    text = render(
        facts(
            plan_id=None,
            orders=(),
            decision=CycleDecision.BLOCKED,
            reason="NO_PORTFOLIO",
            ops_status=None,
            risk_codes=("NO_PORTFOLIO", "GATE_MOCK_ONLY", "NO_DRILL"),
        )
    )
    lines = text.splitlines()
    assert lines[1].startswith("▶ 오늘은 주문 없음 — 차단: 기준 포트폴리오")
    assert lines[2].startswith("  할 일: 콕핏 '기준 포트폴리오'")
    assert "위험 3건:" in text and "요약 없음" in text
    for code in ("NO_PORTFOLIO", "GATE_MOCK_ONLY", "NO_DRILL"):
        adv = risk_advice(code)
        assert f"- {adv.what} → {adv.todo}" in text
    assert "--by" not in text and "--force" not in text


def test_every_risk_and_reason_code_has_words_and_a_todo() -> None:
    assert set(RISK_ADVICE) == set(RiskCode)
    assert set(REASON_ADVICE) == set(CycleReason)
    for adv in [*RISK_ADVICE.values(), *REASON_ADVICE.values()]:
        assert adv.what.strip() and adv.todo.strip()
        assert "--" not in adv.what + adv.todo  # the page's language, never a CLI flag
    assert "FUTURE_CODE" in risk_advice("FUTURE_CODE").what  # a newer server's code still reads
    assert "FUTURE_CODE" in reason_advice("FUTURE_CODE").what


@pytest.mark.parametrize("n", [60, 400])
def test_a_long_plan_fits_one_telegram_message_and_says_where_the_rest_is(n: int) -> None:
    orders = tuple(line(i, OrderSide.SELL if i % 3 == 0 else OrderSide.BUY) for i in range(n))
    risks = tuple(c.value for c in RiskCode)  # every risk at once: the worst case
    text = render(
        facts(orders=orders, names={o.ticker: "TIGER 미국나스닥100레버리지(합성)" for o in orders})
    )
    assert len(text) <= MAX_CHARS < TELEGRAM_LIMIT
    shown = sum(1 for x in text.splitlines() if x[:1].isdigit() and ") " in x[:5])
    assert 10 < shown < n
    assert f"… 외 {n - shown}건: 전체 주문은 콕핏 '오늘' 또는 reports/live/order_plan.json" in text
    assert "krx ticket new" in text and "체결마다 --fill 하나" in text
    worst = render(facts(orders=orders, risk_codes=risks))
    assert len(worst) <= MAX_CHARS and "위험 16건" in worst


def test_next_rebalance_is_the_session_after_the_bundles_last_valid_day() -> None:
    c = cal()
    assert next_rebalance_session(dt.date(2025, 10, 1), c) == dt.date(2025, 10, 2)
    # Friday -> Monday; a holiday week is skipped by the KRX calendar
    assert next_rebalance_session(dt.date(2025, 9, 26), c) == dt.date(2025, 9, 29)
    assert next_rebalance_session(c.last, c) is None


def test_docs_list_every_code_with_the_same_words() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "message.md").read_text("utf-8")
    for code, adv in [*RISK_ADVICE.items(), *REASON_ADVICE.items()]:
        assert f"| `{code.value}` | {adv.what} | {adv.todo} |" in doc, code
