"""Target weights on a signal day (DESIGN §4): momentum rank, top N, RSI scale, exposure.

Equal weight is ``1 / max_positions`` (fewer eligible tickers leave the rest in cash), times
the RSI band scale; the row is scaled down only if it sums above 1, then multiplied by the
day state's exposure. Ties in momentum rank by universe order. The sum never exceeds 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pipeline.enums import DayState
from pipeline.params import StrategyParams

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Selection:
    """Rows of signal days x tickers."""

    weights: FloatArray  # final target weights (after exposure)
    rank: npt.NDArray[np.int32]  # 1 = best momentum among eligible; 0 = not eligible
    scale: FloatArray  # RSI band scale; NaN where RSI is undefined
    eligible: npt.NDArray[np.bool_]


def exposure_for(state: DayState, p: StrategyParams) -> float:
    """Gross exposure of a day state."""
    e = p.exposure
    return {
        DayState.BULL: e.bull,
        DayState.BEAR: e.bear,
        DayState.CHOP: e.chop,
        DayState.WARMUP: e.warmup,
    }[state]


def rsi_scale(rsi: npt.ArrayLike, p: StrategyParams) -> FloatArray:
    """Weight multiplier of the RSI band each value falls in (bands: RSI >= lower)."""
    r = np.asarray(rsi, dtype=np.float64)
    out = np.full(r.shape, np.nan)
    # Bands are sorted by lower bound, descending: assign from the lowest so higher ones win.
    for band in reversed(p.rsi_bands):
        out = np.where(np.isfinite(r) & (r >= band.lower), band.scale, out)
    return out


def _cap_at_one(w: FloatArray) -> FloatArray:
    """Rows summing above 1 are divided by their sum; float rounding is trimmed by ulps."""
    total = w.sum(axis=1)
    over = total > 1.0
    if over.any():
        w[over] = w[over] / total[over, None]
        for _ in range(64):  # a few ulps at most; bounded so it can never spin
            still = w.sum(axis=1) > 1.0
            if not still.any():
                break
            w[still] = np.nextafter(w[still], 0.0)
    return w


def momentum_rank(key: FloatArray, eligible: npt.NDArray[np.bool_]) -> npt.NDArray[np.int32]:
    """Rank per row (1 = best = smallest ``key``; ties by column order); 0 if not eligible."""
    rows, cols = key.shape
    order = np.argsort(key, axis=1, kind="stable")
    rank = np.zeros((rows, cols), dtype=np.int32)
    np.put_along_axis(rank, order, np.arange(1, cols + 1, dtype=np.int32)[None, :], axis=1)
    out: npt.NDArray[np.int32] = np.where(eligible, rank, 0).astype(np.int32)
    return out


def top_k(key: FloatArray, eligible: npt.NDArray[np.bool_], k: int) -> npt.NDArray[np.bool_]:
    """``momentum_rank(key) <= k`` among eligible, without sorting whole rows (O(columns))."""
    cols = key.shape[1]
    if k >= cols:
        return eligible.copy()
    kth = np.partition(key, k - 1, axis=1)[:, k - 1 : k]  # k-th smallest key per row
    better = key < kth
    tie = key == kth
    room = k - better.sum(axis=1, keepdims=True)
    chosen: npt.NDArray[np.bool_] = eligible & (better | (tie & (np.cumsum(tie, axis=1) <= room)))
    return chosen


def select(
    momentum: FloatArray,
    rsi: FloatArray,
    tradable: npt.NDArray[np.bool_],
    exposure: FloatArray,
    p: StrategyParams,
    *,
    with_rank: bool = True,
) -> Selection:
    """Target weights for each row (signal day) of ``momentum``/``rsi`` (rows x tickers).

    ``with_rank=False`` skips the full ranking (``rank`` is then all 0); the weights are the
    same, chosen by a partial sort.
    """
    mom = np.atleast_2d(np.asarray(momentum, dtype=np.float64))
    rs = np.atleast_2d(np.asarray(rsi, dtype=np.float64))
    rows, cols = mom.shape
    eligible = tradable[None, :] & np.isfinite(mom) & np.isfinite(rs)
    key = np.where(eligible, -mom, np.inf)
    chosen = top_k(key, eligible, p.max_positions)
    rank = momentum_rank(key, eligible) if with_rank else np.zeros((rows, cols), dtype=np.int32)
    scale = rsi_scale(rs, p)
    w = np.where(chosen, np.nan_to_num(scale) / p.max_positions, 0.0)
    w = _cap_at_one(w)
    # exposure <= 1 and float rounding is monotone, so the sum stays <= 1.
    w = w * np.asarray(exposure, dtype=np.float64).reshape(rows, 1)
    return Selection(weights=w, rank=rank, scale=scale, eligible=eligible)
