"""Bundle verdicts: schema, integrity, validity window and trading-day age by rebalance rhythm."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline.canonical import canonical_bytes
from pipeline.core.bundle_check import check_bundle
from pipeline.enums import BundleStatus
from pipeline.params import LiveParams
from tests.server.factories import bundle_bytes, bundle_model, cal

FRI = dt.date(2025, 9, 19)  # signal day; next sessions Mon 22, Tue 23, Wed 24, Thu 25, Fri 26
LIVE = LiveParams(bundle_max_age_trading_days=2)


def verdict(raw: bytes | None, session: dt.date) -> BundleStatus:
    return check_bundle(raw, session, cal(), LIVE).status


@pytest.mark.parametrize(
    ("rebalance", "session", "status"),
    [
        (True, FRI, BundleStatus.NOT_YET_VALID),
        (True, dt.date(2025, 9, 22), BundleStatus.VALID),
        (True, dt.date(2025, 9, 23), BundleStatus.STALE),  # a rebalance must run on its day
        (False, dt.date(2025, 9, 22), BundleStatus.VALID),  # Friday's close is the last known
        (False, dt.date(2025, 9, 23), BundleStatus.LATE),  # Monday's close is missing: WARN
        (False, dt.date(2025, 9, 24), BundleStatus.STALE),  # two closes behind: exits only
        (False, dt.date(2025, 9, 25), BundleStatus.STALE),
    ],
)
def test_window_and_age(rebalance: bool, session: dt.date, status: BundleStatus) -> None:
    raw = bundle_bytes(bundle_model(FRI, rebalance_due=rebalance))
    assert verdict(raw, session) is status


def test_age_counts_trading_days_not_calendar_days() -> None:
    # Signal Thu 2025-10-02; Chuseok closes the market Oct 3-9; Fri Oct 10 is the next session.
    raw = bundle_bytes(bundle_model(dt.date(2025, 10, 2), rebalance_due=True))
    assert verdict(raw, dt.date(2025, 10, 10)) is BundleStatus.VALID
    hold = bundle_bytes(bundle_model(dt.date(2025, 10, 2), rebalance_due=False))
    assert verdict(hold, dt.date(2025, 10, 10)) is BundleStatus.VALID  # a week, no close missed
    assert verdict(hold, dt.date(2025, 10, 13)) is BundleStatus.LATE  # Oct 10's close missed
    assert verdict(hold, dt.date(2025, 10, 14)) is BundleStatus.STALE


@pytest.mark.parametrize(
    ("asof", "session", "max_lag", "status"),
    [
        # at 09:05 on session D the last known close is D-1's
        (dt.date(2025, 9, 19), dt.date(2025, 9, 22), 1, BundleStatus.VALID),  # Fri -> Mon
        (dt.date(2025, 9, 19), dt.date(2025, 9, 23), 1, BundleStatus.LATE),
        (dt.date(2025, 9, 19), dt.date(2025, 9, 24), 1, BundleStatus.STALE),
        (dt.date(2025, 9, 19), dt.date(2025, 9, 24), 2, BundleStatus.LATE),  # the parameter
        (dt.date(2025, 9, 19), dt.date(2025, 9, 23), 0, BundleStatus.STALE),
        (dt.date(2025, 10, 2), dt.date(2025, 10, 10), 1, BundleStatus.VALID),  # Chuseok
    ],
)
def test_lag_in_krx_sessions(
    asof: dt.date, session: dt.date, max_lag: int, status: BundleStatus
) -> None:
    live = LiveParams(bundle_max_age_trading_days=20, max_bundle_lag_sessions=max_lag)
    raw = bundle_bytes(bundle_model(asof, rebalance_due=False))
    assert check_bundle(raw, session, cal(), live).status is status


def test_a_validity_window_never_makes_an_old_bundle_fresh() -> None:
    """A bundle computed a week earlier that claims a month of validity is still STALE."""
    old = bundle_model(dt.date(2025, 9, 12), rebalance_due=False, valid_until=dt.date(2025, 10, 31))
    live = LiveParams(bundle_max_age_trading_days=20)
    verdict_ = check_bundle(bundle_bytes(old), dt.date(2025, 9, 22), cal(), live)
    assert verdict_.status is BundleStatus.STALE and "exits only" in verdict_.detail


def test_missing_invalid_and_tampered() -> None:
    session = dt.date(2025, 9, 22)
    assert verdict(None, session) is BundleStatus.MISSING
    assert verdict(b"{not json", session) is BundleStatus.INVALID
    assert verdict(b"\xff\xfe", session) is BundleStatus.INVALID
    data = json.loads(bundle_bytes(bundle_model(FRI)))
    del data["target_weights"]
    assert verdict(canonical_bytes(data), session) is BundleStatus.INVALID
    data = json.loads(bundle_bytes(bundle_model(FRI)))
    data["target_weights"][0]["weight"] = 0.9  # edited by hand: the hash no longer matches
    assert verdict(canonical_bytes(data), session) is BundleStatus.TAMPERED
    data = json.loads(bundle_bytes(bundle_model(FRI)))
    assert verdict(canonical_bytes(data), session) is BundleStatus.VALID
