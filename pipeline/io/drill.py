"""Run a drill: every server step against HEAD in a scratch copy; return the report.

Order: scratch -> bundle -> tickets -> ops_summary -> live_cycle -> validate -> resolver.
Verdicts come from ``pipeline.core.drill``; this module only runs things and observes them.
The real repository is read (HEAD, safety files, git status without locks), never written:
the caller writes the returned report.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.drill import (
    CycleView,
    DrillReportV1,
    ForcedSafety,
    ObservedSafety,
    StepReport,
)
from pipeline.artifacts.live import LiveCycleReceiptV1
from pipeline.artifacts.ops import OpsSummaryV1
from pipeline.artifacts.safety import ExecutionGateV1, RealSenderV1
from pipeline.artifacts.tickets import TicketResultV1
from pipeline.core import drill as rules
from pipeline.core.bundle_check import BUNDLE_PATH, check_bundle
from pipeline.enums import DrillReason, DrillStep, ExecutionGate, StepResult
from pipeline.errors import KrxError
from pipeline.io import api_probe, gitref, scratch
from pipeline.io import server_state as st
from pipeline.io.context import input_ref, producer
from pipeline.io.delivery import lock_path
from pipeline.io.jsonio import write_artifact
from pipeline.io.safety import read_safety
from pipeline.io.telegram import ENV_CHAT, ENV_TOKEN
from pipeline.io.validate import validate_all
from pipeline.krx_calendar import load_calendar
from pipeline.params import load_params

SAFETY_FILES = ("execution_gate", "real_sender", "emergency_stop")
STAGES = (DrillStep.TICKETS, DrillStep.OPS_SUMMARY, DrillStep.LIVE_CYCLE)
RECEIPT = registry.get("live_cycle_receipt").path


@dataclass(frozen=True)
class Options:
    day: dt.date  # the KRX session drilled
    now: dt.datetime  # the drill's clock, pinned for every scratch process
    api_port: int | None = None  # None: a free loopback port
    api_timeout_s: float = 30.0
    stage_timeout_s: float = 600.0
    keep_scratch: bool = False


@dataclass
class _Run:
    opts: Options
    steps: list[StepReport] = field(default_factory=list)
    stage_failed: bool = False

    def record(
        self, step: DrillStep, verdict: rules.Verdict, t0: float, code: int | None, detail: str
    ) -> None:
        ms = int((time.monotonic() - t0) * 1000)
        self.steps.append(
            StepReport(
                step=step,
                result=verdict[0],
                reason=verdict[1],
                duration_ms=ms,
                exit_code=code,
                detail=detail[-2000:],
            )
        )

    def skip(self, step: DrillStep, why: str = "") -> None:
        skipped = (StepResult.SKIPPED, DrillReason.PREVIOUS_STEP_FAILED)
        self.record(step, skipped, time.monotonic(), None, why)


def observe(root: Path) -> ObservedSafety:
    s = read_safety(root)
    creds = bool(os.environ.get(ENV_TOKEN, "").strip() and os.environ.get(ENV_CHAT, "").strip())
    return ObservedSafety(
        gate=s.gate,
        gate_file=s.gate_file,
        real_sender_enabled=s.sender_enabled,
        real_sender_file=s.sender_file,
        emergency_stop=s.stop,
        emergency_stop_file=s.stop_file,
        emergency_stop_env=os.environ.get("KRX_EMERGENCY_STOP", "").strip() == "1",
        telegram_credentials_present=creds,
        real_send_possible=s.real_send_allowed(creds),
    )


def _force_safety(copy: Path, o: Options) -> None:
    """MOCK_ONLY and sender off in the copy: nothing leaves the machine whatever HEAD says."""
    common = {
        "asof": o.day,
        "generated_at": o.now,
        "producer": producer("drill", copy),
        "changed_by": "krx drill",
        "reason": "drill: forced in the scratch copy",
    }
    gate = ExecutionGateV1(gate=ExecutionGate.MOCK_ONLY, **common)
    sender = RealSenderV1(enabled=False, **common)
    write_artifact(copy, registry.get("execution_gate"), gate)
    write_artifact(copy, registry.get("real_sender"), sender)


def _bundle(run: _Run, copy: Path) -> None:
    t0 = time.monotonic()
    try:
        live = load_params(copy).live
        verdict = check_bundle(
            st.read_raw(copy, BUNDLE_PATH), run.opts.day, load_calendar(copy), live
        )
    except KrxError as err:
        run.record(
            DrillStep.BUNDLE, (StepResult.FAIL, DrillReason.STAGE_CRASHED), t0, None, str(err)
        )
        return
    run.record(
        DrillStep.BUNDLE,
        rules.BUNDLE[verdict.status],
        t0,
        None,
        f"{verdict.status}: {verdict.detail}",
    )


def _ticket_statuses(copy: Path, keys: set[str]) -> list[TicketResultV1]:
    found = (st.read_valid(copy, "ticket_result", TicketResultV1, k) for k in sorted(keys))
    return [r for r in found if r]


def _stage(run: _Run, copy: Path, step: DrillStep, env: dict[str, str]) -> None:
    if run.stage_failed:
        run.skip(step, "an earlier stage failed (dvc repro would stop there)")
        return
    t0 = time.monotonic()
    command = scratch.stage_command(copy, step.value)
    if command is None:
        run.stage_failed = True
        run.record(
            step,
            (StepResult.FAIL, DrillReason.STAGE_MISSING),
            t0,
            None,
            f"stage {step.value} is not in server/dvc.yaml",
        )
        return
    before = {k for k, _ in st.collection(copy, "ticket_result")}
    ran = scratch.run(command[0], command[1], env, run.opts.stage_timeout_s)
    verdict = _judge_stage(copy, step, ran.exit_code, before, run.opts.day)
    run.stage_failed = verdict[1] is DrillReason.STAGE_CRASHED
    run.record(step, verdict, t0, ran.exit_code, ran.tail)


def _judge_stage(
    copy: Path, step: DrillStep, code: int | None, before: set[str], day: dt.date
) -> rules.Verdict:
    """A stage that exits unexpectedly or writes no artifact of the day has crashed."""
    crashed = (StepResult.FAIL, DrillReason.STAGE_CRASHED)
    if step is DrillStep.TICKETS and code == 0:
        new = {k for k, _ in st.collection(copy, "ticket_result")} - before
        return rules.tickets_verdict(r.status for r in _ticket_statuses(copy, new))
    if step is DrillStep.OPS_SUMMARY and code == 0:
        ops = st.read_valid(copy, "ops_summary", OpsSummaryV1)
        return rules.OPS[ops.overall_status] if ops and ops.asof == day else crashed
    if step is DrillStep.LIVE_CYCLE:
        r = st.read_valid(copy, "live_cycle_receipt", LiveCycleReceiptV1)
        if r is None or r.asof != day or code != r.exit_code:
            return crashed
        seen = rules.CycleSeen(r.result, r.decision, r.push.delivery_actual, r.push.status)
        return rules.cycle_verdict(seen)
    return crashed


def _validate(run: _Run, copy: Path) -> None:
    """Every registered artifact of the copy, every error, split by who owns the file."""
    t0 = time.monotonic()
    files, problems = validate_all(copy)
    owners = [registry.owner_of(p.file) for p in problems]
    verdict = rules.validate_verdict(owners)
    detail = "\n".join(str(p) for p in problems[:10])
    head = f"{len(problems)} problem(s):\n" if problems else f"{len(files)} artifact(s) valid"
    run.record(DrillStep.VALIDATE, verdict, t0, None, head + detail)


def _resolver(run: _Run, copy: Path, env: dict[str, str]) -> None:
    receipt = st.read_raw(copy, RECEIPT)
    if receipt is None or run.stage_failed:  # an older committed receipt is not today's
        run.skip(DrillStep.RESOLVER, "no new receipt to resolve")
        return
    t0 = time.monotonic()
    sha = scratch.commit_all(copy, "drill: scratch outputs")
    port = run.opts.api_port or api_probe.free_port()
    started = False
    try:
        with api_probe.serve(copy, scratch.DRILL_BRANCH, port, env, run.opts.api_timeout_s) as api:
            started = True
            code, body = api.get("/api/live/cycle/latest")
    except api_probe.ProbeError as err:
        reason = DrillReason.RESOLVER_ERROR if started else DrillReason.RESOLVER_START_FAILED
        run.record(DrillStep.RESOLVER, (StepResult.FAIL, reason), t0, None, f"port {port}: {err}")
        return
    ok = code == 200 and body is not None and body.get("status") == "ok"
    if not ok or body is None or body.get("valid") is not True:
        detail = f"GET /api/live/cycle/latest -> {code} {(body or {}).get('error')}"
        run.record(
            DrillStep.RESOLVER, (StepResult.FAIL, DrillReason.RESOLVER_ERROR), t0, None, detail
        )
        return
    if body.get("commit") != sha or not api_probe.same_json(body, receipt):
        detail = f"served commit {body.get('commit')} vs written {sha}, or different content"
        run.record(
            DrillStep.RESOLVER, (StepResult.FAIL, DrillReason.RESOLVER_MISMATCH), t0, None, detail
        )
        return
    run.record(
        DrillStep.RESOLVER,
        rules.PASS,
        t0,
        None,
        f"port {port}: receipt at {sha[:12]} served identical and valid",
    )


def _cleanup(copy: Path | None, keep: bool) -> None:
    if copy is None:
        return
    lock_path(copy).unlink(missing_ok=True)  # the delivery lock the scratch cycle created
    if not keep:
        shutil.rmtree(copy.parent, ignore_errors=True)


def _guarded(run: _Run, step: DrillStep, action: Callable[[], None]) -> None:
    """Run one step; an unexpected error is that step's FAIL, never a crashed drill."""
    t0 = time.monotonic()
    try:
        action()
    except Exception as err:  # the drill reports every failure in its report, never crashes
        run.stage_failed = run.stage_failed or step in STAGES
        failed = (StepResult.FAIL, DrillReason.STAGE_CRASHED)
        run.record(step, failed, t0, None, f"{type(err).__name__}: {err}")


