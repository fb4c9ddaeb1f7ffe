"""The PC's daily run (DESIGN §5): one flow owns the lock, the step order, git and the exit code.

    lock -> recover git -> pull (the server's commits) -> dvc repro -> server freshness
    -> validate -> commit the PC's own paths -> push (retried after a push race)

Exit codes: 0 done (also "nothing changed"), 2 blocked (an artifact the PC owns is invalid, so
nothing is committed), 3 operational fault — never anything else. Running it twice changes
nothing. Environment (``PcSettings.from_env``): ``KRX_REMOTE`` (default: ``origin`` if any
remote exists), ``KRX_BRANCH`` (default: the current branch), ``KRX_PUSH=0`` to keep the commit
local, ``KRX_ASOF`` to replay a day (read by the clock stage).

The git steps are few and local on purpose (pull, commit by pathspec, push, recovery of what a
killed run leaves): they are meant to be pointed at the shared git-sync module later.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.core.schedule import server_run_age
from pipeline.enums import Owner
from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK, KrxError
from pipeline.io.context import SEOUL, now_seoul, pinned_asof
from pipeline.io.gitcli import run_git
from pipeline.io.runlock import run_lock
from pipeline.io.validate import validate_all
from pipeline.krx_calendar import load_calendar

Log = Callable[[str], None]

#: Registry stages whose artifacts the operator or a command writes, not the pipeline.
NOT_PRODUCED = frozenset({"operator", "daily_ops", "drill"})
PC_LOCK_FILE = "dvc.lock"
#: A git lock file older than this was left by a killed git (we hold the run lock).
STALE_GIT_LOCK_S = 30.0
#: Server records whose ``asof`` says when the server last ran.
SERVER_RECORDS = ("scheduler_record", "live_cycle_receipt")


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
        gitdir = _git(root, "rev-parse", "--absolute-git-dir", timeout=10).strip()
        with run_lock(Path(gitdir) / "krx-daily.lock", settings.lock_wait_s, "PC daily run"):
            return _steps(root, Path(gitdir), settings, log)
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
    recover(root, gitdir, log)
    branch = s.branch or _current_branch(root)
    remote = _remote(root, s.remote, log)
    if remote is not None:
        log(f"pull {remote}/{branch}")
        _pull(root, gitdir, remote, branch, s.git_timeout_s, log)
    log("dvc repro")
    _clear_dead_dvc_locks(root, log)
    code = subprocess.run([sys.executable, "-m", "dvc", "repro"], cwd=root, check=False)
    if code.returncode != 0:
        raise FaultError(f"dvc repro failed (exit {code.returncode}); see its output above")
    server_freshness(root, log)
    log("validate")
    _validate(root, log)
    log(f"commit: {commit_owned(root, Owner.PC, s.git_timeout_s)}")
    if remote is None or not s.push:
        log("push skipped" + (" (KRX_PUSH=0)" if remote is not None else " (no remote)"))
        return EXIT_OK
    _push(root, gitdir, remote, branch, s, log)
    return EXIT_OK


# --- git ---------------------------------------------------------------------------------


def _git(root: Path, *args: str, timeout: float = 120.0, input_text: str | None = None) -> str:
    code, out, err = run_git(root, *args, timeout=timeout, input_text=input_text)
    if code != 0:
        raise FaultError(f"git {' '.join(args[:3])}: {(err or out).strip() or f'exit {code}'}")
    return out


def recover(root: Path, gitdir: Path, log: Log) -> None:
    """Undo what a killed run can leave: git lock files and a rebase in progress."""
    for rel in ("index.lock", "HEAD.lock"):
        lock = gitdir / rel
        try:
            age = time.time() - lock.stat().st_mtime
        except FileNotFoundError:
            continue
        if age < STALE_GIT_LOCK_S:
            raise FaultError(f"{lock} is fresh: is another git running? retry in a minute")
        lock.unlink()
        log(f"recovered: removed stale {rel} ({age:.0f} s old)")
    if _rebasing(gitdir):
        _git(root, "rebase", "--abort")
        log("recovered: aborted a rebase left by an earlier run")


def _rebasing(gitdir: Path) -> bool:
    return (gitdir / "rebase-merge").exists() or (gitdir / "rebase-apply").exists()


def _current_branch(root: Path) -> str:
    code, out, _ = run_git(root, "symbolic-ref", "-q", "--short", "HEAD", timeout=10)
    if code != 0 or not out.strip():
        raise FaultError("HEAD is detached: `git checkout <branch>` (or set KRX_BRANCH) and rerun")
    return out.strip()


def _remote(root: Path, wanted: str | None, log: Log) -> str | None:
    remotes = _git(root, "remote", timeout=10).split()
    if wanted is not None:
        if wanted not in remotes:
            have = ", ".join(remotes) or "none"
            raise FaultError(f"KRX_REMOTE={wanted!r} is not a git remote here (remotes: {have})")
        return wanted
    if "origin" in remotes:
        return "origin"
    if remotes:
        raise FaultError(f"no remote 'origin' (remotes: {', '.join(remotes)}): set KRX_REMOTE")
    log("no git remote: working in the local checkout, nothing is pulled or pushed")
    return None


def _pull(root: Path, gitdir: Path, remote: str, branch: str, timeout: float, log: Log) -> None:
    args = ("pull", "--rebase", "--autostash", "-q", remote, branch)
    code, out, err = run_git(root, *args, timeout=timeout)
    if code == 0:
        return
    if _rebasing(gitdir):
        run_git(root, "rebase", "--abort", timeout=60)
    text = (err or out).strip()
    if "couldn't find remote ref" in text:
        log(f"{remote}/{branch} does not exist yet: the push creates it")
        return
    raise FaultError(f"git pull {remote} {branch} failed: {text}")


def pc_pathspecs(owner: Owner) -> list[str]:
    """Git pathspecs of the pipeline outputs ``owner`` commits, and its dvc lock file."""
    specs = [
        f":(glob){a.glob}" if a.is_collection else a.path
        for a in registry.ARTIFACTS
        if a.owner is owner and a.stage not in NOT_PRODUCED
    ]
    return [*specs, PC_LOCK_FILE]


def commit_owned(root: Path, owner: Owner, timeout: float = 120.0) -> str:
    """Commit the owner's changed outputs by pathspec (never whatever else is staged)."""
    tracked = set(_git(root, "ls-files", "-z").split("\0"))
    present = []
    for spec in pc_pathspecs(owner):
        pattern = spec.removeprefix(":(glob)")
        if pattern != spec:
            if any(root.glob(pattern)) or any(fnmatch.fnmatch(t, pattern) for t in tracked):
                present.append(spec)
        elif (root / spec).exists() or spec in tracked:
            present.append(spec)
    if not present:
        return "nothing changed"
    _git(root, "add", "-A", "--", *present)
    out = _git(root, "diff", "--cached", "--name-only", "-z", "--", *present)
    staged = sorted(p for p in out.split("\0") if p)
    if not staged:
        return "nothing changed"
    message = _message(root, owner, staged)
    _git(root, "commit", "-q", "--no-verify", "-F", "-", "--", *staged, input_text=message)
    return _git(root, "log", "-1", "--format=%h %s").strip()


