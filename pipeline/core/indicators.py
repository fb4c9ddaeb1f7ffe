"""The one indicator library (DESIGN §4): SMA, RSI and ADX with Wilder smoothing, momentum.

Strategy, backtest and reconcile all call these functions; there is no second formula.
Every function works along axis 0 (days) of a 1-D series or a (days x tickers) matrix of
float64 prices, where NaN means "no bar". A value is defined (not NaN) only when the whole
look-back window has bars. Wilder smoothing is the classic one: the first average is the
simple mean of the first ``n`` values, then ``avg = (avg_prev * (n - 1) + x) / n``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _as_2d(x: npt.ArrayLike) -> tuple[FloatArray, bool]:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        return arr[:, None], True
    if arr.ndim != 2:
        raise ValueError(f"expected a 1-D or 2-D array, got {arr.ndim}-D")
    return arr, False


@njit(cache=True, nogil=True)
def _sma_kernel(
    arr: FloatArray, n: int, rows: IntArray, out: FloatArray
) -> None:  # pragma: no cover - jit
    cols = arr.shape[1]
    for k in range(rows.size):
        r = rows[k]
        if r < n - 1:
            continue
        acc = np.zeros(cols)
        for i in range(r - n + 1, r + 1):  # oldest to newest; a NaN (no bar) propagates
            for j in range(cols):
                acc[j] += arr[i, j]
        for j in range(cols):
            out[k, j] = acc[j] / n


def sma(x: npt.ArrayLike, n: int, rows: npt.ArrayLike | None = None) -> FloatArray:
    """Simple moving average over ``n`` bars; NaN unless all ``n`` bars exist.

    ``rows`` evaluates it on those days only (same values, one output row per entry): the
    backtest needs momentum on signal days only, not on every day of every ticker.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    arr, flat = _as_2d(x)
    idx = np.arange(arr.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    if idx.size and (idx.min() < 0 or idx.max() >= arr.shape[0]):
        raise IndexError("rows out of range")
    out = np.full((idx.size, arr.shape[1]), np.nan)
    _sma_kernel(np.ascontiguousarray(arr), n, idx.astype(np.int64), out)
    return out[:, 0] if flat else out


def momentum(close: npt.ArrayLike, n: int, rows: npt.ArrayLike | None = None) -> FloatArray:
    """Momentum = close / SMA(close, n) - 1 (optionally on ``rows`` only, as ``sma``)."""
    arr = np.asarray(close, dtype=np.float64)
    at = arr if rows is None else arr[np.asarray(rows, dtype=np.int64)]
    out: FloatArray = at / sma(arr, n, rows) - 1.0
    return out


@njit(cache=True, nogil=True)
def _rsi_kernel(
    close: FloatArray, n: int, out_row: IntArray, out: FloatArray
) -> None:  # pragma: no cover - jit
    # Days outer, tickers inner: walks the C-ordered matrix contiguously. Only days with
    # out_row[t] >= 0 are written (the backtest needs RSI on signal days only).
    days, cols = close.shape
    count = np.zeros(cols, dtype=np.int64)  # consecutive bars so far (a gap restarts)
    gain = np.zeros(cols)
    loss = np.zeros(cols)
    for t in range(days):
        o = out_row[t]
        for j in range(cols):
            c = close[t, j]
            if not np.isfinite(c):
                count[j] = 0
                gain[j] = 0.0
                loss[j] = 0.0
                continue
            k = count[j]
            if k == 0:
                count[j] = 1
                continue
            diff = c - close[t - 1, j]
            up = diff if diff > 0.0 else 0.0
            down = -diff if diff < 0.0 else 0.0
            if k <= n:
                gain[j] += up
                loss[j] += down
                if k == n:
                    gain[j] /= n
                    loss[j] /= n
            else:
                gain[j] = (gain[j] * (n - 1) + up) / n
                loss[j] = (loss[j] * (n - 1) + down) / n
            count[j] = k + 1
            if k >= n and o >= 0:
                total = gain[j] + loss[j]
                out[o, j] = 50.0 if total == 0.0 else 100.0 * gain[j] / total


def rsi(close: npt.ArrayLike, n: int, rows: npt.ArrayLike | None = None) -> FloatArray:
    """RSI(n) with Wilder smoothing, 0..100 (50 when the window has no change at all).

    ``rows`` returns it on those days only (one output row per entry), as ``sma``.
    """
    if n < 1:
        raise ValueError("n must be >= 1")
    arr, flat = _as_2d(close)
    days = arr.shape[0]
    idx = np.arange(days) if rows is None else np.asarray(rows, dtype=np.int64)
    uniq, back = np.unique(idx, return_inverse=True)
    out_row = np.full(days, -1, dtype=np.int64)
    out_row[uniq] = np.arange(uniq.size)
    out = np.full((uniq.size, arr.shape[1]), np.nan)
    _rsi_kernel(np.ascontiguousarray(arr), n, out_row, out)
    out = out[back]
    return out[:, 0] if flat else out


@njit(cache=True, nogil=True)
def _adx_kernel(
    high: FloatArray, low: FloatArray, close: FloatArray, n: int, out: FloatArray
) -> None:  # pragma: no cover - jit
    days = close.shape[0]
    count = 0
    tr_s = 0.0
    pdm_s = 0.0
    mdm_s = 0.0
    adx = 0.0
    for t in range(days):
        if not (np.isfinite(high[t]) and np.isfinite(low[t]) and np.isfinite(close[t])):
            count = 0
            tr_s = 0.0
            pdm_s = 0.0
            mdm_s = 0.0
            adx = 0.0
            continue
        if count == 0:
            count = 1
            continue
        h, lo, pc = high[t], low[t], close[t - 1]
        tr = max(h - lo, abs(h - pc), abs(lo - pc))
        up = h - high[t - 1]
        down = low[t - 1] - lo
        pdm = up if (up > down and up > 0.0) else 0.0
        mdm = down if (down > up and down > 0.0) else 0.0
        if count <= n:
            # Wilder's running sums: the first is a plain sum of n values.
            tr_s += tr
            pdm_s += pdm
            mdm_s += mdm
        else:
            tr_s = tr_s - tr_s / n + tr
            pdm_s = pdm_s - pdm_s / n + pdm
            mdm_s = mdm_s - mdm_s / n + mdm
        if count >= n:
            pdi = 100.0 * pdm_s / tr_s if tr_s > 0.0 else 0.0
            mdi = 100.0 * mdm_s / tr_s if tr_s > 0.0 else 0.0
            dx = 100.0 * abs(pdi - mdi) / (pdi + mdi) if pdi + mdi > 0.0 else 0.0
            k = count - n + 1  # number of DX values so far
            if k < n:
                adx += dx
            elif k == n:
                adx = (adx + dx) / n
                out[t] = adx
            else:
                adx = (adx * (n - 1) + dx) / n
                out[t] = adx
        count += 1


def adx(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, n: int) -> FloatArray:
    """ADX(n) of one series with Wilder smoothing; first defined on the 2n-th bar."""
    if n < 1:
        raise ValueError("n must be >= 1")
    h, lo, c = (np.ascontiguousarray(a, dtype=np.float64) for a in (high, low, close))
    if not (h.ndim == lo.ndim == c.ndim == 1 and h.shape == lo.shape == c.shape):
        raise ValueError("adx takes three 1-D series of equal length")
    out = np.full(c.shape, np.nan)
    _adx_kernel(h, lo, c, n, out)
    return out
