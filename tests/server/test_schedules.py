"""Schedules fire at the right hour: systemd units verify, their calendars give 09:05 / 18:00
Korean time on weekdays whatever the machine's zone, the crontab alternative is correct on a UTC
machine (no CRON_TZ), and the Windows task is well formed with one registration command."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ROOT

OCI, PC = ROOT / "deploy/oci", ROOT / "deploy/pc"
UNITS = [
    OCI / "krx-daily.service",
    OCI / "krx-daily.timer",
    PC / "krx-pc-daily.service",
    PC / "krx-pc-daily.timer",
]
SEOUL = ZoneInfo("Asia/Seoul")
ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze missing: apt-get install -y systemd (Makefile sysdeps)"
)


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    assert ANALYZE is not None
    env = {**os.environ, "TZ": "UTC", "SYSTEMD_LOG_COLOR": "0"}
    return subprocess.run(
        [ANALYZE, *args], capture_output=True, text=True, env=env, check=False, timeout=60
    )


def on_calendar(timer: Path) -> str:
    found = re.findall(r"^OnCalendar=(.+)$", timer.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(found) == 1
    return found[0]


@needs_systemd
@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_units_verify(unit: Path, tmp_path: Path) -> None:
    # verify resolves a timer's Unit= next to it: copy the pair together.
    for sibling in unit.parent.glob(unit.stem + ".*"):
        shutil.copy(sibling, tmp_path / sibling.name)
    out = analyze("verify", str(tmp_path / unit.name))
    assert out.returncode == 0, out.stderr


@needs_systemd
@pytest.mark.parametrize(
    ("timer", "hour", "minute"),
    [(OCI / "krx-daily.timer", 9, 5), (PC / "krx-pc-daily.timer", 18, 0)],
    ids=["server", "pc"],
)
def test_calendar_fires_at_korean_time_on_weekdays(timer: Path, hour: int, minute: int) -> None:
    text = timer.read_text(encoding="utf-8")
    assert "Persistent=true" in text  # a run missed while the machine was down runs at boot
    base = "2026-12-04 12:00:00 UTC"  # Friday 21:00 KST: the next runs are Mon..Fri
    out = analyze("calendar", "--iterations=5", f"--base-time={base}", on_calendar(timer))
    assert out.returncode == 0, out.stderr
    stamps = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+) UTC", out.stdout)
    fired = [dt.datetime.fromisoformat(s).replace(tzinfo=dt.UTC).astimezone(SEOUL) for s in stamps]
    assert len(fired) == 5
    assert [f.date() for f in fired] == [dt.date(2026, 12, d) for d in (7, 8, 9, 10, 11)]
    assert {(f.hour, f.minute) for f in fired} == {(hour, minute)}


def test_server_crontab_is_correct_on_a_utc_machine() -> None:
    lines = [
        ln
        for ln in (OCI / "crontab").read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert not any(ln.startswith("CRON_TZ") for ln in lines)  # Debian/Ubuntu cron ignores it
    job = next(ln for ln in lines if "daily_ops.sh" in ln)
    minute, hour, _, _, dow = job.split()[:5]
    kst = dt.datetime(2026, 12, 7, 9, 5, tzinfo=SEOUL).astimezone(dt.UTC)  # a Monday
    assert (int(minute), int(hour), dow) == (kst.minute, kst.hour, "1-5")
    assert kst.weekday() == 0  # 00:05 UTC is still Monday: the weekday field needs no shift


def test_pc_crontab_line() -> None:
    text = (PC / "crontab").read_text(encoding="utf-8")
    job = next(ln for ln in text.splitlines() if "daily.sh" in ln and not ln.startswith("#"))
    assert job.split()[:5] == ["0", "18", "*", "*", "1-5"]
    assert (PC / "daily.sh").is_file()


def test_windows_task_definition() -> None:
    path = PC / "krx-pc-daily.xml"
    raw = path.read_text(encoding="utf-8")
    assert 'schtasks /Create /TN "KRX Alertor PC daily" /XML deploy\\pc\\krx-pc-daily.xml' in raw
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    task = ET.fromstring(raw.encode("utf-8"))
    trigger = task.find("t:Triggers/t:CalendarTrigger", ns)
    assert trigger is not None
    start = trigger.findtext("t:StartBoundary", namespaces=ns)
    assert start is not None and start.endswith("T18:00:00")
    days = trigger.find("t:ScheduleByWeek/t:DaysOfWeek", ns)
    assert days is not None
    assert [d.tag.split("}")[1] for d in days] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
    ]
    assert task.findtext("t:Settings/t:StartWhenAvailable", namespaces=ns) == "true"
    args = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns) or ""
    script = args.split("-File ")[1].split()[0]
    assert (ROOT / script.replace("\\", "/")).is_file()


def test_server_units_run_the_daily_flow_and_log_to_journald() -> None:
    service = (OCI / "krx-daily.service").read_text(encoding="utf-8")
    assert "StandardOutput=journal" in service and "SuccessExitStatus=2" in service
    assert "deploy/oci/daily_ops.sh" in service
    assert (ROOT / "deploy/oci/daily_ops.sh").is_file()
