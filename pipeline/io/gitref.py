"""Where an input came from in git: ``<commit>:<path>`` when committed and unchanged."""

from __future__ import annotations

from pathlib import Path

from pipeline.io.gitcli import head as head
from pipeline.io.gitcli import run_git


def _git(root: Path, *args: str) -> tuple[int, str]:
    code, out, _ = run_git(root, *args, timeout=30)
    return code, out.strip()


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
