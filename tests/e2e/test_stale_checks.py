"""The 1-minute checks fail on a receipt that is not today's session's (issue 14 item 2).

A real server clone whose last run was GOOD_DAY, served by a real resolver; the runbook's
scripts run as processes with the clock pinned (KRX_NOW), never today's date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.core.schedule import SERVER_RUN_AT, expected_receipt_session
from pipeline.io.context import SEOUL
from pipeline.krx_calendar import load_calendar
from tests.conftest import run
from tests.e2e.ops_world import GOOD_DAY, VENV, World, clone_world, resolver

pytestmark = pytest.mark.slow
SCRIPTS = ("check_live_cycle.sh", "check_ops_summary.sh")


@pytest.fixture
def world(day1_origin: Path, tmp_path: Path) -> Iterator[World]:
    w = clone_world(tmp_path, day1_origin)
    with resolver(w.server) as url:
        w.api = url
        yield w


def check(w: World, script: str, now: dt.datetime) -> tuple[int, list[str]]:
    env = {"KRX_VENV": VENV, "KRX_API_URL": w.api, "KRX_NOW": now.isoformat()}
    out = run(["bash", f"deploy/oci/{script}"], w.server, env=env, check=False)
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, out.stdout.splitlines()


def test_a_receipt_three_sessions_old_fails_with_one_line(world: World) -> None:
    cal = load_calendar(world.server)
    good = dt.date.fromisoformat(GOOD_DAY)
    later = cal.add(good, 3)
    now = dt.datetime.combine(later, dt.time(10, 0), SEOUL)
    assert expected_receipt_session(now, cal) == later
    for script in SCRIPTS:
        code, lines = check(world, script, now)
        assert code == 3, lines
        (line,) = lines
        assert f"latest is for {GOOD_DAY}, not {later}" in line and "late?" in line


def test_the_run_day_and_the_next_morning_before_the_run_pass(world: World) -> None:
    cal = load_calendar(world.server)
    good = dt.date.fromisoformat(GOOD_DAY)
    next_session = cal.add(good, 1)
    for now in (
        dt.datetime.combine(good, SERVER_RUN_AT, SEOUL),  # right after the run
        dt.datetime.combine(good, dt.time(23, 0), SEOUL),
        dt.datetime.combine(next_session, dt.time(8, 59), SEOUL),  # before the next run
    ):
        for script in SCRIPTS:
            code, lines = check(world, script, now)
            assert code == 0 and len(lines) == 1 and f"asof={GOOD_DAY}" in lines[0], (now, lines)
    # from 09:05 of the next session the old receipt is no longer today's
    now = dt.datetime.combine(next_session, SERVER_RUN_AT, SEOUL)
    code, lines = check(world, "check_live_cycle.sh", now)
    assert code == 3 and f"not {next_session}" in lines[0]
