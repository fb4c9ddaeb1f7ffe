"""The server's daily run (``krx daily server``; cron/systemd via ``deploy/oci/daily_ops.sh``).

Reads like the runbook: take the lock -> recover what a killed run left -> the steps in
``pipeline.core.server_steps.STEPS`` (pull, health, ops_summary, live_cycle, commit, resolve;
the DVC stages through ``dvc repro`` exactly as an operator would run them) -> write the
scheduler record and commit it on its own -> push. The exit code is 0, 2 or 3 and nothing else:
the worst step; a run that cannot take the lock exits 3 and changes nothing; any unexpected
error is a fault with a one-line reason.

Git is correct by construction (``pipeline.io.gitsync``): only SERVER-owned paths are committed
(pathspec, never the index as it is); a commit that may have reached the remote is never
rewritten (a failed push adds a new record commit; the next run pushes both); a pull replays
only unpushed local commits. ``krx drill`` runs this same flow in a scratch copy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.live import LiveCycleReceiptV2
from pipeline.artifacts.ops import OpsSummaryV2
from pipeline.artifacts.scheduler import RESULT_CODES, SchedulerRecordV1, SchedulerStep
from pipeline.core import ownership
from pipeline.core import server_steps as core
from pipeline.core.alerts import StepOutcome, alert_text
from pipeline.core.schedule import missed_sessions
from pipeline.enums import (
    ArtifactKind,
    BundleStatus,
    OverallStatus,
    Owner,
    PushState,
    SchedulerStepResult,
    ServerStep,
)
from pipeline.errors import (
    EXIT_BLOCKED,
    EXIT_FAULT,
    EXIT_OK,
    EXIT_RESULT,
    SUMMARY_EXIT,
    KrxError,
    as_exit_code,
)
from pipeline.flows import stage_runner
from pipeline.flows.alert import send_alert
from pipeline.io import api_probe, heartbeat
from pipeline.io import server_state as st
from pipeline.io.context import SEOUL, producer
from pipeline.io.dvc_session import DvcSession
from pipeline.io.gitsync import GitSync, GitSyncError
from pipeline.io.validate import Problem, prepare_validators, registered_files, validate_files
from pipeline.krx_calendar import load_calendar

LOCK_NAME = "krx-daily-ops.lock"
#: The dead-man's switch URL (unset: no ping); the drill's scratch run never has it.
HEARTBEAT_ENV = "KRX_HEARTBEAT_URL"
RECORD = "scheduler_record"
SERVER_DVC = "server/dvc.yaml"  # the server's own pipeline (and server/dvc.lock beside it)
PUSH_ATTEMPTS = 5

Log = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


@dataclass(frozen=True)
class Settings:
    """One run's configuration (``from_env`` reads the environment the wrapper set)."""

    root: Path
    asof: dt.date
    now: dt.datetime
    env: Mapping[str, str]  # the environment of every process the run starts (dvc, stages)
    remote: str = "origin"
    branch: str | None = None  # None: the checked-out branch (read after recovery), or main
    push: str | None = None  # KRX_PUSH: "0" disables; default pushes when a remote exists
    api_url: str = api_probe.DEFAULT_API
    net_timeout_s: float = 60.0
    lock_wait_s: float = 30.0
    stage_timeout_s: float = 900.0
    #: Runs ``dvc repro`` arguments; None: real ``dvc`` (production and the drill: one DVC worker
    #: process per run, ``pipeline.io.dvc_session``).
    #: ``pipeline.flows.stage_runner.run_in_process`` runs the same stages in this process.
    runner: Callable[[Path, Sequence[str], Mapping[str, str]], int] | None = None

    @classmethod
    def from_env(cls, root: Path, environ: Mapping[str, str]) -> Settings:
        from pipeline.io.context import now_seoul, requested_asof

        return cls(
            root=root,
            asof=requested_asof(),
            now=now_seoul(),
            env=dict(environ),
            remote=environ.get("KRX_REMOTE") or "origin",
            branch=environ.get("KRX_BRANCH") or None,
            push=environ.get("KRX_PUSH"),
            api_url=(environ.get("KRX_API_URL") or api_probe.DEFAULT_API).rstrip("/"),
            net_timeout_s=float(environ.get("KRX_NET_TIMEOUT") or 60),
            lock_wait_s=float(environ.get("KRX_LOCK_WAIT") or 30),
        )


