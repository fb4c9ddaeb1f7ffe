"""The PC's daily run (DESIGN §5): one flow owns the lock, the step order, git and the exit code.

    lock -> recover git -> pull (the server's commits) -> dvc repro -> server freshness
    -> validate -> commit the PC's own paths -> push (retried after a push race)

Exit codes: 0 done (also "nothing changed"), 2 blocked (an artifact the PC owns is invalid, so
nothing is committed), 3 operational fault — never anything else. Running it twice changes
nothing. Environment (``PcSettings.from_env``): ``KRX_REMOTE`` (default: ``origin`` if any
remote exists), ``KRX_BRANCH`` (default: the current branch), ``KRX_PUSH=0`` to keep the commit
local, ``KRX_ASOF`` to replay a day (read by the clock stage).

Git goes through ``pipeline.io.gitsync`` with the server's daily run: the same recovery of what
a killed run leaves, the same remote rule (``pipeline.core.server_steps.remote_plan``), the same
pathspec commit of the registry's owned paths (``pipeline.core.ownership``), the same push that
never rewrites a commit the remote may have. Only one thing differs: on the PC the operator may
be running git at the same moment, so a git lock file younger than ``STALE_GIT_LOCK_S`` is a
fault ("is another git running?") rather than a leftover.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.core.ownership import commit_message as ownership_message
from pipeline.core.ownership import owned_pathspecs
from pipeline.core.schedule import server_run_age
from pipeline.core.server_steps import remote_plan
from pipeline.enums import Owner, PushState
from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK, KrxError
from pipeline.io.context import SEOUL, now_seoul, pinned_asof
from pipeline.io.gitsync import GitSync, GitSyncError
from pipeline.io.runlock import run_lock
from pipeline.io.validate import validate_all
from pipeline.krx_calendar import load_calendar

Log = Callable[[str], None]

#: A git lock file older than this was left by a killed git (we hold the run lock).
STALE_GIT_LOCK_S = 30.0
#: Server records whose ``asof`` says when the server last ran.
SERVER_RECORDS = ("scheduler_record", "live_cycle_receipt")
#: What the PC's ``dvc repro`` reproduces: every stage of the PC pipeline (never the server's
#: ``server/dvc.yaml``).
PIPELINE = "dvc.yaml"


class FaultError(KrxError):
    """A step failed: exit 3 with one line saying what to do."""

    exit_code = EXIT_FAULT


class BlockedError(KrxError):
    """A safety rule stopped the run (an invalid PC artifact is never published): exit 2."""

    exit_code = EXIT_BLOCKED


@dataclass(frozen=True)
class PcSettings:
    remote: str | None = None  # KRX_REMOTE; None: "origin" if the repo has remotes
    branch: str | None = None  # KRX_BRANCH; None: the current branch
    push: bool = True  # KRX_PUSH=0 disables
    lock_wait_s: float = 60.0
    push_attempts: int = 5
    git_timeout_s: float = 120.0
    #: Runs ``dvc repro`` arguments; None: the real ``dvc repro`` process (DVC's skipping of
    #: unchanged stages and ``dvc.lock``). ``pipeline.flows.stage_runner.run_in_process`` runs
    #: every stage in this process instead (tests that run many evenings).
    runner: Callable[[Path, Sequence[str], Mapping[str, str]], int] | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PcSettings:
        return cls(
            remote=env.get("KRX_REMOTE") or None,
            branch=env.get("KRX_BRANCH") or None,
            push=env.get("KRX_PUSH", "1") != "0",
        )


def _log(msg: str) -> None:
    stamp = now_seoul().strftime("%Y-%m-%dT%H:%M:%S%z")
    print(f"{stamp} daily pc: {msg}", flush=True)


def run(root: Path, settings: PcSettings, log: Log = _log) -> int:
    """Run the PC's day; the exit code (0/2/3) and a log line per step."""
    try:
        try:
            gitdir = GitSync(root).git_dir()
        except GitSyncError as err:
            raise FaultError(f"{root} is not a git checkout ({err})") from None
        with run_lock(gitdir / "krx-daily.lock", settings.lock_wait_s, "PC daily run"):
            return _steps(root, gitdir, settings, log)
    except BlockedError as err:
        log(f"BLOCKED: {err}")
        return EXIT_BLOCKED
    except KrxError as err:  # FaultError, RetryableError, OperatorError: the run cannot go on
        log(f"FAULT: {err}")
        return EXIT_FAULT
    except Exception as err:
        log(f"FAULT: unexpected {type(err).__name__}: {err}")
        return EXIT_FAULT


