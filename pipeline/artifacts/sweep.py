"""The sweep leaderboard (DESIGN §4 "Tuning"): candidates ranked by out-of-sample Sharpe."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from pipeline.artifacts.backtest import Performance
from pipeline.artifacts.envelope import Envelope, Model
from pipeline.enums import GuardFailure
from pipeline.types import Sha256

ParamValue = int | float | str


class SpecInfo(Model):
    name: str = Field(description="Sweep spec name")
    path: str = Field(description="Repo-relative path of the spec file")
    sha256: Sha256 = Field(description="SHA-256 of the spec file's bytes")
    sampling: Literal["grid", "random"] = Field(description="Every grid point or a sample")
    grid_size: int = Field(ge=1, description="Combinations in the full grid")
    seed: int = Field(description="Seed of the random sample (unused for grid)")


class Fold(Model):
    index: int = Field(ge=0, description="Fold number, 0 = earliest")
    is_start: dt.date = Field(description="First trading day of the in-sample window")
    is_end: dt.date = Field(description="Last trading day of the in-sample window")
    oos_start: dt.date = Field(description="First trading day of the out-of-sample window")
    oos_end: dt.date = Field(description="Last trading day of the out-of-sample window")


class WalkForward(Model):
    in_sample_days: int = Field(ge=1, description="KRX trading days per in-sample window")
    out_of_sample_days: int = Field(
        ge=1, description="KRX trading days per out-of-sample window (and the step)"
    )
    anchored: bool = Field(description="True: every in-sample window starts at the origin")
    folds: tuple[Fold, ...] = Field(min_length=1, description="Windows, in date order")


class Guard(Model):
    min_oos_sharpe: float = Field(description="OOS Sharpe must be above this (annualised)")
    min_deflated_sharpe: float = Field(description="Deflated Sharpe ratio at least this (0..1)")
    max_sharpe_gap: float = Field(description="Mean IS minus mean OOS fold Sharpe at most this")
    min_oos_days: int = Field(description="OOS trading days at least this")
    must_beat_baseline: bool = Field(description="OOS Sharpe must exceed the current params'")


class GuardResult(Model):
    passed: bool = Field(description="True if no guard rule failed (promotion allowed)")
    failures: tuple[GuardFailure, ...] = Field(description="Every rule that failed, ENUM codes")


class Candidate(Model):
    """One combination's walk-forward figures (Sharpe ratios annualised with 252 days)."""

    rank: int = Field(ge=1, description="1 = best out-of-sample Sharpe among all trials")
    id: str = Field(pattern=r"^[0-9a-f]{12}$", description="12 hex chars of the params' hash")
    is_baseline: bool = Field(description="True if these are the current params.yaml values")
    params: dict[str, ParamValue] = Field(
        description="Swept strategy key (dotted, inside params.yaml strategy) -> value in its unit"
    )
    is_sharpe: float | None = Field(
        description="Mean of the in-sample fold Sharpe ratios (annualised; null if none defined)"
    )
    oos_sharpe: float | None = Field(
        description="Annualised Sharpe over the out-of-sample windows end to end (the rank key)"
    )
    oos_total_return: float = Field(description="Out-of-sample windows end to end, fraction")
    oos_max_drawdown: float = Field(ge=0, le=1, description="Over the OOS span, fraction")
    oos_days: int = Field(ge=0, description="Out-of-sample daily returns, KRX trading days")
    sharpe_gap: float | None = Field(
        description="Mean in-sample minus mean out-of-sample fold Sharpe (annualised units)"
    )
    deflated_sharpe: float | None = Field(
        description="Probability (0..1) the true OOS Sharpe beats the best of N lucky trials"
    )
    fold_is_sharpe: tuple[float | None, ...] = Field(
        description="In-sample Sharpe per fold, annualised (null: too few days or no variance)"
    )
    fold_oos_sharpe: tuple[float | None, ...] = Field(
        description="Out-of-sample Sharpe per fold, annualised (null as for in-sample)"
    )
    full_period: Performance = Field(
        description="Whole evaluation window (from the first warm day), as the backtest reports it"
    )
    guard: GuardResult = Field(description="The out-of-sample guard of krx sweep promote")


class FoldPick(Model):
    fold: int = Field(ge=0, description="Fold number")
    chosen_id: str = Field(description="Combination with the best in-sample Sharpe in the fold")
    is_sharpe: float | None = Field(description="Its in-sample Sharpe, annualised")
    oos_sharpe: float | None = Field(description="Its Sharpe in the fold's OOS window")
    oos_return: float = Field(description="Its return in the fold's OOS window, fraction")


class Selection(Model):
    """The walk-forward procedure itself: pick by in-sample, earn out of sample."""

    folds: tuple[FoldPick, ...] = Field(description="The pick of each fold")
    oos_total_return: float = Field(description="Picks' OOS returns compounded, fraction")
    mean_oos_sharpe: float | None = Field(description="Mean of the picks' OOS fold Sharpe")


class SurfacePoint(Model):
    id: str = Field(description="Combination id")
    values: tuple[ParamValue, ...] = Field(description="Values in swept_keys order")
    is_sharpe: float | None = Field(description="Mean in-sample fold Sharpe, annualised")
    oos_sharpe: float | None = Field(description="Out-of-sample Sharpe, annualised")


class Surface(Model):
    x: str = Field(description="Swept key for the x axis of the metric-surface plot")
    y: str = Field(description="Swept key for the y axis")
    points: tuple[SurfacePoint, ...] = Field(description="Every trial, in id order")


class SweepLeaderboardV1(Envelope):
    """``reports/sweep/leaderboard.json``: a sweep's candidates, ranked out of sample."""

    schema_id: Literal["sweep_leaderboard/v1"] = Field("sweep_leaderboard/v1", alias="schema")
    synthetic_data: bool = Field(description="True if computed on generated sample data")
    spec: SpecInfo = Field(description="The sweep spec that was run")
    swept_keys: tuple[str, ...] = Field(min_length=1, description="Dotted strategy keys varied")
    walk_forward: WalkForward = Field(description="The rolling IS/OOS windows")
    trials: int = Field(
        ge=1, description="Valid combinations scored, baseline included (N of the deflation)"
    )
    invalid: int = Field(ge=0, description="Combinations skipped as invalid params")
    expected_max_sharpe: float = Field(
        description="Annualised OOS Sharpe the best of N unskilled trials would show"
    )
    guard: Guard = Field(description="Thresholds of the out-of-sample guard")
    baseline: Candidate = Field(description="The current params.yaml strategy, scored alike")
    candidates: tuple[Candidate, ...] = Field(min_length=1, description="Top trials, by rank")
    selection: Selection = Field(description="Walk-forward selection by in-sample Sharpe")
    surface: Surface = Field(description="Per-trial IS/OOS Sharpe for the metric surface")