@dataclass(frozen=True)
class Outcome:
    """What the run did: its exit code, the record (None: lock not taken) and today's receipt."""

    exit_code: int
    line: str
    steps: tuple[SchedulerStep, ...] = ()
    record: SchedulerRecordV1 | None = None
    receipt: LiveCycleReceiptV2 | None = None
    ops_status: OverallStatus | None = None


@dataclass
class _Run:
    s: Settings
    sync: GitSync
    log: Log
    branch: str = "main"
    plan: core.RemotePlan = field(
        default_factory=lambda: core.RemotePlan(False, PushState.NO_REMOTE, None)
    )
    steps: list[SchedulerStep] = field(default_factory=list)
    health_ok: bool = True
    outputs_valid: bool = True
    pulled: bool = False
    missed: tuple[dt.date, ...] = ()  # sessions since the last recorded run without a run
    outputs_commit: str | None = None
    dvc: DvcSession | None = None  # the run's DVC worker (None: not started, or a test runner)

    def record(
        self, step: ServerStep, code: int, t0: float, msg: str, skipped: bool = False
    ) -> None:
        code = as_exit_code(code)
        result = SchedulerStepResult.SKIPPED if skipped else EXIT_RESULT[code]
        msg = " ".join(msg.split())[:500]
        self.log(f"step {step.value}: exit {RESULT_CODES[result]}: {msg}")
        self.steps = [x for x in self.steps if x.name != step.value]
        self.steps.append(
            SchedulerStep(
                name=step.value,
                result=result,
                exit_code=RESULT_CODES[result],
                started_at=dt.datetime.fromtimestamp(t0, SEOUL),
                duration_s=round(max(0.0, time.time() - t0), 3),
                message=msg,
            )
        )


# --- the lock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def run_lock(git_dir: Path, wait_s: float) -> Iterator[bool]:
    """An fcntl lock on a file in the git dir; yields False if another run held it for wait_s."""
    with (git_dir / LOCK_NAME).open("a") as handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --- processes --------------------------------------------------------------------------------


def _process_env(s: Settings) -> dict[str, str]:
    """The stages run with this interpreter's venv first on PATH, the run's clock and role."""
    env = dict(s.env)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.update(
        KRX_ROLE="SERVER",
        KRX_ASOF=s.asof.isoformat(),
        KRX_NOW=s.now.isoformat(),
        TZ="Asia/Seoul",
        PYTHONUTF8="1",
        DVC_NO_ANALYTICS="1",
    )
    env.pop("DVC_STAGE", None)
    return env


def dvc_repro(run: _Run, *target: str) -> int:
    """``dvc repro --no-run-cache TARGET`` in the run's DVC worker, its output in the log.

    While DVC runs the stages, this process builds the validators it checks their outputs with.
    """
    if run.s.runner is not None:
        return run.s.runner(run.s.root, target, _process_env(run.s))
    assert run.dvc is not None, "the run starts its DVC worker before its steps"
    return run.dvc.run(["repro", "--no-run-cache", *target], run.log, _prepare_validation)


def _prepare_validation() -> None:
    prepare_validators(s.schema_id for s in registry.json_specs() if s.owner is Owner.SERVER)


# --- steps ------------------------------------------------------------------------------------


def _short(run: _Run) -> str:
    return (run.sync.head() or "none")[:7]


def step_pull(run: _Run) -> tuple[int, str]:
    if run.plan.fault:
        return EXIT_FAULT, run.plan.fault + "; working with the local checkout"
    if not run.plan.sync:
        return EXIT_OK, f"no remote '{run.s.remote}': working with the local checkout"
    try:
        action = run.sync.pull_rebase(run.s.remote, run.branch)
    except GitSyncError as err:
        return EXIT_FAULT, (
            f"git pull {run.s.remote} {run.branch} failed (remote unreachable?): working with "
            f"the last pulled state {_short(run)}; the resolver keeps serving it ({err})"
        )
    run.pulled = True
    return EXIT_OK, f"pulled {run.s.remote}/{run.branch} ({action.value}): HEAD {_short(run)}"


