"""Is the strategy bundle usable for a session? Schema, integrity hash, validity window, age.

Staleness is counted in KRX trading days and knows the rebalance rhythm: a bundle that asks for
a rebalance (``rebalance_due``) must be executed inside its window ``valid_from..valid_until``;
a hold bundle (only stop losses) may still be used up to ``bundle_max_age_trading_days``
sessions after ``valid_until``, so one missed PC run does not stop risk management.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from pydantic import ValidationError

from pipeline import registry
from pipeline.artifacts.bundle import StrategyBundleV1, bundle_integrity
from pipeline.core.checks import run_checks
from pipeline.enums import BundleStatus
from pipeline.krx_calendar import KrxCalendar
from pipeline.params import LiveParams

BUNDLE_PATH = registry.path("strategy_bundle")


@dataclass(frozen=True)
class BundleVerdict:
    status: BundleStatus
    bundle: StrategyBundleV1 | None  # set whenever the document parsed and its hash matched
    detail: str  # English detail for logs; the message layer says it in Korean


def check_bundle(
    raw: bytes | None, session: dt.date, cal: KrxCalendar, live: LiveParams
) -> BundleVerdict:
    """Verdict on the bundle bytes (None = file missing) for trading session ``session``."""
    if raw is None:
        return BundleVerdict(BundleStatus.MISSING, None, f"{BUNDLE_PATH} is missing")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return BundleVerdict(BundleStatus.INVALID, None, f"not UTF-8 JSON: {err}")
    try:
        bundle = StrategyBundleV1.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = "/" + "/".join(str(p) for p in first["loc"])
        return BundleVerdict(BundleStatus.INVALID, None, f"{where}: {first['msg']}")
    # Integrity first: an edited bundle is TAMPERED even if the edit also breaks a rule.
    if bundle_integrity(data) != bundle.integrity_sha256:
        return BundleVerdict(BundleStatus.TAMPERED, None, "integrity_sha256 does not match")
    findings = run_checks(bundle)
    if findings:
        return BundleVerdict(
            BundleStatus.INVALID, None, "; ".join(f"{p}: {m}" for p, m in findings)
        )
    if session < bundle.valid_from:
        detail = f"session {session} is before valid_from {bundle.valid_from}"
        return BundleVerdict(BundleStatus.NOT_YET_VALID, bundle, detail)
    if bundle.rebalance_due:
        if session > bundle.valid_until:
            detail = f"rebalance bundle valid until {bundle.valid_until}, session {session}"
            return BundleVerdict(BundleStatus.STALE, bundle, detail)
    else:
        late = cal.count_after(bundle.valid_until, session)
        if late > live.bundle_max_age_trading_days:
            detail = (
                f"hold bundle {late} trading days past valid_until {bundle.valid_until} "
                f"(allowed {live.bundle_max_age_trading_days})"
            )
            return BundleVerdict(BundleStatus.STALE, bundle, detail)
    return BundleVerdict(BundleStatus.VALID, bundle, "ok")
