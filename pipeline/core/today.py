"""When the server will next run, for "the server will see it at ..." (pure: ``now`` comes in).

The server's daily run starts at 09:05 Asia/Seoul on every KRX session
(``pipeline.core.schedule.SERVER_RUN_AT``); a change pushed now is seen by the first scheduled
run after now. Whether the last run is late is ``pipeline.core.schedule.server_run_age``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pipeline.core.schedule import SERVER_RUN_AT
from pipeline.errors import OperatorError
from pipeline.krx_calendar import KrxCalendar

SEOUL = ZoneInfo("Asia/Seoul")


def run_at(day: dt.date) -> dt.datetime:
    """The scheduled run on session ``day`` (aware, Asia/Seoul)."""
    return dt.datetime.combine(day, SERVER_RUN_AT, SEOUL)


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


def when_ko(at: dt.datetime) -> str:
    """``2026-11-24(화) 09:05 KST``."""
    local = at.astimezone(SEOUL)
    return f"{local.date().isoformat()}({'월화수목금토일'[local.weekday()]}) {local:%H:%M} KST"
