"""``krx scheduler today|finish``: the scheduler record of ``deploy/oci/daily_ops.sh``.

The cron script parses no JSON (DESIGN §7): ``today`` prints two plain words (the as-of date and
whether it is a KRX session); the script appends one tab-separated line per step to a file in
the git directory; ``finish`` turns them into ``reports/ops/scheduler_record.json`` (validated,
atomic), optionally commits it, and exits with the run's exit code: the worst step's (0
completed, 2 blocked, 3 fault). ``finish`` may run again (after a failed push adds a step).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from pipeline.artifacts.scheduler import (
    RESULT_CODES,
    SchedulerRecordV1,
    SchedulerStep,
)
from pipeline.commands.repo import commit_message, stage_owned
from pipeline.enums import Owner, PushState, SchedulerStepResult
from pipeline.errors import EXIT_OK
from pipeline.io.context import SEOUL, now_seoul, producer, requested_asof
from pipeline.io.gitcli import git
from pipeline.io.server_state import write
from pipeline.krx_calendar import load_calendar

SPEC_NAME = "scheduler_record"
CODE_RESULTS = {
    0: SchedulerStepResult.OK,
    2: SchedulerStepResult.BLOCKED,
    3: SchedulerStepResult.FAULT,
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("scheduler", help="the scheduler record of deploy/oci/daily_ops.sh")
    ssub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ssub.add_parser(
        "today", help="print '<asof> session|closed' (KRX_ASOF / KRX_NOW or today in Seoul)"
    ).set_defaults(func=run_today)
    f = ssub.add_parser("finish", help="write (and commit) the record; exit with its exit code")
    f.add_argument("--steps", required=True, type=Path, help="the run's steps file (TSV)")
    f.add_argument("--started", type=float, required=True, help="epoch seconds the run started")
    f.add_argument("--push", type=PushState, choices=list(PushState), required=True)
    f.add_argument("--remote", required=True, help="git remote of the run")
    f.add_argument("--branch", required=True, help="branch of the run")
    f.add_argument("--head-before", default="", help="HEAD before the pull")
    f.add_argument("--head-pulled", default="", help="HEAD after the pull")
    f.add_argument("--outputs-commit", default="", help="commit of this run's artifacts")
    f.add_argument("--commit", action="store_true", help="commit the record (if it changed)")
    f.set_defaults(func=run_finish)


def run_today(args: argparse.Namespace) -> int:
    asof = requested_asof()
    is_session = bool(load_calendar(Path(args.repo)).is_trading_day(asof))
    # Two plain words: the script reads them with `read` (no JSON in shell).
    print(asof.isoformat(), "session" if is_session else "closed")
    return EXIT_OK


def read_steps(path: Path) -> tuple[SchedulerStep, ...]:
    """Steps from the script TSV: name, exit code, skipped 0/1, start, end (epoch s), message."""
    steps: dict[str, SchedulerStep] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        name, code, skipped, t0, t1, message = (line.split("\t", 5) + [""] * 6)[:6]
        result = SchedulerStepResult.SKIPPED if skipped == "1" else CODE_RESULTS.get(int(code or 3))
        result = result or SchedulerStepResult.FAULT
        steps[name] = SchedulerStep(
            name=name,
            result=result,
            exit_code=RESULT_CODES[result],
            started_at=dt.datetime.fromtimestamp(float(t0), SEOUL),
            duration_s=round(max(0.0, float(t1) - float(t0)), 3),
            message=" ".join(message.split())[:500],
        )
    return tuple(steps.values())


def _sha(value: str) -> str | None:
    value = value.strip()
    return value if len(value) == 40 else None


def run_finish(args: argparse.Namespace) -> int:
    root = Path(args.repo)
    steps = read_steps(args.steps)
    code = max((s.exit_code for s in steps), default=0)
    record = SchedulerRecordV1(
        asof=requested_asof(),
        generated_at=now_seoul(),
        producer=producer("daily_ops", root),
        started_at=dt.datetime.fromtimestamp(args.started, SEOUL),
        finished_at=now_seoul(),
        duration_s=round(max(0.0, time.time() - args.started), 3),
        trading_day=bool(load_calendar(root).is_trading_day(requested_asof())),
        steps=steps,
        exit_code=code,
        result=CODE_RESULTS[code],
        head_before=_sha(args.head_before),
        head_pulled=_sha(args.head_pulled),
        outputs_commit=_sha(args.outputs_commit),
        remote=args.remote,
        branch=args.branch,
        push=args.push,
    )
    write(root, "scheduler_record", record)
    summary = " ".join(f"{s.name}={s.result}" for s in steps)
    print(f"scheduler record: exit={code} result={record.result} {summary} push={args.push}")
    if args.commit:
        staged = stage_owned(root, Owner.SERVER, produced=False, only=(SPEC_NAME,))
        if staged:
            git(
                root,
                "commit",
                "-q",
                "-F",
                "-",
                input_text=commit_message(root, Owner.SERVER, staged),
            )
            print(git(root, "log", "-1", "--format=%h %s").strip())
    return code
