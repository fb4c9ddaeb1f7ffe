"""``krx sweep``: run a parameter sweep, show the board, try a candidate, promote one (PC only).

* ``run``     scores the spec walk-forward and writes reports/sweep/leaderboard.json.
* ``show``    prints the leaderboard's top candidates.
* ``exp``     runs a candidate as a DVC experiment (``dvc exp run -S ...``) to compare it with
              ``dvc exp show`` / ``dvc metrics diff``.
* ``promote`` commits the candidate's values to params.yaml; refuses (exit 2) a candidate that
              fails the out-of-sample guard. There is no override: edit params.yaml by hand
              and commit it yourself if you must.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.sweep import Candidate, SweepLeaderboardV1
from pipeline.commands._jsonout import add_json_flag, emit, json_errors
from pipeline.enums import Owner
from pipeline.errors import EXIT_OK
from pipeline.flows.promote import promote
from pipeline.flows.sweep import run_experiment, run_sweep
from pipeline.io.jsonio import read_artifact
from pipeline.io.server_state import require_role

BOARD = registry.get("sweep_leaderboard")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sweep", help="parameter sweeps scored walk-forward; promote by commit")
    ssub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = ssub.add_parser("run", help="score a sweep spec and write the leaderboard")
    r.add_argument("--spec", default="sweeps/default.yaml", help="repo-relative spec file")
    r.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: every core; 1 = this process only)",
    )
    r.add_argument(
        "--scheduler",
        help="Dask scheduler address (tcp://host:port), or 'local' for a loopback cluster "
        "of --workers processes",
    )
    r.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    r.set_defaults(func=run_run)
    s = ssub.add_parser("show", help="print the leaderboard's top candidates")
    s.add_argument("--top", type=int, default=10, help="rows to print")
    add_json_flag(s)
    s.set_defaults(func=json_errors(run_show))
    e = ssub.add_parser("exp", help="run a candidate as a DVC experiment (dvc exp run -S ...)")
    e.add_argument("candidate", help="rank (1, 2, ...) or 12-hex id")
    e.add_argument(
        "--workspace",
        action="store_true",
        help="run in the workspace (changes params.yaml and outputs there) instead of a "
        "temporary copy (dvc exp run --temp, the default)",
    )
    e.set_defaults(func=run_exp)
    pr = ssub.add_parser("promote", help="commit a candidate's values to params.yaml")
    pr.add_argument("candidate", help="rank (1, 2, ...) or 12-hex id")
    pr.set_defaults(func=run_promote)


def run_run(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    require_role(Owner.PC, "krx sweep run")
    out = run_sweep(
        root,
        args.spec,
        workers=max(1, args.workers),
        scheduler=args.scheduler,
        progress=not args.no_progress,
    )
    b = out.board
    best = b.candidates[0]
    print(
        f"sweep {b.spec.name}: {b.trials} trials ({b.invalid} invalid skipped), "
        f"{len(b.walk_forward.folds)} folds; best OOS Sharpe {_f(best.oos_sharpe)} "
        f"({best.id}, guard {'passed' if best.guard.passed else 'failed'}); "
        f"wrote {out.path.relative_to(root).as_posix()}: commit it"
    )
    if b.synthetic_data:
        print("note: scored on synthetic sample data (data.source: sample), not market prices")
    return EXIT_OK


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _row(c: Candidate) -> str:
    guard = "ok" if c.guard.passed else ",".join(f.value for f in c.guard.failures)
    tag = " (현재 params)" if c.is_baseline else ""
    return (
        f"{c.rank:>5} {c.id} {_f(c.oos_sharpe):>7} {_f(c.is_sharpe):>7} {_f(c.sharpe_gap):>7} "
        f"{_f(c.deflated_sharpe):>6}  {guard}{tag}"
    )


def run_show(args: argparse.Namespace) -> int:
    b = read_artifact(Path(args.repo), BOARD, SweepLeaderboardV1)
    if args.json:
        emit(
            {
                "spec": b.spec.name,
                "asof": b.asof.isoformat(),
                "trials": b.trials,
                "guard": b.guard.model_dump(mode="json"),
                "expected_max_sharpe": b.expected_max_sharpe,
                "candidates": [c.model_dump(mode="json") for c in b.candidates[: args.top]],
                "baseline": b.baseline.model_dump(mode="json"),
            }
        )
        return EXIT_OK
    print(f"sweep {b.spec.name} asof {b.asof}: {b.trials} trials, guard = {b.guard.model_dump()}")
    print(f"expected best OOS Sharpe of {b.trials} lucky trials: {b.expected_max_sharpe:.3f}")
    print(" rank id           OOS-SR   IS-SR     gap    DSR  guard")
    for c in b.candidates[: args.top]:
        print(_row(c))
    if b.baseline.rank > min(args.top, len(b.candidates)):
        print(_row(b.baseline))
    return EXIT_OK


def run_exp(args: argparse.Namespace) -> int:
    name, against = run_experiment(Path(args.repo), args.candidate, workspace=args.workspace)
    print(f"experiment {name} done; compare: dvc exp show; dvc metrics diff HEAD{against}")
    return EXIT_OK


def run_promote(args: argparse.Namespace) -> int:
    done = promote(Path(args.repo), args.candidate)
    c = done.candidate
    print(f"promoted {c.id} (rank {c.rank}) in commit {done.commit}: push it; dvc repro reruns")
    return EXIT_OK
