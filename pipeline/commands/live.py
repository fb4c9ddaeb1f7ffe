"""``krx live check``: one line from the latest live-cycle receipt, exit code 0/2/3."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.artifacts.live import LiveCycleReceiptV2
from pipeline.commands._jsonout import add_json_flag, emit, json_errors
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
    add_json_flag(check)
    check.set_defaults(func=json_errors(run_check))


def run_check(args: argparse.Namespace) -> int:
    receipt = read_valid(Path(args.repo), "live_cycle_receipt", LiveCycleReceiptV2)
    if args.json:
        return _json_check(receipt, args)
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


def _json_check(receipt: LiveCycleReceiptV2 | None, args: argparse.Namespace) -> int:
    """``krx live check --json``: the same finding and exit code as one JSON document."""
    if receipt is None:
        emit({"exit_code": EXIT_FAULT, "fault": "no valid live-cycle receipt", "receipt": None})
        return EXIT_FAULT
    if args.asof and receipt.asof != requested_asof(args.asof):
        fault = f"latest receipt is for {receipt.asof}, not {args.asof}"
        emit({"exit_code": EXIT_FAULT, "fault": fault, "receipt": None})
        return EXIT_FAULT
    row = receipt.model_dump(mode="json")
    emit({"exit_code": receipt.exit_code, "fault": None, "receipt": row})
    return receipt.exit_code
