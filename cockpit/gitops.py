"""Git for the cockpit: commit exactly the paths an action wrote; PULL and PUSH with results.

PULL is ``git pull --rebase`` and PUSH is ``git push`` (DESIGN §1: the PC never merges by hand,
and the two machines own disjoint paths, so a rebase never conflicts). Network commands never
wait for a password prompt and have a timeout, so a dead remote cannot hang the page.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.io.gitcli import git

#: Seconds a pull or push may take before the cockpit gives up and says so.
NETWORK_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class GitResult:
    """What a git command did: its command line, success and combined output."""

    command: str
    ok: bool
    output: str
    head: str | None = None


def commit_paths(root: Path, paths: list[str], message: str) -> str:
    """Commit only ``paths`` (other staged or dirty files are left alone); the new HEAD.

    RetryableError with git's message if git refuses (no identity, a hook, ...).
    """
    git(root, "add", "--", *paths)
    git(root, "commit", "-q", "-F", "-", "--only", "--", *paths, input_text=message)
    return git(root, "rev-parse", "HEAD").strip()


def _network(root: Path, *args: str, timeout: float) -> GitResult:
    env = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",  # fail instead of asking for a password on a tty
        "GIT_SSH_COMMAND": os.environ.get(
            "GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=10"
        ),
    }
    command = "git " + " ".join(args)
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
        return GitResult(command, False, f"timed out after {timeout:.0f} s (remote unreachable?)")
    except OSError as err:
        return GitResult(command, False, str(err))
    output = "\n".join(s.strip() for s in (proc.stdout, proc.stderr) if s.strip())
    head = None
    if proc.returncode == 0:
        head = git(root, "rev-parse", "HEAD").strip()
    return GitResult(command, proc.returncode == 0, output or "(no output)", head)


def pull(root: Path, timeout: float = NETWORK_TIMEOUT_S) -> GitResult:
    """``git pull --rebase``: bring the server's receipts in without a merge commit."""
    return _network(root, "pull", "--rebase", timeout=timeout)


def push(root: Path, timeout: float = NETWORK_TIMEOUT_S) -> GitResult:
    """``git push``: publish the PC's commits (bundle, safety files, tickets) to the server."""
    return _network(root, "push", timeout=timeout)
