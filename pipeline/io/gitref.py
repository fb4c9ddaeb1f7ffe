"""Where an input came from in git: ``<commit>:<path>`` when committed and unchanged."""

from __future__ import annotations

from pathlib import Path

from pipeline.io.gitcli import head as head
from pipeline.io.gitcli import run_git


def _git(root: Path, *args: str) -> tuple[int, str]:
    code, out, _ = run_git(root, *args, timeout=30)
    return code, out.strip()


def committed_many(root: Path, rels: list[str], commit: str | None) -> dict[str, str | None]:
    """Per path: ``commit`` if tracked and identical to it in the working tree, else None.

    Two git calls for any number of paths (a live cycle records a dozen inputs).
    """
    out: dict[str, str | None] = dict.fromkeys(rels)
    if commit is None or not rels:
        return out
    code, listed = _git(root, "ls-files", "-z", "--", *rels)
    if code != 0:
        return out
    tracked = {p for p in listed.split("\0") if p}
    # Not stripped: a porcelain entry starts with its status columns, a space among them.
    code, status, _ = run_git(
        root, "status", "--porcelain", "-z", "--no-renames", "--", *rels, timeout=30
    )
    if code != 0:
        return out
    changed = {entry[3:] for entry in status.split("\0") if len(entry) > 3}
    return {rel: commit if rel in tracked and rel not in changed else None for rel in rels}


def committed_at(root: Path, rel: str, commit: str | None) -> str | None:
    """``commit`` if ``rel`` is tracked and identical to it in the working tree, else None."""
    return committed_many(root, [rel], commit)[rel]


def snapshot_ref(root: Path, rel: str, commit: str | None) -> str:
    """``<commit>:<path>`` of an input, or ``WORKTREE:<path>`` if it is not committed as is."""
    return f"{committed_at(root, rel, commit) or 'WORKTREE'}:{rel}"
