"""``krx drill``: the server's daily flow, through DVC, in a scratch copy of HEAD.

The same ``pipeline.flows.daily_server.run_daily`` as the scheduled run — same steps, same
``dvc repro`` calls, same validation, commit and resolve (against a resolver serving the scratch
copy) — with the gate forced to MOCK_ONLY, the sender off, the Telegram settings removed and no
remote (nothing pushed). The real repository is read, never written: the caller writes the
returned report, the only thing a drill adds to it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.drill import CycleView, DrillReportV3, ForcedSafety
from pipeline.core import drill as rules
from pipeline.enums import ExecutionGate
from pipeline.errors import EXIT_FAULT
from pipeline.flows.daily_server import Outcome, Settings, run_daily
from pipeline.io import api_probe, gitref, scratch
from pipeline.io import drill as io
from pipeline.io.context import input_ref, producer

Log = Callable[[str], None]


@dataclass(frozen=True)
class Options:
    day: dt.date  # the KRX session drilled
    now: dt.datetime  # the drill's clock, pinned for every scratch process
    api_port: int | None = None  # None: a free loopback port
    api_timeout_s: float = 30.0
    keep_scratch: bool = False


def _flow(copy: Path, o: Options, log: Log) -> Outcome:
    """The daily flow in the copy, with a resolver serving it (or a dead URL if it won't start)."""
    env = scratch.scratch_env(o.day.isoformat(), o.now.isoformat())
    port = o.api_port or api_probe.free_port()
    settings = Settings(
        root=copy,
        asof=o.day,
        now=o.now,
        env=env,
        branch=scratch.DRILL_BRANCH,
        push="0",
        api_url=f"http://{api_probe.LOOPBACK}:{port}",
        lock_wait_s=0.0,
    )
    with contextlib.ExitStack() as stack:
        try:
            served = api_probe.serve(copy, scratch.DRILL_BRANCH, port, env, o.api_timeout_s)
            stack.enter_context(served)
        except api_probe.ProbeError as err:
            log(f"drill: the scratch resolver did not start on port {port}: {err}")
        return run_daily(settings, log)


def run_drill(root: Path, o: Options, log: Log = print) -> DrillReportV3:
    """Drill HEAD of ``root``; the report (not yet written)."""
    start = time.monotonic()
    head = gitref.head(root)
    observed = io.observe(root)
    forced = None
    outcome: Outcome | None = None
    fault: str | None = None
    copy: Path | None = None
    try:
        if head is None:
            fault = "the repository has no commits"
        else:
            try:
                copy = scratch.make_scratch(root, head)
                forced = io.force_safety(copy, o.day, o.now)
            except Exception as err:  # the drill reports its own failure, never crashes
                fault = f"no scratch copy: {type(err).__name__}: {err}"
            else:
                outcome = _flow(copy, o, log)
    finally:
        io.cleanup(copy, o.keep_scratch)
    receipt = outcome.receipt if outcome else None
    if outcome is None:
        code, result, _ = rules.verdict(EXIT_FAULT, None)
    else:
        delivery = (receipt.push.delivery_actual, receipt.push.status) if receipt else None
        code, result, fault = rules.verdict(outcome.exit_code, delivery)
    return DrillReportV3(
        asof=o.day,
        generated_at=o.now,
        producer=producer("drill", root),
        inputs=tuple(input_ref(root, registry.get(n).path, None) for n in io.SAFETY_FILES),
        head_commit=head,
        real_tree_dirty=scratch.tree_dirty(root) if head else False,
        observed_safety=observed,
        forced_safety=forced
        or ForcedSafety(
            gate=ExecutionGate.MOCK_ONLY, real_sender_enabled=False, removed_env=scratch.REMOVED_ENV
        ),
        steps=outcome.steps if outcome else (),
        ops_status=outcome.ops_status if outcome else None,
        cycle=CycleView(
            result=receipt.result,
            decision=receipt.decision,
            reason=receipt.reason,
            delivery_actual=receipt.push.delivery_actual,
        )
        if receipt
        else None,
        reason=receipt.reason if receipt else None,
        result=result,
        exit_code=code,
        fault=fault,
        duration_ms=int((time.monotonic() - start) * 1000),
    )
