"""Promotion: commit a sweep candidate's values to ``params.yaml`` through the guard (PC only).

The CLI (``krx sweep promote``) and the cockpit both call ``promote``: one guard, one commit
shape. A candidate that fails the out-of-sample guard is refused (``SafetyBlock``, exit 2);
there is no override — edit ``params.yaml`` by hand and commit it yourself if you must.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import registry
from pipeline.artifacts.sweep import Candidate, SweepLeaderboardV1
from pipeline.canonical import safe_yaml
from pipeline.core.promotion import (
    Change,
    changes_for,
    check_promotable,
    commit_message,
    find_candidate,
)
from pipeline.enums import Owner
from pipeline.errors import OperatorError
from pipeline.flows.sweep import sweep_params_sha256
from pipeline.io.atomic import write_bytes_atomic
from pipeline.io.gitcli import git
from pipeline.io.jsonio import read_artifact
from pipeline.io.params_edit import set_strategy_values
from pipeline.io.server_state import require_role
from pipeline.params import PARAMS_FILE, Params, load_params, parse_params

BOARD = registry.get("sweep_leaderboard")


@dataclass(frozen=True)
class Promoted:
    candidate: Candidate
    changes: tuple[Change, ...]
    commit: str  # short sha of the promotion commit


def promote(root: Path, candidate: str) -> Promoted:
    """Guard-check ``candidate`` (rank or id) and commit its values to params.yaml."""
    require_role(Owner.PC, "krx sweep promote")
    dirty = git(root, "status", "--porcelain", "--", BOARD.path, PARAMS_FILE).strip()
    if dirty:
        raise OperatorError(
            f"commit {BOARD.path} and {PARAMS_FILE} first (uncommitted: {dirty.splitlines()})"
        )
    board = read_artifact(root, BOARD, SweepLeaderboardV1)
    params = load_params(root)
    cand = find_candidate(board, candidate)
    changes = changes_for(cand, params.strategy)
    check_promotable(board, cand, sweep_params_sha256(params), changes)
    path = root / PARAMS_FILE
    text = set_strategy_values(path.read_text(encoding="utf-8"), {c.key: c.new for c in changes})
    new = _parse_params_text(text)
    if new.model_dump(exclude={"strategy"}) != params.model_dump(exclude={"strategy"}):
        raise OperatorError("internal: promotion would change more than the strategy section")
    if changes_for(cand, new.strategy):
        raise OperatorError("internal: params.yaml does not read back as the candidate's values")
    head = git(root, "rev-parse", "HEAD").strip()
    message = commit_message(board, cand, changes, BOARD.path, head)
    write_bytes_atomic(path, text.encode("utf-8"))
    git(root, "add", "--", PARAMS_FILE)
    git(root, "commit", "-q", "-F", "-", "--", PARAMS_FILE, input_text=message)
    sha = git(root, "rev-parse", "--short", "HEAD").strip()
    return Promoted(cand, tuple(changes), sha)


def _parse_params_text(text: str) -> Params:
    try:
        raw = safe_yaml(text)
    except yaml.YAMLError as err:
        raise OperatorError(f"internal: edited params.yaml is not YAML: {err}") from None
    return parse_params(raw)
