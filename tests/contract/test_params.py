import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.errors import ParamsError
from pipeline.params import load_params, parse_params
from tests.conftest import ROOT

RAW: dict[str, Any] = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def test_committed_params_are_valid_and_match_the_design_defaults() -> None:
    p = load_params(ROOT)
    s = p.strategy
    assert (s.ma_short, s.ma_long, s.regime_hold_days, s.adx_period) == (60, 120, 30, 30)
    assert (s.adx_threshold, s.max_positions, s.stop_loss) == (17.5, 5, 0.12)
    assert (p.costs.commission_rate, p.costs.slippage_rate) == (0.00015, 0.001)
    assert p.backtest.initial_capital == 10_000_000
    assert "069500" in [i.ticker for i in p.data.universe] and len(p.data.universe) >= 12


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("strategy", "ma_lenght"), 5, "strategy.ma_lenght"),  # typo: extra key
        (("strategy", "adx_threshold"), -1, "strategy.adx_threshold"),
        (("costs", "commission_rate"), "cheap", "costs.commission_rate"),
        (("data", "source"), "bloomberg", "data.source"),
        (("data", "universe"), [{"ticker": 69500, "name": "x"}], "data.universe.0.ticker"),
    ],
)
def test_invalid_params_name_the_key(path: tuple[str, str], value: object, key: str) -> None:
    raw = copy.deepcopy(RAW)
    raw[path[0]][path[1]] = value
    with pytest.raises(ParamsError, match="params.yaml: " + re.escape(key) + ":"):
        parse_params(raw)


def test_cross_field_rule_is_named() -> None:
    raw = copy.deepcopy(RAW)
    raw["strategy"]["ma_short"] = 200
    with pytest.raises(ParamsError, match=r"strategy: .*ma_short must be < ma_long"):
        parse_params(raw)


def test_unreadable_yaml_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "params.yaml").write_text("data: [unclosed", encoding="utf-8")
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(tmp_path)


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (("strategy", "adx_threshold"), float("inf"), "strategy.adx_threshold"),
        (("strategy", "max_positions"), float("inf"), "strategy.max_positions"),
        (("costs", "slippage_rate"), float("nan"), "costs.slippage_rate"),
        (("strategy", "ma_long"), 10**9, "strategy.ma_long"),
        (("backtest", "initial_capital"), 10**30, "backtest.initial_capital"),
        (("data", "seed"), -1, "data.seed"),
        (("live", "max_order_notional_krw"), 10**20, "live.max_order_notional_krw"),
    ],
)
def test_infinite_and_absurd_values_name_the_key(
    path: tuple[str, str], value: object, key: str
) -> None:
    raw = copy.deepcopy(RAW)
    raw.setdefault(path[0], {})[path[1]] = value
    with pytest.raises(ParamsError, match="params.yaml: " + re.escape(key) + ":"):
        parse_params(raw)


def test_yaml_inf_in_the_file_names_the_key(tmp_path: Path) -> None:
    text = (ROOT / "params.yaml").read_text(encoding="utf-8")
    assert "adx_threshold: 17.5" in text
    (tmp_path / "params.yaml").write_text(
        text.replace("adx_threshold: 17.5", "adx_threshold: .inf"), encoding="utf-8"
    )
    with pytest.raises(ParamsError, match=r"strategy\.adx_threshold: .*finite"):
        load_params(tmp_path)
