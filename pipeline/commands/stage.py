"""``krx stage NAME``: run one DVC stage's entry point (``pipeline/stages/<name>.py``)."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK

#: Registered stage modules; ``dvc.yaml`` / ``server/dvc.yaml`` call ``krx stage <name>``.
STAGES = ("clock", "ingest", "ops_summary", "tickets", "live_cycle")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stage", help="run one pipeline stage (what dvc.yaml calls)")
    p.add_argument("name", choices=STAGES)
    p.add_argument("--asof", help="as-of date YYYY-MM-DD (default: KRX_ASOF or today in Seoul)")
    p.add_argument(
        "--zero-exit-when-recorded",
        action="store_true",
        help="exit 0 when the stage recorded a blocked/failed outcome in its artifact "
        "(what server/dvc.yaml uses; `krx live check` then gives the 0/2/3 code)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"pipeline.stages.{args.name}")
    code: int = module.main(Path(args.repo), args.asof)
    # A stage returns 2/3 only after writing the artifact that records why (errors raise).
    if args.zero_exit_when_recorded and code in (EXIT_BLOCKED, EXIT_FAULT):
        print(f"stage {args.name}: exit {code} recorded in its artifact; exiting 0 for dvc")
        return EXIT_OK
    return code
