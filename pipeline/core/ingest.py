"""What an incremental ingest must fetch, and whether the result may be stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from pipeline.core.bars import check_bars
from pipeline.krx_calendar import KrxCalendar


@dataclass(frozen=True)
class FetchRange:
    tickers: tuple[str, ...]
    start: dt.date
    end: dt.date


def plan_fetch(
    existing: pd.DataFrame,
    tickers: Sequence[str],
    history_start: dt.date,
    asof: dt.date,
    calendar: KrxCalendar,
) -> list[FetchRange]:
    """Ranges to fetch so every ticker has bars through ``asof`` (grouped by start date)."""
    last = existing.groupby("ticker")["date"].max().to_dict() if len(existing) else {}
    by_start: dict[dt.date, list[str]] = {}
    for ticker in tickers:
        prev = last.get(ticker)
        start = calendar.next_or_same(history_start) if prev is None else calendar.add(prev, 1)
        if start <= asof:
            by_start.setdefault(start, []).append(ticker)
    return [FetchRange(tuple(ts), s, asof) for s, ts in sorted(by_start.items())]


def merge_new_bars(
    existing: pd.DataFrame,
    new: pd.DataFrame,
    ranges: Sequence[FetchRange],
    asof: dt.date,
    calendar: KrxCalendar,
) -> tuple[pd.DataFrame, list[str]]:
    """Existing + new bars, or the list of problems (ticker and date in each) if any."""
    problems: list[str] = []
    wanted = {t: r for r in ranges for t in r.tickers}
    stray = sorted(set(new["ticker"]) - set(wanted)) if len(new) else []
    problems += [f"{t}: returned by the source but not requested" for t in stray]
    for ticker, rng in sorted(wanted.items()):
        mine = new[new["ticker"] == ticker]
        if mine.empty:
            problems.append(f"{ticker} {rng.start}: missing ticker, no bars from {rng.start}")
            continue
        early = mine[pd.Series([d < rng.start for d in mine["date"]], index=mine.index)]
        problems += [f"{ticker} {d}: bar before the requested start" for d in early["date"]]
        got_last = max(mine["date"])
        if got_last < asof:
            problems.append(f"{ticker} {asof}: no bars after {got_last}, expected through {asof}")
        if got_last > asof:
            problems.append(f"{ticker} {got_last}: bar after the as-of date {asof}")
    # Gaps are checked from each ticker's first requested day (continuity with stored bars).
    for rng in ranges:
        part = new[new["ticker"].isin(rng.tickers)]
        problems += check_bars(part, calendar, gap_check_from=rng.start)
    if problems:
        return existing, sorted(set(problems))
    merged = pd.concat([existing, new], ignore_index=True) if len(existing) else new.copy()
    return merged.sort_values(["date", "ticker"], ignore_index=True), []
