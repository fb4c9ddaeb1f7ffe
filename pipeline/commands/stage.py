"""``krx stage NAME``: run one DVC stage's entry point (``pipeline/stages/<name>.py``)."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

#: Registered stage modules; ``dvc.yaml`` / ``server/dvc.yaml`` call ``krx stage <name>``.
STAGES = ("clock", "ingest", "ops_summary", "tickets", "live_cycle")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("stage", help="run one pipeline stage (what dvc.yaml calls)")
    p.add_argument("name", choices=STAGES)
    p.add_argument("--asof", help="as-of date YYYY-MM-DD (default: KRX_ASOF or today in Seoul)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"pipeline.stages.{args.name}")
    code: int = module.main(Path(args.repo), args.asof)
    return code
