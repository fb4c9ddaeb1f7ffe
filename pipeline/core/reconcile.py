"""Reconcile: what the strategy intended vs what the server planned vs what was executed.

Pure: every input (day states, the backtest's fills, every committed version of the server's
plans and receipts, ticket results) is an argument. The stage reads them from git history.

Severity of each finding (the badge is the worst one; BOOTSTRAP while the server has no
history in the window, so zeros never pose as results):

==========================  ========  =====================================================
code                        severity  raised when
==========================  ========  =====================================================
EXECUTION_ON_BLOCKED_DAY    CRITICAL  a BUY fill on a session the strategy blocked
EXECUTION_WITHOUT_PLAN      CRITICAL  a DONE ticket's plan is not among the window's plans
RECEIPT_FAILED              CRITICAL  a live-cycle receipt says FAILED
QUANTITY_MISMATCH           WARN      fills of a plan differ from its order lines
PLAN_WITHOUT_EXECUTION      WARN      a plan with orders, before the last session, no fills
BACKTEST_LIVE_DIVERGENCE    WARN      the plan's (ticker, side) set differs from the backtest's,
                                      or between rebalances the plan tracks the strategy back
                                      (TRACK_STRATEGY orders: the account had left it)
MISSING_RECEIPT             WARN      a session after the first receipt has no receipt
PLAN_REVISED                INFO      a session's plan was committed more than once
==========================  ========  =====================================================
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from pipeline.artifacts.live import LiveCycleReceiptV2, OrderPlanV2
from pipeline.artifacts.recon import ReconCounts, ReconCoverage, ReconDay, ReconIssue
from pipeline.artifacts.tickets import TicketResultV1
from pipeline.enums import (
    CycleResult,
    DayGate,
    DayState,
    OrderReason,
    OrderSide,
    ReconCode,
    ReconStatus,
    Severity,
    TicketStatus,
)
from pipeline.params import ExposureParams

T = TypeVar("T", covariant=True)

SEVERITY: dict[ReconCode, Severity] = {
    ReconCode.EXECUTION_ON_BLOCKED_DAY: Severity.CRITICAL,
    ReconCode.EXECUTION_WITHOUT_PLAN: Severity.CRITICAL,
    ReconCode.RECEIPT_FAILED: Severity.CRITICAL,
    ReconCode.QUANTITY_MISMATCH: Severity.WARN,
    ReconCode.PLAN_WITHOUT_EXECUTION: Severity.WARN,
    ReconCode.BACKTEST_LIVE_DIVERGENCE: Severity.WARN,
    ReconCode.MISSING_RECEIPT: Severity.WARN,
    ReconCode.PLAN_REVISED: Severity.INFO,
}
_RANK = {Severity.CRITICAL: 0, Severity.WARN: 1, Severity.INFO: 2}
BLOCKED = {DayGate.CHOP_BLOCK, DayGate.BEAR_BLOCK, DayGate.WARMUP}


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """One committed version of an artifact (``commit`` None: read from the working tree)."""

    commit: str | None
    path: str
    sha256: str
    doc: T

    @property
    def ref(self) -> str:
        return f"{self.commit}:{self.path}" if self.commit else self.path


@dataclass(frozen=True)
class IntendedTrade:
    """A backtest fill: what the strategy itself did on a session."""

    session: dt.date
    ticker: str
    side: OrderSide
    shares: int


@dataclass(frozen=True)
class Reconciled:
    status: ReconStatus
    counts: ReconCounts
    coverage: ReconCoverage
    issues: tuple[ReconIssue, ...]
    days: tuple[ReconDay, ...]


#: Order reasons that move the account to what the strategy holds (the order plan's notion).
TRACKING = frozenset({OrderReason.REBALANCE, OrderReason.TRACK_STRATEGY})


def day_gate(state: DayState | None, exposure: ExposureParams) -> DayGate:
    """What a session may do given the previous close's day state."""
    if state is None:
        return DayGate.NO_DATA
    if state is DayState.WARMUP:
        return DayGate.WARMUP
    if state is DayState.CHOP and exposure.chop == 0:
        return DayGate.CHOP_BLOCK
    if state is DayState.BEAR and exposure.bear == 0:
        return DayGate.BEAR_BLOCK
    return DayGate.PASS