def step_health(run: _Run) -> tuple[int, str]:
    try:
        api_probe.fetch(run.s.api_url + "/api/ops/health", timeout=5.0)
    except api_probe.Unhealthy as err:
        run.health_ok = False
        return EXIT_FAULT, (
            f"resolver not reachable at {run.s.api_url}/api/ops/health ({err}): start it "
            "(systemctl start krx-ops-api); steps 3-4 still run, step 5 cannot verify"
        )
    return EXIT_OK, f"resolver answers at {run.s.api_url}"


#: Inputs a stage judges one by one (a malformed ticket gets a REJECTED MALFORMED result and
#: the others go on): not a reason to fault the whole run, every run.
JUDGED_INPUTS = frozenset({"ticket"})


def _problems(run: _Run, owner: Owner | None) -> list[Problem]:
    """Every problem in the registered JSON artifacts (of ``owner``, or all of them).

    Operator tickets are not among them: the tickets stage judges each file and rejects a bad
    one alone with a result naming why, so one malformed ticket never faults a run.
    """
    rels = []
    for rel in registered_files(run.s.root):
        spec = registry.spec_for_path(rel)
        if spec is None or spec.kind is not ArtifactKind.JSON or spec.name in JUDGED_INPUTS:
            continue
        if owner is None or spec.owner is owner:
            rels.append(rel)
    # Files unchanged since they last validated clean (same bytes, same code) are not re-read.
    out = validate_files(run.s.root, rels, use_cache=True)
    for p in out:
        run.log(str(p))
    return out


def _server_outputs_valid(run: _Run, after: str) -> tuple[int, str] | None:
    if _problems(run, Owner.SERVER):
        run.outputs_valid = False
        return EXIT_FAULT, (
            f"server artifacts invalid after {after} (errors above): they will not be committed"
        )
    return None


def step_ops_summary(run: _Run) -> tuple[int, str]:
    # tickets, then ops_summary: the stages of ``dvc repro server/dvc.yaml:ops_summary``, named
    # one by one so DVC loads only the server's pipeline, not the PC's (never upstream of it).
    stages = stage_runner.order(run.s.root, f"{SERVER_DVC}:ops_summary")
    if dvc_repro(run, "--single-item", *(f"{SERVER_DVC}:{x}" for x in stages)) != 0:
        return EXIT_FAULT, "dvc repro tickets + ops_summary failed (see the log above)"
    # JSON only: the server reads none of the PC's parquet/CSV/text (the PC validated them).
    if _problems(run, None):
        bad = _server_outputs_valid(run, "ops_summary")
        return bad or (
            EXIT_FAULT,
            "an upstream (PC) artifact is invalid (errors above): fix it on the PC and push; "
            "the server stages fail closed on it",
        )
    return EXIT_OK, "tickets and ops_summary reproduced; every artifact is valid"


def todays_receipt(root: Path, day: dt.date) -> LiveCycleReceiptV2 | None:
    r = st.read_valid(root, "live_cycle_receipt", LiveCycleReceiptV2)
    return r if r is not None and r.asof == day else None


def step_live_cycle(run: _Run) -> tuple[int, str]:
    if dvc_repro(run, "--single-item", f"{SERVER_DVC}:live_cycle") != 0:
        return EXIT_FAULT, "dvc repro live_cycle failed (see the log above)"
    bad = _server_outputs_valid(run, "live_cycle")
    if bad:
        return bad
    r = todays_receipt(run.s.root, run.s.asof)
    if r is None:
        return EXIT_FAULT, f"no valid live-cycle receipt for {run.s.asof}"
    return as_exit_code(r.exit_code), (
        f"asof={r.asof} result={r.result} decision={r.decision} reason={r.reason} "
        f"snapshot_ref={r.snapshot_ref} delivery={r.push.delivery_actual}"
    )


