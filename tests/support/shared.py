"""Things built once per test session and shared by every xdist worker (a file lock each).

``--dist worksteal`` runs the session in several worker processes; a session-scoped fixture is
built once per worker. What is expensive to build and only ever copied (a pristine origin,
compiled caches) is built once under a lock in a folder every worker shares, and read-only
thereafter.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every worker of this session shares (the session's own basetemp without -n)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def once(shared: Path, name: str, build: Callable[[Path], None]) -> Path:
    """``shared/name``, built by ``build(scratch)`` by the first worker that asks (the others
    wait for it). A failed build leaves nothing behind, so the next asker fails the same way."""
    done = shared / name
    with locked(shared / f"{name}.lock"):
        if not done.exists():
            scratch = shared / f"{name}.building"
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True)
            build(scratch)
            scratch.rename(done)
    return done
