"""The drill and the scheduled run agree: same worlds, same exit code, same reason (issue 13).

Each world is a bare origin and a server clone; the drill runs on the clone's HEAD (in its
scratch copy, through DVC), then the real daily run runs on the clone itself. Both are the same
flow (``pipeline.flows.daily_server.run_daily``); only the remote and the gate differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.flows.drill import Options, run_drill
from tests.flows.server_world import FRI, MON, build_world
from tests.server.factories import put, put_raw, stop

pytestmark = pytest.mark.slow
WED = dt.date(2025, 9, 24)  # the rebalance bundle of FRI was valid until MON


def no_change(seed: Path) -> None:
    del seed


def emergency_stop(seed: Path) -> None:
    put(seed, "emergency_stop", stop(FRI, True))


def invalid_artifact(seed: Path) -> None:
    put_raw(seed, "reports/recon/recon_daily.json", b'{"schema": "broken')


def malformed_ticket(seed: Path) -> None:
    put_raw(seed, "state/tickets/T-0001.json", b'{"ticket_id": "T-0001", "fills": [')


WORLDS: dict[str, tuple[Callable[[Path], None], bool, dt.date, int]] = {
    # name: (twist, with a portfolio, day, expected exit code)
    "healthy": (no_change, True, MON, 0),
    "fresh_server_without_portfolio": (no_change, False, MON, 2),
    # A stale bundle is no block (issue 14): exits only, PARTIAL BUNDLE_STALE, exit 0.
    "stale_bundle": (no_change, True, WED, 0),
    "emergency_stop": (emergency_stop, True, MON, 2),
    "invalid_artifact": (invalid_artifact, True, MON, 3),
    "malformed_ticket": (malformed_ticket, True, MON, 0),
}


@pytest.mark.parametrize("name", list(WORLDS))
def test_drill_and_daily_run_agree(tmp_path: Path, name: str) -> None:
    twist, portfolio, day, expected = WORLDS[name]
    w = build_world(tmp_path, portfolio=portfolio, prepare=twist)
    now = dt.datetime.fromisoformat(f"{day.isoformat()}T08:30:00+09:00")
    drill = run_drill(w.server, Options(day=day, now=now), log=w.logs.append)
    real = w.daily(day)
    log = w.log()
    assert (drill.exit_code, drill.reason) == (real.exit_code, real.receipt and real.receipt.reason)
    assert real.exit_code == expected, log
    assert drill.ops_status == real.ops_status
    # every step but the pull (the drill has no remote) ended the same way
    seen = {s.name: s.result for s in drill.steps if s.name != "pull"}
    assert seen == {s.name: s.result for s in real.steps if s.name != "pull"}, log
