"""Small, explicit calls to the ``git`` command line (the scripts' helpers use these)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.errors import RetryableError


def git(root: Path, *args: str, timeout: float = 60, input_text: str | None = None) -> str:
    """Run git in ``root``; RetryableError with git's message on failure."""
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
        raise RetryableError(f"git {' '.join(args)}: {err}") from None
    if proc.returncode != 0:
        raise RetryableError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def staged_paths(root: Path) -> list[str]:
    return [p for p in git(root, "diff", "--cached", "--name-only", "-z").split("\0") if p]