def step_commit(run: _Run) -> tuple[int, str]:
    if not run.outputs_valid:
        return EXIT_FAULT, (
            f"server artifacts invalid: nothing committed; the resolver keeps serving {_short(run)}"
        )
    specs = ownership.owned_pathspecs(Owner.SERVER, produced=True)
    changed = run.sync.changed(specs)
    if not changed:
        return EXIT_OK, "nothing changed"
    message = ownership.commit_message(Owner.SERVER, run.s.asof.isoformat(), changed)
    try:
        run.outputs_commit = run.sync.commit_paths(changed, message)
    except GitSyncError as err:
        return EXIT_FAULT, f"git commit of the server artifacts failed: {err}"
    return EXIT_OK, f"{_short(run)} {message.splitlines()[0]}"


def check_served(
    what: str,
    base: str,
    asof: str | None,
    commit: str | None,
    timeout: float = 5.0,
    served_only: bool = False,
) -> tuple[int, str]:
    """One 1-minute check through the resolver: its exit code and line (``krx check``)."""
    try:
        env = api_probe.fetch(base + api_probe.ROUTES[what], timeout)
        row = api_probe.served_row(env, asof, commit)
    except api_probe.Unhealthy as finding:
        return EXIT_FAULT, f"FAULT {what}: {finding}"
    raw, line = api_probe.check_line(what, env, row)
    if what == "live-cycle":
        code = raw if isinstance(raw, int) else None
    else:
        known = isinstance(raw, str) and raw in set(OverallStatus)
        code = SUMMARY_EXIT.get(OverallStatus(str(raw))) if known else None
    if code not in (EXIT_OK, EXIT_BLOCKED, EXIT_FAULT):
        return EXIT_FAULT, f"FAULT {what}: no usable exit code in {line}"
    return (EXIT_OK if served_only else int(code)), line


def step_resolve(run: _Run) -> tuple[int, str]:
    if not run.health_ok:
        return EXIT_FAULT, "resolver was not reachable in step 2: the new receipt is not verified"
    worst, lines = EXIT_OK, list[str]()
    for what in api_probe.ROUTES:
        code, line = check_served(
            what, run.s.api_url, run.s.asof.isoformat(), run.sync.head(), served_only=True
        )
        worst, lines = max(worst, code), [*lines, line]
    return worst, " | ".join(lines)


STEP_FUNCTIONS: dict[ServerStep, Callable[[_Run], tuple[int, str]]] = {
    ServerStep.PULL: step_pull,
    ServerStep.HEALTH: step_health,
    ServerStep.OPS_SUMMARY: step_ops_summary,
    ServerStep.LIVE_CYCLE: step_live_cycle,
    ServerStep.COMMIT: step_commit,
    ServerStep.RESOLVE: step_resolve,
}


def _guarded(run: _Run, step: ServerStep) -> None:
    """Run one step; an unexpected error is that step's FAULT with a one-line reason."""
    t0 = time.time()
    try:
        code, msg = STEP_FUNCTIONS[step](run)
    except Exception as err:  # the run always ends with a record and 0/2/3
        code, msg = EXIT_FAULT, f"{type(err).__name__}: {err}"
    run.record(step, code, t0, msg)


# --- the record and the push ------------------------------------------------------------------


def _record(run: _Run, started: float, trading: bool, push: PushState, head_before: str | None,
            head_pulled: str | None) -> SchedulerRecordV1:  # fmt: skip
    code = core.worst(x.exit_code for x in run.steps)
    return SchedulerRecordV1(
        asof=run.s.asof,
        generated_at=dt.datetime.now(SEOUL),
        producer=producer("daily_ops", run.s.root),
        started_at=dt.datetime.fromtimestamp(started, SEOUL),
        finished_at=dt.datetime.now(SEOUL),
        duration_s=round(max(0.0, time.time() - started), 3),
        trading_day=trading,
        steps=tuple(run.steps),
        exit_code=code,
        result=EXIT_RESULT[code],
        head_before=head_before,
        head_pulled=head_pulled,
        outputs_commit=run.outputs_commit,
        remote=run.s.remote,
        branch=run.branch,
        push=push,
        missed_sessions=run.missed,
    )


