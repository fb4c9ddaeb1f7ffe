"""Parameter sweeps over ``strategy`` keys, scored walk-forward (DESIGN §4 "Tuning"). Pure.

Each combination is one ``simulate_strategy`` run (the backtest's own code path) over the
whole history; its equity curve is then cut into the walk-forward windows. The simulation is
causal (a close decides the next open), so the figures of a window depend on data up to
that window's last day only. Indicators are computed once per distinct period in an
``IndicatorCache`` and shared by every combination that needs them.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from pipeline.artifacts.backtest import Performance
from pipeline.canonical import canonical_json
from pipeline.core.backtest import benchmark_column, simulate_strategy
from pipeline.core.indicators import adx, momentum, rsi, sma
from pipeline.core.matrix import PriceMatrix
from pipeline.core.metrics import daily_returns, excess_returns, performance, sharpe_of_excess
from pipeline.core.regime import RegimeSeries, regime_from
from pipeline.core.walkforward import FoldIndex, folds
from pipeline.enums import InstrumentType
from pipeline.params import BacktestParams, CostParams, Params, StrategyParams
from pipeline.params.sweep_spec import SweepSpec, Value, lookup

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Combo:
    """One point of the sweep: the values of every swept key, and the params they make."""

    id: str  # 12 hex chars of the SHA-256 of the canonical values
    values: tuple[Value, ...]  # in the spec's key order
    strategy: StrategyParams


def combo_id(keys: Sequence[str], values: Sequence[Value]) -> str:
    text = canonical_json(dict(zip(keys, values, strict=True)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def apply_values(
    base: StrategyParams, keys: Sequence[str], values: Sequence[Value]
) -> StrategyParams:
    """``base`` with each dotted key set; ValueError if the result is not valid params."""
    tree = copy.deepcopy(base.model_dump(mode="json", by_alias=True))
    for key, value in zip(keys, values, strict=True):
        *parents, last = key.split(".")
        node: Any = lookup(tree, ".".join(parents)) if parents else tree
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    try:
        return StrategyParams.model_validate(tree)
    except ValidationError as err:
        raise ValueError(str(err)) from None


def enumerate_combos(spec: SweepSpec, base: StrategyParams) -> tuple[list[Combo], int]:
    """The spec's combinations that make valid params, and how many were invalid.

    Grid: every combination in spec order. Random: ``samples`` distinct grid points drawn
    with ``seed`` (all of them if the grid is smaller). Invalid params (say ma_short >=
    ma_long) are skipped and counted, never silently "fixed".
    """
    grid = spec.grid()
    keys = list(grid)
    points: Iterable[tuple[Value, ...]]
    if spec.sampling == "grid" or spec.samples >= spec.size:
        points = itertools.product(*grid.values())
    else:
        rng = random.Random(spec.seed)
        sizes = [len(v) for v in grid.values()]
        picks = sorted(rng.sample(range(spec.size), spec.samples))
        points = (tuple(_nth(grid, sizes, i)) for i in picks)
    out, invalid = [], 0
    for values in points:
        try:
            params = apply_values(base, keys, values)
        except ValueError:
            invalid += 1
            continue
        out.append(Combo(combo_id(keys, values), values, params))
    return out, invalid


def _nth(grid: dict[str, tuple[Value, ...]], sizes: list[int], i: int) -> list[Value]:
    """The i-th point of the grid product (last key varies fastest, as itertools.product)."""
    out: list[Value] = []
    for values, size in zip(reversed(grid.values()), reversed(sizes), strict=True):
        i, k = divmod(i, size)
        out.append(values[k])
    return out[::-1]


def baseline_combo(keys: Sequence[str], base: StrategyParams) -> Combo:
    """The current params as a combination (its values at the swept keys)."""
    tree = base.model_dump(mode="json", by_alias=True)
    values = tuple(lookup(tree, k) for k in keys)
    return Combo(combo_id(keys, values), values, base)


class IndicatorCache:
    """Indicators by period, computed once over all days and shared by combinations.

    Full-length series indexed on the rows asked for equal the row-wise computation of
    ``pipeline.core.indicators`` exactly: both apply the same per-row arithmetic.
    """

    def __init__(self) -> None:
        self._sma: dict[tuple[int, int], FloatArray] = {}
        self._adx: dict[tuple[int, int], FloatArray] = {}
        self._mom: dict[int, FloatArray] = {}
        self._rsi: dict[int, FloatArray] = {}
        self._regime: dict[tuple[Any, ...], RegimeSeries] = {}

    def computed(self) -> dict[str, tuple[Any, ...]]:
        """What has been computed so far, by kind (keys of each cache, sorted)."""
        return {
            "regime": tuple(sorted(self._regime)),
            "momentum": tuple(sorted(self._mom)),
            "rsi": tuple(sorted(self._rsi)),
            "sma": tuple(sorted(self._sma)),
            "adx": tuple(sorted(self._adx)),
        }

    def regime(self, m: PriceMatrix, p: StrategyParams) -> RegimeSeries:
        b = benchmark_column(m, p)
        key = (b, p.ma_short, p.ma_long, p.adx_period, p.adx_threshold, p.regime_hold_days)
        hit = self._regime.get(key)
        if hit is None:
            c = m.close[:, b]
            s_short, s_long = self._bench_sma(c, b, p.ma_short), self._bench_sma(c, b, p.ma_long)
            a = self._adx.get((b, p.adx_period))
            if a is None:
                a = self._adx[(b, p.adx_period)] = adx(m.high[:, b], m.low[:, b], c, p.adx_period)
            hit = self._regime[key] = regime_from(c, s_short, s_long, a, p)
        return hit

    def _bench_sma(self, c: FloatArray, b: int, n: int) -> FloatArray:
        hit = self._sma.get((b, n))
        if hit is None:
            hit = self._sma[(b, n)] = sma(c, n)
        return hit

    def momentum(self, m: PriceMatrix, n: int, rows: npt.NDArray[np.int64]) -> FloatArray:
        full = self._mom.get(n)
        if full is None:
            full = self._mom[n] = momentum(m.close, n)
        out: FloatArray = full[rows]
        return out

    def rsi(self, m: PriceMatrix, n: int, rows: npt.NDArray[np.int64]) -> FloatArray:
        full = self._rsi.get(n)
        if full is None:
            full = self._rsi[n] = rsi(m.close, n)
        out: FloatArray = full[rows]
        return out


@dataclass(frozen=True)
class SweepContext:
    """Everything a worker needs to score combinations (picklable, shipped once)."""

    matrix: PriceMatrix
    types: tuple[InstrumentType, ...]
    tradable: npt.NDArray[np.bool_]
    costs: CostParams
    backtest: BacktestParams
    folds: tuple[FoldIndex, ...]
    token: str  # identifies the matrix, so a worker can keep its cache between chunks


@dataclass(frozen=True)
class ComboScore:
    """Walk-forward figures of one combination (Sharpe ratios annualised; NaN = undefined)."""

    id: str
    full: Performance  # the whole evaluation window, as the backtest reports it
    is_sharpe: FloatArray  # per fold
    oos_sharpe: FloatArray  # per fold
    oos_return: FloatArray  # per fold, fraction
    oos: Performance  # the out-of-sample windows end to end (they tile one span)
    oos_daily_sharpe: float  # non-annualised, for the deflated Sharpe ratio
    oos_skew: float
    oos_kurtosis: float  # Pearson (normal = 3)


def _nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)


def score_combo(ctx: SweepContext, combo: Combo, cache: IndicatorCache) -> ComboScore:
    """Run one combination and cut its equity into the walk-forward windows."""
    run = simulate_strategy(
        ctx.matrix,
        ctx.types,
        ctx.tradable,
        combo.strategy,
        ctx.costs,
        ctx.backtest,
        indicators=cache,
    )
    eq, dates = run.sim.equity, ctx.matrix.dates
    rf, min_obs = ctx.backtest.risk_free_rate, ctx.backtest.min_obs_for_ratios
    full = performance(dates[run.start :], eq[run.start :], rf, min_obs)
    ex = excess_returns(daily_returns(eq), rf)  # ex[t - 1] is day t's
    is_s, oos_s, oos_r = (np.full(len(ctx.folds), np.nan) for _ in range(3))
    for k, f in enumerate(ctx.folds):
        is_s[k] = _window_sharpe(ex, f.is_start, f.is_end, min_obs)
        oos_s[k] = _window_sharpe(ex, f.oos_start, f.oos_end, min_obs)
        oos_r[k] = eq[f.oos_end] / eq[f.oos_start - 1] - 1.0
    lo, hi = ctx.folds[0].oos_start, ctx.folds[-1].oos_end
    oos = performance(dates[lo - 1 : hi + 1], eq[lo - 1 : hi + 1], rf, min_obs)
    sr, skew, kurt = _moments(ex[lo - 1 : hi])
    return ComboScore(combo.id, full, is_s, oos_s, oos_r, oos, sr, skew, kurt)


def _window_sharpe(ex: FloatArray, first: int, last: int, min_obs: int) -> float:
    """Sharpe of days ``first..last`` (returns from the close before ``first``)."""
    window = ex[first - 1 : last]
    return _nan(sharpe_of_excess(window)) if window.size >= min_obs else float("nan")


def _moments(ex: FloatArray) -> tuple[float, float, float]:
    """(per-day Sharpe with ddof=1, skewness, Pearson kurtosis) of daily excess returns."""
    sd = float(np.std(ex, ddof=1)) if ex.size > 1 else 0.0
    pop = float(np.std(ex))
    if sd <= 0 or pop <= 0:
        return float("nan"), float("nan"), float("nan")
    z = (ex - np.mean(ex)) / pop
    z2 = z * z  # z*z, not z**4: integer powers via pow are slow on long arrays
    return float(np.mean(ex)) / sd, float(np.mean(z2 * z)), float(np.mean(z2 * z2))


def score_chunk(
    ctx: SweepContext, combos: Sequence[Combo], cache: IndicatorCache | None = None
) -> list[ComboScore]:
    """Score combinations in order, sharing one indicator cache."""
    c = cache or IndicatorCache()
    return [score_combo(ctx, combo, c) for combo in combos]


def chunked(combos: Sequence[Combo], size: int) -> list[list[Combo]]:
    """Chunks that keep combinations sharing a regime together (their indicators are reused)."""

    def key(c: Combo) -> tuple[Any, ...]:
        p = c.strategy
        return (
            p.ma_short,
            p.ma_long,
            p.adx_period,
            p.adx_threshold,
            p.regime_hold_days,
            p.momentum_period,
            p.rsi_period,
            c.id,
        )

    ordered = sorted(combos, key=key)
    return [ordered[i : i + size] for i in range(0, len(ordered), max(1, size))]


@dataclass(frozen=True)
class Prepared:
    """A sweep ready to score: the context, every combination (baseline included)."""

    ctx: SweepContext
    keys: tuple[str, ...]
    combos: tuple[Combo, ...]
    baseline_id: str
    invalid: int


def matrix_token(m: PriceMatrix) -> str:
    h = hashlib.sha256()
    h.update(",".join(m.tickers).encode("utf-8"))
    for a in (m.dates.astype("datetime64[D]").astype(np.int64), m.open, m.high, m.low, m.close):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def prepare(
    m: PriceMatrix,
    types: Sequence[InstrumentType],
    tradable: npt.NDArray[np.bool_],
    params: Params,
    spec: SweepSpec,
    sessions: npt.NDArray[np.datetime64],
) -> Prepared:
    """Combinations, the baseline and the walk-forward folds for one sweep.

    The folds start where every combination is warm: the benchmark's first bar plus the
    longest warm-up any combination needs, so all trials are scored on the same days.
    """
    keys = tuple(spec.grid())
    combos, invalid = enumerate_combos(spec, params.strategy)
    base = baseline_combo(keys, params.strategy)
    if base.id not in {c.id for c in combos}:
        combos.append(base)
    b = benchmark_column(m, params.strategy)
    have = np.flatnonzero(np.isfinite(m.close[:, b]))
    first = int(have[0]) if have.size else 0
    origin = first + max(c.strategy.warmup_days for c in combos)
    ctx = SweepContext(
        matrix=m,
        types=tuple(types),
        tradable=tradable,
        costs=params.costs,
        backtest=params.backtest,
        folds=folds(m.dates, sessions, origin, spec.walk_forward),
        token=matrix_token(m),
    )
    return Prepared(ctx, keys, tuple(combos), base.id, invalid)
