"""``krx safety show|set-gate|set-sender|set-stop``: the operator's safety switches.

Every change records who, when and why in the file; git history is the audit trail. The files
are PC-owned: change them on the PC, commit and push (on the server, ``KRX_EMERGENCY_STOP=1``
stops everything without touching them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.commands._jsonout import add_json_flag, emit, json_errors
from pipeline.core.safety import REAL_CONFIRMATION
from pipeline.enums import ExecutionGate
from pipeline.errors import EXIT_OK
from pipeline.flows.safety import ON_OFF, SWITCHES, write_switch
from pipeline.io.safety import read_safety


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("safety", help="show or change the execution gate, sender and stop")
    ssub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = ssub.add_parser("show", help="print the effective safety values")
    add_json_flag(show)
    show.set_defaults(func=json_errors(run_show))
    for action, helptext, choices in (
        ("set-gate", "set the execution gate", [g.value for g in ExecutionGate]),
        ("set-sender", "enable/disable the real Telegram sender", list(ON_OFF)),
        ("set-stop", "engage/release the emergency stop", list(ON_OFF)),
    ):
        sp = ssub.add_parser(action, help=helptext)
        sp.add_argument("value", choices=choices)
        sp.add_argument("--reason", required=True, help="why (recorded in the file)")
        sp.add_argument("--by", required=True, help="who (recorded in the file)")
        if action == "set-gate":
            sp.add_argument(
                "--confirm",
                metavar="TEXT",
                help=f"REAL_ENABLED only: type {REAL_CONFIRMATION} (asked for on a terminal)",
            )
        sp.set_defaults(func=run_set)


def run_show(args: argparse.Namespace) -> int:
    s = read_safety(Path(args.repo))
    if args.json:
        emit(
            {
                "execution_gate": {"value": s.gate.value, "file": s.gate_file.value},
                "real_sender": {"enabled": s.sender_enabled, "file": s.sender_file.value},
                "emergency_stop": {"enabled": s.stop, "file": s.stop_file.value},
            }
        )
        return EXIT_OK
    print(f"execution_gate: {s.gate.value} (file {s.gate_file.value})")
    print(f"real_sender:    {'on' if s.sender_enabled else 'off'} (file {s.sender_file.value})")
    print(f"emergency_stop: {'on' if s.stop else 'off'} (file {s.stop_file.value})")
    return EXIT_OK


def run_set(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    confirm = getattr(args, "confirm", None)
    if args.value == ExecutionGate.REAL_ENABLED.value and confirm is None and sys.stdin.isatty():
        confirm = input(f"REAL_ENABLED allows real orders: type {REAL_CONFIRMATION} to confirm: ")
    path = write_switch(root, SWITCHES[args.action], args.value, args.by, args.reason, confirm)
    print(f"wrote {path.relative_to(root).as_posix()}: {args.value} (by {args.by}: {args.reason})")
    print("commit and push it so the server sees it")
    return EXIT_OK
