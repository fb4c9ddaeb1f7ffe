"""``krx check live-cycle|ops-summary``: the runbook's 1-minute checks, through the resolver only.

They read nothing from the checkout (runbook rule: resolver API only), print one line and exit
0 when healthy (a WARN summary is healthy), 2 on a normal safety block, 3 on a fault: the
resolver unreachable, an artifact missing, invalid, for another day or at another commit.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from pipeline.core.cycle import expected_receipt_session
from pipeline.enums import OverallStatus
from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK
from pipeline.io.context import now_seoul
from pipeline.krx_calendar import load_calendar

DEFAULT_API = "http://127.0.0.1:8000"
ROUTES = {"live-cycle": "/api/live/cycle/latest", "ops-summary": "/api/ops/summary/latest"}
SUMMARY_CODES = {
    OverallStatus.OK: EXIT_OK,
    OverallStatus.WARN: EXIT_OK,
    OverallStatus.NO_RUN_HISTORY: EXIT_OK,
    OverallStatus.BLOCKED: EXIT_BLOCKED,
    OverallStatus.STOPPED: EXIT_BLOCKED,
}


class Unhealthy(Exception):  # noqa: N818 - a finding, printed as the one line
    """The check's one-line finding when it is a fault."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="1-minute checks through the resolver API (exit 0/2/3)")
    p.add_argument("what", nargs="+", choices=sorted(ROUTES), help="one line per check")
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
    p.set_defaults(func=run)


def fetch(url: str, timeout: float) -> dict[str, Any]:
    """GET one resolver envelope; Unhealthy with a clear line on any failure."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as err:
        raise Unhealthy(f"resolver answered HTTP {err.code} for {url}") from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise Unhealthy(f"resolver not reachable at {url}: {reason}") from None
    try:
        data = json.loads(body)
    except ValueError:
        raise Unhealthy(f"resolver answered non-JSON for {url}") from None
    if not isinstance(data, dict):
        raise Unhealthy(f"resolver answered an unexpected document for {url}")
    return data


def served_row(env: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """``rows[0]`` if the envelope is a valid artifact as the arguments require."""
    if env.get("status") != "ok" or env.get("valid") is not True or not env.get("rows"):
        err = env.get("error") or {}
        detail = err.get("code") or "; ".join(map(str, env.get("validation_errors") or []))[:200]
        raise Unhealthy(f"{env.get('name')}: status={env.get('status')} {detail}".strip())
    if args.asof and env.get("asof") != args.asof:
        raise Unhealthy(
            f"{env.get('name')}: latest is for {env.get('asof')}, not today's session "
            f"{args.asof} (did the daily run not run? see the scheduler record)"
            if args.today
            else f"{env.get('name')}: latest is for {env.get('asof')}, not {args.asof}"
        )
    if args.commit and env.get("commit") != args.commit:
        raise Unhealthy(
            f"{env.get('name')}: resolver serves commit {str(env.get('commit'))[:12]}, "
            f"not {args.commit[:12]} (wrong branch, or not restarted?)"
        )
    row: dict[str, Any] = env["rows"][0]
    return row


def check_one(what: str, base: str, args: argparse.Namespace) -> tuple[int, str]:
    """Exit code and the one line of one check."""
    try:
        env = fetch(base + ROUTES[what], args.timeout)
        row = served_row(env, args)
    except Unhealthy as finding:
        return EXIT_FAULT, f"FAULT {what}: {finding}"
    commit = str(env.get("commit"))[:12]
    if what == "live-cycle":
        push = row.get("push") or {}
        code = row.get("exit_code")
        line = (
            f"asof={row.get('asof')} result={row.get('result')} decision={row.get('decision')} "
            f"reason={row.get('reason')} delivery={push.get('delivery_actual')} "
            f"snapshot_ref={row.get('snapshot_ref')} commit={commit}"
        )
    else:
        status = row.get("overall_status")
        code = SUMMARY_CODES.get(OverallStatus(status)) if status in set(OverallStatus) else None
        risks = ",".join(str(r.get("code")) for r in row.get("top_risks") or []) or "-"
        line = f"asof={row.get('asof')} overall_status={status} top_risks={risks} commit={commit}"
    if code not in (EXIT_OK, EXIT_BLOCKED, EXIT_FAULT):
        return EXIT_FAULT, f"FAULT {what}: no usable exit code in {line}"
    return (EXIT_OK if args.served_only else int(code)), line


def run(args: argparse.Namespace) -> int:
    base = (args.api or os.environ.get("KRX_API_URL") or DEFAULT_API).rstrip("/")
    if args.today and not args.asof:
        # The calendar is configuration (config/), not an artifact: reading it keeps the rule.
        cal = load_calendar(Path(args.repo))
        args.asof = expected_receipt_session(now_seoul(), cal).isoformat()
    worst = EXIT_OK
    for what in args.what:
        code, line = check_one(what, base, args)
        print(line)
        worst = max(worst, code)
    return worst
