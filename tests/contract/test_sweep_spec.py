"""Sweep specs fail loudly on typos; params.yaml edits keep everything but the values."""

from __future__ import annotations

import difflib

import pytest
import yaml

from pipeline.errors import OperatorError, ParamsError
from pipeline.io.params_edit import set_strategy_values
from pipeline.params import parse_params
from pipeline.params.sweep_spec import load_spec, parse_spec
from tests.conftest import ROOT

MINIMAL = """name: t
surface: {x: ma_short, y: ma_short}
params:
  ma_short: [20, 40]
"""


def test_the_default_spec_parses_and_draws_1000_from_its_grid() -> None:
    spec, sha = load_spec(ROOT / "sweeps/default.yaml")
    assert spec.sampling == "random" and spec.samples == 1000
    assert spec.size == 3 * 3 * 5 * 5 * 5 * 4 * 2 * 3 * 3
    assert spec.grid()["adx_threshold"] == (15.0, 17.5, 20.0, 22.5, 25.0)
    assert spec.grid()["regime_hold_days"] == (10, 20, 30, 40, 50)
    assert len(sha) == 64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL.replace("ma_short: [20", "ma_shrot: [20"), "ma_shrot: not a number or word"),
        (MINIMAL + "colour: red\n", "colour: Extra inputs are not permitted"),
        (MINIMAL.replace("[20, 40]", "[20, 20]"), "duplicate values"),
        (MINIMAL.replace("ma_short: [20", "rsi_bands: [20"), "rsi_bands: not a number or word"),
        (MINIMAL.replace("ma_short: [20", "rsi_bands.9.lower: [20"), "not a number or word"),
        (MINIMAL.replace("y: ma_short", "y: stop_loss"), "surface axis 'stop_loss'"),
        ("name: [", "not valid YAML"),
    ],
)
def test_bad_specs_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(OperatorError, match=message):
        parse_spec(text, "sweeps/t.yaml")


def test_params_edit_changes_only_the_values_and_keeps_comments() -> None:
    before = (ROOT / "params.yaml").read_text(encoding="utf-8")
    after = set_strategy_values(
        before, {"ma_short": 40, "rebalance.mode": "every_n", "rsi_bands.0.lower": 75}
    )
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert sorted(diff) == sorted(
        [
            "-  ma_short: 60",
            "+  ma_short: 40",
            "-    - {lower: 80, scale: 0.0}",
            "+    - {lower: 75, scale: 0.0}",
            "-    mode: monthly",
            "+    mode: every_n",
        ]
    )
    p = parse_params(yaml.safe_load(after))
    assert (p.strategy.ma_short, p.strategy.rebalance.mode, p.strategy.rsi_bands[0].lower) == (
        40,
        "every_n",
        75,
    )


def test_params_edit_refuses_a_missing_path() -> None:
    text = (ROOT / "params.yaml").read_text(encoding="utf-8")
    with pytest.raises(ParamsError, match=r"strategy\.rsi_bands\.9\.lower"):
        set_strategy_values(text, {"rsi_bands.9.lower": 1})
