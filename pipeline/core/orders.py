"""The order plan: target weights x current positions x reference prices -> integer orders.

Rules (DESIGN §4-§5):
* every session, positions track the strategy: trade a ticker when its weight is off what the
  strategy holds for the session (``intended_weights``: the targets on a rebalance day, its
  drifted positions otherwise) by more than ``rebalance_threshold``; a ticker the strategy does
  not hold is sold completely (a missed PC evening or server morning, or partial fills, never
  leave a position the strategy exited). Reason REBALANCE on a rebalance day, else
  TRACK_STRATEGY. Table in docs/server.md.
* a stop loss between rebalances: sell all if close <= avg entry x (1 - stop_loss).
* a bundle without ``intended_weights`` (written before the field): rebalance days only.
* guardrails, in order: per-order notional, total notional of the day, cash floor after buys
  (buys cost price x (1 + commission + slippage)), then orders below ``min_order_krw`` dropped.
  Sells go first (they fund the buys). Every change is recorded on the line (``adjustment``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.live import OrderLine
from pipeline.artifacts.portfolio import Holding
from pipeline.canonical import canonical_bytes, sha256_hex
from pipeline.enums import (
    CycleReason,
    InstrumentType,
    OrderAdjustment,
    OrderReason,
    OrderSide,
    PlanStatus,
)
from pipeline.params import CostParams, LiveParams, StrategyParams


@dataclass(frozen=True)
class PlanDraft:
    status: PlanStatus
    block_reason: CycleReason | None
    rebalance: bool
    equity_krw: int
    cash_krw: int
    est_cash_after_krw: int
    orders: tuple[OrderLine, ...]
    missing_prices: tuple[str, ...] = ()

    @property
    def total_buy_krw(self) -> int:
        return sum(o.notional_krw for o in self.orders if o.side is OrderSide.BUY)

    @property
    def total_sell_krw(self) -> int:
        return sum(o.notional_krw for o in self.orders if o.side is OrderSide.SELL)

    @property
    def order_count(self) -> int:
        return sum(1 for o in self.orders if o.shares > 0)


def _line(
    ticker: str,
    side: OrderSide,
    shares: int,
    price: int,
    reason: OrderReason,
    held: int,
    equity: int,
    target: float,
) -> OrderLine:
    return OrderLine(
        ticker=ticker,
        side=side,
        shares=shares,
        intended_shares=shares,
        price_krw=price,
        notional_krw=shares * price,
        reason=reason,
        adjustment=OrderAdjustment.NONE,
        current_shares=held,
        current_weight=round(held * price / equity, 6) if equity > 0 else 0.0,
        target_weight=target,
    )


def _clip(line: OrderLine, shares: int, why: OrderAdjustment) -> OrderLine:
    shares = max(0, min(shares, line.shares))
    if shares == line.shares:
        return line
    return line.model_copy(
        update={"shares": shares, "notional_krw": shares * line.price_krw, "adjustment": why}
    )


def intended_weights(bundle: StrategyBundleV1) -> dict[str, float] | None:
    """What the strategy holds for the session (None: an old bundle that does not say)."""
    if bundle.intended_weights is not None:
        return {t.ticker: t.weight for t in bundle.intended_weights}
    if bundle.rebalance_due:
        return {t.ticker: t.weight for t in bundle.target_weights}
    return None


def _stop_hit(holding: Holding, price: int, strategy: StrategyParams) -> bool:
    """The position's price fell ``stop_loss`` below its average cost."""
    return strategy.stop_loss > 0 and price <= holding.avg_price_krw * (1 - strategy.stop_loss)


def _toward(
    intended: dict[str, float],
    due: bool,
    holdings: dict[str, Holding],
    prices: dict[str, int],
    equity: int,
    strategy: StrategyParams,
    track: bool = True,
) -> list[OrderLine]:
    """Lines that move the holdings to ``intended`` (threshold), plus stop losses if not due.

    ``track=False``: the stop losses only (an old bundle between rebalances says nothing
    about what the strategy holds, so nothing else is traded).
    """
    lines: list[OrderLine] = []
    reason = OrderReason.REBALANCE if due else OrderReason.TRACK_STRATEGY
    for t in sorted(set(intended) | set(holdings)):
        held = holdings[t].shares if t in holdings else 0
        target = intended.get(t, 0.0)
        if not due and held > 0 and _stop_hit(holdings[t], prices[t], strategy):
            lines.append(
                _line(
                    t, OrderSide.SELL, held, prices[t], OrderReason.STOP_LOSS, held, equity, target
                )
            )
            continue
        if not track:
            continue
        current = held * prices[t] / equity
        if target == 0.0:
            desired = 0
        elif abs(current - target) <= strategy.rebalance_threshold:
            continue
        else:
            desired = math.floor(target * equity / prices[t])
        delta = desired - held
        if delta != 0:
            side = OrderSide.BUY if delta > 0 else OrderSide.SELL
            lines.append(_line(t, side, abs(delta), prices[t], reason, held, equity, target))
    return lines


