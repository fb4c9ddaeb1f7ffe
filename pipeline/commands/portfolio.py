"""``krx portfolio set``: write the operator's baseline ``state/portfolio.json`` (PC only)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.portfolio import Holding, PortfolioV1
from pipeline.enums import Owner
from pipeline.errors import EXIT_OK, OperatorError
from pipeline.io.context import now_seoul, producer, requested_asof
from pipeline.io.jsonio import write_artifact
from pipeline.io.server_state import require_role
from pipeline.krx_calendar import load_calendar

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


def write_portfolio(
    root: Path,
    cash: int,
    holdings: Sequence[tuple[str, int, int]],
    asof: str | None,
    by: str,
    note: str,
) -> Path:
    """Validate and write ``state/portfolio.json`` from (ticker, shares, avg price KRW) rows.

    OperatorError (nothing written) if the date is not a KRX trading day, a ticker repeats or
    any field fails the schema. The CLI and the cockpit both call this.
    """
    require_role(Owner.PC, "krx portfolio set")
    day = requested_asof(asof)
    if not load_calendar(root).is_trading_day(day):
        raise OperatorError(f"{day} is not a KRX trading day: give the close it describes")
    if cash < 0:
        raise OperatorError("cash cannot be negative")
    if not by.strip():
        raise OperatorError("the operator name is required (--by)")
    tickers = [t for t, _, _ in holdings]
    if len(set(tickers)) != len(tickers):
        raise OperatorError(f"a ticker appears twice in the holdings: {sorted(tickers)}")
    try:
        model = PortfolioV1(
            asof=day,
            generated_at=now_seoul(),
            producer=producer("portfolio set", root),
            cash_krw=cash,
            holdings=tuple(
                Holding(ticker=t, shares=s, avg_price_krw=a) for t, s, a in sorted(holdings)
            ),
            updated_by=by.strip(),
            note=note,
        )
    except ValueError as err:  # pydantic's ValidationError is a ValueError
        raise OperatorError(f"invalid portfolio: {err}") from None
    return write_artifact(root, registry.get("portfolio"), model)
