"""Cross-field rules of the sweep leaderboard (registered in ``pipeline.core.checks.CHECKS``)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.sweep import Candidate, SweepLeaderboardV1

Finding = tuple[str, str]


def _key(c: Candidate) -> tuple[float, str]:
    return (-(c.oos_sharpe if c.oos_sharpe is not None else -math.inf), c.id)


def _check_sweep_leaderboard(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, SweepLeaderboardV1)
    cands = doc.candidates
    if [c.rank for c in cands] != list(range(1, len(cands) + 1)):
        yield "/candidates", "ranks must be 1..n in order"
    if [_key(c) for c in cands] != sorted(_key(c) for c in cands):
        yield "/candidates", "candidates must be sorted by OOS Sharpe (desc), then id"
    if len({c.id for c in cands}) != len(cands):
        yield "/candidates", "candidate ids must be unique"
    for i, c in enumerate((*cands, doc.baseline)):
        where = f"/candidates/{i}" if i < len(cands) else "/baseline"
        if c.guard.passed != (not c.guard.failures):
            yield f"{where}/guard", "passed must be true exactly when there are no failures"
        if set(c.params) != set(doc.swept_keys):
            yield f"{where}/params", "params must name exactly the swept keys"
        n = len(doc.walk_forward.folds)
        if len(c.fold_is_sharpe) != n or len(c.fold_oos_sharpe) != n:
            yield where, "one in-sample and one out-of-sample Sharpe per fold"
    if not doc.baseline.is_baseline or sum(c.is_baseline for c in cands) > 1:
        yield "/baseline", "the baseline must be marked is_baseline (and only once in the top)"
    folds = doc.walk_forward.folds
    for i, f in enumerate(folds):
        if not f.is_start <= f.is_end < f.oos_start <= f.oos_end:
            yield f"/walk_forward/folds/{i}", "need is_start <= is_end < oos_start <= oos_end"
        if i and f.oos_start <= folds[i - 1].oos_end:
            yield f"/walk_forward/folds/{i}", "out-of-sample windows must not overlap"
    if len(doc.surface.points) != doc.trials:
        yield "/surface/points", f"{len(doc.surface.points)} points but {doc.trials} trials"
    if any(len(p.values) != len(doc.swept_keys) for p in doc.surface.points):
        yield "/surface/points", "each point needs one value per swept key"
    if len(doc.selection.folds) != len(folds):
        yield "/selection/folds", "one pick per fold"
    for axis in (doc.surface.x, doc.surface.y):
        if axis not in doc.swept_keys:
            yield "/surface", f"axis {axis!r} is not a swept key"


SWEEP_CHECKS = {"sweep_leaderboard/v1": [_check_sweep_leaderboard]}
