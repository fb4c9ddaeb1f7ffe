"""What the legacy schema versions (``registry.LEGACY``) were written with, and their upgrades.

A breaking change adds a version and keeps the old one validating (STYLE §6). The old version's
schema is generated from its model, so the model keeps the enums it was written with: the
copies below are frozen — never edit them, or ``schemas/*.v1.schema.json`` and the files at old
refs stop matching (a contract test compares the committed schemas byte for byte). They keep
the class names ``CycleReason``/``RiskCode``/``Risk``/``CycleView`` because the generated
schemas name their ``$defs`` after the class; that is why they live here and not in
``pipeline.enums`` (which holds the current enums under those very names).

Each ``upgrade_*`` turns a parsed document of one legacy version into the next version's
(raw dict -> raw dict, pure, never raising on odd input: the model check that follows reports
it). ``registry.upgrade`` applies them, so every reader gets the current model.

Issue 13 item 4 renamed ``NO_BUNDLE`` to ``BUNDLE_MISSING`` (one name per fact: the bundle's
reason is ``BUNDLE_<BundleStatus>``): ``ops_summary/v1``, ``order_plan/v1``,
``live_cycle_receipt/v1`` and ``drill_report/v2`` say ``NO_BUNDLE``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from pipeline.artifacts.envelope import Model
from pipeline.enums import CycleDecision, CycleResult, DeliveryChannel, Severity

#: Values renamed since the legacy versions, old -> new (codes of CycleReason and RiskCode).
RENAMED = {"NO_BUNDLE": "BUNDLE_MISSING"}


class CycleReason(StrEnum):  # frozen: ops_summary, order_plan, live_cycle_receipt v1
    """ENUM reason of a live-cycle receipt (details go in the plan and delivery record)."""

    ORDERS_READY = "ORDERS_READY"
    NO_ORDERS = "NO_ORDERS"
    ORDERS_CLIPPED = "ORDERS_CLIPPED"
    DELIVERY_FALLBACK = "DELIVERY_FALLBACK"
    EMERGENCY_STOP = "EMERGENCY_STOP"
    NO_BUNDLE = "NO_BUNDLE"
    BUNDLE_INVALID = "BUNDLE_INVALID"
    BUNDLE_TAMPERED = "BUNDLE_TAMPERED"
    BUNDLE_NOT_YET_VALID = "BUNDLE_NOT_YET_VALID"
    BUNDLE_STALE = "BUNDLE_STALE"
    NO_PORTFOLIO = "NO_PORTFOLIO"
    PORTFOLIO_INVALID = "PORTFOLIO_INVALID"
    POSITIONS_OUT_OF_DATE = "POSITIONS_OUT_OF_DATE"
    PRICE_MISSING = "PRICE_MISSING"
    DELIVERY_OUTCOME_UNKNOWN = "DELIVERY_OUTCOME_UNKNOWN"  # sent maybe: never resent, check


class RiskCode(StrEnum):  # frozen: ops_summary v1
    """Codes of ``ops_summary.top_risks`` (the rule table lives in pipeline.core.ops)."""

    EMERGENCY_STOP = "EMERGENCY_STOP"
    SAFETY_FILE_INVALID = "SAFETY_FILE_INVALID"
    GATE_MOCK_ONLY = "GATE_MOCK_ONLY"
    NO_BUNDLE = "NO_BUNDLE"
    BUNDLE_INVALID = "BUNDLE_INVALID"
    BUNDLE_STALE = "BUNDLE_STALE"
    NO_PORTFOLIO = "NO_PORTFOLIO"
    PORTFOLIO_STALE = "PORTFOLIO_STALE"
    PORTFOLIO_INCONSISTENT = "PORTFOLIO_INCONSISTENT"
    TICKETS_FAILED = "TICKETS_FAILED"
    ORDER_PLAN_BLOCKED = "ORDER_PLAN_BLOCKED"
    LAST_CYCLE_FAILED = "LAST_CYCLE_FAILED"
    RECON_CRITICAL = "RECON_CRITICAL"
    DRILL_FAILED = "DRILL_FAILED"
    DRILL_STALE = "DRILL_STALE"
    NO_DRILL = "NO_DRILL"


class Risk(Model):  # frozen: ops_summary v1
    code: RiskCode = Field(description="Risk code (rule table in pipeline.core.ops)")
    severity: Severity = Field(description="CRITICAL blocks, WARN warns, INFO informs")
    message: str = Field(description="Korean one-line explanation for the operator")
    evidence_refs: tuple[str, ...] = Field(
        description="Repo-relative paths (or <commit>:<path>) that show the risk"
    )


class CycleView(Model):  # frozen: drill_report v1, v2
    """The scratch live cycle's receipt, as evidence."""

    result: CycleResult = Field(description="Receipt result")
    decision: CycleDecision = Field(description="Receipt decision")
    reason: CycleReason = Field(description="Receipt reason")
    delivery_actual: DeliveryChannel = Field(
        description="Where the message went (always CONSOLE_SIMULATED in a drill)"
    )


# --- upgrades: raw dict of one version -> raw dict of the next ---------------------------------


def renamed(value: Any) -> Any:
    """A code as it is spelled now (anything that is not an old code comes back as it is)."""
    return RENAMED.get(value, value) if isinstance(value, str) else value


def upgrade_delivery_key(key: str) -> str:
    """``<session>:NO_BUNDLE`` -> ``<session>:BUNDLE_MISSING``: the send ledger's idempotency
    key of a block spelled the old way, so a rerun on the deploy day finds the old send."""
    day, sep, rest = key.partition(":")
    return f"{day}{sep}{renamed(rest)}" if sep else key


def _renamed(data: dict[str, Any], field: str) -> dict[str, Any]:
    """``data`` with the code at ``field`` spelled as now (a missing field stays missing)."""
    return {**data, field: renamed(data[field])} if field in data else data


def upgrade_ops_summary_v1(data: dict[str, Any]) -> dict[str, Any]:
    out = {**data, "schema": "ops_summary/v2"}
    if isinstance(out.get("top_risks"), list):
        out["top_risks"] = [
            _renamed(r, "code") if isinstance(r, dict) else r for r in out["top_risks"]
        ]
    return out


def upgrade_order_plan_v1(data: dict[str, Any]) -> dict[str, Any]:
    return _renamed({**data, "schema": "order_plan/v2"}, "block_reason")


def upgrade_live_cycle_receipt_v1(data: dict[str, Any]) -> dict[str, Any]:
    out = _renamed({**data, "schema": "live_cycle_receipt/v2"}, "reason")
    push = out.get("push")
    if isinstance(push, dict) and isinstance(push.get("delivery_key"), str):
        out["push"] = {**push, "delivery_key": upgrade_delivery_key(push["delivery_key"])}
    return out


def upgrade_drill_report_v2(data: dict[str, Any]) -> dict[str, Any]:
    out = _renamed({**data, "schema": "drill_report/v3"}, "reason")
    if isinstance(out.get("cycle"), dict):
        out["cycle"] = _renamed(out["cycle"], "reason")
    return out
