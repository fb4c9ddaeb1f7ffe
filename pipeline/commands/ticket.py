"""``krx ticket new``: write a well-formed ticket for a plan (execution record or acknowledge)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pipeline import registry
from pipeline.errors import EXIT_OK
from pipeline.flows.ticket import write_ticket

FILL_RE = re.compile(
    r"^(?P<ticker>[0-9A-Z]{6}):(?P<side>BUY|SELL):(?P<shares>[0-9]+):(?P<price>[0-9]+)"
    r"(?::(?P<fee>[0-9]+))?(?:@(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}))?$"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("ticket", help="create operator tickets")
    tsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = tsub.add_parser("new", help=f"write {registry.path('ticket', 'ID')}")
    new.add_argument("--plan", required=True, help=f"plan id (from {registry.path('order_plan')})")
    new.add_argument(
        "--fill",
        action="append",
        default=[],
        metavar="TICKER:SIDE:SHARES:PRICE[:FEE][@YYYY-MM-DD]",
        help="one executed fill (repeatable); date defaults to the plan's session",
    )
    new.add_argument("--ack", action="store_true", help="acknowledge the plan (no fills)")
    new.add_argument("--by", required=True, help="operator name")
    new.add_argument("--note", default="", help="free text")
    new.add_argument("--id", help="ticket id (default T-<session>-<random>)")
    new.add_argument(
        "--force", action="store_true", help="write it even if the server would reject it"
    )
    new.set_defaults(func=run_new)


def run_new(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    path, _ = write_ticket(
        root,
        args.plan,
        args.fill,
        ack=args.ack,
        by=args.by,
        note=args.note,
        ticket_id=args.id,
        force=args.force,
    )
    print(f"wrote {path.relative_to(root).as_posix()}: commit and push it")
    return EXIT_OK
