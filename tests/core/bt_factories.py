"""Small synthetic bar factories for the backtest tests (no network, deterministic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeline.params import Params, parse_params

UNIVERSE = ("069500", "102110", "229200", "122630", "114800", "091160", "133690", "132030")


def weekdays(n: int, start: dt.date = dt.date(2015, 1, 5)) -> list[dt.date]:
    out: list[dt.date] = []
    d = start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def make_bars(
    days: int | Sequence[dt.date],
    seed: int,
    tickers: Sequence[str] = UNIVERSE,
    vol: float = 0.015,
) -> pd.DataFrame:
    """Integer-KRW OHLCV bars: random walks with slow drift swings (so regimes change)."""
    dates = weekdays(days) if isinstance(days, int) else list(days)
    n, k = len(dates), len(tickers)
    rng = np.random.default_rng(seed)
    drift = 0.0012 * np.sin(np.arange(n)[:, None] / rng.uniform(40, 120, k) + rng.uniform(0, 6, k))
    ret = drift + rng.normal(0.0, vol, (n, k))
    close = rng.uniform(5_000, 50_000, k) * np.exp(np.cumsum(ret, axis=0))
    prev = np.vstack([close[:1], close[:-1]])
    opn = prev * (1 + rng.normal(0, vol / 3, (n, k)))
    high = np.maximum(opn, close) * (1 + rng.uniform(0, vol, (n, k)))
    low = np.minimum(opn, close) * (1 - rng.uniform(0, vol, (n, k)))
    rows = []
    for j, t in enumerate(tickers):
        o, h, lo, c = (np.round(a[:, j]).astype(np.int64) for a in (opn, high, low, close))
        rows.append(
            pd.DataFrame(
                {
                    "date": dates,
                    "ticker": t,
                    "open": o,
                    "high": np.maximum.reduce([h, o, c]),
                    "low": np.minimum.reduce([lo, o, c]),
                    "close": c,
                    "volume": rng.integers(1_000, 1_000_000, n),
                }
            )
        )
    bars = pd.concat(rows, ignore_index=True)
    return bars.sort_values(["date", "ticker"], ignore_index=True)


def make_params(universe: Sequence[str] = UNIVERSE, **strategy: object) -> Params:
    """The repo's params.yaml with a test universe and strategy overrides."""
    import yaml

    from tests.conftest import ROOT

    raw = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    raw["data"]["universe"] = [{"ticker": t, "name": f"ETF {t}", "type": "ETF"} for t in universe]
    raw["strategy"].update(strategy)
    return parse_params(raw)
