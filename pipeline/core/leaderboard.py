"""Rank scored combinations out of sample, deflate their Sharpe, judge the guard. Pure.

The rank key is the out-of-sample Sharpe (undefined sorts last; ties by id). The deflated
Sharpe ratio takes N = every valid trial and the variance of their per-day OOS Sharpe
ratios, so a lucky maximum among many trials shows up as a low probability.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.artifacts.sweep import (
    Candidate,
    Fold,
    FoldPick,
    Guard,
    GuardResult,
    Selection,
    Surface,
    SurfacePoint,
    WalkForward,
)
from pipeline.core.metrics import DAYS_PER_YEAR
from pipeline.core.sweep import Combo, ComboScore
from pipeline.core.walkforward import FoldIndex, deflated_sharpe, expected_max_sharpe
from pipeline.enums import GuardFailure
from pipeline.params.sweep_spec import GuardSpec, SweepSpec


def _opt(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _mean(xs: np.ndarray) -> float:
    ok = xs[np.isfinite(xs)]
    return float(np.mean(ok)) if ok.size else float("nan")


def _date(x: np.datetime64) -> dt.date:
    out: dt.date = x.astype("datetime64[D]").astype(object)
    return out


def _rank_key(s: ComboScore) -> tuple[float, str]:
    sharpe = s.oos.sharpe
    return (-(sharpe if sharpe is not None else -math.inf), s.id)


def judge(
    guard: GuardSpec,
    oos_sharpe: float | None,
    dsr: float | None,
    gap: float | None,
    oos_days: int,
    baseline_sharpe: float | None,
    is_baseline: bool,
) -> GuardResult:
    """The out-of-sample guard: every failing rule, as ENUM codes."""
    out: list[GuardFailure] = []
    if oos_sharpe is None:
        out.append(GuardFailure.OOS_SHARPE_UNDEFINED)
    elif oos_sharpe <= guard.min_oos_sharpe:
        out.append(GuardFailure.OOS_SHARPE_LOW)
    if dsr is None or dsr < guard.min_deflated_sharpe:
        out.append(GuardFailure.DEFLATED_SHARPE_LOW)
    if gap is None or gap > guard.max_sharpe_gap:
        out.append(GuardFailure.SHARPE_GAP_HIGH)
    if oos_days < guard.min_oos_days:
        out.append(GuardFailure.TOO_FEW_OOS_DAYS)
    worse = oos_sharpe is None or (baseline_sharpe is not None and oos_sharpe <= baseline_sharpe)
    if guard.must_beat_baseline and not is_baseline and worse:
        out.append(GuardFailure.NOT_BETTER_THAN_BASELINE)
    return GuardResult(passed=not out, failures=tuple(out))


def build_body(
    spec: SweepSpec,
    keys: Sequence[str],
    combos: Sequence[Combo],
    scores: Sequence[ComboScore],
    baseline_id: str,
    dates: np.ndarray,
    folds: Sequence[FoldIndex],
) -> dict[str, Any]:
    """The leaderboard's own fields (everything but the envelope and the spec info)."""
    by_id = {c.id: c for c in combos}
    ranked = sorted(scores, key=_rank_key)
    rank = {s.id: i + 1 for i, s in enumerate(ranked)}
    daily = np.array([s.oos_daily_sharpe for s in scores])
    finite = daily[np.isfinite(daily)]
    var = float(np.var(finite, ddof=1)) if finite.size > 1 else 0.0
    sr0 = expected_max_sharpe(len(scores), var)
    base = next(s for s in scores if s.id == baseline_id)

    def candidate(s: ComboScore) -> Candidate:
        is_mean, oos_mean = _mean(s.is_sharpe), _mean(s.oos_sharpe)
        gap = _opt(is_mean - oos_mean)
        dsr = deflated_sharpe(
            s.oos_daily_sharpe, s.oos.observations, s.oos_skew, s.oos_kurtosis, sr0
        )
        return Candidate(
            rank=rank[s.id],
            id=s.id,
            is_baseline=s.id == baseline_id,
            params=dict(zip(keys, by_id[s.id].values, strict=True)),
            is_sharpe=_opt(is_mean),
            oos_sharpe=s.oos.sharpe,
            oos_total_return=s.oos.total_return,
            oos_max_drawdown=s.oos.max_drawdown,
            oos_days=s.oos.observations,
            sharpe_gap=gap,
            deflated_sharpe=dsr,
            fold_is_sharpe=tuple(_opt(x) for x in s.is_sharpe),
            fold_oos_sharpe=tuple(_opt(x) for x in s.oos_sharpe),
            full_period=s.full,
            guard=judge(
                spec.guard,
                s.oos.sharpe,
                dsr,
                gap,
                s.oos.observations,
                base.oos.sharpe,
                s.id == baseline_id,
            ),
        )

    return {
        "swept_keys": tuple(keys),
        "walk_forward": WalkForward(
            in_sample_days=spec.walk_forward.in_sample_days,
            out_of_sample_days=spec.walk_forward.out_of_sample_days,
            anchored=spec.walk_forward.anchored,
            folds=tuple(
                Fold(
                    index=k,
                    is_start=_date(dates[f.is_start]),
                    is_end=_date(dates[f.is_end]),
                    oos_start=_date(dates[f.oos_start]),
                    oos_end=_date(dates[f.oos_end]),
                )
                for k, f in enumerate(folds)
            ),
        ),
        "trials": len(scores),
        "expected_max_sharpe": sr0 * math.sqrt(DAYS_PER_YEAR),
        "guard": Guard(**spec.guard.model_dump()),
        "baseline": candidate(base),
        "candidates": tuple(candidate(s) for s in ranked[: spec.top]),
        "selection": select_by_in_sample(scores, len(folds)),
        "surface": Surface(
            x=spec.surface.x,
            y=spec.surface.y,
            points=tuple(
                SurfacePoint(
                    id=s.id,
                    values=by_id[s.id].values,
                    is_sharpe=_opt(_mean(s.is_sharpe)),
                    oos_sharpe=s.oos.sharpe,
                )
                for s in sorted(scores, key=lambda s: s.id)
            ),
        ),
    }


def select_by_in_sample(scores: Sequence[ComboScore], n_folds: int) -> Selection:
    """Per fold, the combination with the best in-sample Sharpe and what it then earned.

    Only the in-sample figures choose, so this is the honest out-of-sample record of the
    tuning procedure itself (ties by id; undefined Sharpe never wins over a defined one).
    """
    picks = []
    growth = 1.0
    for k in range(n_folds):
        best = min(
            scores,
            key=lambda s: (-(s.is_sharpe[k] if math.isfinite(s.is_sharpe[k]) else -math.inf), s.id),
        )
        growth *= 1.0 + float(best.oos_return[k])
        picks.append(
            FoldPick(
                fold=k,
                chosen_id=best.id,
                is_sharpe=_opt(best.is_sharpe[k]),
                oos_sharpe=_opt(best.oos_sharpe[k]),
                oos_return=float(best.oos_return[k]),
            )
        )
    sharpes = np.array([p.oos_sharpe if p.oos_sharpe is not None else np.nan for p in picks])
    return Selection(
        folds=tuple(picks), oos_total_return=growth - 1.0, mean_oos_sharpe=_opt(_mean(sharpes))
    )
