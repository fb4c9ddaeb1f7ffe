"""Small sweeps for the tests: a short synthetic history and a 32-point grid (fast)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from pipeline.core.matrix import PriceMatrix, to_matrix
from pipeline.core.sweep import Prepared, prepare
from pipeline.enums import InstrumentType
from pipeline.params import Params
from pipeline.params.sweep_spec import SweepSpec
from tests.core.bt_factories import UNIVERSE, make_bars, make_params

#: Short indicator periods so a few hundred days hold several folds.
BASE = {
    "ma_short": 10,
    "ma_long": 40,
    "adx_period": 10,
    "momentum_period": 20,
    "regime_hold_days": 5,
    "adx_threshold": 20.0,
}


def spec(**over: Any) -> SweepSpec:
    raw: dict[str, Any] = {
        "name": "t",
        "sampling": "grid",
        "top": 8,
        "walk_forward": {"in_sample_days": 120, "out_of_sample_days": 60},
        "surface": {"x": "ma_short", "y": "max_positions"},
        "params": {
            "ma_short": [10, 20],
            "momentum_period": [10, 30],
            "max_positions": [2, 4],
            "rebalance.mode": ["monthly", "every_n"],
            "adx_threshold": [15, 25],
        },
    }
    raw.update(over)
    if "params" in over and "surface" not in over:
        keys = list(raw["params"])
        raw["surface"] = {"x": keys[0], "y": keys[-1]}
    return SweepSpec.model_validate(raw)


def params() -> Params:
    return make_params(**BASE)


def bars(days: int = 600, seed: int = 7) -> pd.DataFrame:
    return make_bars(days, seed)


def matrix(b: pd.DataFrame) -> tuple[PriceMatrix, list[InstrumentType], npt.NDArray[np.bool_]]:
    m = to_matrix(b, UNIVERSE)
    return m, [InstrumentType.ETF] * len(UNIVERSE), np.ones(len(UNIVERSE), dtype=np.bool_)


def prepared(b: pd.DataFrame, s: SweepSpec | None = None, p: Params | None = None) -> Prepared:
    """The sweep over bars ``b``; the sessions are the bars' own weekdays (a test calendar)."""
    m, types, tradable = matrix(b)
    return prepare(m, types, tradable, p or params(), s or spec(), m.dates)
