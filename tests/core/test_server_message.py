"""The Korean daily message: plain text with status, result, bundle, orders and risks."""

from __future__ import annotations

import datetime as dt

from pipeline.core.message import MessageFacts, render
from pipeline.core.orders import build_plan
from pipeline.enums import BundleStatus, CycleDecision, ExecutionGate, OverallStatus
from pipeline.params import CostParams, LiveParams, StrategyParams
from tests.server.factories import bundle_model


def test_message_lists_orders_and_is_stable() -> None:
    b = bundle_model(dt.date(2025, 9, 19))
    draft = build_plan(
        dt.date(2025, 9, 22),
        b,
        10_000_000,
        (),
        StrategyParams(),
        LiveParams(),
        CostParams(sell_tax={}),
    )
    facts = MessageFacts(
        session=dt.date(2025, 9, 22),
        ops_status=OverallStatus.WARN,
        risk_codes=("PORTFOLIO_STALE",),
        decision=CycleDecision.COMPLETED,
        reason="ORDERS_READY",
        gate=ExecutionGate.DRY_RUN,
        bundle_status=BundleStatus.VALID,
        bundle_asof=b.asof,
        day_state="BULL",
        plan_id="P-20250922-0123456789ab",
        orders=draft.orders,
        names={"069500": "KODEX 200"},
    )
    text = render(facts)
    assert text == render(facts)
    assert "운영 상태: WARN" in text and "라이브 결과: 완료 (ORDERS_READY)" in text
    assert "매수 069500 KODEX 200 142주 × 35,000원 = 4,970,000원" in text
    assert "참고용" in text  # not REAL_ENABLED: the operator is told not to trade on it
    assert "위험: PORTFOLIO_STALE" in text and text.endswith("\n")
    blocked = render(
        facts.__class__(
            **{
                **facts.__dict__,
                "plan_id": None,
                "orders": (),
                "decision": CycleDecision.BLOCKED,
                "ops_status": None,
            }
        )
    )
    assert "차단" in blocked and "주문 계획" not in blocked and "요약 없음" in blocked


def test_long_plans_fit_one_telegram_message() -> None:
    from pipeline.artifacts.live import OrderLine
    from pipeline.core.message import MAX_CHARS
    from pipeline.enums import OrderAdjustment, OrderReason, OrderSide

    orders = tuple(
        OrderLine(
            ticker=f"{n:06d}",
            side=OrderSide.BUY,
            shares=1,
            intended_shares=1,
            price_krw=1000,
            notional_krw=1000,
            reason=OrderReason.REBALANCE,
            adjustment=OrderAdjustment.NONE,
            current_shares=0,
            current_weight=0.0,
            target_weight=0.001,
        )
        for n in range(400)
    )
    facts = MessageFacts(
        session=dt.date(2025, 9, 22),
        ops_status=None,
        risk_codes=(),
        decision=CycleDecision.COMPLETED,
        reason="ORDERS_READY",
        gate=ExecutionGate.REAL_ENABLED,
        bundle_status=BundleStatus.VALID,
        bundle_asof=None,
        day_state=None,
        plan_id="P-20250922-0123456789ab",
        orders=orders,
        names={},
    )
    text = render(facts)
    assert len(text) <= MAX_CHARS < 4096
    assert "외 " in text and "order_plan.json" in text and text.endswith("위험: 없음\n")