def _missed(run: _Run) -> tuple[dt.date, ...]:
    """Sessions since the last recorded run (its record, as pulled) that had no run: reported."""
    last = st.read_valid(run.s.root, RECORD, SchedulerRecordV1)
    if last is not None and last.asof == run.s.asof:
        return last.missed_sessions  # a rerun of the day (e.g. after a crash) keeps its report
    try:
        missed = missed_sessions(last.asof if last else None, run.s.asof, load_calendar(run.s.root))
    except KrxError:
        return ()
    if missed:
        days = ", ".join(d.isoformat() for d in missed)
        run.log(f"missed KRX sessions since the last run ({last and last.asof}): {days}")
    return missed


def _commit_record(run: _Run, record: SchedulerRecordV1, amend_unpublished: bool = False) -> None:
    st.write(run.s.root, RECORD, record)
    specs = ownership.owned_pathspecs(Owner.SERVER, produced=False, only=(RECORD,))
    message = ownership.commit_message(Owner.SERVER, run.s.asof.isoformat(), list(specs))
    if amend_unpublished:
        run.sync.amend_unpublished(specs, run.s.remote, run.branch)
    else:
        run.sync.commit_paths(specs, message)


def _push(run: _Run, write: Callable[[PushState, bool], None]) -> PushState:
    """Push HEAD; a rejection rebases our unpushed commits, rewrites the (never published)
    record with the rebased outputs commit, and retries. A failure adds a FAILED record commit."""
    t0 = time.time()
    last = ""
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        try:
            run.sync.push(run.s.remote, run.branch, retries=1)
        except GitSyncError as err:
            last = str(err)
            run.log(f"push rejected (attempt {attempt}): pull --rebase and retry ({err})")
        else:
            run.log(f"pushed to {run.s.remote}/{run.branch}")
            return PushState.PUSHING
        if attempt == PUSH_ATTEMPTS:
            break
        before = run.sync.head()
        try:
            run.sync.pull_rebase(run.s.remote, run.branch)
        except GitSyncError as err:
            last = str(err)
            break
        if run.sync.head() != before and run.outputs_commit:
            # The rebase gave this run's commits new ids that nobody has seen: the record
            # names the rebased outputs commit (its own commit is rewritten, never published).
            run.outputs_commit = run.sync.out("rev-parse", "HEAD~1").strip()
            write(PushState.PUSHING, True)
        time.sleep(min(attempt, 3) * 0.5)
    run.record(
        ServerStep.PUSH,
        EXIT_FAULT,
        t0,
        f"git push to {run.s.remote}/{run.branch} failed: the commits stay local; the next run "
        f"pushes them ({last})",
    )
    write(PushState.FAILED, False)
    return PushState.FAILED


# --- the run ----------------------------------------------------------------------------------


def run_daily(s: Settings, log: Log = _print, dvc: DvcSession | None = None) -> Outcome:
    """The server's daily run on ``s.root``; never raises, exit code 0/2/3.

    ``dvc``: a DVC worker the caller started early for ``s.root`` (``krx daily server`` does,
    so that DVC's import overlaps this module's); the run sets its environment and ends it.

    A run that ends BLOCKED or FAULT sends exactly one alert (``pipeline.flows.alert``). The
    heartbeat URL (``KRX_HEARTBEAT_URL``, healthchecks.io convention) hears the start and the
    end with the exit code, so a run that never starts is noticed off the server.
    """
    beat = s.env.get(HEARTBEAT_ENV) or None
    heartbeat.ping(beat, "start", log=log)
    try:
        out = _run_daily(s, log, dvc)
    finally:
        if dvc is not None:
            dvc.close()
    if out.exit_code == EXIT_OK:
        heartbeat.ping(beat, "success", log=log)
    else:
        heartbeat.ping(beat, "fail", exit_code=out.exit_code, log=log)
    text = alert_text(
        s.asof,
        out.exit_code,
        [StepOutcome(x.name, x.exit_code, x.message) for x in out.steps]
        or [StepOutcome("lock" if "lock" in out.line else "run", out.exit_code, out.line)],
        out.receipt.reason if out.receipt and out.receipt.exit_code == out.exit_code else None,
        bundle_late=out.receipt is not None and out.receipt.bundle_status is BundleStatus.LATE,
    )
    if text is not None:
        try:
            send_alert(s.root, s.env, text, log)
        except Exception as err:  # the alert must never turn a run into a crash
            log(f"alert: {type(err).__name__}: {err}")
            log(text)
    return out


