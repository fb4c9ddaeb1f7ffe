"""The one registry of artifacts: name -> model, path, owner, schema version (STYLE §4).

Writers, readers, ``validate``, the resolver's allowlist and the README table all come from
here. A breaking change adds a ``v2`` entry and keeps ``v1`` in ``LEGACY`` so artifacts at old
refs still validate (STYLE §6).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from pipeline.artifacts.backtest import BacktestMetricsV1, BacktestResultV1
from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.prices import ClockV1, PricesMetaV1
from pipeline.enums import ArtifactKind, Owner


@dataclass(frozen=True)
class ArtifactSpec:
    """One registered artifact."""

    name: str
    version: int
    path: str  # repo-relative; may hold one ``{key}`` placeholder for a collection
    owner: Owner
    kind: ArtifactKind
    stage: str
    description: str
    model: type[Envelope] | None = None  # JSON artifacts only

    @property
    def schema_id(self) -> str:
        return f"{self.name}/v{self.version}"

    @property
    def schema_file(self) -> str:
        return f"schemas/{self.name}.v{self.version}.schema.json"

    @property
    def is_collection(self) -> bool:
        return "{key}" in self.path

    @property
    def glob(self) -> str:
        """A pathlib glob matching every file of the artifact (keys may contain '/')."""
        return self.path.replace("{key}", "**/*")

    def path_for(self, key: str | None = None) -> str:
        if not self.is_collection:
            return self.path
        if key is None or not _KEY_RE.fullmatch(key):
            raise ValueError(f"{self.name}: invalid collection key {key!r}")
        return self.path.replace("{key}", key)

    def key_of(self, path: str) -> str | None:
        """The collection key of ``path`` if it belongs to this artifact."""
        if not self.is_collection:
            return None
        prefix, suffix = self.path.split("{key}")
        if path.startswith(prefix) and path.endswith(suffix):
            key = path[len(prefix) : len(path) - len(suffix)]
            return key if _KEY_RE.fullmatch(key) else None
        return None


_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,80}")

ARTIFACTS: tuple[ArtifactSpec, ...] = (
    ArtifactSpec(
        name="clock",
        version=1,
        path="data/asof.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="clock",
        description="The PC pipeline's as-of KRX trading date (the only clock input)",
        model=ClockV1,
    ),
    ArtifactSpec(
        name="prices_meta",
        version=1,
        path="data/prices/_meta.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="ingest",
        description="Price store index: source (synthetic flag), universe, partitions + hashes",
        model=PricesMetaV1,
    ),
    ArtifactSpec(
        name="prices",
        version=1,
        path="data/prices/{key}.parquet",
        owner=Owner.PC,
        kind=ArtifactKind.PARQUET,
        stage="ingest",
        description="Daily OHLCV, one parquet file per month (key YYYY/YYYY-MM)",
    ),
    ArtifactSpec(
        name="backtest_metrics",
        version=1,
        path="reports/backtest/metrics.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="backtest",
        description="Backtest metrics vs the 069500 buy-and-hold (DVC metrics)",
        model=BacktestMetricsV1,
    ),
    ArtifactSpec(
        name="backtest_result",
        version=1,
        path="reports/backtest/result.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="backtest",
        description="Full backtest result: metrics, per-year, state days, regime changes, holdings",
        model=BacktestResultV1,
    ),
    ArtifactSpec(
        name="backtest_equity",
        version=1,
        path="reports/backtest/equity.csv",
        owner=Owner.PC,
        kind=ArtifactKind.CSV,
        stage="backtest",
        description="Equity curve, strategy vs benchmark, KRW per day (DVC plot)",
    ),
    ArtifactSpec(
        name="backtest_drawdown",
        version=1,
        path="reports/backtest/drawdown.csv",
        owner=Owner.PC,
        kind=ArtifactKind.CSV,
        stage="backtest",
        description="Drawdown from the running peak, fraction, strategy vs benchmark (DVC plot)",
    ),
    ArtifactSpec(
        name="backtest_trades",
        version=1,
        path="reports/backtest/trades.parquet",
        owner=Owner.PC,
        kind=ArtifactKind.PARQUET,
        stage="backtest",
        description="Simulated fills: date, ticker, side, shares, price, costs, reason, P&L",
    ),
    ArtifactSpec(
        name="strategy_bundle",
        version=1,
        path="state/strategy_bundle.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="backtest",
        description="The PC -> server handoff: day state, regime, target weights, validity",
        model=StrategyBundleV1,
    ),
)

#: Older schema versions that are no longer written but must still validate.
LEGACY: tuple[ArtifactSpec, ...] = ()

_BY_NAME = {a.name: a for a in ARTIFACTS}


def get(name: str) -> ArtifactSpec:
    """The current spec of ``name``; KeyError if it is not registered."""
    return _BY_NAME[name]


def names() -> list[str]:
    return [a.name for a in ARTIFACTS]


def by_schema_id(schema_id: str) -> ArtifactSpec | None:
    for spec in (*ARTIFACTS, *LEGACY):
        if spec.schema_id == schema_id:
            return spec
    return None


def spec_for_path(path: str) -> ArtifactSpec | None:
    """The registered artifact stored at repo-relative ``path`` (None if unregistered)."""
    for spec in ARTIFACTS:
        if spec.path == path or (spec.is_collection and spec.key_of(path) is not None):
            return spec
    return None


def owner_of(path: str) -> Owner | None:
    spec = spec_for_path(path)
    return spec.owner if spec else None


def json_specs() -> list[ArtifactSpec]:
    return [a for a in (*ARTIFACTS, *LEGACY) if a.model is not None]


def matches(spec: ArtifactSpec, path: str) -> bool:
    return fnmatch.fnmatch(path, spec.glob)
