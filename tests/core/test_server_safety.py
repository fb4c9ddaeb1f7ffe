"""Fail-closed safety rules: every combination of file states gives the documented value."""

from __future__ import annotations

import pytest

from pipeline.core.safety import effective_safety
from pipeline.enums import ExecutionGate, SafetyFileState

OK, MISSING, CORRUPT = SafetyFileState.OK, SafetyFileState.MISSING, SafetyFileState.CORRUPT
G = ExecutionGate


@pytest.mark.parametrize(
    ("gate", "sender", "stop", "override", "expect"),
    [
        # (gate file, sender file, stop file, env override) -> (gate, sender, stop)
        ((MISSING, None), (MISSING, None), (MISSING, None), False, (G.MOCK_ONLY, False, False)),
        ((CORRUPT, None), (CORRUPT, None), (CORRUPT, None), False, (G.MOCK_ONLY, False, True)),
        ((OK, G.DRY_RUN), (OK, True), (OK, False), False, (G.DRY_RUN, True, False)),
        ((OK, G.REAL_ENABLED), (OK, True), (MISSING, None), False, (G.REAL_ENABLED, True, False)),
        ((OK, G.REAL_ENABLED), (OK, True), (OK, True), False, (G.REAL_ENABLED, True, True)),
        ((OK, G.REAL_ENABLED), (OK, True), (OK, False), True, (G.REAL_ENABLED, True, True)),
        ((CORRUPT, None), (OK, True), (OK, False), False, (G.MOCK_ONLY, True, False)),
        ((OK, G.DRY_RUN), (CORRUPT, None), (OK, False), False, (G.DRY_RUN, False, False)),
    ],
)
def test_effective_values(gate, sender, stop, override, expect) -> None:
    s = effective_safety(gate, sender, stop, stop_override=override)
    assert (s.gate, s.sender_enabled, s.stop) == expect


@pytest.mark.parametrize(
    ("gate", "sender", "stop", "creds", "allowed"),
    [
        (G.DRY_RUN, True, False, True, True),
        (G.REAL_ENABLED, True, False, True, True),
        (G.MOCK_ONLY, True, False, True, False),
        (G.DRY_RUN, False, False, True, False),
        (G.DRY_RUN, True, True, True, False),
        (G.DRY_RUN, True, False, False, False),
    ],
)
def test_real_send_needs_every_condition(gate, sender, stop, creds, allowed) -> None:
    s = effective_safety((OK, gate), (OK, sender), (OK, stop))
    assert s.real_send_allowed(creds) is allowed