def _latest_per_session(
    versions: Sequence[Versioned[T]], asof_of: dict[int, dt.date]
) -> dict[dt.date, list[Versioned[T]]]:
    by_day: dict[dt.date, list[Versioned[T]]] = defaultdict(list)
    for i, v in enumerate(versions):  # newest first, as git log lists them
        by_day[asof_of[i]].append(v)
    return by_day


def reconcile(
    window: Sequence[dt.date],
    signal_states: Mapping[dt.date, DayState | None],
    exposure: ExposureParams,
    intended: Sequence[IntendedTrade],
    plans: Sequence[Versioned[OrderPlanV2]],
    receipts: Sequence[Versioned[LiveCycleReceiptV2]],
    tickets: Sequence[Versioned[TicketResultV1]],
) -> Reconciled:
    """Join the three views over ``window`` (sessions, oldest first; versions newest first)."""
    days = set(window)
    plan_by_day = _latest_per_session(plans, {i: v.doc.asof for i, v in enumerate(plans)})
    rec_by_day = _latest_per_session(receipts, {i: v.doc.asof for i, v in enumerate(receipts)})
    plan_by_id = {v.doc.plan_id: v for v in plans if v.doc.plan_id}
    intended_by_day: dict[dt.date, list[IntendedTrade]] = defaultdict(list)
    for t in intended:
        intended_by_day[t.session].append(t)
    fills_by_day: dict[dt.date, int] = defaultdict(int)
    fills_by_plan: dict[str, dict[tuple[str, OrderSide], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    issues: list[ReconIssue] = []

    def issue(code: ReconCode, session: dt.date | None, message: str, *refs: str) -> None:
        issues.append(
            ReconIssue(
                code=code,
                severity=SEVERITY[code],
                session=session,
                message=message,
                refs=tuple(refs),
            )
        )

    gates = {d: day_gate(signal_states.get(d), exposure) for d in window}
    for tv in tickets:
        res = tv.doc
        if res.status is not TicketStatus.DONE or not res.applied_fills:
            continue
        in_window = [f for f in res.applied_fills if f.executed_on in days]
        if not in_window:
            continue
        if res.plan_id not in plan_by_id:
            issue(
                ReconCode.EXECUTION_WITHOUT_PLAN,
                in_window[0].executed_on,
                f"티켓 {res.ticket_id}의 체결이 기간 내 주문계획 {res.plan_id}과 맞지 않습니다.",
                tv.ref,
            )
        for f in in_window:
            fills_by_day[f.executed_on] += 1
            if res.plan_id:
                fills_by_plan[res.plan_id][(f.ticker, f.side)] += f.shares
            if f.side is OrderSide.BUY and gates[f.executed_on] in BLOCKED:
                issue(
                    ReconCode.EXECUTION_ON_BLOCKED_DAY,
                    f.executed_on,
                    f"{f.executed_on}은 전략상 {gates[f.executed_on].value}인데 "
                    f"{f.ticker} 매수 체결이 기록되었습니다.",
                    tv.ref,
                )

    last = window[-1] if window else None
    first_receipt = min((d for d in rec_by_day if d in days), default=None)
    first_plan = min((d for d in plan_by_day if d in days), default=None)
    rows: list[ReconDay] = []
    for d in window:
        plan_v = plan_by_day.get(d, [])
        rec_v = rec_by_day.get(d, [])
        plan = plan_v[0].doc if plan_v else None
        rec = rec_v[0].doc if rec_v else None
        before = len(issues)
        if len({v.doc.plan_id for v in plan_v}) > 1:
            issue(
                ReconCode.PLAN_REVISED,
                d,
                f"{d} 주문계획이 {len(plan_v)}번 커밋되었습니다.",
                *(v.ref for v in plan_v),
            )
        if rec is not None and rec.result is CycleResult.FAILED:
            issue(
                ReconCode.RECEIPT_FAILED,
                d,
                f"{d} 라이브 사이클 실패: {rec.reason.value}",
                rec_v[0].ref,
            )
        if rec is None and first_receipt is not None and d > first_receipt:
            issue(ReconCode.MISSING_RECEIPT, d, f"{d} 라이브 사이클 영수증이 없습니다.")
        orders = [o for o in plan.orders if o.shares > 0] if plan else []
        if plan is not None and plan.plan_id:
            done = fills_by_plan.get(plan.plan_id)
            want = {(o.ticker, o.side): o.shares for o in orders}
            if done is None and orders and d != last:
                issue(
                    ReconCode.PLAN_WITHOUT_EXECUTION,
                    d,
                    f"주문계획 {plan.plan_id}({len(orders)}건)의 체결 기록이 없습니다.",
                    plan_v[0].ref,
                )
            elif done is not None and dict(done) != want:
                issue(
                    ReconCode.QUANTITY_MISMATCH,
                    d,
                    f"주문계획 {plan.plan_id}과 체결 수량이 다릅니다: 계획 {_fmt(want)}, "
                    f"체결 {_fmt(dict(done))}",
                    plan_v[0].ref,
                )
        mine = intended_by_day.get(d, [])
        if plan is not None and plan.rebalance:
            planned_set = {(o.ticker, o.side) for o in orders if o.reason in TRACKING}
            intended_set = {(t.ticker, t.side) for t in mine}
            if planned_set != intended_set:
                issue(
                    ReconCode.BACKTEST_LIVE_DIVERGENCE,
                    d,
                    f"{d} 백테스트 매매 {_fmt_set(intended_set)}와 서버 계획 "
                    f"{_fmt_set(planned_set)}이 다릅니다.",
                    plan_v[0].ref,
                )
        elif plan is not None:
            # The same notion as the order plan: between rebalances, any order that moves the
            # account back to what the strategy holds means the account had drifted from it.
            gap = {
                (o.ticker, o.side)
                for o in orders
                if o.reason is OrderReason.TRACK_STRATEGY and o.shares > 0
            }
            if gap:
                issue(
                    ReconCode.BACKTEST_LIVE_DIVERGENCE,
                    d,
                    f"{d} 계좌가 전략 보유와 달라 서버가 {_fmt_set(gap)}로 맞춥니다 "
                    "(놓친 실행이나 부분 체결).",
                    plan_v[0].ref,
                )
        rows.append(
            ReconDay(
                session=d,
                signal_state=signal_states.get(d),
                gate=gates[d],
                intended_trades=len(mine),
                plan_id=plan.plan_id if plan else None,
                plan_status=plan.status if plan else None,
                planned_orders=len(orders),
                receipt_result=rec.result if rec else None,
                receipt_decision=rec.decision if rec else None,
                executed_fills=fills_by_day.get(d, 0),
                issues=tuple(dict.fromkeys(i.code for i in issues[before:])),
            )
        )
    issues.sort(key=lambda i: (_RANK[i.severity], i.session or dt.date.min, i.code.value))
    counts = ReconCounts(
        window_days=len(window),
        pass_days=sum(g is DayGate.PASS for g in gates.values()),
        blocked_days=sum(g in BLOCKED for g in gates.values()),
        days_with_plan=sum(r.plan_status is not None for r in rows),
        days_with_receipt=sum(r.receipt_result is not None for r in rows),
        plans_with_orders=sum(r.planned_orders > 0 for r in rows),
        intended_trades=sum(r.intended_trades for r in rows),
        planned_orders=sum(r.planned_orders for r in rows),
        executed_fills=sum(r.executed_fills for r in rows),
        critical=sum(i.severity is Severity.CRITICAL for i in issues),
        warn=sum(i.severity is Severity.WARN for i in issues),
        info=sum(i.severity is Severity.INFO for i in issues),
    )
    coverage = ReconCoverage(
        receipt=_share(window, first_receipt, counts.days_with_receipt),
        plan=_share(window, first_plan, counts.days_with_plan),
    )
    return Reconciled(
        _status(first_receipt, first_plan, counts), counts, coverage, tuple(issues), tuple(rows)
    )


def _status(
    first_receipt: dt.date | None, first_plan: dt.date | None, c: ReconCounts
) -> ReconStatus:
    if first_receipt is None and first_plan is None:
        return ReconStatus.BOOTSTRAP
    if c.critical:
        return ReconStatus.CRITICAL
    return ReconStatus.AMBER if c.warn else ReconStatus.GREEN


def _share(window: Sequence[dt.date], first: dt.date | None, have: int) -> float | None:
    if first is None:
        return None
    span = sum(1 for d in window if d >= first)
    return round(have / span, 6) if span else None


def _fmt(q: Mapping[tuple[str, OrderSide], int]) -> str:
    return ", ".join(f"{t} {s.value} {n}" for (t, s), n in sorted(q.items())) or "없음"


def _fmt_set(q: set[tuple[str, OrderSide]]) -> str:
    return ", ".join(f"{t} {s.value}" for t, s in sorted(q)) or "없음"
