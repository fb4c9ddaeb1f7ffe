"""Missing or corrupt safety files read as their safest value, with a real sender armed:
nothing is sent for real, the receipt says why, and no earlier artifact changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.enums import ExecutionGate
from pipeline.io.validate import validate_all
from tests.server.factories import (
    bundle_model,
    gate,
    put,
    put_raw,
    read_json,
    run_day,
    run_stage,
    sender,
    server_repo,
    snapshot,
    stop,
    ticket,
)
from tests.server.telegram_stub import telegram_stub

MON, TUE = dt.date(2025, 9, 22), dt.date(2025, 9, 23)
FILES = {
    "gate": "state/execution_gate.json",
    "sender": "state/real_sender_enable.json",
    "stop": "state/emergency_stop.json",
}
CORRUPTIONS = {
    "missing": None,
    "not json": b'{"schema": ',
    "wrong schema": json.dumps({"schema": "execution_gate/v9", "gate": "REAL_ENABLED"}).encode(),
    "bad value": json.dumps({"schema": "emergency_stop/v1", "enabled": "no"}).encode(),
}


@pytest.mark.parametrize("which", list(FILES))
@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_safest_value(
    which: str, how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = server_repo(tmp_path)
    put(root, "execution_gate", gate(MON, ExecutionGate.DRY_RUN))
    put(root, "real_sender", sender(MON, True))
    put(root, "emergency_stop", stop(MON, False))
    with telegram_stub() as stub:
        monkeypatch.setenv("KRX_TELEGRAM_TOKEN", "1:t")
        monkeypatch.setenv("KRX_TELEGRAM_CHAT_ID", "7")
        monkeypatch.setenv("KRX_TELEGRAM_API_BASE", stub.base_url)
        assert run_day(root, MON, monkeypatch) == 0
        assert len(stub.requests) == 1  # armed: Monday went out for real
        pid = read_json(root, "order_plan")["plan_id"]
        put(root, "ticket", ticket("T-1", pid, MON, [("102110", "SELL", 20, 35_400)]), "T-1")
        assert run_stage(root, "tickets", TUE, monkeypatch) == 0
        put(root, "strategy_bundle", bundle_model(MON))
        rel = FILES[which]
        raw = CORRUPTIONS[how]
        if raw is None:
            (root / rel).unlink()
        else:
            put_raw(root, rel, raw)
        before = snapshot(root)
        ledger_before = read_json(root, "plan_ledger")["entries"]
        code = run_stage(root, "live_cycle", TUE, monkeypatch)
        # a missing stop file is its normal state (not stopped); every other case is unsafe
        real = which == "stop" and how == "missing"
        assert len(stub.requests) == (2 if real else 1)
    receipt = read_json(root, "live_cycle_receipt")
    assert receipt["push"]["delivery_actual"] == ("TELEGRAM" if real else "CONSOLE_SIMULATED")
    if which == "stop" and how != "missing":  # a corrupt stop file stops
        assert (code, receipt["decision"], receipt["reason"]) == (2, "BLOCKED", "EMERGENCY_STOP")
    else:
        assert code == 0 and receipt["decision"] in ("COMPLETED", "PARTIAL")
    assert receipt["gate"] == ("MOCK_ONLY" if which == "gate" else "DRY_RUN")
    after = snapshot(root)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed <= {
        "reports/live/order_plan.json",
        "reports/live/live_cycle_receipt.json",
        "reports/live/delivery_record.json",
        "state/server/plan_ledger.json",
        "state/server/send_ledger.json",  # the at-most-once ledger: a live-cycle output too
    }
    assert read_json(root, "plan_ledger")["entries"][: len(ledger_before)] == ledger_before
    assert not [p for p in validate_all(root)[1] if p.file != rel]


def test_malformed_ticket_changes_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = server_repo(tmp_path)
    assert run_day(root, MON, monkeypatch) == 0
    pid = read_json(root, "order_plan")["plan_id"]
    put(root, "ticket", ticket("T-1", pid, MON, [("102110", "SELL", 20, 35_400)]), "T-1")
    assert run_stage(root, "tickets", TUE, monkeypatch) == 0
    put_raw(root, "state/tickets/T-2.json", {"schema": "ticket/v1", "ticket_id": "T-2"})
    before = snapshot(root)
    positions = read_json(root, "positions")
    assert run_stage(root, "tickets", TUE, monkeypatch) == 0
    after = snapshot(root)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    # positions are rederived (same content: the file is not even rewritten)
    assert "reports/tickets/T-2.json" in changed
    assert changed <= {"reports/tickets/T-2.json", "state/server/positions.json"}
    result = read_json(root, "ticket_result", "T-2")
    assert (result["status"], result["reason"]) == ("REJECTED", "MALFORMED")  # fails the schema
    assert result["kind"] is None and result["applied_fills"] == []
    again = read_json(root, "positions")
    for field in ("cash_krw", "holdings", "applied_tickets", "baseline"):
        assert again[field] == positions[field]
