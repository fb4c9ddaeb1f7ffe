"""Is the strategy bundle usable for a session? Schema, integrity hash, validity window, age.

Staleness is counted in KRX sessions since the last close the server could know of: at 09:05
on session D that is session D-1's 15:30 close. ``lag`` = closes after the bundle's ``asof`` up
to and including D-1 (0: fresh). A validity window never makes an old bundle fresh:

==========================================  ========  =====================================
situation                                   status    live cycle / ops summary
==========================================  ========  =====================================
lag 0, inside its window                    VALID     plan as usual
1 <= lag <= live.max_bundle_lag_sessions    LATE      plan as usual; BUNDLE_STALE WARN
lag > live.max_bundle_lag_sessions          STALE     exits only (no buys); BUNDLE_STALE
rebalance bundle past ``valid_until``       STALE     (the same)
hold bundle > bundle_max_age_trading_days   STALE     (the same)
  sessions past ``valid_until``
==========================================  ========  =====================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError

from pipeline import registry
from pipeline.artifacts.bundle import StrategyBundleV1, bundle_integrity
from pipeline.canonical import JsonInputError, parse_json
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
        data = parse_json(raw)
    except JsonInputError as err:
        return BundleVerdict(BundleStatus.INVALID, None, str(err))
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
    lag = bundle_lag(bundle.asof, session, cal)
    if lag > live.max_bundle_lag_sessions:
        detail = (
            f"bundle of {bundle.asof} is {lag} KRX closes behind the last known close "
            f"(allowed {live.max_bundle_lag_sessions}): exits only"
        )
        return BundleVerdict(BundleStatus.STALE, bundle, detail)
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
    if lag > 0:
        detail = f"bundle of {bundle.asof} is {lag} KRX close(s) behind the last known close"
        return BundleVerdict(BundleStatus.LATE, bundle, detail)
    return BundleVerdict(BundleStatus.VALID, bundle, "ok")


def last_known_close(session: dt.date, cal: KrxCalendar) -> dt.date:
    """The last KRX close the server can know of on the morning of ``session``: D-1's."""
    return cal.previous_or_same(session - dt.timedelta(days=1))


def bundle_lag(asof: dt.date, session: dt.date, cal: KrxCalendar) -> int:
    """KRX closes after the bundle's ``asof`` up to the last known close (0 = fresh)."""
    last = last_known_close(session, cal)
    return cal.count_after(asof, last) if last > asof else 0


#: Statuses a plan may be built from (STALE: exits only).
USABLE = frozenset({BundleStatus.VALID, BundleStatus.LATE, BundleStatus.STALE})
