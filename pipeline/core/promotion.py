"""Promotion of a sweep candidate: which one, is it allowed, what changes, the message. Pure.

Promotion is an ordinary commit to ``params.yaml`` (DESIGN §4); this module decides whether
it may happen and writes the structured commit message; the command does the file and git.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.artifacts.sweep import Candidate, SweepLeaderboardV1
from pipeline.errors import OperatorError, SafetyBlock
from pipeline.params import StrategyParams
from pipeline.params.sweep_spec import Value, lookup

_ID = re.compile(r"^[0-9a-f]{12}$")


def find_candidate(board: SweepLeaderboardV1, ref: str) -> Candidate:
    """A candidate by rank (``3``) or id (12 hex chars), among the top and the baseline."""
    pool = (*board.candidates, board.baseline)
    if ref.isdigit() and len(ref) <= 3:
        hits = [c for c in pool if c.rank == int(ref)]
    elif _ID.match(ref):
        hits = [c for c in pool if c.id == ref]
    else:
        raise OperatorError(f"{ref!r}: give a rank (1, 2, ...) or a 12-hex candidate id")
    if not hits:
        known = any(p.id == ref for p in board.surface.points)
        why = (
            f"it is a trial but not in the top {len(board.candidates)} with full figures"
            if known
            else "not on the leaderboard"
        )
        raise OperatorError(f"candidate {ref}: {why}")
    return hits[0]


@dataclass(frozen=True)
class Change:
    key: str  # dotted, inside strategy
    old: Value
    new: Value


def changes_for(candidate: Candidate, current: StrategyParams) -> list[Change]:
    """The swept keys whose value differs from the current params."""
    tree = current.model_dump(mode="json", by_alias=True)
    out = []
    for key, value in candidate.params.items():
        old = lookup(tree, key)
        if old != value:
            out.append(Change(key, old, value))
    return out


def check_promotable(
    board: SweepLeaderboardV1, candidate: Candidate, current_sha: str, changes: list[Change]
) -> None:
    """Raise unless the candidate may be promoted over the current params."""
    if board.params_sha256 != current_sha:
        raise OperatorError(
            "params.yaml (data/strategy/costs/backtest) changed since this sweep: "
            "rerun `krx sweep run` and commit the new leaderboard first"
        )
    if not candidate.guard.passed:
        codes = ", ".join(f.value for f in candidate.guard.failures)
        raise SafetyBlock(
            f"candidate {candidate.id} (rank {candidate.rank}) fails the out-of-sample guard: "
            f"{codes}; not promoted"
        )
    if not changes:
        raise OperatorError(f"candidate {candidate.id} is the current params: nothing to promote")


def _num(x: float | None) -> str:
    return "null" if x is None else f"{x:.4f}"


def commit_message(
    board: SweepLeaderboardV1,
    candidate: Candidate,
    changes: list[Change],
    board_path: str,
    board_commit: str,
) -> str:
    """Subject, one line per change, and ``Key: value`` trailers a script can parse."""
    lines = [
        f"params(strategy): promote sweep candidate {candidate.id} "
        f"(rank {candidate.rank} of {board.trials})",
        "",
        *(f"strategy.{c.key}: {c.old} -> {c.new}" for c in changes),
        "",
        f"Sweep-Candidate: {candidate.id}",
        f"Sweep-Rank: {candidate.rank}",
        f"Sweep-Trials: {board.trials}",
        f"Sweep-Spec: {board.spec.path} sha256:{board.spec.sha256}",
        f"Sweep-Leaderboard: {board_path} @ {board_commit}",
        f"OOS-Sharpe: {_num(candidate.oos_sharpe)}",
        f"IS-Sharpe: {_num(candidate.is_sharpe)}",
        f"Sharpe-Gap: {_num(candidate.sharpe_gap)}",
        f"Deflated-Sharpe: {_num(candidate.deflated_sharpe)}",
        f"Baseline-OOS-Sharpe: {_num(board.baseline.oos_sharpe)}",
        "Guard: passed",
    ]
    return "\n".join(lines) + "\n"


def dvc_set_params(candidate: Candidate) -> list[str]:
    """``-S strategy.<key>=<value>`` arguments of ``dvc exp run`` for the candidate."""
    out: list[str] = []
    for key, value in candidate.params.items():
        text = repr(value) if isinstance(value, float) else str(value)
        out += ["-S", f"strategy.{key}={text}"]
    return out
