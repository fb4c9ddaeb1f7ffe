"""``krx check live-cycle|ops-summary``: the runbook's 1-minute checks, through the resolver only.

They read nothing from the checkout (runbook rule: resolver API only), print one line and exit
0 when healthy (a WARN summary is healthy), 2 on a normal safety block, 3 on a fault: the
resolver unreachable, an artifact missing, invalid, for another day or at another commit.
Without ``--asof`` the day required is today's session (from 09:05 on a session, else the
previous session: ``pipeline.core.schedule.expected_receipt_session``), so a receipt several
sessions old fails (exit 3) instead of passing.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pipeline.core.schedule import expected_receipt_session
from pipeline.errors import EXIT_FAULT, EXIT_OK
from pipeline.io.context import now_seoul
from pipeline.krx_calendar import load_calendar

DEFAULT_API = "http://127.0.0.1:8000"
WHAT = ("live-cycle", "ops-summary")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="1-minute checks through the resolver API (exit 0/2/3)")
    p.add_argument("what", nargs="+", choices=WHAT, help="one line per check")
    p.add_argument("--api", help="resolver base URL (default: KRX_API_URL or " + DEFAULT_API + ")")
    p.add_argument(
        "--asof", help="require the artifact of this date (default: today's session, see above)"
    )
    p.add_argument("--commit", help="require the resolver to serve this commit")
    p.add_argument(
        "--served-only",
        action="store_true",
        help="exit 0 once the artifact is served as required, whatever its result says",
    )
    p.add_argument("--timeout", type=float, default=5.0, help="HTTP timeout, seconds")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.flows.daily_server import check_served  # httpx only when checking

    base = (args.api or os.environ.get("KRX_API_URL") or DEFAULT_API).rstrip("/")
    asof = args.asof
    if asof is None:
        session = expected_receipt_session(now_seoul(), load_calendar(Path(args.repo)))
        asof = session.isoformat() if session else None
    worst = EXIT_OK
    for what in args.what:
        code, line = check_served(
            what, base, asof, args.commit, args.timeout, served_only=args.served_only
        )
        if code == EXIT_FAULT and args.asof is None and ", not " in line:
            line += " (today's session: is the server's daily run missing or late?)"
        print(line)
        worst = max(worst, code)
    return worst