def _intended(
    bundle: StrategyBundleV1,
    holdings: dict[str, Holding],
    prices: dict[str, int],
    equity: int,
    strategy: StrategyParams,
) -> list[OrderLine]:
    intended = intended_weights(bundle)
    if intended is None:  # an old bundle (no intended weights) between rebalances
        targets = {t.ticker: t.weight for t in bundle.target_weights}
        return _toward(targets, False, holdings, prices, equity, strategy, track=False)
    return _toward(intended, bundle.rebalance_due, holdings, prices, equity, strategy)


def build_plan(
    session: dt.date,
    bundle: StrategyBundleV1,
    cash_krw: int,
    holdings: tuple[Holding, ...],
    strategy: StrategyParams,
    live: LiveParams,
    costs: CostParams,
    buys_allowed: bool = True,
) -> PlanDraft:
    """Orders for ``session`` from the bundle's targets and the current positions.

    ``buys_allowed=False`` (a stale bundle): only the exits the strategy already signalled.
    """
    prices = {s.ticker: s.close for s in bundle.signals if s.close is not None and s.close > 0}
    kinds = {s.ticker: s.type for s in bundle.signals}
    held = {h.ticker: h for h in holdings}
    track = intended_weights(bundle) or {}
    needed = (
        set(held)
        | {t.ticker for t in bundle.target_weights if t.weight > 0}
        | {t for t, w in track.items() if w > 0}
    )
    missing = tuple(sorted(needed - set(prices)))
    equity = cash_krw + sum(h.shares * prices.get(h.ticker, 0) for h in holdings)
    if missing:
        return PlanDraft(
            PlanStatus.BLOCKED,
            CycleReason.PRICE_MISSING,
            bundle.rebalance_due,
            equity,
            cash_krw,
            cash_krw,
            (),
            missing,
        )
    if equity <= 0 or cash_krw < 0:
        return PlanDraft(
            PlanStatus.BLOCKED,
            CycleReason.PORTFOLIO_INVALID,
            bundle.rebalance_due,
            equity,
            cash_krw,
            cash_krw,
            (),
        )
    lines = _intended(bundle, held, prices, equity, strategy)
    sells = [o for o in lines if o.side is OrderSide.SELL]
    buys = [o for o in lines if o.side is OrderSide.BUY] if buys_allowed else []
    out: list[OrderLine] = []
    total_left = live.max_total_notional_krw
    cash = cash_krw
    buy_cost = 1 + costs.commission_rate + costs.slippage_rate
    for line in (*sells, *buys):
        line = _clip(
            line,
            live.max_order_notional_krw // line.price_krw,
            OrderAdjustment.CLIPPED_ORDER_NOTIONAL,
        )
        line = _clip(line, total_left // line.price_krw, OrderAdjustment.CLIPPED_TOTAL_NOTIONAL)
        if line.side is OrderSide.BUY:
            room = max(0, cash - live.cash_floor_krw)
            line = _clip(
                line,
                math.floor(room / (line.price_krw * buy_cost)),
                OrderAdjustment.CLIPPED_CASH_FLOOR,
            )
        if 0 < line.notional_krw < live.min_order_krw:
            line = _drop(line, OrderAdjustment.DROPPED_BELOW_MIN)
        if line.shares > 0:
            total_left -= line.notional_krw
            if line.side is OrderSide.BUY:
                cash -= math.ceil(line.notional_krw * buy_cost)
            else:
                tax = costs.sell_tax_rate(kinds.get(line.ticker, InstrumentType.ETF), session)
                keep = 1 - costs.commission_rate - costs.slippage_rate - tax
                cash += math.floor(line.notional_krw * keep)
        out.append(line)
    if not out:
        status = PlanStatus.EMPTY
    elif any(o.adjustment is not OrderAdjustment.NONE for o in out):
        status = PlanStatus.CLIPPED
    else:
        status = PlanStatus.READY
    return PlanDraft(status, None, bundle.rebalance_due, equity, cash_krw, cash, tuple(out))


def _drop(line: OrderLine, why: OrderAdjustment) -> OrderLine:
    """Drop a line to zero shares, recording why."""
    return line.model_copy(update={"shares": 0, "notional_krw": 0, "adjustment": why})


def plan_id(
    session: dt.date,
    integrity: str,
    cash: int,
    holdings: tuple[Holding, ...],
    orders: tuple[OrderLine, ...],
) -> str:
    """Deterministic id: the same inputs and orders on the same day give the same id."""
    body = {
        "session": session.isoformat(),
        "bundle": integrity,
        "cash": cash,
        "holdings": [h.model_dump(mode="json") for h in holdings],
        "orders": [o.model_dump(mode="json") for o in orders],
    }
    return f"P-{session:%Y%m%d}-{sha256_hex(canonical_bytes(body))[:12]}"
