"""``krx daily pc``: the machine's daily run (the ``deploy/`` wrappers exec this).

Exit codes: 0 done, 2 blocked, 3 fault — never anything else (a usage error is 1, as everywhere).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("daily", help="a machine's daily run (what deploy/ schedules)")
    machines = p.add_subparsers(dest="machine", required=True, metavar="MACHINE")
    _register_pc(machines)


def _register_pc(machines: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pc = machines.add_parser(
        "pc",
        help="the PC after the close: pull, dvc repro, validate, commit the PC's paths, push",
        description=(
            "Environment: KRX_REMOTE (default origin, if any remote exists; a name that is not"
            " a remote is a fault), KRX_BRANCH (default: the current branch), KRX_PUSH=0 keeps"
            " the commit local, KRX_ASOF replays a day. Exit 0 done, 2 blocked (an invalid PC"
            " artifact: nothing committed), 3 fault."
        ),
    )
    pc.set_defaults(func=run_pc)


def run_pc(args: argparse.Namespace) -> int:
    from pipeline.flows import daily_pc

    return daily_pc.run(Path(args.repo), daily_pc.PcSettings.from_env(os.environ))
