"""Ticket state machine and position derivation (pure).

A ticket goes NEW -> DONE | REJECTED | EXPIRED exactly once; a ticket id that already has a
result is never looked at again. Every ``*.json`` file under the tickets folder is a ticket file
and gets exactly one result, alone: a bad one never stops the others. Checks, first failure wins:

0. the file is ``<ticket id>.json`` directly in the folder  else REJECTED BAD_FILE_NAME (its
   result key is ``invalid.<hash of the name>``)
1. sane JSON (``parse_json``: UTF-8, no NaN/Infinity, not too deep)  else REJECTED NOT_JSON;
   passes the ticket schema (bounded numbers)  else REJECTED MALFORMED; ``ticket_id`` equals
   the file name  else REJECTED ID_MISMATCH
2. not the same content as an earlier DONE ticket  else REJECTED DUPLICATE
3. the plan id is in the plan ledger  else REJECTED PLAN_NOT_FOUND
4. the ticket's ``asof`` is the plan's session  else REJECTED PLAN_MISMATCH
5. at most ``ticket_expiry_trading_days`` sessions after the plan  else EXPIRED PLAN_EXPIRED
6. per fill: ticker planned (TICKER_NOT_IN_PLAN), same side (SIDE_MISMATCH), executed on a
   session between the plan's and today (FILL_DATE_INVALID), price within the KRX daily limit
   of the plan's reference price (PRICE_IMPLAUSIBLE), cumulative shares per ticker and side
   within the plan (QUANTITY_EXCEEDS_PLAN), no sell beyond the shares held (OVERSELL).

Positions = baseline portfolio + fills executed after the baseline's asof, in result order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from pipeline.artifacts.live import LedgerEntry
from pipeline.artifacts.portfolio import Holding
from pipeline.artifacts.tickets import TICKET_ID_PATTERN, Fill, TicketResultV1, TicketV1
from pipeline.canonical import JsonInputError, parse_json, sha256_hex
from pipeline.enums import OrderSide, TicketKind, TicketReason, TicketStatus
from pipeline.krx_calendar import KrxCalendar
from pipeline.params import OpsParams

#: Longest operator-supplied text echoed back in a result (names, values, schema messages).
MAX_ECHO = 120


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis says it was cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def result_key(name: str) -> tuple[str, str | None]:
    """(result key, problem or None) of the ticket file at ``name`` (relative to its folder)."""
    stem = name.removesuffix(".json")
    if re.fullmatch(TICKET_ID_PATTERN, stem):
        return stem, None
    key = "invalid." + sha256_hex(name.encode("utf-8", "surrogateescape"))[:16]
    shown = clip(name.encode("utf-8", "backslashreplace").decode("utf-8"), 80)
    return key, (
        f"파일 이름 {shown!r}이 '<티켓ID>.json' 형식이 아닙니다 "
        "(티켓ID: 영문/숫자/_/-, 64자 이하, 하위 폴더 없음)."
    )


@dataclass(frozen=True)
class Book:
    """Cash and holdings (ticker -> (shares, avg price)) while fills are applied."""

    cash_krw: int
    holdings: dict[str, tuple[int, int]]

    def apply(self, fill: Fill) -> Book:
        shares, avg = self.holdings.get(fill.ticker, (0, 0))
        notional = fill.shares * fill.price_krw
        held = dict(self.holdings)
        if fill.side is OrderSide.BUY:
            total = shares + fill.shares
            held[fill.ticker] = (total, round((shares * avg + notional) / total))
            return Book(self.cash_krw - notional - fill.fee_krw, held)
        left = shares - fill.shares
        if left > 0:
            held[fill.ticker] = (left, avg)
        else:
            held.pop(fill.ticker, None)
        return Book(self.cash_krw + notional - fill.fee_krw, held)

    def as_holdings(self) -> tuple[Holding, ...]:
        return tuple(
            Holding(ticker=t, shares=s, avg_price_krw=max(1, a))
            for t, (s, a) in sorted(self.holdings.items())
            if s > 0
        )

    def problems(self) -> tuple[str, ...]:
        out = []
        if self.cash_krw < 0:
            out.append(f"negative cash {self.cash_krw} KRW")
        out += [f"{t}: negative shares {s}" for t, (s, _) in sorted(self.holdings.items()) if s < 0]
        return tuple(out)


def book_of(cash_krw: int, holdings: Iterable[Holding]) -> Book:
    return Book(cash_krw, {h.ticker: (h.shares, h.avg_price_krw) for h in holdings})


def derive(baseline: Book, baseline_asof: dt.date, fills: Iterable[Fill]) -> Book:
    """Apply the fills executed after the baseline (earlier ones are in the baseline)."""
    book = baseline
    for fill in fills:
        if fill.executed_on > baseline_asof:
            book = book.apply(fill)
    return book


@dataclass(frozen=True)
class Verdict:
    status: TicketStatus
    reason: TicketReason
    detail: str  # Korean, for the operator

    @staticmethod
    def reject(reason: TicketReason, detail: str) -> Verdict:
        return Verdict(TicketStatus.REJECTED, reason, detail)


@dataclass(frozen=True)
class Done:
    """An earlier DONE ticket: its content key and fills (for duplicates and quantities)."""

    ticket_id: str
    content_key: str
    plan_id: str
    fills: tuple[Fill, ...]


def content_key(kind: TicketKind, plan_id: str, fills: Iterable[Fill]) -> str:
    """What makes two tickets the same, whatever their ids."""
    return "|".join([kind.value, plan_id, *sorted(f.model_dump_json() for f in fills)])


def done_of(result: TicketResultV1) -> Done:
    """The memory of a DONE result that later tickets are checked against."""
    assert result.kind is not None and result.plan_id is not None
    key = content_key(result.kind, result.plan_id, result.applied_fills)
    return Done(result.ticket_id, key, result.plan_id, result.applied_fills)


@dataclass(frozen=True)
class Context:
    """What a ticket is judged against on processing day ``today``."""

    today: dt.date
    ledger: dict[str, LedgerEntry]
    book: Book  # positions after every earlier DONE ticket
    cal: KrxCalendar
    ops: OpsParams


def judge_file(
    name: str, raw: bytes, ctx: Context, done: list[Done]
) -> tuple[TicketV1 | None, Verdict]:
    """Parse and judge one ticket file (checks 0-6); bad input is a verdict, never a raise."""
    key, bad_name = result_key(name)
    if bad_name is not None:
        return None, Verdict.reject(TicketReason.BAD_FILE_NAME, bad_name)
    try:
        data = parse_json(raw)
    except JsonInputError as err:
        return None, Verdict.reject(
            TicketReason.NOT_JSON, f"티켓이 올바른 JSON이 아닙니다: {clip(str(err))}"
        )
    try:
        ticket = TicketV1.model_validate(data)
    except ValidationError as err:
        errors = err.errors()
        where = "/" + "/".join(str(p) for p in errors[0]["loc"])
        more = f" 외 {len(errors) - 1}건" if len(errors) > 1 else ""
        return None, Verdict.reject(
            TicketReason.MALFORMED,
            f"티켓 형식 오류: {clip(where, 60)}: {clip(errors[0]['msg'])}{more}",
        )
    if ticket.ticket_id != key:
        return None, Verdict.reject(
            TicketReason.ID_MISMATCH,
            f"ticket_id {clip(ticket.ticket_id, 70)!r}가 파일 이름 {key!r}과 다릅니다.",
        )
    return ticket, judge(ticket, ctx, done)


def judge(ticket: TicketV1, ctx: Context, done: list[Done]) -> Verdict:
    """The verdict on one well-formed ticket (checks 2-6 of the module docstring)."""
    if any(d.content_key == content_key(ticket.kind, ticket.plan_id, ticket.fills) for d in done):
        return Verdict.reject(TicketReason.DUPLICATE, "이미 처리된 티켓과 내용이 같습니다.")
    plan = ctx.ledger.get(ticket.plan_id)
    if plan is None:
        return Verdict.reject(
            TicketReason.PLAN_NOT_FOUND, f"주문 계획 {ticket.plan_id}이 없습니다."
        )
    if ticket.asof != plan.session:
        return Verdict.reject(
            TicketReason.PLAN_MISMATCH, f"티켓 기준일 {ticket.asof} ≠ 계획 거래일 {plan.session}."
        )
    if ctx.cal.count_after(plan.session, ctx.today) > ctx.ops.ticket_expiry_trading_days:
        return Verdict(
            TicketStatus.EXPIRED,
            TicketReason.PLAN_EXPIRED,
            f"계획 거래일 {plan.session}로부터 {ctx.ops.ticket_expiry_trading_days} "
            "거래일이 지나 만료되었습니다.",
        )
    if ticket.kind is TicketKind.ACK:
        return Verdict(TicketStatus.DONE, TicketReason.ACKNOWLEDGED, "계획 확인을 기록했습니다.")
    return _judge_fills(ticket, ctx, plan, done)


def _judge_fills(ticket: TicketV1, ctx: Context, plan: LedgerEntry, done: list[Done]) -> Verdict:
    today, book, cal, ops = ctx.today, ctx.book, ctx.cal, ctx.ops
    planned = {(o.ticker, o.side): o for o in plan.orders if o.shares > 0}
    by_ticker = {o.ticker for o in planned.values()}
    used: dict[tuple[str, OrderSide], int] = {}
    for d in done:
        if d.plan_id == ticket.plan_id:
            for f in d.fills:
                used[(f.ticker, f.side)] = used.get((f.ticker, f.side), 0) + f.shares
    for f in ticket.fills:
        order = planned.get((f.ticker, f.side))
        if f.ticker not in by_ticker:
            return Verdict.reject(TicketReason.TICKER_NOT_IN_PLAN, f"{f.ticker}은 계획에 없습니다.")
        if order is None:
            return Verdict.reject(
                TicketReason.SIDE_MISMATCH, f"{f.ticker} {f.side}는 계획과 다릅니다."
            )
        if not (plan.session <= f.executed_on <= today and cal.is_trading_day(f.executed_on)):
            return Verdict.reject(
                TicketReason.FILL_DATE_INVALID,
                f"{f.ticker} 체결일 {f.executed_on}이 유효하지 않습니다.",
            )
        limit = ops.ticket_price_tolerance
        if abs(f.price_krw - order.price_krw) > order.price_krw * limit:
            return Verdict.reject(
                TicketReason.PRICE_IMPLAUSIBLE,
                f"{f.ticker} 체결가 {f.price_krw:,}원이 기준가 "
                f"{order.price_krw:,}원의 ±{limit:.0%}를 벗어납니다.",
            )
        used[(f.ticker, f.side)] = used.get((f.ticker, f.side), 0) + f.shares
        if used[(f.ticker, f.side)] > order.shares:
            return Verdict.reject(
                TicketReason.QUANTITY_EXCEEDS_PLAN,
                f"{f.ticker} 누적 체결 {used[(f.ticker, f.side)]}주가 계획 "
                f"{order.shares}주를 넘습니다.",
            )
    after = book
    for f in ticket.fills:
        if f.side is OrderSide.SELL and after.holdings.get(f.ticker, (0, 0))[0] < f.shares:
            return Verdict.reject(
                TicketReason.OVERSELL, f"{f.ticker} 보유 수량보다 많이 매도합니다."
            )
        after = after.apply(f)
    n = len(ticket.fills)
    return Verdict(TicketStatus.DONE, TicketReason.APPLIED, f"체결 {n}건을 포지션에 반영했습니다.")
