"""``state/strategy_bundle.json``: the PC -> server handoff (DESIGN §3, §4).

The bundle written on the close of ``asof`` says what to hold from the next session's open.
``integrity_sha256`` is the SHA-256 of the canonical JSON of the whole document without that
field; the server recomputes it and refuses a tampered bundle.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from pipeline.artifacts.envelope import Envelope, Model
from pipeline.canonical import canonical_bytes, sha256_hex
from pipeline.enums import DayState, InstrumentType, PriceSource, Regime
from pipeline.types import Sha256, Ticker


class RegimeReason(StrEnum):
    """Why the locked regime / day state is what it is (ENUM; details go in regime_detail)."""

    WARMUP_HISTORY = "WARMUP_HISTORY"  # too few bars for the indicators
    ABOVE_SMA_LONG = "ABOVE_SMA_LONG"  # close >= SMA(long): BULL
    BELOW_SMA_LONG = "BELOW_SMA_LONG"  # close < SMA(long): BEAR
    GOLDEN_CROSS = "GOLDEN_CROSS"  # SMA(short) > SMA(long): BULL (immediate from BEAR)
    HOLDING = "HOLDING"  # a candidate change has not held regime_hold_days yet
    CHOP_FILTER = "CHOP_FILTER"  # ADX < threshold: CHOP for the day


class SignalReason(StrEnum):
    """Per-ticker reason for its target weight."""

    SELECTED = "SELECTED"  # in the top max_positions by momentum
    NOT_TOP_N = "NOT_TOP_N"
    RSI_OVERBOUGHT = "RSI_OVERBOUGHT"  # selected but RSI scale is 0
    NO_DATA = "NO_DATA"  # missing bar or indicator not yet defined
    HELD_BETWEEN_REBALANCES = "HELD_BETWEEN_REBALANCES"  # weight carried from last rebalance
    RISK_OFF = "RISK_OFF"  # exposure 0 for the day state
    BENCHMARK_ONLY = "BENCHMARK_ONLY"  # regime input, not tradable in this universe


class TargetWeight(Model):
    ticker: Ticker = Field(description="KRX short code")
    weight: float = Field(ge=0.0, le=1.0, description="Fraction of equity to hold")


class TickerSignal(Model):
    ticker: Ticker = Field(description="KRX short code")
    name: str = Field(description="Display name from params (Korean, as listed on KRX)")
    type: InstrumentType = Field(description="ETF or STOCK (sets the sell tax)")
    close: int | None = Field(description="Close on asof, KRW; null if no bar")
    momentum: float | None = Field(description="close / SMA(momentum_period) - 1")
    rsi: float | None = Field(description="RSI(rsi_period), Wilder, 0..100")
    rank: int | None = Field(description="Momentum rank (1 = best) among eligible tickers")
    rsi_scale: float | None = Field(description="RSI band multiplier")
    weight: float = Field(ge=0.0, le=1.0, description="Target weight, fraction of equity")
    reason: SignalReason = Field(description="Why the ticker has this weight (ENUM)")


class StrategyBundleV1(Envelope):
    schema_id: Literal["strategy_bundle/v1"] = Field("strategy_bundle/v1", alias="schema")
    strategy: Literal["crisis_alpha"] = Field("crisis_alpha", description="Strategy name")
    data_source: PriceSource = Field(description="Where the prices came from")
    synthetic_data: bool = Field(description="True if built from the generated sample data")
    day_state: DayState = Field(description="State of asof after the chop filter")
    regime: Regime = Field(description="Locked regime underneath the chop filter")
    regime_reason: RegimeReason = Field(description="Why the day state/regime is what it is")
    regime_detail: str = Field(description="Human explanation with the indicator values")
    exposure: float = Field(ge=0.0, le=1.0, description="Gross exposure for the day state")
    rebalance_due: bool = Field(
        description="True if the next session is a rebalance (trade to targets); false = hold"
    )
    last_rebalance: dt.date | None = Field(description="Signal date of the last rebalance")
    valid_from: dt.date = Field(description="First session the targets apply to (asof + 1)")
    valid_until: dt.date = Field(description="Last session the bundle may be executed on")
    target_weights: tuple[TargetWeight, ...] = Field(description="Sorted by ticker; sum <= 1")
    cash_weight: float = Field(ge=0.0, le=1.0, description="1 - sum of target weights")
    intended_weights: tuple[TargetWeight, ...] | None = Field(
        None,
        description="What the strategy holds for the next session, every day: the targets on "
        "a rebalance day, else its positions at the asof close as fractions of equity (sorted "
        "by ticker; sum <= 1). The server moves the account toward them every session. Null "
        "in bundles written before this field (the server then only acts on rebalance days)",
    )
    signals: tuple[TickerSignal, ...] = Field(description="Per ticker: indicators and reason")
    integrity_sha256: Sha256 = Field(description="SHA-256 of the document without this field")


def bundle_integrity(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``data`` without ``integrity_sha256``."""
    body = {k: v for k, v in data.items() if k != "integrity_sha256"}
    return sha256_hex(canonical_bytes(body))
