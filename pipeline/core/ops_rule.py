"""The one status rule of the ops summary and the severity of each risk code.

Kept apart from ``pipeline.core.ops`` so the artifact checks can reuse the very same rule
(one formula, DESIGN §7) without importing the bundle checks.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.artifacts.ops import Risk
from pipeline.enums import OverallStatus, RiskCode, Severity

SEVERITY: dict[RiskCode, Severity] = {
    RiskCode.EMERGENCY_STOP: Severity.CRITICAL,
    RiskCode.SAFETY_FILE_INVALID: Severity.WARN,
    RiskCode.GATE_MOCK_ONLY: Severity.INFO,
    RiskCode.BUNDLE_MISSING: Severity.CRITICAL,
    RiskCode.BUNDLE_INVALID: Severity.CRITICAL,
    RiskCode.BUNDLE_STALE: Severity.CRITICAL,
    RiskCode.NO_PORTFOLIO: Severity.CRITICAL,
    RiskCode.PORTFOLIO_INCONSISTENT: Severity.CRITICAL,
    RiskCode.PORTFOLIO_STALE: Severity.WARN,
    RiskCode.TICKETS_FAILED: Severity.WARN,
    RiskCode.ORDER_PLAN_BLOCKED: Severity.WARN,
    RiskCode.LAST_CYCLE_FAILED: Severity.WARN,
    RiskCode.RECON_CRITICAL: Severity.CRITICAL,
    RiskCode.DRILL_FAILED: Severity.WARN,
    RiskCode.DRILL_STALE: Severity.WARN,
    RiskCode.NO_DRILL: Severity.INFO,
}
RANK = {Severity.CRITICAL: 0, Severity.WARN: 1, Severity.INFO: 2}
#: Codes that may also be raised at a lower severity: a bundle one session LATE is BUNDLE_STALE
#: WARN (buys still allowed); STALE (exits only) is CRITICAL.
MILDER: dict[RiskCode, frozenset[Severity]] = {RiskCode.BUNDLE_STALE: frozenset({Severity.WARN})}


def severity_ok(code: RiskCode, severity: Severity) -> bool:
    """True if ``severity`` is the code's own, or an allowed milder one."""
    return severity is SEVERITY[code] or severity in MILDER.get(code, frozenset())


def overall_status(risks: Iterable[Risk], has_history: bool) -> OverallStatus:
    """The documented rule: STOPPED > BLOCKED > NO_RUN_HISTORY > WARN > OK."""
    found = list(risks)
    if any(r.code is RiskCode.EMERGENCY_STOP for r in found):
        return OverallStatus.STOPPED
    if any(r.severity is Severity.CRITICAL for r in found):
        return OverallStatus.BLOCKED
    if not has_history:
        return OverallStatus.NO_RUN_HISTORY
    if any(r.severity is Severity.WARN for r in found):
        return OverallStatus.WARN
    return OverallStatus.OK
