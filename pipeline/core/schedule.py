"""When the server's daily run is due, and how late its last run is (DESIGN §5).

One rule for everyone who asks "is the server alive?": the PC's daily run, the resolver's
``/api/ops/health`` and the cockpit. The server runs once per KRX session at 09:05 KST
(``deploy/oci/krx-daily.timer``); a run is *due* once that time plus a grace period has passed
on a session. The last run is *late* when the newest due session has no run: it is then at
least one session old, and the answer says so plainly, in Korean for the operator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.errors import OperatorError
from pipeline.krx_calendar import KrxCalendar

#: The server's scheduled start, Asia/Seoul (the systemd timer's OnCalendar says the same).
SERVER_RUN_AT = dt.time(9, 5)
#: How long after the start a finished, committed and pushed run may take to appear.
RUN_GRACE = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class ServerRunAge:
    """How the server's last run compares with the newest session whose run is due."""

    due_session: dt.date | None  # newest session whose run should exist by now
    last_run: dt.date | None  # asof of the last recorded run (None: never ran)
    sessions_missed: int  # due sessions after ``last_run`` without a run
    late: bool  # True: the operator should look at the server
    message: str  # one Korean line for the operator


def due_session(
    now: dt.datetime, cal: KrxCalendar, grace: dt.timedelta = RUN_GRACE
) -> dt.date | None:
    """The newest KRX session whose 09:05 run should have finished by ``now`` (Seoul time).

    ``grace=timedelta(0)``: the session whose receipt a check right after the run must find
    (``deploy/oci/check_live_cycle.sh``).
    """
    day = now.date()
    due_today = now.time() >= (dt.datetime.combine(day, SERVER_RUN_AT) + grace).time()
    try:
        if cal.is_trading_day(day) and due_today:
            return day
        return cal.previous_or_same(day - dt.timedelta(days=1))
    except OperatorError:  # outside the calendar's range
        return None


def expected_receipt_session(now: dt.datetime, cal: KrxCalendar) -> dt.date | None:
    """The session whose receipt the 1-minute checks expect as the latest at ``now`` (Seoul).

    Today from the scheduled start (09:05) on a session, else the previous session: a receipt
    of any other session means the server's run is missing or late (exit 3, one line).
    """
    return due_session(now, cal, grace=dt.timedelta(0))


def server_run_age(last_run: dt.date | None, now: dt.datetime, cal: KrxCalendar) -> ServerRunAge:
    """The age of the server's last run (its scheduler record's asof) at ``now``."""
    due = due_session(now, cal)
    if due is None:
        return ServerRunAge(None, last_run, 0, False, "서버 실행 예정 세션이 아직 없습니다.")
    if last_run is None:
        return ServerRunAge(
            due,
            None,
            1,
            True,
            "서버 실행 기록이 없습니다 — 서버의 타이머(krx-daily.timer)와 로그를 확인하세요.",
        )
    missed = cal.count_after(last_run, due) if last_run < due else 0
    if missed == 0:
        return ServerRunAge(due, last_run, 0, False, f"서버 마지막 실행 {last_run} (정상).")
    return ServerRunAge(
        due,
        last_run,
        missed,
        True,
        f"서버 마지막 실행이 {last_run}로 {missed}세션 지났습니다 (예정: {due} 09:05) — "
        "서버가 켜져 있는지, 타이머와 로그(journalctl -u krx-daily)를 확인하세요.",
    )


def missed_sessions(
    last_run: dt.date | None, today: dt.date, cal: KrxCalendar
) -> tuple[dt.date, ...]:
    """KRX sessions strictly between the last recorded run and ``today`` (none ran on them)."""
    if last_run is None or last_run >= today:
        return ()
    try:
        return tuple(cal.between(last_run + dt.timedelta(days=1), today - dt.timedelta(days=1)))
    except OperatorError:  # outside the calendar's range
        return ()