def _run_daily(s: Settings, log: Log, dvc: DvcSession | None) -> Outcome:
    try:
        sync = GitSync(s.root, net_timeout_s=s.net_timeout_s)
        git_dir = sync.git_dir()
    except Exception as err:
        return Outcome(EXIT_FAULT, f"FAULT: {s.root} is not a git checkout ({err})")
    with run_lock(git_dir, s.lock_wait_s) as taken:
        if not taken:
            line = (
                f"FAULT: another daily run is running (another daily_ops.sh is running: lock "
                f"{git_dir / LOCK_NAME} held for {s.lock_wait_s:.0f} s): this run changed "
                "nothing; the running one writes the scheduler record"
            )
            log(line)
            return Outcome(EXIT_FAULT, line)
        try:
            return _locked(s, sync, log, dvc)
        except Exception as err:  # anything unexpected: a fault with one line, never a traceback
            line = f"FAULT: {type(err).__name__}: {' '.join(str(err).split())[:300]}"
            log(line)
            return Outcome(EXIT_FAULT, line)


def _locked(s: Settings, sync: GitSync, log: Log, dvc: DvcSession | None) -> Outcome:
    started = time.time()
    run = _Run(s, sync, log)
    run.branch, repaired = sync.recover(s.branch)
    for line in repaired:
        log(line)
    run.plan = core.remote_plan(s.remote, sync.remotes(), s.push)
    head_before = sync.head()
    head_pulled, trading = head_before, None
    if s.runner is None:  # DVC imports in its worker while the pull and the health check run
        run.dvc = dvc or DvcSession(s.root, {})
        run.dvc.env, run.dvc.timeout_s = _process_env(s), s.stage_timeout_s
        with contextlib.suppress(OSError):  # then the first dvc step says it cannot start
            run.dvc.start()
    try:
        for step in core.STEPS:
            if step in core.SESSION_STEPS:
                trading = _session_step(run, step, trading)
                continue
            _guarded(run, step)
            if step is ServerStep.PULL:
                head_pulled = sync.head()
                run.missed = _missed(run)
    finally:
        if run.dvc is not None:
            run.dvc.close()
    trading = trading is True
    push = run.plan.push
    if run.plan.sync and not run.pulled and push is PushState.PUSHING:
        push = PushState.FAILED  # the remote did not answer the pull: the record says so

    def write(state: PushState, amend: bool) -> None:
        rec = _record(run, started, trading, state, head_before, head_pulled)
        _commit_record(run, rec, amend_unpublished=amend)

    write(push, False)
    if push is PushState.PUSHING:
        push = _push(run, write)
    record = _record(run, started, trading, push, head_before, head_pulled)
    code = record.exit_code
    receipt = todays_receipt(s.root, s.asof)
    ops = st.read_valid(s.root, "ops_summary", OpsSummaryV2)
    line = f"done: exit {code}"
    log(line)
    return Outcome(
        code,
        line,
        tuple(run.steps),
        record,
        receipt,
        ops.overall_status if ops and ops.asof == s.asof else None,
    )


def _is_session(run: _Run) -> bool | str:
    """Whether the as-of day is a KRX session, or why that cannot be known."""
    try:
        trading = bool(load_calendar(run.s.root).is_trading_day(run.s.asof))
    except Exception as err:  # the calendar file is PC-owned input
        return f"cannot read the KRX calendar: {err}"
    day = "session" if trading else "closed"
    run.log(f"asof {run.s.asof} ({day}) on {run.branch} at {_short(run)}")
    return trading


def _session_step(run: _Run, step: ServerStep, trading: bool | str | None) -> bool | str:
    """Run a session-only step (on a non-session day it is SKIPPED)."""
    if trading is None:
        trading = _is_session(run)
    if isinstance(trading, str):
        run.record(step, EXIT_FAULT, time.time(), trading)
    elif trading:
        _guarded(run, step)
    else:
        msg = f"{run.s.asof} is not a KRX trading day: the server stages have nothing to do"
        run.record(step, EXIT_OK, time.time(), msg, skipped=True)
    return trading
