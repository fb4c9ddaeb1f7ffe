"""An exclusive, non-reentrant run lock held by an open file (released when the process dies).

A killed run never leaves a lock behind: the OS drops the lock with the process, so the file
itself may stay. POSIX uses ``flock``; Windows ``msvcrt.locking`` on the first byte.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import RetryableError


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on the Windows PC only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def run_lock(path: Path, wait_s: float, what: str) -> Iterator[None]:
    """Hold ``path`` exclusively; RetryableError after ``wait_s`` seconds of waiting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise RetryableError(f"another {what} is running (lock {path} held {wait_s:g} s)")
            time.sleep(0.2)
        yield  # the lock goes with the descriptor: closing it (or dying) releases it
    finally:
        os.close(fd)
