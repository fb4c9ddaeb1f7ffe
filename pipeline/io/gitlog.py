"""Git reads and writes the operator's tools show: unpushed commits, history, commit and push."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.io.gitcli import git, run_git
from pipeline.params import PARAMS_FILE

# ---------------------------------------------------------------------------------- git

#: Seconds a push may take before the action gives up and says so.
PUSH_TIMEOUT_S = 60.0
#: The artifacts only the operator writes (the action log is their history + params.yaml).
OPERATOR_ARTIFACTS = ("execution_gate", "real_sender", "emergency_stop", "portfolio", "ticket")


@dataclass(frozen=True)
class LogEntry:
    """One commit: who, when, what subject, and which paths it touched."""

    commit: str
    author: str
    at: dt.datetime
    subject: str
    body: str = ""


@dataclass(frozen=True)
class PushResult:
    ok: bool
    output: str


def commit_paths(root: Path, paths: Sequence[str], message: str) -> str:
    """Commit only ``paths`` (other staged or dirty files are left alone); the new HEAD."""
    git(root, "add", "--", *paths)
    git(root, "commit", "-q", "-F", "-", "--only", "--", *paths, input_text=message)
    return git(root, "rev-parse", "HEAD").strip()


def network(root: Path, args: Sequence[str], timeout: float) -> PushResult:
    """A git command that talks to a remote: never waits for a password, gives up after
    ``timeout``; ok and the combined output (the cockpit's PULL/PUSH, the emergency stop)."""
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",  # fail instead of asking for a password on a tty
        "GIT_SSH_COMMAND": os.environ.get(
            "GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=10"
        ),
    }
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return PushResult(False, f"timed out after {timeout:.0f} s (remote unreachable?)")
    except OSError as err:
        return PushResult(False, str(err))
    out = "\n".join(s.strip() for s in (proc.stdout, proc.stderr) if s.strip())
    return PushResult(proc.returncode == 0, out or "(no output)")


def push(root: Path, timeout: float = PUSH_TIMEOUT_S) -> PushResult:
    """``git push`` that never waits for a password and gives up after ``timeout``."""
    return network(root, ["push"], timeout)


def upstream(root: Path) -> str | None:
    """The branch's upstream (``origin/main``), or None when it has none."""
    code, out, _ = run_git(
        root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", timeout=10
    )
    return out.strip() if code == 0 and out.strip() else None


def unpushed(root: Path, limit: int = 50) -> list[LogEntry] | None:
    """Local commits the upstream does not have, newest first (None: no upstream to compare)."""
    up = upstream(root)
    if up is None:
        return None
    return log(root, f"{up}..HEAD", limit=limit)


_SEP = "\x1f"
_END = "\x1e"


def log(root: Path, rev: str = "HEAD", *paths: str, limit: int = 50) -> list[LogEntry]:
    """``git log`` of ``rev`` (restricted to ``paths``), newest first; [] without commits."""
    fmt = _SEP.join(["%H", "%an", "%aI", "%s", "%b"]) + _END
    args = ["log", f"-n{limit}", f"--format={fmt}", rev]
    code, out, _ = run_git(root, *args, "--", *paths, timeout=30)
    if code != 0:
        return []
    entries = []
    for rec in out.split(_END):
        parts = rec.strip("\n").split(_SEP)
        if len(parts) != 5:
            continue
        sha, author, at, subject, body = parts
        entries.append(LogEntry(sha, author, dt.datetime.fromisoformat(at), subject, body.strip()))
    return entries


def params_history(root: Path, limit: int = 30) -> list[LogEntry]:
    """Who changed ``params.yaml``, when and why (the commit message), newest first."""
    return log(root, "HEAD", PARAMS_FILE, limit=limit)


def operator_log(root: Path, limit: int = 50) -> list[LogEntry]:
    """The operator's actions: commits touching operator-owned files or ``params.yaml``."""
    paths = [registry.get(n).glob.replace("**/*", "") for n in OPERATOR_ARTIFACTS]
    return log(root, "HEAD", *paths, PARAMS_FILE, limit=limit)
