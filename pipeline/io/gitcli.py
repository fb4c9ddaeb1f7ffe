"""The one wrapper around the ``git`` command line (the scripts' helpers use these)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.errors import RetryableError


def run_git(
    root: Path, *args: str, timeout: float = 60, input_text: str | None = None
) -> tuple[int, str, str]:
    """``(returncode, stdout, stderr)`` of ``git -C root ARGS``; never raises (127: no git)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            input=input_text,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return 127, "", str(err)
    return proc.returncode, proc.stdout, proc.stderr


def git(root: Path, *args: str, timeout: float = 60, input_text: str | None = None) -> str:
    """Run git in ``root``; RetryableError with git's message on failure."""
    code, out, err = run_git(root, *args, timeout=timeout, input_text=input_text)
    if code != 0:
        raise RetryableError(f"git {' '.join(args)}: {err.strip()}")
    return out


def head(root: Path) -> str | None:
    """The commit HEAD points to (None outside git or on an unborn branch)."""
    code, out, _ = run_git(root, "rev-parse", "--verify", "-q", "HEAD", timeout=10)
    sha = out.strip()
    return sha if code == 0 and len(sha) == 40 else None


def staged_paths(root: Path) -> list[str]:
    return [p for p in git(root, "diff", "--cached", "--name-only", "-z").split("\0") if p]
