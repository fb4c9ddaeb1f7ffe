"""``krx check live-cycle|ops-summary``: the runbook's 1-minute checks, through the resolver only.

They read nothing from the checkout (runbook rule: resolver API only), print one line and exit
0 when healthy (a WARN summary is healthy), 2 on a normal safety block, 3 on a fault: the
resolver unreachable, an artifact missing, invalid, for another day or at another commit.
``--json`` prints one document instead (``{"exit_code", "checks": [...]}``).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from pipeline.commands.jsonout import add_json_flag, emit
from pipeline.errors import EXIT_OK, OperatorError

DEFAULT_API = "http://127.0.0.1:8000"
WHAT = ("live-cycle", "ops-summary")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="1-minute checks through the resolver API (exit 0/2/3)")
    p.add_argument("what", nargs="+", choices=WHAT, help="one line per check")
    p.add_argument("--api", help="resolver base URL (default: KRX_API_URL or " + DEFAULT_API + ")")
    p.add_argument("--asof", help="require the artifact of this date")
    p.add_argument(
        "--today",
        action="store_true",
        help="require today's KRX session's artifact (the previous session's before 09:05 "
        "and on holidays); anything older is a FAULT",
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
    if args.today and not args.asof:
        args.asof = _todays_session(Path(args.repo))
    worst = EXIT_OK
    checks = []
    for what in args.what:
        code, line = check_served(
            what, base, args.asof, args.commit, args.timeout, served_only=args.served_only
        )
        if args.json:
            checks.append(_json_check(what, code, line))
        else:
            print(line)
        worst = max(worst, code)
    if args.json:
        emit({"exit_code": worst, "checks": checks})
    return worst


def _json_check(what: str, code: int, line: str) -> dict[str, Any]:
    """One check's line as data: ``key=value`` fields, or the fault (``--json``)."""
    if line.startswith("FAULT "):
        return {"check": what, "exit_code": code, "fault": line.split(": ", 1)[-1], "fields": {}}
    pairs = (token.split("=", 1) for token in line.split() if "=" in token)
    fields = {k: None if v == "None" else v for k, v in pairs}
    return {"check": what, "exit_code": code, "fault": None, "fields": fields}


def _todays_session(root: Path) -> str:
    """The session whose receipt must be served now (the calendar is configuration, read here)."""
    import datetime as dt

    from pipeline.core.schedule import due_session
    from pipeline.io.context import now_seoul
    from pipeline.krx_calendar import load_calendar

    day = due_session(now_seoul(), load_calendar(root), grace=dt.timedelta(0))
    if day is None:
        raise OperatorError("today is outside the KRX calendar: give --asof")
    return day.isoformat()
