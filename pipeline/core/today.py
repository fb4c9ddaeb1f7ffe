"""When the server runs and how late its last run is, in KRX sessions (pure: ``now`` comes in).

The server's daily run is scheduled at 09:05 Asia/Seoul on every KRX session (``deploy/``).
A change pushed now is seen by the first scheduled run after now; the last run is "late" when
a scheduled run that should have happened by now has no record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pipeline.errors import OperatorError
from pipeline.krx_calendar import KrxCalendar

SEOUL = ZoneInfo("Asia/Seoul")
#: The server's scheduled daily run, Asia/Seoul (deploy/oci: the 09:05 KST timer).
SERVER_RUN_TIME = dt.time(9, 5)


def run_at(day: dt.date) -> dt.datetime:
    """The scheduled run on session ``day`` (aware, Asia/Seoul)."""
    return dt.datetime.combine(day, SERVER_RUN_TIME, SEOUL)


def next_server_run(now: dt.datetime, cal: KrxCalendar) -> dt.datetime | None:
    """The first scheduled run strictly after ``now`` (None past the calendar's end)."""
    local = now.astimezone(SEOUL)
    try:
        day = cal.next_or_same(local.date())
        if run_at(day) <= local:
            day = cal.add(day, 1)
    except OperatorError:
        return None
    return run_at(day)


def due_session(now: dt.datetime, cal: KrxCalendar) -> dt.date | None:
    """The latest session whose scheduled run time has passed at ``now``."""
    local = now.astimezone(SEOUL)
    try:
        day = cal.previous_or_same(local.date())
        if run_at(day) > local:
            day = cal.add(day, -1)
    except OperatorError:
        return None
    return day


@dataclass(frozen=True)
class RunAge:
    """The server's last run against the schedule: ``missed`` sessions without a run."""

    last: dt.date | None  # session of the last run (None: never ran)
    due: dt.date | None  # the latest session that should have a run by now
    missed: int  # scheduled runs since ``last`` that left no record

    @property
    def late(self) -> bool:
        """True when the last run is older than one KRX session."""
        return self.last is None or self.missed >= 1


def run_age(last: dt.date | None, now: dt.datetime, cal: KrxCalendar) -> RunAge:
    """How many scheduled runs are missing after the last recorded one."""
    due = due_session(now, cal)
    if last is None or due is None:
        return RunAge(last, due, 0)
    return RunAge(last, due, max(0, cal.count_after(last, due)))


def when_ko(at: dt.datetime) -> str:
    """``2026-11-24(화) 09:05 KST``."""
    local = at.astimezone(SEOUL)
    return f"{local.date().isoformat()}({'월화수목금토일'[local.weekday()]}) {local:%H:%M} KST"