def _steps(root: Path, gitdir: Path, s: PcSettings, log: Log) -> int:
    sync = GitSync(root, net_timeout_s=s.git_timeout_s)
    _check_fresh_locks(gitdir)
    branch, repaired = sync.recover(s.branch)
    for line in repaired:
        log(f"recovered: {line}")
    plan = remote_plan(s.remote or "origin", sync.remotes(), "1" if s.push else "0")
    if plan.fault:
        raise FaultError(plan.fault)
    remote = (s.remote or "origin") if plan.sync else None
    if remote is None:
        log("no git remote: working in the local checkout, nothing is pulled or pushed")
    else:
        log(f"pull {remote}/{branch}")
        _pull(sync, remote, branch, log)
    log("dvc repro")
    _clear_dead_dvc_locks(root, log)
    code = _repro(root, s)
    if code != 0:
        raise FaultError(f"dvc repro failed (exit {code}); see its output above")
    server_freshness(root, log)
    log("validate")
    _validate(root, log)
    log(f"commit: {commit_owned(root, sync)}")
    if remote is None or plan.push is not PushState.PUSHING:
        log("push skipped" + (" (KRX_PUSH=0)" if remote is not None else " (no remote)"))
        return EXIT_OK
    try:
        attempts = sync.push(remote, branch, retries=s.push_attempts)
    except GitSyncError as err:
        raise FaultError(f"{err}: the commit stays local; the next run pushes it") from None
    log(f"pushed to {remote}/{branch}" + (f" (after {attempts} attempts)" if attempts > 1 else ""))
    return EXIT_OK


def _repro(root: Path, s: PcSettings) -> int:
    if s.runner is not None:
        return s.runner(root, (PIPELINE,), os.environ)
    return subprocess.run([sys.executable, "-m", "dvc", "repro", PIPELINE], cwd=root).returncode


# --- git ---------------------------------------------------------------------------------


def _check_fresh_locks(gitdir: Path) -> None:
    """A young git lock may be the operator's own git (the cockpit, a shell): do not touch it."""
    for rel in ("index.lock", "HEAD.lock"):
        try:
            age = time.time() - (gitdir / rel).stat().st_mtime
        except FileNotFoundError:
            continue
        if age < STALE_GIT_LOCK_S:
            raise FaultError(f"{gitdir / rel} is fresh: is another git running? retry in a minute")


def _pull(sync: GitSync, remote: str, branch: str, log: Log) -> None:
    try:
        sync.pull_rebase(remote, branch)
    except GitSyncError as err:
        if "couldn't find remote ref" in str(err):
            log(f"{remote}/{branch} does not exist yet: the push creates it")
            return
        raise FaultError(f"git pull {remote} {branch} failed: {err}") from None


def commit_owned(root: Path, sync: GitSync) -> str:
    """Commit the PC's changed pipeline outputs by pathspec (never whatever else is staged)."""
    specs = owned_pathspecs(Owner.PC, produced=True)
    paths = sync.changed(specs)
    if not paths:
        return "nothing changed"
    try:
        asof = pinned_asof(root).isoformat()
    except KrxError:
        asof = "unknown"
    try:
        sync.commit_paths(specs, ownership_message(Owner.PC, asof, paths))
    except GitSyncError as err:
        raise FaultError(str(err)) from None
    return sync.out("log", "-1", "--format=%h %s").strip()


# --- dvc and validation ------------------------------------------------------------------


def _clear_dead_dvc_locks(root: Path, log: Log) -> None:
    """DVC's rwlock lists the pids of running dvc commands; a killed one stays listed."""
    path = root / ".dvc" / "tmp" / "rwlock"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    pids = {
        int(info["pid"])
        for kind in ("read", "write")
        for holders in (data.get(kind) or {}).values()
        for info in (holders if isinstance(holders, list) else [holders])
        if isinstance(info, dict) and str(info.get("pid", "")).isdigit()
    }
    if not any(_alive(pid) for pid in pids):
        path.unlink(missing_ok=True)
        if pids:
            log(f"recovered: removed DVC's rwlock of dead process(es) {sorted(pids)}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _validate(root: Path, log: Log) -> None:
    """Every artifact in the tree; an invalid PC-owned one blocks the commit."""
    files, problems = validate_all(root)
    mine = []
    for p in problems:
        spec = registry.spec_for_path(p.file)
        if spec is not None and spec.owner is Owner.PC:
            mine.append(p)
        else:
            log(f"warning (not the PC's to fix): {p}")
    for p in mine:
        print(p, file=sys.stderr)
    if mine:
        bad = sorted({p.file for p in mine})
        raise BlockedError(f"invalid PC artifact(s), nothing committed: {', '.join(bad)}")
    log(f"validated {len(files)} file(s)")


# --- the server's last run (issue 14: say plainly when it is old) -------------------------


def server_freshness(root: Path, log: Log) -> int | None:
    """Say plainly when the server's last recorded run is older than one session.

    The rule is ``pipeline.core.schedule.server_run_age`` (the resolver's health and the
    cockpit use it too); the last run is the newest asof of the server's records as pulled.
    """
    last = None
    for name in SERVER_RECORDS:
        try:
            raw = json.loads((root / registry.get(name).path).read_text(encoding="utf-8"))
            day = dt.date.fromisoformat(str(raw["asof"]))
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            continue
        last = day if last is None or day > last else last
    try:  # the evening of the PC's session: that session's 09:05 run is due
        evening = dt.datetime.combine(pinned_asof(root), dt.time(23, 59), SEOUL)
        age = server_run_age(last, evening, load_calendar(root))
    except KrxError:
        return None
    log(age.message if age.late else f"server: last run {last} (up to date)")
    return age.sessions_missed if last is not None else None
