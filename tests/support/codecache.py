"""Compiled code for the project's copies, built once per test session and copied into each.

numba compiles the backtest's njit kernels (``pipeline/core/indicators.py``, ``simulate.py``) on
first use in every fresh copy of the package: about 9 s of CPU per world that runs the backtest
(``dvc repro`` on a PC world), against about 2 s for the backtest itself. Its on-disk cache
(``cache=True``: ``__pycache__/*.nbi`` + ``*.nbc`` beside the source) is keyed by the SHA-256 of
the source file (numba >= 0.59), not by its path or mtime, so what one copy compiled is valid in
every copy whose module is identical, and ignored (recompiled) in one where a test edited it.
The same holds for ``.pyc`` files compiled in ``checked-hash`` mode (PEP 552).

The caches are built once per session — across xdist workers, under a file lock — by running
the real backtest stage in a scratch copy of the project, then copied into each world
(``install``). The scratch copy starts with the checkout's own numba caches (``make run``, the
README's first command, compiled them): numba loads those whose source is unchanged and
compiles the rest, so the build costs the backtest's run, not its compilation, after
``make run``. Outside pytest (``benchmarks/soak_chaos.py``) nothing is installed: worlds compile
as a fresh clone would.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.support import shared

#: The packages a world imports from its own tree (``python -m pipeline.cli``, ``-m ops_api``).
PACKAGES = ("pipeline", "ops_api")
_NUMBA = (".nbi", ".nbc")
_SUFFIXES = (*_NUMBA, ".pyc")

#: Set by tests/conftest.py: a folder every xdist worker of this session shares (None: off),
#: how to copy the project with its committed artifacts to a folder (the build's world), and
#: the environment of the build's processes.
shared_root: Path | None = None
#: The checkout whose numba caches seed the build (None: compile from nothing).
seed_from: Path | None = None
project_with_data: Callable[[Path], Path] | None = None
environment: dict[str, str] = {}
_built: Path | None = None


def _build(out: Path) -> None:
    assert project_with_data is not None
    world = project_with_data(out.parent / f"{out.name}-world")
    try:
        if seed_from is not None:
            _copy_caches(seed_from, world, _NUMBA)
        # The copy's own packages, whatever PYTHONPATH the session has; bytecode is written.
        skip = ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in environment.items() if k not in skip}
        compiled = [sys.executable, "-m", "compileall", "-q", "--invalidation-mode"]
        for argv in (
            [*compiled, "checked-hash", *PACKAGES],
            [sys.executable, "-m", "pipeline.cli", "stage", "backtest"],  # numba compiles
        ):
            proc = subprocess.run(
                argv, cwd=world, env=env, capture_output=True, text=True, timeout=600
            )
            if proc.returncode != 0:
                raise AssertionError(f"{argv} failed:\n{proc.stdout}\n{proc.stderr}")
        _copy_caches(world, out, _SUFFIXES)
    finally:
        shutil.rmtree(world, ignore_errors=True)


def _copy_caches(source: Path, dest: Path, suffixes: tuple[str, ...]) -> None:
    """Copy the compiled caches of ``source``'s packages to the same paths under ``dest``."""
    for package in PACKAGES:
        for cached in (source / package).rglob("__pycache__/*"):
            if cached.suffix in suffixes:
                target = dest / cached.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(cached, target)


def caches() -> Path | None:
    """The folder of compiled caches (paths as in the project), built on first use."""
    global _built
    if _built is None and shared_root is not None and project_with_data is not None:
        _built = shared.once(shared_root, "codecache", _build)
    return _built


def warm(dest: Path) -> None:
    """Copy the compiled caches into the world at ``dest`` (where its packages exist)."""
    if not (dest / "pipeline").is_dir():
        return
    source = caches()
    if source is None:
        return
    for cached in source.rglob("*"):
        if cached.is_file():
            target = dest / cached.relative_to(source)
            if target.parent.parent.is_dir():  # the package folder exists in this world
                target.parent.mkdir(exist_ok=True)
                with contextlib.suppress(FileExistsError):
                    shutil.copy2(cached, target)
