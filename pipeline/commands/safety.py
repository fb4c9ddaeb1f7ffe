"""``krx safety show|set-gate|set-sender|set-stop``: the operator's safety switches.

Every change records who, when and why in the file; git history is the audit trail. The files
are PC-owned: change them on the PC, commit and push (on the server, ``KRX_EMERGENCY_STOP=1``
stops everything without touching them).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.safety import EmergencyStopV1, ExecutionGateV1, RealSenderV1
from pipeline.commands.jsonout import add_json_flag, emit, json_errors
from pipeline.enums import ExecutionGate, Owner
from pipeline.errors import EXIT_OK, OperatorError
from pipeline.io.context import now_seoul, producer, requested_asof
from pipeline.io.jsonio import write_artifact
from pipeline.io.safety import read_safety
from pipeline.io.server_state import require_role

ON_OFF = {"on": True, "off": False}


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


#: CLI action -> registered safety file.
SWITCHES = {"set-gate": "execution_gate", "set-sender": "real_sender", "set-stop": "emergency_stop"}


def write_switch(root: Path, name: str, value: str, by: str, reason: str) -> Path:
    """Validate and write one safety file (``value``: a gate name, or on/off); its path.

    OperatorError (nothing written) on an unknown value or an empty ``by``/``reason``. The CLI
    and the cockpit both call this, so a switch is always recorded the same way.
    """
    action = next((a for a, n in SWITCHES.items() if n == name), None)
    if action is None:
        raise OperatorError(f"{name!r} is not a safety file: one of {', '.join(SWITCHES.values())}")
    require_role(Owner.PC, f"krx safety {action}")
    if not by.strip():
        raise OperatorError("who changes it is required (--by)")
    if not reason.strip():
        raise OperatorError("a reason is required (--reason)")
    allowed = [g.value for g in ExecutionGate] if name == "execution_gate" else list(ON_OFF)
    if value not in allowed:
        raise OperatorError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    common = {
        "asof": requested_asof(None),
        "generated_at": now_seoul(),
        "producer": producer(f"safety {action}", root),
        "changed_by": by.strip(),
        "reason": reason.strip(),
    }
    model: Envelope
    try:
        if name == "execution_gate":
            model = ExecutionGateV1(**common, gate=ExecutionGate(value))
        elif name == "real_sender":
            model = RealSenderV1(**common, enabled=ON_OFF[value])
        else:
            model = EmergencyStopV1(**common, enabled=ON_OFF[value])
    except ValueError as err:  # pydantic's ValidationError is a ValueError (e.g. too long)
        raise OperatorError(f"invalid {name}: {err}") from None
    return write_artifact(root, registry.get(name), model)


def run_set(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    path = write_switch(root, SWITCHES[args.action], args.value, args.by, args.reason)
    print(f"wrote {path.relative_to(root).as_posix()}: {args.value} (by {args.by}: {args.reason})")
    print("commit and push it so the server sees it")
    return EXIT_OK
