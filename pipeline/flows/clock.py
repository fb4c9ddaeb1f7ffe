"""Stage ``clock``: pin the PC pipeline's as-of KRX trading date in ``data/asof.json``.

It always runs (``always_changed``), but its output changes only when the date does, so the
downstream stages rerun once a day and a second ``dvc repro`` changes nothing. For that reason
the file carries no code sha and a ``generated_at`` derived from the date (the session close).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.envelope import Producer
from pipeline.artifacts.prices import ClockV1
from pipeline.errors import EXIT_OK
from pipeline.io.context import MARKET_CLOSE, SEOUL, clock_asof, role
from pipeline.io.jsonio import write_artifact


def main(root: Path, asof: str | None) -> int:
    day, requested = clock_asof(root, asof)  # the as-of rule: pipeline.io.context
    doc = ClockV1(
        asof=day,
        generated_at=dt.datetime.combine(day, MARKET_CLOSE, SEOUL),
        producer=Producer(stage="clock", host=role().value, code_sha=None),
    )
    write_artifact(root, registry.get("clock"), doc)
    print(f"clock: asof {day}" + (f" (requested {requested})" if day != requested else ""))
    return EXIT_OK