def _steps_in_copy(run: _Run, copy: Path) -> None:
    env = scratch.scratch_env(run.opts.day.isoformat(), run.opts.now.isoformat())
    _guarded(run, DrillStep.BUNDLE, lambda: _bundle(run, copy))
    for step in STAGES:
        _guarded(run, step, functools.partial(_stage, run, copy, step, env))
    _guarded(run, DrillStep.VALIDATE, lambda: _validate(run, copy))
    _guarded(run, DrillStep.RESOLVER, lambda: _resolver(run, copy, env))


def run_drill(
    root: Path, opts: Options, clock: Callable[[], float] = time.monotonic
) -> DrillReportV1:
    """Drill HEAD of ``root``; the report (not yet written)."""
    start = clock()
    run = _Run(opts)
    head = gitref.head(root)
    observed = observe(root)
    copy: Path | None = None
    t0 = time.monotonic()
    try:
        if head is None:
            run.record(
                DrillStep.SCRATCH,
                (StepResult.FAIL, DrillReason.NO_COMMITS),
                t0,
                None,
                "the repository has no commits",
            )
        else:
            try:
                copy = scratch.make_scratch(root, head)
                _force_safety(copy, opts)
            except (KrxError, OSError) as err:
                run.record(
                    DrillStep.SCRATCH,
                    (StepResult.FAIL, DrillReason.SCRATCH_FAILED),
                    t0,
                    None,
                    str(err),
                )
                copy = None
            else:
                run.record(DrillStep.SCRATCH, rules.PASS, t0, None, f"HEAD {head[:12]} cloned")
        if copy is None:
            for step in list(DrillStep)[1:]:
                run.skip(step, "no scratch copy")
        else:
            _steps_in_copy(run, copy)
        ops = st.read_valid(copy, "ops_summary", OpsSummaryV1) if copy else None
        receipt = st.read_valid(copy, "live_cycle_receipt", LiveCycleReceiptV1) if copy else None
    finally:
        _cleanup(copy, opts.keep_scratch)
    result, exit_code = rules.overall((s.result, s.reason) for s in run.steps)
    return DrillReportV1(
        asof=opts.day,
        generated_at=opts.now,
        producer=producer("drill", root),
        inputs=tuple(input_ref(root, registry.get(n).path, None) for n in SAFETY_FILES),
        head_commit=head,
        real_tree_dirty=scratch.tree_dirty(root) if head else False,
        observed_safety=observed,
        forced_safety=ForcedSafety(
            gate=ExecutionGate.MOCK_ONLY, real_sender_enabled=False, removed_env=scratch.REMOVED_ENV
        ),
        steps=tuple(run.steps),
        ops_status=ops.overall_status if ops and ops.asof == opts.day else None,
        cycle=CycleView(
            result=receipt.result,
            decision=receipt.decision,
            reason=receipt.reason,
            delivery_actual=receipt.push.delivery_actual,
        )
        if receipt and receipt.asof == opts.day
        else None,
        overall_result=result,
        exit_code=exit_code,
        duration_ms=int((clock() - start) * 1000),
    )
