"""Stage ``ingest``: add the new daily bars up to the as-of date to the price store.

Bad data is refused as a whole with every problem listed (ticker and date in each), and the
store is left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pipeline import registry
from pipeline.artifacts.prices import PricesMetaV1, UniverseEntry
from pipeline.core.ingest import merge_new_bars, plan_fetch
from pipeline.errors import EXIT_OK, DataError
from pipeline.io.context import input_ref, now_seoul, pinned_asof, producer
from pipeline.io.jsonio import write_artifact
from pipeline.io.prices import describe_partitions, read_prices, write_partitions
from pipeline.krx_calendar import load_calendar
from pipeline.params import DataParams, load_params, params_sha256
from pipeline.sources import SOURCE_NOTES, empty_bars, fetch_bars


def main(root: Path, asof: str | None) -> int:
    params = load_params(root).data
    cal = load_calendar(root)
    day = pinned_asof(root, asof, "ingest")
    tickers = [i.ticker for i in params.universe]
    stored = read_prices(root)
    existing = stored[stored["ticker"].isin(tickers)]
    ranges = plan_fetch(existing, tickers, params.start, day, cal)
    new = empty_bars()
    for rng in ranges:
        insts = [params.instrument(t) for t in rng.tickers]
        new = _concat(new, fetch_bars(params, insts, rng.start, rng.end, cal, root))
    bars, problems = merge_new_bars(existing, new, ranges, day, cal)
    if problems:
        shown = "\n  ".join(problems[:30])
        more = f"\n  (+{len(problems) - 30} more)" if len(problems) > 30 else ""
        raise DataError(
            f"ingest refused {len(problems)} problem(s); nothing written:\n  {shown}{more}"
        )
    changed = write_partitions(root, bars, stored)
    _write_meta(root, params, bars, day)
    print(f"ingest: {len(new)} new bar(s) through {day}; {len(changed)} partition(s) rewritten")
    return EXIT_OK


def _concat(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    return b if a.empty else pd.concat([a, b], ignore_index=True)


def _write_meta(root: Path, params: DataParams, bars: pd.DataFrame, day: dt.date) -> None:
    spec = registry.get("prices_meta")
    universe = []
    for inst in params.universe:
        mine = bars[bars["ticker"] == inst.ticker]["date"]
        universe.append(
            UniverseEntry(
                ticker=inst.ticker,
                name=inst.name,
                type=inst.type,
                first_date=mine.min(),
                last_date=mine.max(),
                bars=len(mine),
            )
        )
    partitions = describe_partitions(root, bars)
    doc = PricesMetaV1(
        asof=day,
        generated_at=now_seoul(),
        producer=producer("ingest", root),
        params_sha256=params_sha256(params),
        inputs=(input_ref(root, registry.get("clock").path),),
        source=params.source,
        synthetic=params.source.value == "sample",
        source_note=SOURCE_NOTES[params.source],
        first_date=bars["date"].min(),
        last_date=bars["date"].max(),
        bars=len(bars),
        universe=tuple(universe),
        partitions=tuple(partitions),
    )
    write_artifact(root, spec, doc, keep_if_unchanged=True)
