"""KRX trading-day arithmetic: XKRX sessions from exchange_calendars minus git-tracked closures.

``KrxCalendar`` is pure (built from arrays); ``load_calendar`` reads the override file.
Weekends are not the only holidays: every date computation goes through this module.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.canonical import safe_yaml
from pipeline.errors import OperatorError

OVERRIDES_FILE = "config/krx_closures.yaml"
CALENDAR_START = dt.date(2000, 1, 4)
CALENDAR_END = dt.date(2035, 12, 31)


class Closure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: dt.date
    reason: str = Field(min_length=1)


class Overrides(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    closures: tuple[Closure, ...] = ()


def _d64(day: dt.date) -> np.datetime64:
    return np.datetime64(day, "D")


class KrxCalendar:
    """Sorted, unique trading days with O(log n) lookups."""

    def __init__(self, sessions: Iterable[dt.date] | np.ndarray) -> None:
        if isinstance(sessions, np.ndarray):  # no per-day Python objects (every process builds one)
            arr = np.unique(sessions.astype("datetime64[D]"))
        else:
            arr = np.array(sorted({_d64(d) for d in sessions}), dtype="datetime64[D]")
        if arr.size == 0:
            raise ValueError("a calendar needs at least one session")
        self.sessions = arr

    @property
    def first(self) -> dt.date:
        return self._date(0)

    @property
    def last(self) -> dt.date:
        return self._date(self.sessions.size - 1)

    def _date(self, i: int) -> dt.date:
        out: dt.date = self.sessions[i].astype(object)
        return out

    def _check(self, day: dt.date) -> None:
        if not (self.first <= day <= self.last):
            raise OperatorError(f"{day} is outside the KRX calendar ({self.first}..{self.last})")

    def is_trading_day(self, day: dt.date) -> bool:
        i = int(np.searchsorted(self.sessions, _d64(day)))
        return i < self.sessions.size and self.sessions[i] == _d64(day)

    def index(self, day: dt.date) -> int:
        """Position of a trading day; OperatorError if ``day`` is not one."""
        if not self.is_trading_day(day):
            raise OperatorError(f"{day} is not a KRX trading day")
        return int(np.searchsorted(self.sessions, _d64(day)))

    def previous_or_same(self, day: dt.date) -> dt.date:
        self._check(day)
        i = int(np.searchsorted(self.sessions, _d64(day), side="right")) - 1
        return self._date(i)

    def next_or_same(self, day: dt.date) -> dt.date:
        self._check(day)
        i = int(np.searchsorted(self.sessions, _d64(day), side="left"))
        return self._date(i)

    def add(self, day: dt.date, n: int) -> dt.date:
        """The trading day ``n`` sessions after (n<0: before) the trading day at/before ``day``."""
        i = int(np.searchsorted(self.sessions, _d64(self.previous_or_same(day))))
        j = i + n
        if not 0 <= j < self.sessions.size:
            raise OperatorError(f"{day} {n:+d} trading days is outside the KRX calendar")
        return self._date(j)

    def between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Trading days d with start <= d <= end."""
        lo = int(np.searchsorted(self.sessions, _d64(start), side="left"))
        hi = int(np.searchsorted(self.sessions, _d64(end), side="right"))
        return [d.astype(object) for d in self.sessions[lo:hi]]

    def count_after(self, start: dt.date, end: dt.date) -> int:
        """Number of trading days d with start < d <= end (negative if end < start)."""
        a = int(np.searchsorted(self.sessions, _d64(start), side="right"))
        b = int(np.searchsorted(self.sessions, _d64(end), side="right"))
        return b - a

    def is_first_of_month(self, day: dt.date) -> bool:
        """True if ``day`` is the first trading day of its month."""
        i = self.index(day)
        return i == 0 or self._date(i - 1).month != day.month


def _cache_file() -> Path:
    from importlib.metadata import version

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    tag = f"{version('exchange_calendars')}-{CALENDAR_START}-{CALENDAR_END}"
    return base / "krx-alertor" / f"xkrx-sessions-{tag}.npy"


@functools.lru_cache(maxsize=1)
def _xkrx_sessions() -> np.ndarray:
    """XKRX sessions (datetime64[D]); building them takes ~2 s, so they are cached per library
    version."""
    cache = _cache_file()
    arr: np.ndarray
    try:
        arr = np.load(cache)
    except (OSError, ValueError):
        import exchange_calendars as xcals  # slow import; only when the cache is cold

        cal = xcals.get_calendar(
            "XKRX", start=CALENDAR_START.isoformat(), end=CALENDAR_END.isoformat()
        )
        arr = np.array([ts.date() for ts in cal.sessions], dtype="datetime64[D]")
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, arr)
            tmp.replace(cache)
        except OSError:
            pass  # a read-only home only costs speed
    arr.flags.writeable = False  # shared by every calendar of the process
    return arr


def parse_overrides(text: str, where: str = OVERRIDES_FILE) -> Overrides:
    try:
        raw = safe_yaml(text) or {}
        return Overrides.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as err:
        raise OperatorError(f"{where}: invalid calendar overrides: {err}") from None


def build_calendar(overrides: Overrides) -> KrxCalendar:
    sessions = _xkrx_sessions()
    closed = np.array([_d64(c.date) for c in overrides.closures], dtype="datetime64[D]")
    return KrxCalendar(sessions[~np.isin(sessions, closed)])


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> KrxCalendar:
    text = Path(path).read_text(encoding="utf-8")
    return build_calendar(parse_overrides(text, path))


def load_calendar(root: Path | str = ".") -> KrxCalendar:
    """The XKRX calendar minus the closures in ``config/krx_closures.yaml`` (if present)."""
    path = Path(root) / OVERRIDES_FILE
    if not path.exists():
        return build_calendar(Overrides())
    return _load_cached(str(path), path.stat().st_mtime_ns)
