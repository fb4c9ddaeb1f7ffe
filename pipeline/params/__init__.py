"""Typed params: one frozen pydantic model per ``params.yaml`` section (STYLE §8).

``extra="forbid"`` everywhere, so a typo fails loudly with the key's dotted path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.canonical import canonical_json, safe_yaml
from pipeline.enums import InstrumentType, PriceSource
from pipeline.errors import ParamsError
from pipeline.types import Ticker

PARAMS_FILE = "params.yaml"
#: Upper bound of any count of trading days (about 40 years of KRX sessions).
MAX_DAYS = 10_000
#: Upper bound of any KRW amount (one quadrillion won).
MAX_KRW = 10**15


class _Section(BaseModel):
    # allow_inf_nan=False: `.inf` / `.nan` in params.yaml fail with the key's dotted path
    # (a bare `gt=0` would let `.inf` through); every count has an upper bound for the same
    # reason: an absurd value is refused by name, not discovered deep inside a stage.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Instrument(_Section):
    ticker: Ticker
    name: str = Field(description="Display name (Korean, as listed on KRX)")
    type: InstrumentType = InstrumentType.ETF


class DataParams(_Section):
    source: PriceSource = Field(PriceSource.SAMPLE, description="Where prices come from")
    seed: int = Field(20090102, ge=0, lt=2**32, description="Seed of the synthetic sample source")
    start: dt.date = Field(dt.date(2009, 1, 2), description="First date of history")
    csv_dir: str = Field("data/csv_input", description="Folder of per-ticker CSV files (csv)")
    universe: tuple[Instrument, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> DataParams:
        seen = [i.ticker for i in self.universe]
        dup = sorted({t for t in seen if seen.count(t) > 1})
        if dup:
            raise ValueError(f"duplicate tickers in universe: {dup}")
        return self

    def instrument(self, ticker: str) -> Instrument:
        for inst in self.universe:
            if inst.ticker == ticker:
                return inst
        raise KeyError(ticker)


class RsiBand(_Section):
    lower: float = Field(ge=0, le=100, description="Band applies when RSI >= lower")
    scale: float = Field(ge=0, le=2, description="Weight multiplier in this band")


class RebalanceParams(_Section):
    mode: Literal["monthly", "every_n"] = "monthly"
    every_n_days: int = Field(
        20, ge=1, le=MAX_DAYS, description="Trading days between rebalances (every_n)"
    )


class ExposureParams(_Section):
    bull: float = Field(1.0, ge=0, le=1)
    bear: float = Field(0.0, ge=0, le=1, description="bear_exposure of DESIGN §4")
    chop: float = Field(0.0, ge=0, le=1)
    warmup: float = Field(0.0, ge=0, le=1)


class StrategyParams(_Section):
    benchmark: Ticker = Field("069500", description="Regime benchmark (KODEX 200)")
    ma_short: int = Field(60, ge=2, le=MAX_DAYS, description="Golden-cross short SMA, trading days")
    ma_long: int = Field(120, ge=2, le=MAX_DAYS, description="Regime SMA, trading days")
    regime_hold_days: int = Field(30, ge=1, le=MAX_DAYS, description="Days a new regime must hold")
    adx_period: int = Field(30, ge=2, le=MAX_DAYS)
    adx_threshold: float = Field(17.5, gt=0, le=100, description="ADX below this is CHOP")
    momentum_period: int = Field(60, ge=2, le=MAX_DAYS, description="momentum = close/SMA(n) - 1")
    rsi_period: int = Field(14, ge=2, le=MAX_DAYS)
    rsi_bands: tuple[RsiBand, ...] = Field(
        (
            RsiBand(lower=80, scale=0.0),
            RsiBand(lower=70, scale=0.5),
            RsiBand(lower=60, scale=0.8),
            RsiBand(lower=40, scale=1.0),
            RsiBand(lower=30, scale=1.1),
            RsiBand(lower=0, scale=1.2),
        ),
        description="RSI scale bands, highest lower bound first",
    )
    max_positions: int = Field(5, ge=1, le=100)
    rebalance: RebalanceParams = RebalanceParams()
    exposure: ExposureParams = ExposureParams()
    rebalance_threshold: float = Field(0.01, ge=0, lt=1, description="Trade if |w-target|>this")
    stop_loss: float = Field(0.12, ge=0, lt=1, description="Fraction below avg entry; 0 = off")

    @model_validator(mode="after")
    def _check(self) -> StrategyParams:
        if self.ma_short >= self.ma_long:
            raise ValueError("ma_short must be < ma_long")
        lowers = [b.lower for b in self.rsi_bands]
        if lowers != sorted(lowers, reverse=True) or lowers[-1] != 0:
            raise ValueError("rsi_bands must be sorted by lower, descending, ending at 0")
        return self

    @property
    def warmup_days(self) -> int:
        """Bars needed before every indicator is defined."""
        return max(self.ma_long, 2 * self.adx_period + 1, self.momentum_period, self.rsi_period + 1)


class TaxStep(_Section):
    start: dt.date = Field(alias="from", description="Rate applies to sells on/after this date")
    rate: float = Field(ge=0, lt=0.05, description="Sell tax as a fraction of the sell amount")


class CostParams(_Section):
    commission_rate: float = Field(0.00015, ge=0, lt=0.01, description="Each side, fraction")
    slippage_rate: float = Field(0.001, ge=0, lt=0.05, description="Fraction of price, adverse")
    sell_tax: dict[InstrumentType, tuple[TaxStep, ...]]

    def sell_tax_rate(self, kind: InstrumentType, day: dt.date) -> float:
        rate = 0.0
        for step in sorted(self.sell_tax.get(kind, ()), key=lambda s: s.start):
            if step.start <= day:
                rate = step.rate
        return rate


class BacktestParams(_Section):
    initial_capital: int = Field(10_000_000, gt=0, le=MAX_KRW, description="KRW")
    risk_free_rate: float = Field(0.03, ge=0, lt=1, description="Annual, for Sharpe/Sortino")
    min_obs_for_ratios: int = Field(
        60, ge=2, le=100_000, description="Fewer daily returns -> ratios null"
    )


class LiveParams(_Section):
    cash_floor_krw: int = Field(200_000, ge=0, le=MAX_KRW, description="Cash kept after buys, KRW")
    max_order_notional_krw: int = Field(5_000_000, gt=0, le=MAX_KRW, description="Per order, KRW")
    max_total_notional_krw: int = Field(
        20_000_000, gt=0, le=MAX_KRW, description="All orders of a day, KRW"
    )
    max_bundle_lag_sessions: int = Field(
        1,
        ge=0,
        le=20,
        description="KRX closes a bundle may lag the last known close and still allow buys "
        "(one session late: WARN; beyond: exits only)",
    )
    bundle_max_age_trading_days: int = Field(
        2,
        ge=0,
        le=MAX_DAYS,
        description="Bundle older than its validity plus this many days is stale",
    )
    min_order_krw: int = Field(
        10_000, ge=0, le=MAX_KRW, description="Smaller orders are dropped, KRW"
    )
    telegram_timeout_s: float = Field(10.0, gt=0, le=120, description="Per HTTP request, s")
    telegram_max_attempts: int = Field(3, ge=1, le=10, description="Bounded retries of a send")
    telegram_backoff_s: float = Field(1.0, ge=0, le=60, description="First retry wait, doubles")
    telegram_max_retry_after_s: float = Field(
        30.0, ge=0, le=600, description="Longest 429 retry_after honoured before giving up, s"
    )
    delivery_lock_wait_s: float = Field(
        60.0, ge=0, le=3600, description="Wait for a concurrent live cycle's delivery, s"
    )


class OpsParams(_Section):
    portfolio_max_age_trading_days: int = Field(5, ge=0, le=MAX_DAYS)
    ticket_window_trading_days: int = Field(5, ge=1, le=MAX_DAYS)
    ticket_expiry_trading_days: int = Field(
        3, ge=1, le=MAX_DAYS, description="Ticket older than this expires"
    )
    drill_max_age_trading_days: int = Field(3, ge=1, le=MAX_DAYS)
    ticket_price_tolerance: float = Field(
        0.3, gt=0, lt=1, description="Fill price may differ from the plan's by this fraction"
    )


class ReconcileParams(_Section):
    window_trading_days: int = Field(20, ge=1, le=MAX_DAYS)


class Params(_Section):
    data: DataParams
    strategy: StrategyParams = StrategyParams()
    costs: CostParams
    backtest: BacktestParams = BacktestParams()
    live: LiveParams = LiveParams()
    ops: OpsParams = OpsParams()
    reconcile: ReconcileParams = ReconcileParams()


def _format_error(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"]) or "<root>"
        lines.append(f"params.yaml: {key}: {e['msg']}")
    return "\n".join(lines)


def parse_params(raw: Any) -> Params:
    """Validate a parsed params mapping; raise ParamsError naming every bad key."""
    try:
        return Params.model_validate(raw)
    except ValidationError as err:
        raise ParamsError(_format_error(err)) from None


def load_params(root: Path | str = ".") -> Params:
    """Read and validate ``params.yaml`` under ``root``."""
    path = Path(root) / PARAMS_FILE
    try:
        raw = safe_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(f"{path}: not found") from None
    except yaml.YAMLError as err:
        raise ParamsError(f"{path}: not valid YAML: {err}") from None
    return parse_params(raw)


def params_sha256(*sections: BaseModel) -> str:
    """Hash of the given sections' canonical JSON (what an artifact's numbers depend on)."""
    payload = [s.model_dump(mode="json", by_alias=True) for s in sections]
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