def _message(root: Path, owner: Owner, staged: list[str]) -> str:
    names = sorted({s.name for p in staged if (s := registry.spec_for_path(p)) is not None})
    try:
        asof = pinned_asof(root).isoformat()
    except KrxError:
        asof = "unknown"
    subject = f"artifact({owner.value.lower()}): asof {asof} [{', '.join(names) or 'dvc.lock'}]"
    return subject + "\n\n" + "\n".join(f"- {p}" for p in staged) + "\n"


def _push(root: Path, gitdir: Path, remote: str, branch: str, s: PcSettings, log: Log) -> None:
    # Never amend: a push that timed out may have reached the remote; the next pull --rebase
    # then finds the commit upstream and the retry is a no-op push.
    for attempt in range(1, s.push_attempts + 1):
        code, out, err = run_git(
            root, "push", "-q", remote, f"HEAD:{branch}", timeout=s.git_timeout_s
        )
        if code == 0:
            log(f"pushed to {remote}/{branch}")
            return
        why = (err or out).strip()[:200]
        log(f"push rejected (attempt {attempt}): pull --rebase and retry ({why})")
        _pull(root, gitdir, remote, branch, s.git_timeout_s, log)
        time.sleep(attempt)
    raise FaultError(f"push to {remote}/{branch} failed after {s.push_attempts} attempts")


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
