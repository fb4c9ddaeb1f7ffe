"""The live-cycle decision table of pipeline.core.cycle, row by row."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.artifacts.live import SendIntent
from pipeline.core.cycle import (
    BUNDLE_BLOCKS,
    MAX_INTENTS,
    blocked,
    decide,
    delivery_key,
    first_block,
    send_decision,
    with_intent,
)
from pipeline.core.schedule import expected_receipt_session
from pipeline.enums import (
    BundleStatus,
    CycleDecision,
    CycleReason,
    CycleResult,
    DeliveryStatus,
    PlanStatus,
    RiskCode,
    SendOutcome,
)

R, D, C = CycleResult, CycleDecision, CycleReason


@pytest.mark.parametrize(
    ("stop", "bundle", "positions", "reason"),
    [
        (True, BundleStatus.VALID, None, C.EMERGENCY_STOP),
        (True, BundleStatus.TAMPERED, C.NO_PORTFOLIO, C.EMERGENCY_STOP),
        (False, BundleStatus.MISSING, None, C.BUNDLE_MISSING),
        (False, BundleStatus.INVALID, None, C.BUNDLE_INVALID),
        (False, BundleStatus.TAMPERED, None, C.BUNDLE_TAMPERED),
        (False, BundleStatus.NOT_YET_VALID, None, C.BUNDLE_NOT_YET_VALID),
        (False, BundleStatus.STALE, C.NO_PORTFOLIO, C.NO_PORTFOLIO),  # stale: exits only
        (False, BundleStatus.STALE, None, None),
        (False, BundleStatus.LATE, None, None),
        (False, BundleStatus.VALID, C.NO_PORTFOLIO, C.NO_PORTFOLIO),
        (False, BundleStatus.VALID, C.POSITIONS_OUT_OF_DATE, C.POSITIONS_OUT_OF_DATE),
        (False, BundleStatus.VALID, None, None),
    ],
)
def test_first_block_priority(stop, bundle, positions, reason) -> None:
    assert first_block(stop, bundle, positions) == reason


@pytest.mark.parametrize(
    ("reason", "result", "code"),
    [
        (C.EMERGENCY_STOP, R.OK, 2),
        (C.BUNDLE_MISSING, R.OK, 2),
        (C.BUNDLE_INVALID, R.FAILED, 3),
        (C.BUNDLE_TAMPERED, R.FAILED, 3),
        (C.BUNDLE_NOT_YET_VALID, R.OK, 2),
        (C.BUNDLE_STALE, R.OK, 2),
        (C.NO_PORTFOLIO, R.OK, 2),
        (C.PORTFOLIO_INVALID, R.FAILED, 3),
        (C.POSITIONS_OUT_OF_DATE, R.FAILED, 3),
        (C.PRICE_MISSING, R.FAILED, 3),
    ],
)
def test_blocks(reason, result, code) -> None:
    out = blocked(reason)
    assert (out.result, out.decision, out.reason, out.exit_code) == (
        result,
        D.BLOCKED,
        reason,
        code,
    )
    # a block stays a block whatever happened to the message
    for delivery in DeliveryStatus:
        assert decide(PlanStatus.BLOCKED, reason, delivery) == out


@pytest.mark.parametrize(
    ("plan", "delivery", "decision", "reason"),
    [
        (PlanStatus.READY, DeliveryStatus.SIMULATED, D.COMPLETED, C.ORDERS_READY),
        (PlanStatus.READY, DeliveryStatus.SENT, D.COMPLETED, C.ORDERS_READY),
        (PlanStatus.EMPTY, DeliveryStatus.SIMULATED, D.COMPLETED, C.NO_ORDERS),
        (PlanStatus.CLIPPED, DeliveryStatus.SENT, D.PARTIAL, C.ORDERS_CLIPPED),
        (PlanStatus.READY, DeliveryStatus.FALLBACK, D.PARTIAL, C.DELIVERY_FALLBACK),
        (PlanStatus.CLIPPED, DeliveryStatus.FALLBACK, D.PARTIAL, C.DELIVERY_FALLBACK),
        (PlanStatus.READY, DeliveryStatus.DUPLICATE_SKIPPED, D.COMPLETED, C.ORDERS_READY),
    ],
)
def test_plans(plan, delivery, decision, reason) -> None:
    out = decide(plan, None, delivery)
    assert (out.result, out.decision, out.reason, out.exit_code) == (R.OK, decision, reason, 0)


def test_a_bundle_block_is_named_bundle_status() -> None:
    """One name per fact: a bundle's reason (and risk code) is BUNDLE_<BundleStatus>."""
    assert set(BUNDLE_BLOCKS) == {
        BundleStatus.MISSING,
        BundleStatus.INVALID,
        BundleStatus.TAMPERED,
        BundleStatus.NOT_YET_VALID,
    }
    assert all(reason.value == f"BUNDLE_{s.value}" for s, reason in BUNDLE_BLOCKS.items())
    for code in (*CycleReason, *RiskCode):
        if "BUNDLE" in code.value:
            assert code.value.removeprefix("BUNDLE_") in set(BundleStatus), code


