"""``krx daily server|pc``: the daily runs (``deploy/oci/daily_ops.sh``, ``deploy/pc/daily.sh``).

Each subcommand is a flow in ``pipeline.flows``; this adapter reads the environment the
wrapper set and returns the flow's exit code (0 completed, 2 blocked, 3 fault; nothing else —
a usage error is 1, as everywhere).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

from pipeline.errors import EXIT_FAULT


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("daily", help="the daily runs: server (09:05 KST), pc (after the close)")
    machines = p.add_subparsers(dest="machine", required=True, metavar="MACHINE")
    machines.add_parser("server", help=run_server.__doc__).set_defaults(func=run_server)
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


def run_server(args: argparse.Namespace) -> int:
    """the server's run: pull, health, stages, commit, resolve, record, push (exit 0/2/3)"""
    from pipeline.io.dvc_session import DvcSession

    # The run's DVC worker first: DVC imports in it while this process imports the flow.
    dvc = DvcSession(Path(args.repo), {})
    with contextlib.suppress(OSError):  # then the first dvc step says it cannot start
        dvc.start()
    from pipeline.flows.daily_server import Settings, run_daily

    try:
        settings = Settings.from_env(Path(args.repo), os.environ)
    except Exception as err:  # a bad KRX_ASOF / KRX_NOW / timeout: the run cannot start
        dvc.close()
        print(f"FAULT: {err}", flush=True)
        return EXIT_FAULT
    return run_daily(settings, dvc=dvc).exit_code


def run_pc(args: argparse.Namespace) -> int:
    from pipeline.flows import daily_pc

    return daily_pc.run(Path(args.repo), daily_pc.PcSettings.from_env(os.environ))
