"""Fixtures of the end-to-end tests: one pristine origin per worker, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.ops_world import build_origin


@pytest.fixture(scope="session")
def ops_origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare origin after the PC's first day (small params) and the operator's portfolio."""
    return build_origin(tmp_path_factory.mktemp("ops-origin"))


@pytest.fixture
def fresh_origin(ops_origin: Path, tmp_path: Path) -> Path:
    """A private copy of the pristine origin for one test."""
    dest = tmp_path / "origin.git"
    shutil.copytree(ops_origin, dest, symlinks=True)
    return dest
