"""Fixtures of the end-to-end tests: pristine origins built once per worker, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.ops_world import GOOD_DAY, build_origin, clone_world, resolver


@pytest.fixture(scope="session")
def ops_origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare origin after the PC's first day (small params) and the operator's portfolio."""
    return build_origin(tmp_path_factory.mktemp("ops-origin"))


@pytest.fixture(scope="session")
def ops_origin_day1(ops_origin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ops_origin`` after one good server morning (GOOD_DAY) was pushed by daily_ops.sh."""
    tmp = tmp_path_factory.mktemp("ops-origin-day1")
    origin = tmp / "origin.git"
    shutil.copytree(ops_origin, origin, symlinks=True)
    w = clone_world(tmp, origin)
    with resolver(w.server) as url:
        w.api = url
        out = w.daily_ops(GOOD_DAY)
    assert out.returncode == 0, out.stdout + out.stderr
    assert w.head(origin, "main") == w.head(w.server)
    return origin


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
