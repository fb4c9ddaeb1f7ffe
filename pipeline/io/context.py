"""The edges of the world a stage sees: the clock, the as-of rule, the role, the code version.

The clock is an input: ``KRX_NOW`` (ISO datetime) or ``KRX_ASOF`` (date) replace the real clock,
so any past day can be replayed deterministically.

The as-of rule lives here and nowhere else:

* **requested** day: ``--asof``, else ``KRX_ASOF``, else today in Seoul (``requested_asof``);
* **PC pipeline**: the clock stage pins the last KRX session whose bars are final to
  ``data/asof.json`` (``pc_asof``: the previous-or-same session; today only after the close
  plus ``SETTLE``, unless a day was asked for explicitly). Every later PC stage runs on that
  pinned day (``pinned_asof``); an ``--asof`` that resolves to another session is refused
  (exit 1), never silently ignored — replay a day with ``KRX_ASOF=D dvc repro``;
* **server stages**: the requested day itself, if it is a KRX session (``trading_session``);
  on any other day they have nothing to do.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline import registry
from pipeline.artifacts.envelope import InputRef, Producer
from pipeline.artifacts.prices import ClockV1
from pipeline.enums import Owner
from pipeline.errors import ArtifactError, OperatorError
from pipeline.io.gitcli import head
from pipeline.io.jsonio import file_sha256, read_artifact
from pipeline.krx_calendar import KrxCalendar, load_calendar

SEOUL = ZoneInfo("Asia/Seoul")
#: The KRX regular session closes at 15:30; bars of a day are final after this time.
MARKET_CLOSE = dt.time(15, 30)
#: Bars of a day are taken as final this long after the 15:30 close.
SETTLE = dt.timedelta(minutes=30)


def now_seoul() -> dt.datetime:
    """Now in Asia/Seoul; ``KRX_NOW`` overrides (naive values are read as Seoul time)."""
    raw = os.environ.get("KRX_NOW")
    if raw:
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise OperatorError(f"KRX_NOW={raw!r} is not an ISO datetime") from None
        return value.replace(tzinfo=SEOUL) if value.tzinfo is None else value.astimezone(SEOUL)
    return dt.datetime.now(SEOUL)


def requested_asof(explicit: str | None = None) -> dt.date:
    """The as-of date asked for: ``--asof``, else ``KRX_ASOF``, else today in Seoul."""
    raw = explicit or os.environ.get("KRX_ASOF")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise OperatorError(f"as-of date {raw!r} is not YYYY-MM-DD") from None
    return now_seoul().date()


def pc_asof(requested: dt.date, now: dt.datetime, explicit: bool, cal: KrxCalendar) -> dt.date:
    """The PC pipeline's session for ``requested`` (pure): the previous-or-same KRX session,
    one session earlier while today's bars are not final yet (unless asked explicitly)."""
    day = cal.previous_or_same(requested)
    close = dt.datetime.combine(day, MARKET_CLOSE, SEOUL) + SETTLE
    if not explicit and day == now.date() and now < close:
        day = cal.add(day, -1)  # today's bars are not final yet
    return day


def clock_asof(root: Path, explicit: str | None) -> tuple[dt.date, dt.date]:
    """(the session the clock stage pins, the day that was requested)."""
    asked = bool(explicit or os.environ.get("KRX_ASOF"))
    requested = requested_asof(explicit)
    return pc_asof(requested, now_seoul(), asked, load_calendar(root)), requested


def pinned_asof(
    root: Path, explicit: str | None = None, stage: str = "", fallback: dt.date | None = None
) -> dt.date:
    """The as-of every PC stage after the clock runs on: the day in ``data/asof.json``.

    An explicit ``--asof`` must resolve to that same session, else OperatorError (exit 1).
    Without a clock file, an explicit ``--asof`` (a stage run by hand outside dvc) or
    ``fallback`` is used; with neither, ArtifactError names the missing file.
    """
    spec = registry.get("clock")
    if (root / spec.path).exists():
        pinned = read_artifact(root, spec, ClockV1).asof
        if explicit is not None:
            require_asof(explicit, pinned, stage, f"{spec.path} pins {pinned}", root)
        return pinned
    if explicit is not None:
        return requested_asof(explicit)
    if fallback is not None:
        return fallback
    raise ArtifactError(f"{spec.path}: missing; run the clock stage first (`dvc repro`)")


def require_asof(explicit: str | None, actual: dt.date, stage: str, why: str, root: Path) -> None:
    """Refuse (exit 1) an ``--asof`` that resolves to another session than ``actual``."""
    if explicit is None:
        return
    asked = requested_asof(explicit)
    if load_calendar(root).previous_or_same(asked) != actual:
        raise OperatorError(
            f"stage {stage}: --asof {asked} is not the session this stage runs on ({why}); "
            f"to replay a day run `KRX_ASOF={asked} dvc repro` (the clock stage pins it)"
        )


@dataclass(frozen=True)
class Session:
    day: dt.date
    cal: KrxCalendar


def trading_session(root: Path, asof: str | None) -> Session | None:
    """A server stage's session: the requested day if it is a KRX session, else None."""
    cal = load_calendar(root)
    day = requested_asof(asof)
    return Session(day, cal) if cal.is_trading_day(day) else None


def role() -> Owner:
    """Which machine this is (``KRX_ROLE``=PC|SERVER, default PC)."""
    raw = os.environ.get("KRX_ROLE", "PC").upper()
    try:
        return Owner(raw)
    except ValueError:
        raise OperatorError(f"KRX_ROLE={raw!r}: expected PC or SERVER") from None


def code_sha(root: Path) -> str | None:
    """HEAD of the checkout the code runs from (None outside git)."""
    return head(root)


def producer(stage: str, root: Path) -> Producer:
    return Producer(stage=stage, host=role().value, code_sha=code_sha(root))


def input_ref(root: Path, rel: str, commit: str | None = None) -> InputRef:
    """Path + content hash of an input file as it is now in the working tree."""
    return InputRef(path=rel, sha256=file_sha256(root / rel), commit=commit)
