"""Ticket state machine: one table row per verdict, and position derivation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.artifacts.live import LedgerEntry, LedgerOrder
from pipeline.artifacts.tickets import Fill
from pipeline.core.tickets import Book, Context, Done, content_key, derive, judge
from pipeline.enums import OrderSide, TicketKind, TicketReason, TicketStatus
from pipeline.params import OpsParams
from tests.server.factories import cal, ticket

MON = dt.date(2025, 9, 22)
PID = "P-20250922-0123456789ab"
LEDGER = {
    PID: LedgerEntry(
        plan_id=PID,
        session=MON,
        orders=(
            LedgerOrder(ticker="069500", side=OrderSide.BUY, shares=100, price_krw=35_000),
            LedgerOrder(ticker="102110", side=OrderSide.SELL, shares=20, price_krw=35_500),
        ),
    )
}
BOOK = Book(10_000_000, {"102110": (20, 30_000)})


def ctx(today: dt.date = MON, book: Book = BOOK, expiry: int = 3) -> Context:
    return Context(today, LEDGER, book, cal(), OpsParams(ticket_expiry_trading_days=expiry))


def earlier(fills: list[tuple[str, str, int, int]]) -> Done:
    t = ticket("T-0", PID, MON, fills)
    return Done("T-0", content_key(t.kind, t.plan_id, t.fills), PID, t.fills)


R, S = TicketReason, TicketStatus
CASES = [
    ("buy within plan", [("069500", "BUY", 60, 35_100)], {}, MON, [], S.DONE, R.APPLIED),
    ("sell within plan", [("102110", "SELL", 20, 35_400)], {}, MON, [], S.DONE, R.APPLIED),
    (
        "unknown plan",
        [("069500", "BUY", 1, 35_000)],
        {"plan": "P-20250922-ffffffffffff"},
        MON,
        [],
        S.REJECTED,
        R.PLAN_NOT_FOUND,
    ),
    (
        "ticket day differs from plan",
        [("069500", "BUY", 1, 35_000)],
        {"session": dt.date(2025, 9, 23)},
        MON,
        [],
        S.REJECTED,
        R.PLAN_MISMATCH,
    ),
    (
        "too late",
        [("069500", "BUY", 1, 35_000)],
        {},
        dt.date(2025, 9, 26),
        [],
        S.EXPIRED,
        R.PLAN_EXPIRED,
    ),
    (
        "ticker not planned",
        [("132030", "BUY", 1, 15_000)],
        {},
        MON,
        [],
        S.REJECTED,
        R.TICKER_NOT_IN_PLAN,
    ),
    ("wrong side", [("069500", "SELL", 1, 35_000)], {}, MON, [], S.REJECTED, R.SIDE_MISMATCH),
    (
        "more than planned",
        [("069500", "BUY", 101, 35_000)],
        {},
        MON,
        [],
        S.REJECTED,
        R.QUANTITY_EXCEEDS_PLAN,
    ),
    (
        "cumulative over plan",
        [("069500", "BUY", 50, 35_000)],
        {},
        MON,
        [("069500", "BUY", 60, 35_000)],
        S.REJECTED,
        R.QUANTITY_EXCEEDS_PLAN,
    ),
    (
        "price off by > 30 %",
        [("069500", "BUY", 1, 46_000)],
        {},
        MON,
        [],
        S.REJECTED,
        R.PRICE_IMPLAUSIBLE,
    ),
    (
        "fill before the plan",
        [("069500", "BUY", 1, 35_000)],
        {"executed_on": dt.date(2025, 9, 19)},
        MON,
        [],
        S.REJECTED,
        R.FILL_DATE_INVALID,
    ),
    (
        "fill in the future",
        [("069500", "BUY", 1, 35_000)],
        {"executed_on": dt.date(2025, 9, 23)},
        MON,
        [],
        S.REJECTED,
        R.FILL_DATE_INVALID,
    ),
    (
        "fill on a holiday",
        [("069500", "BUY", 1, 35_000)],
        {"executed_on": dt.date(2025, 9, 27), "expiry": 5},
        dt.date(2025, 9, 29),
        [],
        S.REJECTED,
        R.FILL_DATE_INVALID,
    ),
    (
        "same content twice",
        [("069500", "BUY", 60, 35_000)],
        {},
        MON,
        [("069500", "BUY", 60, 35_000)],
        S.REJECTED,
        R.DUPLICATE,
    ),
]


@pytest.mark.parametrize(
    ("fills", "over", "today", "before", "status", "reason"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_execution_ticket(fills, over, today, before, status, reason) -> None:
    t = ticket(
        "T-1",
        over.get("plan", PID),
        over.get("session", MON),
        fills,
        executed_on=over.get("executed_on"),
    )
    done = [earlier(before)] if before else []
    v = judge(t, ctx(today, expiry=over.get("expiry", 3)), done)
    assert (v.status, v.reason) == (status, reason)
    assert v.detail


def test_oversell_against_positions() -> None:
    t = ticket("T-1", PID, MON, [("102110", "SELL", 20, 35_500)])
    v = judge(t, ctx(book=Book(0, {"102110": (5, 30_000)})), [])
    assert v.reason is R.OVERSELL


def test_ack() -> None:
    t = ticket("T-A", PID, MON, kind=TicketKind.ACK)
    assert judge(t, ctx(), []).reason is R.ACKNOWLEDGED
    assert judge(t, ctx(dt.date(2025, 9, 26)), []).status is S.EXPIRED
    again = Done("T-B", content_key(t.kind, t.plan_id, ()), PID, ())
    assert judge(t, ctx(), [again]).reason is R.DUPLICATE


def test_derive_applies_only_fills_after_the_baseline() -> None:
    fills = [
        Fill(
            ticker="069500",
            side=OrderSide.BUY,
            shares=10,
            price_krw=35_000,
            fee_krw=50,
            executed_on=MON,
        ),
        Fill(
            ticker="069500",
            side=OrderSide.BUY,
            shares=10,
            price_krw=37_000,
            fee_krw=50,
            executed_on=dt.date(2025, 9, 23),
        ),
        Fill(
            ticker="102110",
            side=OrderSide.SELL,
            shares=20,
            price_krw=35_500,
            fee_krw=100,
            executed_on=dt.date(2025, 9, 23),
        ),
    ]
    book = derive(BOOK, MON, fills)  # the baseline of MON already holds the first fill
    assert book.holdings == {"069500": (10, 37_000)}
    assert book.cash_krw == 10_000_000 - 370_000 - 50 + 710_000 - 100
    both = derive(BOOK, dt.date(2025, 9, 19), fills[:2])
    assert both.holdings["069500"] == (20, 36_000)
    assert Book(-1, {}).problems() == ("negative cash -1 KRW",)


FILL = st.tuples(
    st.sampled_from(["069500", "102110"]),
    st.sampled_from(["BUY", "SELL"]),
    st.integers(1, 60),
    st.integers(25_000, 45_000),
)


@settings(max_examples=80, deadline=None)
@given(batch=st.lists(st.lists(FILL, min_size=1, max_size=3), max_size=8))
def test_accepted_tickets_keep_the_books_sound(batch) -> None:
    """Whatever the operator files, DONE tickets never oversell, never exceed the plan, and
    cash moves by exactly the fills' notionals (no fees here)."""
    wide = LedgerEntry(
        plan_id=PID,
        session=MON,
        orders=tuple(
            LedgerOrder(ticker=t, side=OrderSide(s), shares=100, price_krw=35_000)
            for t in ("069500", "102110")
            for s in ("BUY", "SELL")
        ),
    )
    book, done, flow = BOOK, [], 0
    for n, fills in enumerate(batch):
        t = ticket(f"T-{n}", PID, MON, fills)
        v = judge(t, Context(MON, {PID: wide}, book, cal(), OpsParams()), done)
        if v.status is S.DONE:
            done.append(Done(t.ticket_id, content_key(t.kind, PID, t.fills), PID, t.fills))
            for f in t.fills:
                book = book.apply(f)
                flow += (-1 if f.side is OrderSide.BUY else 1) * f.shares * f.price_krw
    assert all(shares > 0 for shares, _ in book.holdings.values())
    assert book.cash_krw == BOOK.cash_krw + flow
    for ticker in ("069500", "102110"):
        for side in (OrderSide.BUY, OrderSide.SELL):
            used = sum(
                f.shares for d in done for f in d.fills if (f.ticker, f.side) == (ticker, side)
            )
            assert used <= 100
