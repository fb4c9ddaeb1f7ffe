"""A deliberately simple, day-by-day reference of the execution model (DESIGN §4).

Plain Python lists and a dict per day, written from the rules in the simulate module's
docstring, not from its code. The engine must agree with it exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Book:
    cash: float
    shares: dict[int, float] = field(default_factory=dict)
    avg: dict[int, float] = field(default_factory=dict)
    last_close: dict[int, float] = field(default_factory=dict)
    stopped: set[int] = field(default_factory=set)


def reference_simulate(
    open_px: list[list[float]],
    close_px: list[list[float]],
    signal_row: list[int],
    targets: list[list[float]],
    tax_rate: list[list[float]],
    type_idx: list[int],
    commission: float,
    slippage: float,
    threshold: float,
    stop_loss: float,
    integer: bool,
    cash: float,
) -> tuple[list[float], list[float], list[tuple[int, int, float, float]]]:
    """(equity per close, cash per close, trades as (day, ticker, signed shares, fill price))."""
    days, cols = len(close_px), len(close_px[0])
    book = Book(cash=cash)
    equity, cash_out, trades = [], [], []
    for t in range(days):
        row = signal_row[t - 1] if t > 0 else -1

        def price(j: int, t: int = t) -> float:
            o = open_px[t][j]
            return o if (math.isfinite(o) and o > 0) else close_px[t][j]

        if row >= 0 or book.stopped:
            value = book.cash
            for j in sorted(book.shares):
                p = price(j)
                value += book.shares[j] * (p if math.isfinite(p) else book.last_close[j])
            orders = []
            for j in range(cols):
                if row < 0 and j not in book.stopped:
                    continue
                p = price(j)
                if not math.isfinite(p):
                    continue
                w = 0.0 if (j in book.stopped or row < 0) else targets[row][j]
                have = book.shares.get(j, 0.0)
                want = w * value / p
                if integer:
                    want = math.floor(want)
                if want - have == 0:
                    continue
                if w == 0.0:
                    if have > 0:
                        orders.append((w * value - have * p, j, -have, p))
                    continue
                if abs(w * value - have * p) <= threshold * value:
                    continue
                orders.append((w * value - have * p, j, want - have, p))
            orders.sort(key=lambda o: o[0])
            for _, j, qty, p in orders:
                if qty < 0:
                    q = min(-qty, book.shares[j])
                    sp = p * (1 - slippage)
                    proceeds = q * sp
                    fee = proceeds * commission
                    tax = proceeds * tax_rate[t][type_idx[j]]
                    book.cash = book.cash + (proceeds - fee - tax)
                    book.shares[j] -= q
                    if book.shares[j] == 0:
                        del book.shares[j]
                        del book.avg[j]
                    trades.append((t, j, -q, sp))
                else:
                    bp = p * (1 + slippage)
                    q = qty
                    if q * bp + q * bp * commission > book.cash:
                        if integer:
                            q = math.floor(book.cash / (bp * (1 + commission)))
                            while q > 0 and q * bp + q * bp * commission > book.cash:
                                q -= 1
                            spend = q * bp + q * bp * commission
                        else:
                            q = book.cash / (1 + commission) / bp
                            spend = book.cash
                    else:
                        spend = q * bp + q * bp * commission
                    if q <= 0:
                        continue
                    book.cash = book.cash - spend
                    have = book.shares.get(j, 0.0)
                    book.avg[j] = (book.avg.get(j, 0.0) * have + q * bp) / (have + q)
                    book.shares[j] = have + q
                    book.last_close.setdefault(j, p)
                    trades.append((t, j, q, bp))
            book.stopped = {j for j in book.stopped if book.shares.get(j, 0.0) > 0}
        invested = 0.0
        for j in sorted(book.shares):
            c = close_px[t][j]
            if math.isfinite(c):
                book.last_close[j] = c
            invested += book.shares[j] * book.last_close[j]
            down = math.isfinite(c) and c <= book.avg[j] * (1 - stop_loss)
            if stop_loss > 0 and j not in book.stopped and down:
                book.stopped.add(j)
        equity.append(book.cash + invested)
        cash_out.append(book.cash)
    return equity, cash_out, trades
