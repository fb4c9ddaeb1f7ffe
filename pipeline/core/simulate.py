"""Portfolio simulation (DESIGN §4 execution model), compiled with numba.

Signals on the close of day t fill at the open of t+1 (the close if there is no open).
On a fill day the portfolio value V is cash plus every position at its fill reference price
(last close if the ticker has no bar that day). A ticker trades to ``floor(w * V / price)``
shares (``w * V / price`` in fractional mode) only if its weight is off target by more than
``threshold`` (``|w*V - shares*price| > threshold*V``); a target of 0 always exits fully.
Orders run in ascending order of their value change, so sells free cash before buys, and a
buy is cut to the cash available: cash never goes negative. Buys pay ``price*(1+slippage)``,
sells receive ``price*(1-slippage)``; commission on both sides, sell tax by instrument type.
A position whose close is at or below ``avg_entry * (1 - stop_loss)`` is sold at the next
open; a stop wins over a rebalance on the same fill and the ticker is not bought back then.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Columns of the trade matrix returned by the kernel.
T_DAY, T_COL, T_SIDE, T_QTY, T_PRICE, T_COMM, T_SLIP, T_TAX, T_REASON, T_PNL = range(10)
REASON_REBALANCE, REASON_STOP = 0, 1


@dataclass(frozen=True)
class SimResult:
    """Equity curve (at each close), positions and the trade log of one simulation."""

    equity: FloatArray  # KRW, cash + positions at the close
    cash: FloatArray  # KRW at the close
    invested: FloatArray  # KRW, positions at the close
    shares: FloatArray  # final shares per ticker
    avg_entry: FloatArray  # final average entry price per ticker (0 if flat)
    trades: FloatArray  # (n_trades x 10), columns T_*


@njit(cache=True, nogil=True)
def _grow(trades: FloatArray, nt: int) -> FloatArray:  # pragma: no cover - jit
    if nt < trades.shape[0]:
        return trades
    bigger = np.empty((trades.shape[0] * 2, trades.shape[1]))
    bigger[:nt] = trades[:nt]
    return bigger


@njit(cache=True, nogil=True)
def _ref_price(open_px: FloatArray, close_px: FloatArray, t: int, j: int) -> float:
    p = float(open_px[t, j])
    if np.isfinite(p) and p > 0.0:
        return p
    return float(close_px[t, j])  # NaN if there is no bar at all


@njit(cache=True, nogil=True)
def _kernel(
    open_px: FloatArray,
    close_px: FloatArray,
    signal_row: IntArray,
    targets: FloatArray,
    tax_rate: FloatArray,
    type_idx: IntArray,
    commission: float,
    slippage: float,
    threshold: float,
    stop_loss: float,
    integer: bool,
    init_cash: float,
) -> tuple[
    FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray
]:  # pragma: no cover - jit
    days, cols = close_px.shape
    shares = np.zeros(cols)
    avg_px = np.zeros(cols)
    basis = np.zeros(cols)  # cost per share including buy commission (for realized P&L)
    last_close = np.full(cols, np.nan)
    held = np.empty(cols, dtype=np.int64)
    n_held = 0
    stop_flag = np.zeros(cols, dtype=np.bool_)
    n_stop = 0
    cash = init_cash
    trades = np.empty((1024, 10))
    nt = 0
    equity = np.empty(days)
    cash_out = np.empty(days)
    invested = np.empty(days)
    o_val = np.empty(cols)
    o_col = np.empty(cols, dtype=np.int64)
    o_qty = np.empty(cols)
    o_px = np.empty(cols)
    for t in range(days):
        r = signal_row[t - 1] if t > 0 else -1
        if r >= 0 or n_stop > 0:
            value = cash
            for k in range(n_held):
                j = held[k]
                p = _ref_price(open_px, close_px, t, j)
                value += shares[j] * (p if np.isfinite(p) else last_close[j])
            n_o = 0
            for j in range(cols):
                if r < 0 and not stop_flag[j]:
                    continue
                p = _ref_price(open_px, close_px, t, j)
                if not np.isfinite(p):
                    continue  # no bar today: cannot trade (a pending stop waits)
                w = 0.0 if (stop_flag[j] or r < 0) else targets[r, j]
                cur = shares[j]
                want = w * value / p
                if integer:
                    want = np.floor(want)
                delta = want - cur
                if delta == 0.0:
                    continue
                if w == 0.0:
                    if cur <= 0.0:
                        continue
                    delta = -cur  # an exit is never skipped by the threshold
                elif abs(w * value - cur * p) <= threshold * value:
                    continue  # within the rebalance band: leave it
                o_val[n_o] = w * value - cur * p
                o_col[n_o] = j
                o_qty[n_o] = delta
                o_px[n_o] = p
                n_o += 1
            order = np.argsort(o_val[:n_o], kind="mergesort")
            for k in range(n_o):
                i = order[k]
                j = o_col[i]
                p = o_px[i]
                q = o_qty[i]
                is_stop = stop_flag[j]
                if q < 0.0:
                    q = min(-q, shares[j])
                    sp = p * (1.0 - slippage)
                    proceeds = q * sp
                    comm = proceeds * commission
                    tax = proceeds * tax_rate[t, type_idx[j]]
                    cash = cash + (proceeds - comm - tax)
                    pnl = proceeds - comm - tax - q * basis[j]
                    shares[j] = shares[j] - q
                    if shares[j] == 0.0:
                        avg_px[j] = 0.0
                        basis[j] = 0.0
                    side = -1.0
                    fill = sp
                else:
                    bp = p * (1.0 + slippage)
                    req = q * bp
                    comm = req * commission
                    total = req + comm
                    if total > cash:
                        if integer:
                            q = np.floor(cash / (bp * (1.0 + commission)))
                            req = q * bp
                            comm = req * commission
                            total = req + comm
                            while q > 0.0 and total > cash:
                                q -= 1.0
                                req = q * bp
                                comm = req * commission
                                total = req + comm
                        else:
                            req = cash / (1.0 + commission)
                            q = req / bp
                            comm = cash - req
                            total = cash
                    if q <= 0.0:
                        continue
                    cash = cash - total
                    if integer and cash < 0.0:  # cannot happen; guards the invariant
                        cash = 0.0
                    new_sh = shares[j] + q
                    avg_px[j] = (avg_px[j] * shares[j] + q * bp) / new_sh
                    basis[j] = (basis[j] * shares[j] + total) / new_sh
                    shares[j] = new_sh
                    if not np.isfinite(last_close[j]):
                        last_close[j] = p
                    side = 1.0
                    fill = bp
                    pnl = np.nan
                    tax = 0.0
                trades = _grow(trades, nt)
                trades[nt, 0] = t
                trades[nt, 1] = j
                trades[nt, 2] = side
                trades[nt, 3] = q
                trades[nt, 4] = fill
                trades[nt, 5] = comm
                trades[nt, 6] = q * p * slippage
                trades[nt, 7] = tax
                trades[nt, 8] = 1.0 if is_stop else 0.0
                trades[nt, 9] = pnl
                nt += 1
            # Pending stops are done once their ticker could trade; rebuild the held list.
            n_held = 0
            n_stop = 0
            for j in range(cols):
                if stop_flag[j] and (shares[j] == 0.0):
                    stop_flag[j] = False
                if stop_flag[j]:
                    n_stop += 1
                if shares[j] != 0.0:
                    held[n_held] = j
                    n_held += 1
        inv = 0.0
        for k in range(n_held):
            j = held[k]
            c = close_px[t, j]
            if np.isfinite(c):
                last_close[j] = c
            inv += shares[j] * last_close[j]
            if (
                stop_loss > 0.0
                and not stop_flag[j]
                and np.isfinite(c)
                and c <= avg_px[j] * (1.0 - stop_loss)
            ):
                stop_flag[j] = True
                n_stop += 1
        equity[t] = cash + inv
        cash_out[t] = cash
        invested[t] = inv
    return equity, cash_out, invested, shares, avg_px, trades[:nt]


def simulate(
    open_px: FloatArray,
    close_px: FloatArray,
    signal_row: IntArray,
    targets: FloatArray,
    *,
    tax_rate: FloatArray,
    type_idx: IntArray,
    commission: float,
    slippage: float,
    threshold: float,
    stop_loss: float,
    integer_shares: bool,
    initial_cash: float,
) -> SimResult:
    """Run the portfolio over (days x tickers) prices.

    ``signal_row[t]`` is the row of ``targets`` decided on the close of day t (-1: no signal,
    hold); ``tax_rate[t, type_idx[j]]`` is the sell tax of ticker j on day t.
    """
    days, cols = close_px.shape
    if open_px.shape != close_px.shape or targets.shape[1:] != (cols,):
        raise ValueError("open, close and targets must share the tickers axis")
    if signal_row.shape != (days,) or tax_rate.shape[0] != days or type_idx.shape != (cols,):
        raise ValueError("signal_row, tax_rate and type_idx must match the prices")
    if signal_row.size and int(signal_row.max()) >= targets.shape[0]:
        raise ValueError("signal_row points past the targets")
    out = _kernel(
        np.ascontiguousarray(open_px, dtype=np.float64),
        np.ascontiguousarray(close_px, dtype=np.float64),
        np.ascontiguousarray(signal_row, dtype=np.int64),
        np.ascontiguousarray(targets, dtype=np.float64),
        np.ascontiguousarray(tax_rate, dtype=np.float64),
        np.ascontiguousarray(type_idx, dtype=np.int64),
        float(commission),
        float(slippage),
        float(threshold),
        float(stop_loss),
        bool(integer_shares),
        float(initial_cash),
    )
    equity, cash, invested, shares, avg_entry, trades = out
    return SimResult(equity, cash, invested, shares, avg_entry, trades)
