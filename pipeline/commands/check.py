"""``krx check live-cycle|ops-summary``: the runbook's 1-minute checks, through the resolver only.

They read nothing from the checkout but the KRX calendar (configuration; runbook rule: the
artifacts come from the resolver API only), print one line and exit 0 when healthy (a WARN
summary is healthy), 2 on a normal safety block, 3 on a fault: the resolver unreachable, an
artifact missing, invalid, for another day or at another commit. Without ``--asof`` the day
required is today's session (from 09:05 on a session, else the previous session:
``pipeline.core.schedule.expected_receipt_session``), so a receipt several sessions old fails
(exit 3) instead of passing. ``--json`` prints one document (``{"exit_code", "checks"}``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from pipeline.commands._jsonout import add_json_flag, emit
from pipeline.errors import EXIT_FAULT, EXIT_OK

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
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.flows.daily_server import check_served  # httpx only when checking

    base = (args.api or os.environ.get("KRX_API_URL") or DEFAULT_API).rstrip("/")
    asof = args.asof or _todays_session(Path(args.repo))
    worst = EXIT_OK
    checks = []
    for what in args.what:
        code, line = check_served(
            what, base, asof, args.commit, args.timeout, served_only=args.served_only
        )
        if code == EXIT_FAULT and args.asof is None and ", not " in line:
            line += " (today's session: is the server's daily run missing or late?)"
        if args.json:
            checks.append(_json_check(what, code, line))
        else:
            print(line)
        worst = max(worst, code)
    if args.json:
        emit({"exit_code": worst, "checks": checks})
    return worst


def _todays_session(root: Path) -> str | None:
    """The session whose artifacts must be served now (None outside the calendar)."""
    from pipeline.core.schedule import expected_receipt_session
    from pipeline.io.context import now_seoul
    from pipeline.krx_calendar import load_calendar

    day = expected_receipt_session(now_seoul(), load_calendar(root))
    return day.isoformat() if day else None


def _json_check(what: str, code: int, line: str) -> dict[str, Any]:
    """One check's line as data: ``key=value`` fields, or the fault (``--json``)."""
    if line.startswith("FAULT "):
        return {"check": what, "exit_code": code, "fault": line.split(": ", 1)[-1], "fields": {}}
    pairs = (token.split("=", 1) for token in line.split() if "=" in token)
    fields = {k: None if v == "None" else v for k, v in pairs}
    return {"check": what, "exit_code": code, "fault": None, "fields": fields}
