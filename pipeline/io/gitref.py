"""Where an input came from in git: ``<commit>:<path>`` when committed and unchanged."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(root: Path, *args: str) -> tuple[int, str]:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return 1, ""
    return out.returncode, out.stdout.strip()


def head(root: Path) -> str | None:
    code, sha = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    return sha if code == 0 and len(sha) == 40 else None


def committed_at(root: Path, rel: str, commit: str | None) -> str | None:
    """``commit`` if ``rel`` is tracked and identical to it in the working tree, else None."""
    if commit is None:
        return None
    code, _ = _git(root, "ls-files", "--error-unmatch", "--", rel)
    if code != 0:
        return None
    code, status = _git(root, "status", "--porcelain", "--", rel)
    return commit if code == 0 and not status else None


def snapshot_ref(root: Path, rel: str, commit: str | None) -> str:
    """``<commit>:<path>`` of an input, or ``WORKTREE:<path>`` if it is not committed as is."""
    return f"{committed_at(root, rel, commit) or 'WORKTREE'}:{rel}"
