"""The schedules fire at the right hour (issue 14 item 5), checked by the tools that run them.

systemd units: ``systemd-analyze verify`` (Debian's systemd 252 verifies unit files as root in a
container without a running systemd; it exits 0 on unknown keys and only warns, so any output
fails the test too) and ``systemd-analyze calendar`` on the timer's own OnCalendar, under the
Seoul zone and under UTC, from a pinned base time (never today's date). The server's time is
``pipeline.core.schedule.SERVER_RUN_AT`` (one home: this test reads both). The crontab
alternatives are checked by running their guard under the right and the wrong zone; the Windows
task is parsed with the standard library.
"""

from __future__ import annotations

import configparser
import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.core.schedule import SERVER_RUN_AT

ROOT = Path(__file__).resolve().parents[2]
OCI = ROOT / "deploy/oci"
PC = ROOT / "deploy/pc"
SERVER_PLACEHOLDER = "/opt/krx-alertor"
PC_PLACEHOLDER = "%h/krx-alertor"
WEEKDAYS = {"Mon", "Tue", "Wed", "Thu", "Fri"}
TASK_NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
#: A Thursday before Christmas: the next three elapses cross a weekend.
BASE = "2026-12-24 12:00:00 UTC"


@pytest.fixture
def needs_systemd() -> None:
    """The install step provides it (Debian's systemd package, Makefile SYSDEPS): never skip."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze missing: apt-get install systemd (Makefile SYSDEPS)")


def unit(path: Path) -> configparser.ConfigParser:
    """A unit file as sections of keys (repeated keys such as Environment= are joined)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def env_lines(path: Path) -> dict[str, str]:
    """Every ``Environment=`` assignment of a unit file (configparser keeps only the last)."""
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("Environment="):
            for item in shlex.split(line.removeprefix("Environment=")):
                key, _, value = item.partition("=")
                pairs[key] = value
    return pairs


