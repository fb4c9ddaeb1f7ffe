"""Git for the cockpit: commit exactly the paths an action wrote; PULL and PUSH with results.

PULL is ``git pull --rebase`` and PUSH is ``git push`` (DESIGN §1: the PC never merges by hand,
and the two machines own disjoint paths, so a rebase never conflicts). Network commands never
wait for a password prompt and have a timeout, so a dead remote cannot hang the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.io import gitlog
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
    done = gitlog.network(root, args, timeout)
    head = git(root, "rev-parse", "HEAD").strip() if done.ok else None
    return GitResult("git " + " ".join(args), done.ok, done.output, head)


def pull(root: Path, timeout: float = NETWORK_TIMEOUT_S) -> GitResult:
    """``git pull --rebase``: bring the server's receipts in without a merge commit."""
    return _network(root, "pull", "--rebase", timeout=timeout)


def push(root: Path, timeout: float = NETWORK_TIMEOUT_S) -> GitResult:
    """``git push``: publish the PC's commits (bundle, safety files, tickets) to the server."""
    return _network(root, "push", timeout=timeout)
