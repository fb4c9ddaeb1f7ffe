"""``krx drill``: run the server's daily flow against HEAD in a scratch copy (pipeline.flows.drill).

Nothing is sent (gate forced to MOCK_ONLY, sender off, Telegram settings removed) and nothing
in the real repository changes except ``reports/ops/drill_report.json`` (``--commit`` commits
that one file). Exit 0 pass/warn, 2 a safety block found, 3 a fault (``pipeline.core.drill``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import registry
from pipeline.enums import Owner
from pipeline.io import server_state as st
from pipeline.io.context import now_seoul, requested_asof
from pipeline.io.gitcli import git
from pipeline.krx_calendar import load_calendar


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "drill", help="self-test the server loop in a scratch copy; exit 0 pass/warn, 2, 3"
    )
    p.add_argument(
        "--asof",
        help="session to drill (default: KRX_ASOF or today; a holiday drills the next session)",
    )
    p.add_argument("--commit", action="store_true", help="commit the drill report (only it)")
    p.add_argument("--api-port", type=int, help="resolver port (default: a free loopback port)")
    p.add_argument("--api-timeout", type=float, default=30.0, help="seconds to wait for it")
    p.add_argument("--keep-scratch", action="store_true", help="keep the copy (debugging)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipeline.flows.drill import Options, run_drill  # httpx and dvc only when drilling
    from pipeline.io.scratch import IDENTITY

    root = Path(args.repo)
    st.require_role(Owner.SERVER, "krx drill")
    day = load_calendar(root).next_or_same(requested_asof(args.asof))
    opts = Options(
        day=day,
        now=now_seoul(),
        api_port=args.api_port,
        api_timeout_s=args.api_timeout,
        keep_scratch=args.keep_scratch,
    )
    report = run_drill(root, opts, log=lambda line: print(line, file=sys.stderr, flush=True))
    st.write(root, "drill_report", report)
    for s in report.steps:
        print(f"{s.name:<12} {s.result.value:<8} {s.duration_s:>7.2f} s  {s.message[:80]}")
    cycle = report.cycle
    print(
        f"drill {report.asof}: {report.result} exit={report.exit_code} reason={report.reason} "
        f"head={(report.head_commit or 'none')[:12]} "
        f"delivery={cycle.delivery_actual if cycle else None}"
        + (f" fault: {report.fault}" if report.fault else "")
    )
    if args.commit:
        rel = registry.get("drill_report").path
        git(root, "add", "--", rel)
        message = f"artifact(server): drill {report.asof} {report.result}"
        git(root, *IDENTITY, "commit", "-q", "--only", "-m", message, "--", rel)
    return report.exit_code
