"""The alert a BLOCKED or FAULT server run sends (pipeline.core.alerts)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.core.alerts import ALERT_MARK, STEP_ADVICE, StepOutcome, alert_text
from pipeline.core.risk_advice import reason_advice
from pipeline.enums import CycleReason, ServerStep

DAY = dt.date(2026, 11, 24)
OK = StepOutcome("pull", 0, "pulled")


def test_a_done_run_sends_nothing() -> None:
    assert alert_text(DAY, 0, [OK], None) is None
    assert alert_text(DAY, 0, [OK], CycleReason.ORDERS_READY) is None


@pytest.mark.parametrize(
    ("reason", "late"),
    [
        (CycleReason.BUNDLE_STALE, False),  # beyond the lag: exits only, PARTIAL, exit 0
        (CycleReason.DELIVERY_OUTCOME_UNKNOWN, False),  # never resent: check Telegram
        (CycleReason.ORDERS_READY, True),  # one session late: buys allowed, but say so
    ],
)
def test_a_done_run_warns_when_the_operator_must_look(reason: CycleReason, late: bool) -> None:
    text = alert_text(DAY, 0, [OK], reason, bundle_late=late)
    assert text is not None and text.startswith(ALERT_MARK) and "주의(WARN), exit 0" in text
    expected = CycleReason.BUNDLE_STALE if late else reason
    assert f"할 일: {reason_advice(expected).todo}" in text


def test_a_blocked_cycle_names_the_reason_and_the_one_thing_to_do() -> None:
    steps = [OK, StepOutcome("live_cycle", 2, "BLOCKED NO_PORTFOLIO")]
    text = alert_text(DAY, 2, steps, CycleReason.NO_PORTFOLIO)
    assert text is not None and text.startswith(ALERT_MARK)
    assert "차단(BLOCKED), exit 2" in text and "NO_PORTFOLIO" in text
    assert f"할 일: {reason_advice(CycleReason.NO_PORTFOLIO).todo}" in text


@pytest.mark.parametrize("step", [s.value for s in ServerStep])
def test_every_step_fault_has_words_and_a_todo(step: str) -> None:
    text = alert_text(DAY, 3, [OK, StepOutcome(step, 3, "it broke: details")], None)
    assert text is not None and "장애(FAULT), exit 3" in text
    assert f"{step} 단계: it broke: details" in text
    assert f"할 일: {STEP_ADVICE[step].todo}" in text


def test_the_worst_step_wins_and_a_pull_fault_is_not_blamed_on_the_cycle() -> None:
    steps = [StepOutcome("pull", 3, "unreachable"), StepOutcome("live_cycle", 2, "stale")]
    text = alert_text(DAY, 3, steps, None)
    assert text is not None and "pull 단계: unreachable" in text


def test_a_run_without_steps_still_says_something() -> None:
    text = alert_text(DAY, 3, [StepOutcome("lock", 3, "held")], None)
    assert text is not None and STEP_ADVICE["lock"].todo in text
