"""``krx live check``: one line from the latest live-cycle receipt, exit code 0/2/3."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.artifacts.live import LiveCycleReceiptV1
from pipeline.errors import EXIT_FAULT
from pipeline.io.context import requested_asof
from pipeline.io.server_state import read_valid


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("live", help="inspect the live cycle")
    lsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = lsub.add_parser(
        "check", help="summarise the latest receipt; exit 0 completed, 2 blocked, 3 fault"
    )
    check.add_argument("--asof", help="require the receipt of this date (default: any)")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    receipt = read_valid(Path(args.repo), "live_cycle_receipt", LiveCycleReceiptV1)
    if receipt is None:
        print("result=None: no valid live-cycle receipt")
        return EXIT_FAULT
    if args.asof and receipt.asof != requested_asof(args.asof):
        print(f"result=None: latest receipt is for {receipt.asof}, not {args.asof}")
        return EXIT_FAULT
    print(
        f"asof={receipt.asof} result={receipt.result} decision={receipt.decision} "
        f"reason={receipt.reason} snapshot_ref={receipt.snapshot_ref} "
        f"delivery={receipt.push.delivery_actual}"
    )
    return receipt.exit_code
