"""Order plan rules: rebalance threshold, stop loss, guardrails, integer quantities."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.artifacts.portfolio import Holding
from pipeline.core.orders import build_plan, plan_id
from pipeline.enums import CycleReason, OrderAdjustment, OrderReason, OrderSide, PlanStatus
from pipeline.params import CostParams, LiveParams, StrategyParams
from tests.server.factories import bundle_model

FRI = dt.date(2025, 9, 19)
MON = dt.date(2025, 9, 22)
STRAT = StrategyParams()
COSTS = CostParams(commission_rate=0.00015, slippage_rate=0.001, sell_tax={})
WIDE = LiveParams(
    cash_floor_krw=0, max_order_notional_krw=10**12, max_total_notional_krw=10**12, min_order_krw=0
)


def holdings(**h: tuple[int, int]) -> tuple[Holding, ...]:
    return tuple(
        Holding(ticker=t.lstrip("t"), shares=s, avg_price_krw=p) for t, (s, p) in sorted(h.items())
    )


def plan(bundle, cash, held, live=WIDE):
    return build_plan(MON, bundle, cash, held, STRAT, live, COSTS)


def test_rebalance_buys_to_target_with_integer_shares() -> None:
    b = bundle_model(FRI, targets={"069500": 0.5}, closes={"069500": 35_000})
    p = plan(b, 10_000_000, ())
    assert p.status is PlanStatus.READY
    (o,) = p.orders
    assert (o.ticker, o.side, o.shares, o.notional_krw) == ("069500", OrderSide.BUY, 142, 4_970_000)
    assert o.reason is OrderReason.REBALANCE


def test_within_threshold_no_trade_and_zero_target_sells_all() -> None:
    b = bundle_model(FRI, targets={"069500": 0.5}, closes={"069500": 35_000, "102110": 35_500})
    # 069500 at 0.496 of equity: within 1 %; 102110 not a target any more: sold completely
    p = plan(b, 5_000_000, holdings(t069500=(143, 30_000), t102110=(3, 35_000)))
    assert [(o.ticker, o.side, o.shares) for o in p.orders] == [("102110", OrderSide.SELL, 3)]


def test_hold_day_trades_only_stop_losses() -> None:
    b = bundle_model(
        FRI, targets={}, closes={"069500": 35_000, "102110": 35_500}, rebalance_due=False
    )
    held = holdings(t069500=(10, 40_000), t102110=(10, 40_500))  # -12.5 % and -12.3 %
    p = plan(b, 1_000_000, held)
    assert [(o.ticker, o.reason) for o in p.orders] == [
        ("069500", OrderReason.STOP_LOSS),
        ("102110", OrderReason.STOP_LOSS),
    ]
    p = plan(b, 1_000_000, holdings(t069500=(10, 39_000)))  # -10.3 %: hold
    assert p.status is PlanStatus.EMPTY and p.orders == ()


def test_guardrails_clip_and_record_why() -> None:
    b = bundle_model(
        FRI, targets={"069500": 0.5, "132030": 0.5}, closes={"069500": 35_000, "132030": 15_000}
    )
    live = LiveParams(
        cash_floor_krw=200_000,
        max_order_notional_krw=3_000_000,
        max_total_notional_krw=4_000_000,
        min_order_krw=2_000_000,
    )
    p = plan(b, 10_000_000, (), live)
    assert p.status is PlanStatus.CLIPPED
    by = {o.ticker: o for o in p.orders}
    assert by["069500"].adjustment is OrderAdjustment.CLIPPED_ORDER_NOTIONAL
    assert by["069500"].shares == 85  # 3,000,000 // 35,000
    # 1,025,000 KRW left under the total limit: 68 shares = 1,020,000 < min order: dropped
    assert by["132030"].shares == 0
    assert by["132030"].adjustment is OrderAdjustment.DROPPED_BELOW_MIN
    assert p.order_count == 1


def test_cash_floor_limits_buys() -> None:
    b = bundle_model(FRI, targets={"069500": 1.0}, closes={"069500": 35_000})
    live = WIDE.model_copy(update={"cash_floor_krw": 500_000})
    p = plan(b, 1_000_000, (), live)
    (o,) = p.orders
    assert o.adjustment is OrderAdjustment.CLIPPED_CASH_FLOOR
    assert p.est_cash_after_krw >= 500_000 and o.shares == 14


def test_missing_price_blocks() -> None:
    b = bundle_model(FRI, targets={"069500": 0.5}, closes={"069500": None})
    p = plan(b, 1_000_000, ())
    assert p.status is PlanStatus.BLOCKED and p.block_reason is CycleReason.PRICE_MISSING
    b = bundle_model(FRI, targets={}, closes={"069500": 35_000})
    p = plan(b, 1_000_000, holdings(t117680=(5, 10_000)))  # held but not in the bundle
    assert p.block_reason is CycleReason.PRICE_MISSING and p.missing_prices == ("117680",)


def test_plan_id_is_deterministic() -> None:
    b = bundle_model(FRI)
    p1, p2 = plan(b, 10_000_000, ()), plan(b, 10_000_000, ())
    a = plan_id(MON, b.integrity_sha256, 10_000_000, (), p1.orders)
    assert a == plan_id(MON, b.integrity_sha256, 10_000_000, (), p2.orders)
    assert a.startswith("P-20250922-")
    assert a != plan_id(MON, b.integrity_sha256, 9_999_999, (), p1.orders)


@settings(max_examples=60, deadline=None)
@given(
    cash=st.integers(0, 50_000_000),
    w1=st.floats(0, 0.6),
    w2=st.floats(0, 0.4),
    shares=st.integers(0, 500),
    floor=st.integers(0, 1_000_000),
    per_order=st.integers(100_000, 10_000_000),
    total=st.integers(100_000, 30_000_000),
)
def test_guardrails_always_hold(cash, w1, w2, shares, floor, per_order, total) -> None:
    b = bundle_model(FRI, targets={"069500": round(w1, 4), "132030": round(w2, 4)})
    held = holdings(t102110=(shares, 30_000)) if shares else ()
    live = LiveParams(
        cash_floor_krw=floor,
        max_order_notional_krw=per_order,
        max_total_notional_krw=total,
        min_order_krw=10_000,
    )
    p = plan(b, cash, held, live)
    if p.status is PlanStatus.BLOCKED:
        assert p.block_reason is CycleReason.PORTFOLIO_INVALID and cash + shares == 0
        return
    assert all(
        o.shares <= o.intended_shares and o.notional_krw == o.shares * o.price_krw for o in p.orders
    )
    assert all(o.notional_krw <= per_order for o in p.orders)
    assert p.total_buy_krw + p.total_sell_krw <= total
    assert all(o.notional_krw == 0 or o.notional_krw >= 10_000 for o in p.orders)
    buys = p.total_buy_krw > 0
    assert not buys or p.est_cash_after_krw >= floor


# Positions track the strategy every session (docs/server.md, decision table).
CLOSES = {"069500": 35_000, "102110": 35_500}


@pytest.mark.parametrize(
    ("case", "due", "intended", "held", "expected"),
    [
        # the PC missed the CHOP evening: the next (hold) bundle says the strategy holds nothing
        ("exit missed", False, {}, {"102110": (250, 35_000)}, [("102110", "SELL", 250, "T")]),
        # the account holds what the strategy holds (drift within the threshold): nothing
        ("in line", False, {"069500": 0.5}, {"069500": (143, 30_000)}, []),
        # partial fill recorded by a ticket: the rest is bought between rebalances
        (
            "partial fill",
            False,
            {"069500": 0.5},
            {"069500": (70, 35_000)},
            [("069500", "BUY", 72, "T")],
        ),
        # a server morning missed on a rebalance: the next hold bundle still moves the account
        (
            "morning missed",
            False,
            {"069500": 0.5},
            {"102110": (140, 35_000)},
            [("102110", "SELL", 140, "T"), ("069500", "BUY", 142, "T")],
        ),
        # a rebalance day: the same rule with reason REBALANCE
        ("rebalance", True, {"069500": 0.5}, {}, [("069500", "BUY", 142, "R")]),
        # an old bundle without intended weights on a hold day: stop losses only (as before)
        ("old bundle", False, None, {"102110": (250, 35_000)}, []),
    ],
)
def test_positions_track_the_strategy(
    case: str,
    due: bool,
    intended: dict[str, float] | None,
    held: dict[str, tuple[int, int]],
    expected: list[tuple[str, str, int, str]],
) -> None:
    b = bundle_model(
        FRI, targets=intended or {}, closes=CLOSES, rebalance_due=due, intended=intended
    )
    cash = 10_000_000 - sum(s * CLOSES[t] for t, (s, _) in held.items())
    hs = tuple(Holding(ticker=t, shares=s, avg_price_krw=p) for t, (s, p) in sorted(held.items()))
    p = plan(b, cash, hs)
    got = [(o.ticker, o.side.value, o.shares, o.reason.value[0]) for o in p.orders if o.shares]
    assert got == expected, case


def test_stale_bundle_keeps_the_exits_and_drops_the_buys() -> None:
    b = bundle_model(FRI, targets={}, closes=CLOSES, rebalance_due=False, intended={"069500": 0.5})
    held = holdings(t102110=(140, 35_000))
    p = build_plan(MON, b, 5_000_000, held, STRAT, WIDE, COSTS, buys_allowed=False)
    assert [(o.ticker, o.side) for o in p.orders] == [("102110", OrderSide.SELL)]