def analyze(*args: str, tz: str = "Asia/Seoul", user_runtime: Path | None = None) -> str:
    env = {**os.environ, "TZ": tz, "LC_ALL": "C.UTF-8", "SYSTEMD_COLORS": "0"}
    if user_runtime is not None:
        user_runtime.mkdir(mode=0o700, exist_ok=True)
        env |= {"XDG_RUNTIME_DIR": str(user_runtime), "HOME": str(user_runtime)}
    proc = subprocess.run(
        ["systemd-analyze", *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def elapses(on_calendar: str, tz: str) -> list[tuple[str, dt.datetime, str]]:
    """The next 3 elapses as (weekday, local time, zone abbreviation) printed under ``tz``."""
    out = analyze("calendar", f"--base-time={BASE}", "--iterations=3", on_calendar, tz=tz)
    found = re.findall(
        r"(?:Next elapse|Iter\. #\d): (\w{3}) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\w+)", out
    )
    assert len(found) == 3, out
    return [(wd, dt.datetime.fromisoformat(t), zone) for wd, t, zone in found]


# --- the server: krx-daily.service + krx-daily.timer -----------------------------------------


def test_server_units_say_what_the_brief_says() -> None:
    service, timer = unit(OCI / "krx-daily.service"), unit(OCI / "krx-daily.timer")
    s = service["Service"]
    assert s["Type"] == "oneshot"
    assert s["SuccessExitStatus"] == "2", "BLOCKED (2) is a normal outcome, not a failed unit"
    assert s["User"] and s["WorkingDirectory"] == SERVER_PLACEHOLDER
    (script,) = [a for a in shlex.split(s["ExecStart"]) if a.startswith(SERVER_PLACEHOLDER)]
    assert (ROOT / script.removeprefix(SERVER_PLACEHOLDER + "/")) == OCI / "daily_ops.sh"
    env = env_lines(OCI / "krx-daily.service")
    assert env["TZ"] == "Asia/Seoul" and env["PYTHONUTF8"] == "1" and env["LC_ALL"] == "C.UTF-8"
    assert s["EnvironmentFile"].lstrip("-").startswith("/etc/"), "secrets live outside the repo"
    text = (OCI / "krx-daily.service").read_text(encoding="utf-8")
    assert not re.search(r"TELEGRAM_(TOKEN|CHAT_ID)=|HEARTBEAT_URL=", text), "no secret in unit"
    assert s.get("StandardOutput", "journal") == "journal"
    t = timer["Timer"]
    assert t["Persistent"] == "true" and t["RandomizedDelaySec"] == "0"
    assert t["AccuracySec"] == "1s" and t["Unit"] == "krx-daily.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.usefixtures("needs_systemd")
def test_server_units_verify(tmp_path: Path) -> None:
    out = analyze("verify", str(OCI / "krx-daily.service"), str(OCI / "krx-daily.timer"))
    assert out.strip() == "", out


@pytest.mark.usefixtures("needs_systemd")
def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: a misspelt key is reported, a missing program exits non-0."""
    text = (OCI / "krx-daily.timer").read_text(encoding="utf-8")
    bad = tmp_path / "krx-daily.timer"
    bad.write_text(text.replace("Persistent=", "Persistant="), encoding="utf-8")
    shutil.copy(OCI / "krx-daily.service", tmp_path)
    out = analyze("verify", str(tmp_path / "krx-daily.service"), str(bad))
    assert "Unknown key 'Persistant'" in out
    svc = tmp_path / "krx-daily.service"
    svc.write_text(
        svc.read_text(encoding="utf-8").replace("ExecStart=/bin/bash", "ExecStart=/nowhere/sh"),
        encoding="utf-8",
    )
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(svc)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0 and "/nowhere/sh" in proc.stderr


@pytest.mark.usefixtures("needs_systemd")
@pytest.mark.parametrize("tz", ["Asia/Seoul", "UTC"])
def test_server_timer_fires_0905_kst_on_weekdays(tz: str) -> None:
    on_calendar = unit(OCI / "krx-daily.timer")["Timer"]["OnCalendar"]
    assert on_calendar.endswith(" Asia/Seoul"), "the zone is part of the schedule"
    got = elapses(on_calendar, tz)
    seoul = dt.datetime.combine(dt.date(2026, 12, 25), SERVER_RUN_AT)  # one home for 09:05
    if tz == "UTC":  # KRX has no DST: 09:05 KST is 00:05 UTC all year, on the same weekday
        expected_time, zone = (seoul - dt.timedelta(hours=9)).time(), "UTC"
    else:
        expected_time, zone = SERVER_RUN_AT, "KST"
    assert [(d.date().isoformat(), d.time(), z) for _, d, z in got] == [
        ("2026-12-25", expected_time, zone),  # Friday (a KRX holiday: the run records a skip)
        ("2026-12-28", expected_time, zone),  # Monday: the weekend is skipped
        ("2026-12-29", expected_time, zone),
    ]
    assert {wd for wd, _, _ in got} <= WEEKDAYS


# --- the crontab alternatives: correct on the machine they are for, refuse elsewhere ---------


def cron_entry(path: Path) -> tuple[list[str], str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert not any(ln.startswith("CRON_TZ") for ln in lines), "Debian/Ubuntu cron ignore it"
    (entry,) = [ln for ln in lines if ln and not ln.startswith("#") and "=" not in ln.split()[0]]
    fields = entry.split(maxsplit=5)
    return fields[:5], fields[5].replace(r"\%", "%")  # cron turns \% into %


def test_server_crontab_is_0005_utc_on_weekdays_and_refuses_another_zone(tmp_path: Path) -> None:
    fields, command = cron_entry(OCI / "crontab")
    seoul = dt.datetime.combine(dt.date(2026, 12, 24), SERVER_RUN_AT)
    utc = seoul - dt.timedelta(hours=9)
    assert fields == [str(utc.minute), str(utc.hour), "*", "*", "1-5"]
    assert utc.date() == seoul.date(), "a KST weekday morning is the same UTC weekday"
    assert "bash deploy/oci/daily_ops.sh" in command
    checkout = tmp_path / "srv"
    (checkout / "deploy/oci").mkdir(parents=True)
    stub = checkout / "deploy/oci/daily_ops.sh"
    stub.write_text('echo "ran daily_ops KRX_PUSH=$KRX_PUSH"\n', encoding="utf-8")
    script = command.replace(SERVER_PLACEHOLDER, str(checkout))
    for tz, rc, line in [("UTC", 0, "ran daily_ops KRX_PUSH=1"), ("Asia/Seoul", 3, "not UTC")]:
        proc = subprocess.run(
            ["sh", "-c", script], env={"PATH": os.environ["PATH"], "TZ": tz}, timeout=30
        )
        log = (checkout / "logs/daily_ops.log").read_text(encoding="utf-8")
        assert proc.returncode == rc and line in log.splitlines()[-1], log


def test_pc_crontab_is_1830_kst_on_weekdays_and_refuses_another_zone(tmp_path: Path) -> None:
    fields, command = cron_entry(PC / "krx-pc-daily.crontab")
    on_calendar = unit(PC / "krx-pc-daily.timer")["Timer"]["OnCalendar"]
    hh, mm = re.findall(r" (\d\d):(\d\d):00 Asia/Seoul$", on_calendar)[0]
    assert fields == [str(int(mm)), str(int(hh)), "*", "*", "1-5"], "same time as the timer"
    (tmp_path / "krx-alertor/deploy/pc").mkdir(parents=True)
    (tmp_path / "krx-alertor/deploy/pc/daily.sh").write_text("echo ran pc daily\n", "utf-8")
    for tz, rc, line in [("Asia/Seoul", 0, "ran pc daily"), ("UTC", 3, "not Asia/Seoul")]:
        env = {"PATH": os.environ["PATH"], "TZ": tz, "HOME": str(tmp_path)}
        proc = subprocess.run(["sh", "-c", command], env=env, timeout=30)
        log = (tmp_path / "krx-alertor/logs/pc_daily.log").read_text(encoding="utf-8")
        assert proc.returncode == rc and line in log.splitlines()[-1], log


# --- the PC: systemd user units (Linux) and a Task Scheduler task (Windows) -------------------


def test_pc_user_units_say_what_the_brief_says() -> None:
    service, timer = unit(PC / "krx-pc-daily.service"), unit(PC / "krx-pc-daily.timer")
    s = service["Service"]
    assert s["Type"] == "oneshot" and "User" not in s, "a user unit runs as its user"
    (script,) = [a for a in shlex.split(s["ExecStart"]) if a.startswith(PC_PLACEHOLDER)]
    assert ROOT / script.removeprefix(PC_PLACEHOLDER + "/") == PC / "daily.sh"
    assert env_lines(PC / "krx-pc-daily.service")["TZ"] == "Asia/Seoul"
    t = timer["Timer"]
    assert t["Persistent"] == "true" and t["Unit"] == "krx-pc-daily.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.usefixtures("needs_systemd")
def test_pc_user_units_verify(tmp_path: Path) -> None:
    out = analyze(
        "--user",
        "verify",
        str(PC / "krx-pc-daily.service"),
        str(PC / "krx-pc-daily.timer"),
        user_runtime=tmp_path / "run",
    )
    assert out.strip() == "", out


@pytest.mark.usefixtures("needs_systemd")
@pytest.mark.parametrize("tz", ["Asia/Seoul", "UTC"])
def test_pc_timer_fires_after_the_close_on_weekdays(tz: str) -> None:
    on_calendar = unit(PC / "krx-pc-daily.timer")["Timer"]["OnCalendar"]
    got = elapses(on_calendar, tz)
    expected = dt.time(18, 30) if tz == "Asia/Seoul" else dt.time(9, 30)
    assert [(d.date().isoformat(), d.time()) for _, d, _ in got] == [
        ("2026-12-25", expected),
        ("2026-12-28", expected),
        ("2026-12-29", expected),
    ]
    assert {wd for wd, _, _ in got} <= WEEKDAYS


def test_windows_task_runs_daily_ps1_on_weekdays_at_1830() -> None:
    raw = (PC / "krx-pc-daily.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), "schtasks reads the decl"
    assert raw.isascii(), "no character whose meaning depends on the code page"
    task = ET.fromstring(raw)
    (trigger,) = task.findall("t:Triggers/t:CalendarTrigger", TASK_NS)
    start = dt.datetime.fromisoformat(trigger.findtext("t:StartBoundary", "", TASK_NS))
    assert start.tzinfo is None, "local time of the PC (Windows set to Seoul)"
    assert start.time() == dt.time(18, 30)
    week = trigger.find("t:ScheduleByWeek", TASK_NS)
    assert week is not None and week.findtext("t:WeeksInterval", "", TASK_NS) == "1"
    days = [el.tag.split("}")[1] for el in week.findall("t:DaysOfWeek/*", TASK_NS)]
    assert days == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    settings = task.find("t:Settings", TASK_NS)
    assert settings is not None
    assert settings.findtext("t:StartWhenAvailable", "", TASK_NS) == "true", "missed: run later"
    assert settings.findtext("t:MultipleInstancesPolicy", "", TASK_NS) == "IgnoreNew"
    (action,) = task.findall("t:Actions/t:Exec", TASK_NS)
    assert action.findtext("t:Command", "", TASK_NS) == "powershell.exe"
    args = action.findtext("t:Arguments", "", TASK_NS)
    assert args == r"-NoProfile -ExecutionPolicy Bypass -File deploy\pc\daily.ps1"
    assert (ROOT / args.rsplit(" ", 1)[1].replace("\\", "/")).is_file()
    assert action.findtext("t:WorkingDirectory", "", TASK_NS).endswith(r"\krx-alertor")
    register = 'schtasks /Create /TN "KRX Alertor PC daily" /XML deploy\\pc\\krx-pc-daily.xml'
    assert register in raw.decode("ascii")
