"""``krx sweep run``: load params, prices and the spec, score every combination, write the board.

Not a DVC stage (see README "Parameter sweeps"): a full sweep costs tens of seconds and its
answer is an input to a human decision, so it runs when the operator asks and its leaderboard
is committed like any other artifact.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.prices import PricesMetaV1
from pipeline.artifacts.sweep import SpecInfo, SweepLeaderboardV1
from pipeline.core import handoff
from pipeline.core.backtest import matrix_inputs
from pipeline.core.leaderboard import build_body
from pipeline.core.promotion import dvc_set_params, find_candidate
from pipeline.core.sweep import prepare
from pipeline.enums import Owner
from pipeline.errors import RetryableError
from pipeline.io.context import input_ref, now_seoul, producer
from pipeline.io.jsonio import read_artifact, write_artifact
from pipeline.io.prices import read_prices
from pipeline.io.server_state import require_role
from pipeline.io.sweep_pool import score_all
from pipeline.krx_calendar import OVERRIDES_FILE, load_calendar
from pipeline.params import PARAMS_FILE, Params, load_params, params_sha256
from pipeline.params.sweep_spec import load_spec


def sweep_params_sha256(params: Params) -> str:
    """What a leaderboard's numbers depend on (promotion refuses a board of other params)."""
    return params_sha256(params.data, params.strategy, params.costs, params.backtest)


@dataclass(frozen=True)
class SweepOutcome:
    board: SweepLeaderboardV1
    path: Path


def run_sweep(
    root: Path, spec_rel: str, *, workers: int, scheduler: str | None, progress: bool = True
) -> SweepOutcome:
    """Run the spec over the stored history and write ``reports/sweep/leaderboard.json``."""
    params = load_params(root)
    spec, spec_sha = load_spec(root / spec_rel)
    meta = read_artifact(root, registry.get("prices_meta"), PricesMetaV1)
    m, types, tradable = matrix_inputs(read_prices(root), params, meta.last_date)
    prep = prepare(m, types, tradable, params, spec, load_calendar(root).sessions)
    scores = score_all(
        prep.ctx, prep.combos, workers=workers, scheduler=scheduler, progress=progress
    )
    body = build_body(
        spec, prep.keys, prep.combos, scores, prep.baseline_id, m.dates, prep.ctx.folds
    )
    used = [PARAMS_FILE, OVERRIDES_FILE, registry.get("prices_meta").path, spec_rel]
    env = handoff.envelope(
        meta.last_date,
        now_seoul(),
        producer("sweep", root),
        sweep_params_sha256(params),
        [input_ref(root, rel) for rel in used],
    )
    board = SweepLeaderboardV1(
        **env,
        synthetic_data=meta.synthetic,
        spec=SpecInfo(
            name=spec.name,
            path=spec_rel,
            sha256=spec_sha,
            sampling=spec.sampling,
            grid_size=spec.size,
            seed=spec.seed,
        ),
        invalid=prep.invalid,
        **body,
    )
    path = write_artifact(root, registry.get("sweep_leaderboard"), board)
    return SweepOutcome(board, path)


def run_experiment(root: Path, candidate: str, workspace: bool) -> tuple[str, str]:
    """Run a candidate as a DVC experiment; (experiment name, ref to diff against)."""
    require_role(Owner.PC, "krx sweep exp")
    board = read_artifact(root, registry.get("sweep_leaderboard"), SweepLeaderboardV1)
    cand = find_candidate(board, candidate)
    name = f"sweep-{cand.id}"
    argv = ["dvc", "exp", "run", "-n", name, *dvc_set_params(cand)]
    argv += [] if workspace else ["--temp"]
    print(" ".join(argv))
    try:
        # dvc is a dependency of this package: run the one installed beside it.
        proc = subprocess.run([sys.executable, "-m", *argv], cwd=root, check=False)
    except OSError as err:
        raise RetryableError(f"dvc exp run: {err}") from None
    if proc.returncode != 0:
        raise RetryableError(f"dvc exp run exited {proc.returncode}")
    return name, "" if workspace else f" {name}"
