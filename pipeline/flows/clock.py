"""Stage ``clock``: pin the PC pipeline's as-of KRX trading date in ``data/asof.json``.

It always runs (``always_changed``), but its output changes only when the date does, so the
downstream stages rerun once a day and a second ``dvc repro`` changes nothing. For that reason
the file carries no code sha and a ``generated_at`` derived from the date (the session close).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.envelope import Producer
from pipeline.artifacts.prices import ClockV1
from pipeline.errors import EXIT_OK
from pipeline.io.context import MARKET_CLOSE, SEOUL, now_seoul, requested_asof, role
from pipeline.io.jsonio import write_artifact
from pipeline.krx_calendar import load_calendar

#: Bars of a day are taken as final this long after the 15:30 close.
SETTLE = dt.timedelta(minutes=30)


def resolve_asof(requested: dt.date, now: dt.datetime, explicit: bool, cal_root: Path) -> dt.date:
    cal = load_calendar(cal_root)
    day = cal.previous_or_same(requested)
    close = dt.datetime.combine(day, MARKET_CLOSE, SEOUL) + SETTLE
    if not explicit and day == now.date() and now < close:
        day = cal.add(day, -1)  # today's bars are not final yet
    return day


def main(root: Path, asof: str | None) -> int:
    explicit = bool(asof or os.environ.get("KRX_ASOF"))
    requested = requested_asof(asof)
    day = resolve_asof(requested, now_seoul(), explicit, root)
    doc = ClockV1(
        asof=day,
        generated_at=dt.datetime.combine(day, MARKET_CLOSE, SEOUL),
        producer=Producer(stage="clock", host=role().value, code_sha=None),
    )
    write_artifact(root, registry.get("clock"), doc)
    print(f"clock: asof {day}" + (f" (requested {requested})" if day != requested else ""))
    return EXIT_OK
