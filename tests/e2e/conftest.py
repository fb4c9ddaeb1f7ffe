"""Fixtures of the end-to-end tests: pristine origins built once per session (shared by the
xdist workers: tests/support/shared.py), copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.ops_world import GOOD_DAY, build_origin, clone_world, resolver
from tests.support import shared


@pytest.fixture(scope="session")
def ops_origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare origin after the PC's first day (small params) and the operator's portfolio."""
    built = shared.once(shared.root(tmp_path_factory), "ops-origin", build_origin)
    return built / "origin.git"


@pytest.fixture(scope="session")
def ops_origin_day1(ops_origin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ops_origin`` after one good server morning (GOOD_DAY) was pushed by daily_ops.sh."""

    def build(tmp: Path) -> None:
        origin = tmp / "origin.git"
        shutil.copytree(ops_origin, origin, symlinks=True)
        w = clone_world(tmp, origin)
        with resolver(w.server) as url:
            w.api = url
            out = w.daily_ops(GOOD_DAY)
        assert out.returncode == 0, out.stdout + out.stderr
        assert w.head(origin, "main") == w.head(w.server)

    built = shared.once(shared.root(tmp_path_factory), "ops-origin-day1", build)
    return built / "origin.git"


@pytest.fixture
def fresh_origin(ops_origin: Path, tmp_path: Path) -> Path:
    """A private copy of the pristine origin for one test."""
    dest = tmp_path / "origin.git"
    shutil.copytree(ops_origin, dest, symlinks=True)
    return dest


@pytest.fixture
def day1_origin(ops_origin_day1: Path, tmp_path: Path) -> Path:
    """A private copy of the origin with one good server morning."""
    dest = tmp_path / "origin.git"
    shutil.copytree(ops_origin_day1, dest, symlinks=True)
    return dest
