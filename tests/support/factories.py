"""Factories for test inputs (STYLE §15): small projects, bars, CSV folders."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from tests.conftest import ROOT

SMALL_UNIVERSE = [
    {"ticker": "069500", "name": "KODEX 200", "type": "ETF"},
    {"ticker": "114800", "name": "KODEX 인버스", "type": "ETF"},
    {"ticker": "133690", "name": "TIGER 미국나스닥100", "type": "ETF"},
]


def write_params(root: Path, **data_overrides: Any) -> dict[str, Any]:
    """A params.yaml like the project's, with a small universe and short history."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["data"]["universe"] = SMALL_UNIVERSE
    params["data"]["start"] = "2025-01-02"
    params["data"].update(data_overrides)
    (root / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return params


def small_root(tmp_path: Path, **data_overrides: Any) -> Path:
    """A working folder with params.yaml and the calendar overrides (no git)."""
    root = tmp_path / "root"
    (root / "config").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "krx_closures.yaml", root / "config" / "krx_closures.yaml")
    write_params(root, **data_overrides)
    return root


def bars_frame(rows: list[tuple[str, str, int, int, int, int, int]]) -> pd.DataFrame:
    """Bars from (date, ticker, open, high, low, close, volume) tuples."""
    return pd.DataFrame(
        [
            {
                "date": dt.date.fromisoformat(d),
                "ticker": t,
                "open": o,
                "high": h,
                "low": lo,
                "close": c,
                "volume": v,
            }
            for d, t, o, h, lo, c, v in rows
        ]
    )


def write_csv_dir(folder: Path, bars: pd.DataFrame) -> None:
    """Write bars as the csv source's documented per-ticker files."""
    folder.mkdir(parents=True, exist_ok=True)
    for ticker, grp in bars.groupby("ticker"):
        grp.drop(columns=["ticker"]).to_csv(folder / f"{ticker}.csv", index=False)
