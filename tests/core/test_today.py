"""When the server runs next: 09:05 KST on the next KRX session (weekends, holidays, UTC)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.core.today import SEOUL, next_server_run, when_ko
from tests.server.factories import cal


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-23T08:00", "2026-11-23(월) 09:05 KST"),  # a session, before the run
        ("2026-11-23T09:05", "2026-11-24(화) 09:05 KST"),  # at the run: the next one
        ("2026-11-27T18:00", "2026-11-30(월) 09:05 KST"),  # Friday evening -> Monday
        ("2026-11-28T12:00", "2026-11-30(월) 09:05 KST"),  # Saturday
        ("2026-12-31T10:00", "2027-01-04(월) 09:05 KST"),  # KRX year-end closure and New Year
    ],
)
def test_next_server_run(now: str, expected: str) -> None:
    nxt = next_server_run(at(now), cal())
    assert nxt is not None and when_ko(nxt) == expected


def test_next_server_run_from_a_utc_clock() -> None:
    utc = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC)  # 09:00 KST
    nxt = next_server_run(utc, cal())
    assert nxt is not None and when_ko(nxt) == "2026-11-23(월) 09:05 KST"
