"""The one registry of artifacts: name -> model, path, owner, schema version (STYLE §4).

Writers, readers, ``validate``, the resolver's allowlist and the README table all come from
here. A breaking change adds a ``v2`` entry and keeps ``v1`` in ``LEGACY`` so artifacts at old
refs still validate (STYLE §6); a legacy spec's ``upgrade`` turns its documents into the next
version's, and ``upgrade`` below applies those steps, so every reader gets the current model.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pipeline.artifacts import legacy
from pipeline.artifacts.backtest import BacktestMetricsV1, BacktestResultV1
from pipeline.artifacts.bundle import StrategyBundleV1
from pipeline.artifacts.drill import DrillReportV1, DrillReportV2, DrillReportV3
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.live import (
    DeliveryRecordV1,
    LiveCycleReceiptV1,
    LiveCycleReceiptV2,
    OrderPlanV1,
    OrderPlanV2,
    PlanLedgerV1,
    SendLedgerV1,
)
from pipeline.artifacts.ops import OpsSummaryV1, OpsSummaryV2
from pipeline.artifacts.portfolio import PortfolioV1, PositionsV1
from pipeline.artifacts.prices import ClockV1, PricesMetaV1
from pipeline.artifacts.recon import ReconDailyV1, ReconSummaryV1
from pipeline.artifacts.reports import MachineReportV1, PushPreviewV1
from pipeline.artifacts.safety import EmergencyStopV1, ExecutionGateV1, RealSenderV1
from pipeline.artifacts.scheduler import SchedulerRecordV1
from pipeline.artifacts.sweep import SweepLeaderboardV1
from pipeline.artifacts.tickets import TicketResultV1, TicketV1
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
    #: A legacy version only: a parsed document of this version -> the next version's (raw
    #: dicts; ``pipeline.artifacts.legacy``). None: the current version, or no upgrade exists.
    upgrade: Callable[[dict[str, Any]], dict[str, Any]] | None = None

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
        name="backtest_dvc_metrics",
        version=1,
        path="reports/backtest/dvc_metrics.json",
        owner=Owner.PC,
        kind=ArtifactKind.TEXT,
        stage="backtest",
        description="Headline figures only, flat JSON without an envelope: what "
        "`dvc metrics show/diff` print (all figures: reports/backtest/metrics.json)",
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
    ArtifactSpec(
        name="recon_summary",
        version=1,
        path="reports/recon/recon_summary.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="reconcile",
        description="Intended vs planned vs executed over a window: badge, counts, issues",
        model=ReconSummaryV1,
    ),
    ArtifactSpec(
        name="recon_daily",
        version=1,
        path="reports/recon/recon_daily.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="reconcile",
        description="Reconcile rows, one per KRX session of the window",
        model=ReconDailyV1,
    ),
    ArtifactSpec(
        name="report_markdown",
        version=1,
        path="reports/human/report.md",
        owner=Owner.PC,
        kind=ArtifactKind.TEXT,
        stage="reports",
        description="Human report in Markdown (Korean): metrics, weights, reconcile, months",
    ),
    ArtifactSpec(
        name="report_html",
        version=1,
        path="reports/human/report.html",
        owner=Owner.PC,
        kind=ArtifactKind.TEXT,
        stage="reports",
        description="Self-contained HTML report with SVG charts (no scripts, works offline)",
    ),
    ArtifactSpec(
        name="machine_report",
        version=1,
        path="reports/machine_report.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="reports",
        description="Compact machine report (at most 1,200 characters)",
        model=MachineReportV1,
    ),
    ArtifactSpec(
        name="push_preview",
        version=1,
        path="reports/push_preview.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="reports",
        description="Korean push-message preview: title <= 50, body <= 500 characters",
        model=PushPreviewV1,
    ),
    ArtifactSpec(
        name="sweep_leaderboard",
        version=1,
        path="reports/sweep/leaderboard.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="sweep",
        description="Parameter sweep ranked by walk-forward OOS Sharpe; IS/OOS gap, deflated SR",
        model=SweepLeaderboardV1,
    ),
    ArtifactSpec(
        name="portfolio",
        version=1,
        path="state/portfolio.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="operator",
        description="Operator baseline: cash and holdings at the close of asof",
        model=PortfolioV1,
    ),
    ArtifactSpec(
        name="execution_gate",
        version=1,
        path="state/execution_gate.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="operator",
        description="Execution gate: MOCK_ONLY, DRY_RUN or REAL_ENABLED (else MOCK_ONLY)",
        model=ExecutionGateV1,
    ),
    ArtifactSpec(
        name="real_sender",
        version=1,
        path="state/real_sender_enable.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="operator",
        description="Real Telegram sender switch (missing/corrupt: disabled)",
        model=RealSenderV1,
    ),
    ArtifactSpec(
        name="emergency_stop",
        version=1,
        path="state/emergency_stop.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="operator",
        description="Emergency stop; wins over everything (corrupt: stopped)",
        model=EmergencyStopV1,
    ),
    ArtifactSpec(
        name="ticket",
        version=1,
        path="state/tickets/{key}.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="operator",
        description="Operator ticket: execution record of fills for a plan, or an acknowledge",
        model=TicketV1,
    ),
    ArtifactSpec(
        name="ops_summary",
        version=2,
        path="reports/ops/ops_summary.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="ops_summary",
        description="Single pane of glass: overall_status and top_risks",
        model=OpsSummaryV2,
    ),
    ArtifactSpec(
        name="order_plan",
        version=2,
        path="reports/live/order_plan.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="live_cycle",
        description="The day's orders from targets, positions and prices after guardrails",
        model=OrderPlanV2,
    ),
    ArtifactSpec(
        name="live_cycle_receipt",
        version=2,
        path="reports/live/live_cycle_receipt.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="live_cycle",
        description="Receipt of the day's live cycle: result, decision, reason, push",
        model=LiveCycleReceiptV2,
    ),
    ArtifactSpec(
        name="send_ledger",
        version=1,
        path="state/server/send_ledger.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="live_cycle",
        description="Intent (fsync'd before the send) and outcome of every real message",
        model=SendLedgerV1,
    ),
    ArtifactSpec(
        name="delivery_record",
        version=1,
        path="reports/live/delivery_record.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="live_cycle",
        description="The day's message and what happened to it (idempotency per plan and day)",
        model=DeliveryRecordV1,
    ),
    ArtifactSpec(
        name="plan_ledger",
        version=1,
        path="state/server/plan_ledger.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="live_cycle",
        description="Recent order plans, so tickets can refer to older ones",
        model=PlanLedgerV1,
    ),
    ArtifactSpec(
        name="ticket_result",
        version=1,
        path="reports/tickets/{key}.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="tickets",
        description="Exactly one result per ticket id: DONE/REJECTED/EXPIRED + reason",
        model=TicketResultV1,
    ),
    ArtifactSpec(
        name="positions",
        version=1,
        path="state/server/positions.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="tickets",
        description="Current positions: operator baseline + fills of processed tickets",
        model=PositionsV1,
    ),
    ArtifactSpec(
        name="drill_report",
        version=3,
        path="reports/ops/drill_report.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="drill",
        description="Last `krx drill`: the daily flow in a scratch copy: exit code, reason, steps",
        model=DrillReportV3,
    ),
    ArtifactSpec(
        name="scheduler_record",
        version=1,
        path="reports/ops/scheduler_record.json",
        owner=Owner.SERVER,
        kind=ArtifactKind.JSON,
        stage="daily_ops",
        description="Last deploy/oci/daily_ops.sh run: steps, exit code, git HEADs, push",
        model=SchedulerRecordV1,
    ),
)

_BY_NAME = {a.name: a for a in ARTIFACTS}


def _older(
    name: str,
    version: int,
    model: type[Envelope],
    upgrade: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    description: str | None = None,
) -> ArtifactSpec:
    """An older version of the registered artifact ``name``: same path, owner, kind, stage."""
    spec = _BY_NAME[name]
    return replace(
        spec,
        version=version,
        model=model,
        upgrade=upgrade,
        description=description or spec.description,
    )


#: Older schema versions that are no longer written but must still validate.
LEGACY: tuple[ArtifactSpec, ...] = (
    # no upgrade: v2 replaced the drill's own steps and reasons by the daily run's
    _older(
        "drill_report",
        1,
        DrillReportV1,
        description="Last `krx drill`: server loop self-test in a scratch copy, per-step results",
    ),
    _older(
        "drill_report",
        2,
        DrillReportV2,
        legacy.upgrade_drill_report_v2,
        "Last `krx drill`: the daily flow in a scratch copy: exit code, reason, steps",
    ),
    _older("ops_summary", 1, OpsSummaryV1, legacy.upgrade_ops_summary_v1),
    _older("order_plan", 1, OrderPlanV1, legacy.upgrade_order_plan_v1),
    _older("live_cycle_receipt", 1, LiveCycleReceiptV1, legacy.upgrade_live_cycle_receipt_v1),
)


def get(name: str) -> ArtifactSpec:
    """The current spec of ``name``; KeyError if it is not registered."""
    return _BY_NAME[name]


def path(name: str, key: str | None = None) -> str:
    """The repo-relative path of artifact ``name`` (of collection member ``key``)."""
    return _BY_NAME[name].path_for(key)


def names() -> list[str]:
    return [a.name for a in ARTIFACTS]


def by_schema_id(schema_id: str) -> ArtifactSpec | None:
    for spec in (*ARTIFACTS, *LEGACY):
        if spec.schema_id == schema_id:
            return spec
    return None


def upgrade(data: Any, to: str | None = None) -> Any:
    """A parsed artifact of a legacy version brought up to schema id ``to`` (default: the
    version written now), one legacy ``upgrade`` step at a time. Anything else (a current or
    unknown version, not an envelope, a version with no upgrade) comes back as it is."""
    while isinstance(data, dict) and data.get("schema") != to:
        sid = data.get("schema")
        spec = by_schema_id(sid) if isinstance(sid, str) else None
        if spec is None or spec.upgrade is None:
            break
        data = spec.upgrade(data)
    return data


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
