"""When the server's daily run is due and how late its last run is (pipeline.core.schedule)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pipeline.core.schedule import (
    due_session,
    expected_receipt_session,
    missed_sessions,
    server_run_age,
)
from pipeline.krx_calendar import KrxCalendar

SEOUL = ZoneInfo("Asia/Seoul")
D = dt.date
# Thu 2026-11-19 .. Wed 2026-11-25, with Mon 23rd a (made-up) closure: weekends are not the
# only holidays.
CAL = KrxCalendar([D(2026, 11, 19), D(2026, 11, 20), D(2026, 11, 24), D(2026, 11, 25)])


def at(day: int, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hh, mm, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (at(24, 9, 4), D(2026, 11, 20)),  # before the run: the previous session (over a closure)
        (at(24, 9, 34), D(2026, 11, 20)),  # still in the grace period
        (at(24, 9, 35), D(2026, 11, 24)),  # due from 09:05 + 30 min
        (at(22, 12, 0), D(2026, 11, 20)),  # Sunday: Friday's run
        (at(23, 12, 0), D(2026, 11, 20)),  # the closure: Friday's run
    ],
)
def test_due_session(now: dt.datetime, due: dt.date) -> None:
    assert due_session(now, CAL) == due


@pytest.mark.parametrize(
    ("last", "now", "late", "missed"),
    [
        (D(2026, 11, 24), at(24, 10, 0), False, 0),  # today's run is there
        (D(2026, 11, 20), at(24, 9, 10), False, 0),  # today's not due yet
        (D(2026, 11, 20), at(24, 10, 0), True, 1),  # today's run missed
        (D(2026, 11, 19), at(25, 10, 0), True, 3),  # three sessions missed (20, 24, 25)
        (D(2026, 11, 22), at(24, 10, 0), True, 1),  # a weekend run's record does not count for 24
        (None, at(24, 10, 0), True, 1),  # never ran
    ],
)
def test_server_run_age(last: dt.date | None, now: dt.datetime, late: bool, missed: int) -> None:
    age = server_run_age(last, now, CAL)
    assert (age.late, age.sessions_missed) == (late, missed)
    if late:
        assert "확인하세요" in age.message  # it says what to do
    else:
        assert "정상" in age.message


def test_outside_the_calendar_nothing_is_due() -> None:
    age = server_run_age(None, dt.datetime(2030, 1, 2, 10, tzinfo=SEOUL), CAL)
    assert age.due_session is None and not age.late


@pytest.mark.parametrize(
    ("last", "today", "missed"),
    [
        (D(2026, 11, 20), D(2026, 11, 24), ()),  # Friday, then Tuesday over the closure
        (D(2026, 11, 19), D(2026, 11, 24), (D(2026, 11, 20),)),
        (D(2026, 11, 19), D(2026, 11, 25), (D(2026, 11, 20), D(2026, 11, 24))),
        (D(2026, 11, 22), D(2026, 11, 24), ()),  # a Sunday record (the machine ran), no gap
        (None, D(2026, 11, 24), ()),  # the first run ever
        (D(2026, 11, 24), D(2026, 11, 24), ()),  # a rerun the same day
    ],
)
def test_missed_sessions(last: dt.date | None, today: dt.date, missed: tuple[dt.date, ...]) -> None:
    assert missed_sessions(last, today, CAL) == missed


@pytest.mark.parametrize(
    ("now", "session"),
    [
        (at(24, 9, 4), D(2026, 11, 20)),  # before the run: the previous session's receipt
        (at(24, 9, 5), D(2026, 11, 24)),  # from the scheduled start: today's (no grace)
        (at(24, 23, 59), D(2026, 11, 24)),
        (at(22, 12, 0), D(2026, 11, 20)),  # Sunday: Friday's
        (at(23, 10, 0), D(2026, 11, 20)),  # the closure: Friday's
        (dt.datetime(2030, 1, 2, 10, 0, tzinfo=SEOUL), None),  # outside the calendar
    ],
)
def test_expected_receipt_session(now: dt.datetime, session: dt.date | None) -> None:
    """The 1-minute checks' rule: a receipt of any other session is a fault."""
    assert expected_receipt_session(now, CAL) == session