def test_idempotency_key_and_skip() -> None:
    key = delivery_key("2025-09-22", "P-20250922-abcdefabcdef", C.ORDERS_READY)
    assert key == "2025-09-22:P-20250922-abcdefabcdef"
    assert delivery_key("2025-09-22", None, C.BUNDLE_MISSING) == "2025-09-22:BUNDLE_MISSING"


def _intent(key: str, outcome: SendOutcome) -> SendIntent:
    at = dt.datetime(2025, 9, 22, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    return SendIntent(
        delivery_key=key,
        session=dt.date(2025, 9, 22),
        plan_id=None,
        message_sha256="0" * 64,
        intent_at=at,
        outcome=outcome,
        outcome_at=None,
        telegram_message_id=None,
    )


A, B = "2025-09-22:P-20250922-aaaaaaaaaaaa", "2025-09-22:P-20250922-bbbbbbbbbbbb"


@pytest.mark.parametrize(
    ("ledger", "key", "expected"),
    [
        ([], A, None),  # nothing recorded: send
        ([(A, SendOutcome.SENT)], A, DeliveryStatus.DUPLICATE_SKIPPED),
        ([(A, SendOutcome.SENT), (B, SendOutcome.SENT)], A, DeliveryStatus.DUPLICATE_SKIPPED),
        ([(A, SendOutcome.PENDING)], A, DeliveryStatus.OUTCOME_UNKNOWN),  # crash after send
        ([(A, SendOutcome.UNKNOWN)], A, DeliveryStatus.OUTCOME_UNKNOWN),  # timeout
        ([(A, SendOutcome.NOT_SENT)], A, None),  # refused / never left: may send again
        ([(B, SendOutcome.SENT)], A, None),
    ],
)
def test_send_decision_at_most_once(
    ledger: list[tuple[str, SendOutcome]], key: str, expected: DeliveryStatus | None
) -> None:
    assert send_decision([_intent(k, o) for k, o in ledger], key) is expected


def test_ledger_keeps_one_entry_per_key_and_is_bounded() -> None:
    intents = (_intent(A, SendOutcome.PENDING),)
    intents = with_intent(intents, _intent(B, SendOutcome.SENT))
    intents = with_intent(intents, _intent(A, SendOutcome.SENT))
    assert [(i.delivery_key, i.outcome) for i in intents] == [
        (B, SendOutcome.SENT),
        (A, SendOutcome.SENT),
    ]
    many: tuple[SendIntent, ...] = ()
    for n in range(MAX_INTENTS + 5):
        many = with_intent(many, _intent(f"k{n}", SendOutcome.SENT))
    assert len(many) == MAX_INTENTS and many[-1].delivery_key == f"k{MAX_INTENTS + 4}"


SEOUL = dt.timezone(dt.timedelta(hours=9))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2025, 9, 23, 9, 30, tzinfo=SEOUL), dt.date(2025, 9, 23)),  # Tue after run
        (dt.datetime(2025, 9, 23, 8, 0, tzinfo=SEOUL), dt.date(2025, 9, 22)),  # before 09:05
        (dt.datetime(2025, 9, 23, 9, 5, tzinfo=SEOUL), dt.date(2025, 9, 23)),
        (dt.datetime(2025, 9, 20, 12, 0, tzinfo=SEOUL), dt.date(2025, 9, 19)),  # Saturday
        (dt.datetime(2025, 10, 8, 12, 0, tzinfo=SEOUL), dt.date(2025, 10, 2)),  # Chuseok
        (dt.datetime(2025, 10, 10, 8, 0, tzinfo=SEOUL), dt.date(2025, 10, 2)),
    ],
)
def test_expected_receipt_session(now: dt.datetime, expected: dt.date) -> None:
    from tests.server.factories import cal

    assert expected_receipt_session(now, cal()) == expected
