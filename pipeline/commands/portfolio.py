"""``krx portfolio set``: write the operator's baseline ``state/portfolio.json`` (PC only)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pipeline import registry
from pipeline.errors import EXIT_OK, OperatorError
from pipeline.flows.portfolio import write_portfolio

HOLD_RE = re.compile(r"^(?P<ticker>[0-9A-Z]{6}):(?P<shares>[0-9]+):(?P<avg>[0-9]+)$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("portfolio", help="write the operator's baseline portfolio")
    psub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    s = psub.add_parser(
        "set", help=f"replace {registry.path('portfolio')} (cash and holdings at a close)"
    )
    s.add_argument("--cash", required=True, type=int, help="cash in KRW at the close of --asof")
    s.add_argument(
        "--hold",
        action="append",
        default=[],
        metavar="TICKER:SHARES:AVG_PRICE",
        help="one holding (repeatable); avg entry price in KRW",
    )
    s.add_argument("--asof", help="the trading day whose close this is (default: today)")
    s.add_argument("--by", required=True, help="operator name")
    s.add_argument("--note", default="", help="e.g. the broker statement it comes from")
    s.set_defaults(func=run_set)


def run_set(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    holdings = []
    for text in args.hold:
        m = HOLD_RE.match(text)
        if m is None:
            raise OperatorError(f"--hold {text!r}: expected TICKER:SHARES:AVG_PRICE")
        holdings.append((m["ticker"], int(m["shares"]), int(m["avg"])))
    path = write_portfolio(root, args.cash, holdings, args.asof, args.by, args.note)
    print(f"wrote {path.relative_to(root).as_posix()}: commit and push it")
    return EXIT_OK
