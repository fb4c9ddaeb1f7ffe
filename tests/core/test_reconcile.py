"""Reconcile on fixture histories: a clean week, then each integrity problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.reconcile import IntendedTrade, Versioned, reconcile
from pipeline.enums import DayState, OrderReason, OrderSide, ReconCode, ReconStatus
from pipeline.params import ExposureParams
from tests.support.recon_factories import plan, receipt, ticket_result, v

D = dt.date
BUY, SELL = OrderSide.BUY, OrderSide.SELL
WEEK = [D(2026, 11, 16), D(2026, 11, 17), D(2026, 11, 18), D(2026, 11, 19), D(2026, 11, 20)]
BULL = dict.fromkeys(WEEK, DayState.BULL)
EXPO = ExposureParams()
PLAN, REC, TIX = "reports/live/order_plan.json", "reports/live/live_cycle_receipt.json", "t"


def week(
    orders: dict[dt.date, list[tuple[str, OrderSide, int]]],
    fills: dict[dt.date, list[tuple[str, OrderSide, int]]] | None = None,
    intended: dict[dt.date, list[tuple[str, OrderSide, int]]] | None = None,
    states: dict[dt.date, DayState | None] | None = None,
    failed: set[dt.date] = frozenset(),  # type: ignore[assignment]
    skip_receipt: set[dt.date] = frozenset(),  # type: ignore[assignment]
) -> Any:
    plans = [plan(d, orders.get(d, [])) for d in WEEK]
    fills = orders if fills is None else fills
    intended = orders if intended is None else intended
    tickets = [
        v(ticket_result(f"T-{d:%Y%m%d}", p.plan_id or "", d, fills[d]), f"reports/tickets/{d}.json")
        for d, p in zip(WEEK, plans, strict=True)
        if fills.get(d)
    ]
    return reconcile(
        WEEK,
        BULL if states is None else states,
        EXPO,
        [IntendedTrade(d, t, s, q) for d, ts in intended.items() for t, s, q in ts],
        [v(p, PLAN, i) for i, p in enumerate(reversed(plans))],
        [
            v(receipt(p.asof, p, p.asof in failed), REC, i)
            for i, p in enumerate(reversed(plans))
            if p.asof not in skip_receipt
        ],
        tickets,
    )


CLEAN = {WEEK[0]: [("069500", BUY, 10), ("133690", BUY, 5)], WEEK[2]: [("069500", SELL, 10)]}


def codes(out: Any) -> list[ReconCode]:
    return [i.code for i in out.issues]


def test_no_server_history_is_bootstrap_not_zeros() -> None:
    out = reconcile(WEEK, BULL, EXPO, [], [], [], [])
    assert out.status is ReconStatus.BOOTSTRAP
    assert out.coverage.receipt is None and out.coverage.plan is None
    assert out.issues == () and out.counts.window_days == 5


def test_clean_week_is_green() -> None:
    out = week(CLEAN)
    assert out.status is ReconStatus.GREEN and out.issues == ()
    assert out.counts.days_with_receipt == 5 and out.coverage.receipt == 1.0
    assert out.counts.executed_fills == 3 and out.counts.planned_orders == 3
    assert [r.executed_fills for r in out.days] == [2, 0, 1, 0, 0]


def test_execution_on_a_chop_day_is_critical() -> None:
    states = {**BULL, WEEK[0]: DayState.CHOP}
    out = week(CLEAN, states=states)
    assert out.status is ReconStatus.CRITICAL
    assert ReconCode.EXECUTION_ON_BLOCKED_DAY in codes(out)
    assert out.days[0].gate.value == "CHOP_BLOCK"


def test_execution_without_plan_is_critical() -> None:
    p = plan(WEEK[1], [])
    stray = v(ticket_result("T-x", "P-20261117-ffffffffffff", WEEK[1], [("069500", BUY, 3)]), "t")
    out = reconcile(WEEK[1:2], BULL, EXPO, [], [v(p, PLAN)], [v(receipt(WEEK[1], p), REC)], [stray])
    assert codes(out) == [ReconCode.EXECUTION_WITHOUT_PLAN] and out.status is ReconStatus.CRITICAL


def test_failed_receipt_is_critical() -> None:
    out = week(CLEAN, failed={WEEK[3]})
    assert codes(out) == [ReconCode.RECEIPT_FAILED]
    assert out.issues[0].session == WEEK[3] and out.status is ReconStatus.CRITICAL


def test_quantity_mismatch_is_amber() -> None:
    out = week(CLEAN, fills={**CLEAN, WEEK[0]: [("069500", BUY, 7), ("133690", BUY, 5)]})
    assert codes(out) == [ReconCode.QUANTITY_MISMATCH] and out.status is ReconStatus.AMBER
    assert "069500 BUY 10" in out.issues[0].message and "069500 BUY 7" in out.issues[0].message


def test_plan_without_execution_but_not_for_the_last_session() -> None:
    orders = {**CLEAN, WEEK[4]: [("091160", BUY, 1)]}
    out = week(orders, fills={WEEK[0]: CLEAN[WEEK[0]]})
    assert codes(out) == [ReconCode.PLAN_WITHOUT_EXECUTION]  # WEEK[2]; WEEK[4] may still run
    assert out.issues[0].session == WEEK[2]


def test_backtest_live_divergence() -> None:
    out = week(CLEAN, intended={WEEK[0]: [("069500", BUY, 10)], WEEK[2]: CLEAN[WEEK[2]]})
    assert codes(out) == [ReconCode.BACKTEST_LIVE_DIVERGENCE] and out.status is ReconStatus.AMBER


def test_missing_receipt_after_the_first() -> None:
    out = week(CLEAN, skip_receipt={WEEK[2]})
    assert codes(out) == [ReconCode.MISSING_RECEIPT] and out.coverage.receipt == 0.8


def test_revised_plan_is_info_and_the_newest_version_wins() -> None:
    old, new = plan(WEEK[0], [("069500", BUY, 1)], n=1), plan(WEEK[0], [("069500", BUY, 10)])
    fills = v(ticket_result("T-1", new.plan_id or "", WEEK[0], [("069500", BUY, 10)]), "t")
    intended = [IntendedTrade(WEEK[0], "069500", BUY, 10)]
    out = reconcile(
        WEEK[:1],
        BULL,
        EXPO,
        intended,
        [v(new, PLAN, 2), v(old, PLAN, 1)],
        [v(receipt(WEEK[0], new), REC)],
        [fills],
    )
    assert codes(out) == [ReconCode.PLAN_REVISED] and out.status is ReconStatus.GREEN
    assert out.days[0].plan_id == new.plan_id


orders_st = st.lists(
    st.tuples(
        st.sampled_from(["069500", "133690", "091160"]),
        st.sampled_from([BUY, SELL]),
        st.integers(1, 500),
    ),
    max_size=3,
    unique_by=lambda o: (o[0], o[1]),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(orders_st, min_size=5, max_size=5))
def test_reconcile_of_identical_views_is_clean(per_day: list[list[Any]]) -> None:
    """reconcile(x, x): if the server planned and the operator executed exactly what the
    strategy intended, nothing is flagged."""
    orders = {d: o for d, o in zip(WEEK, per_day, strict=True) if o}
    out = week(orders)
    assert out.issues == () and out.status is ReconStatus.GREEN
    assert out.counts.intended_trades == out.counts.planned_orders == out.counts.executed_fills


def test_versioned_ref_names_commit_and_path() -> None:
    assert Versioned("a" * 40, "p.json", "0" * 64, None).ref == f"{'a' * 40}:p.json"
    assert Versioned(None, "p.json", "0" * 64, None).ref == "p.json"


def test_tracking_back_to_the_strategy_between_rebalances_is_a_divergence() -> None:
    """The order plan's notion: a TRACK_STRATEGY order (the account had left what the strategy
    holds, e.g. an exit missed) is reported, not silently counted as a normal session."""
    d = WEEK[1]
    base = plan(d, [("102110", SELL, 20)], rebalance=False)
    lines = tuple(o.model_copy(update={"reason": OrderReason.TRACK_STRATEGY}) for o in base.orders)
    tracked = base.model_copy(update={"orders": lines})
    out = reconcile(
        WEEK,
        BULL,
        EXPO,
        [],
        [v(tracked, PLAN)],
        [v(receipt(d, tracked), REC)],
        [v(ticket_result("T-1", tracked.plan_id or "", d, [("102110", SELL, 20)]), "t/1.json")],
    )
    assert ReconCode.BACKTEST_LIVE_DIVERGENCE in codes(out)
    (issue,) = [i for i in out.issues if i.code is ReconCode.BACKTEST_LIVE_DIVERGENCE]
    assert issue.session == d and "전략 보유" in issue.message
