"""live_cycle on a temp repo: every decision path writes a schema-valid receipt; blocks and
faults leave every earlier artifact as it was."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.canonical import canonical_bytes
from pipeline.enums import ExecutionGate
from pipeline.errors import OperatorError
from pipeline.io.validate import validate_all
from tests.server.factories import (
    bundle_bytes,
    bundle_model,
    commit_all,
    gate,
    git_init,
    put,
    put_raw,
    read_json,
    run_day,
    run_stage,
    server_repo,
    snapshot,
    stop,
)

FRI, MON, TUE = dt.date(2025, 9, 19), dt.date(2025, 9, 22), dt.date(2025, 9, 23)
#: Rewritten by every run by design (git keeps their history).
DAILY = {
    "reports/live/order_plan.json",
    "reports/live/live_cycle_receipt.json",
    "reports/live/delivery_record.json",
    "reports/ops/ops_summary.json",
    "state/server/positions.json",
}


def assert_all_valid(root: Path) -> None:
    files, problems = validate_all(root)
    assert not problems, problems
    assert "reports/live/live_cycle_receipt.json" in files


def test_happy_day_and_snapshot_ref(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = server_repo(tmp_path)
    git_init(root)
    head = commit_all(root, "pc: bundle + portfolio")
    assert run_day(root, MON, monkeypatch) == 0
    receipt = read_json(root, "live_cycle_receipt")
    assert (receipt["result"], receipt["decision"]) == ("OK", "PARTIAL")  # 069500 clipped at 5M
    assert receipt["reason"] == "ORDERS_CLIPPED"
    assert receipt["snapshot_ref"] == f"{head}:state/strategy_bundle.json"
    assert receipt["push"]["delivery_actual"] == "CONSOLE_SIMULATED"
    assert receipt["gate"] == "MOCK_ONLY"  # no gate file: the safest value
    plan = read_json(root, "order_plan")
    assert plan["plan_id"] == receipt["plan_id"] and plan["executable"] is False
    ledger = read_json(root, "plan_ledger")
    assert [e["plan_id"] for e in ledger["entries"]] == [plan["plan_id"]]
    assert {i["path"]: i["commit"] for i in receipt["inputs"]}["state/strategy_bundle.json"] == head
    assert_all_valid(root)


def test_holiday_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = server_repo(tmp_path)
    before = snapshot(root)
    assert run_day(root, dt.date(2025, 9, 20), monkeypatch) == 0  # Saturday
    assert run_day(root, dt.date(2025, 10, 6), monkeypatch) == 0  # Chuseok
    assert snapshot(root) == before


def test_server_stage_refuses_on_the_pc(tmp_path: Path) -> None:
    from pipeline.flows import live_cycle

    with pytest.raises(OperatorError, match="KRX_ROLE"):
        live_cycle.main(server_repo(tmp_path), MON.isoformat())


def _tamper(root: Path) -> None:
    data = json.loads((root / "state/strategy_bundle.json").read_bytes())
    data["target_weights"][0]["weight"] = 0.99
    put_raw(root, "state/strategy_bundle.json", canonical_bytes(data))


def _price_missing(root: Path) -> None:
    put(root, "strategy_bundle", bundle_model(MON, closes={"069500": 35_000, "132030": 15_000}))


Setup = Callable[[Path], object]
BREAKS: dict[str, tuple[Setup, tuple[str, str, str, int]]] = {
    "emergency stop": (
        lambda r: put(r, "emergency_stop", stop(MON, True)),
        ("OK", "BLOCKED", "EMERGENCY_STOP", 2),
    ),
    "corrupt stop file": (
        lambda r: put_raw(r, "state/emergency_stop.json", b"{oops"),
        ("OK", "BLOCKED", "EMERGENCY_STOP", 2),
    ),
    "bundle missing": (
        lambda r: (r / "state/strategy_bundle.json").unlink(),
        ("OK", "BLOCKED", "BUNDLE_MISSING", 2),
    ),
    "bundle not json": (
        lambda r: put_raw(r, "state/strategy_bundle.json", b"\x00garbage"),
        ("FAILED", "BLOCKED", "BUNDLE_INVALID", 3),
    ),
    "bundle tampered": (_tamper, ("FAILED", "BLOCKED", "BUNDLE_TAMPERED", 3)),
    "bundle from the future": (
        lambda r: put(r, "strategy_bundle", bundle_model(TUE)),
        ("OK", "BLOCKED", "BUNDLE_NOT_YET_VALID", 2),
    ),
    "portfolio missing": (
        lambda r: (r / "state/portfolio.json").unlink(),
        ("OK", "BLOCKED", "NO_PORTFOLIO", 2),
    ),
    "portfolio corrupt": (
        lambda r: put_raw(r, "state/portfolio.json", {"schema": "portfolio/v1"}),
        ("FAILED", "BLOCKED", "PORTFOLIO_INVALID", 3),
    ),
    "price missing": (_price_missing, ("FAILED", "BLOCKED", "PRICE_MISSING", 3)),
}


@pytest.mark.parametrize("case", list(BREAKS))
def test_blocks_and_faults(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = server_repo(tmp_path)
    assert run_day(root, MON, monkeypatch) == 0
    put(root, "strategy_bundle", bundle_model(MON))  # Tuesday's good bundle ...
    setup, (result, decision, reason, code) = BREAKS[case]
    setup(root)  # ... then break one input
    before = snapshot(root)
    assert run_stage(root, "live_cycle", TUE, monkeypatch) == code
    receipt = read_json(root, "live_cycle_receipt")
    assert (receipt["result"], receipt["decision"], receipt["reason"]) == (result, decision, reason)
    assert receipt["exit_code"] == code and receipt["asof"] == TUE.isoformat()
    assert receipt["plan_id"] is None and receipt["plan_status"] == "BLOCKED"
    plan = read_json(root, "order_plan")
    assert plan["status"] == "BLOCKED" and plan["block_reason"] == reason and plan["orders"] == []
    after = snapshot(root)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed <= DAILY  # ledger, ticket results, PC files: untouched
    assert "state/server/plan_ledger.json" not in changed
    assert read_json(root, "delivery_record")["delivery_key"] == f"{TUE}:{reason}"
    problems = validate_all(root)[1]
    assert not [p for p in problems if not p.file.startswith("state/")], problems


def test_corrupt_gate_reads_mock_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = server_repo(tmp_path)
    put(root, "execution_gate", gate(MON, ExecutionGate.REAL_ENABLED))
    put_raw(root, "state/execution_gate.json", b'{"schema": "execution_gate/v1", "gate": "YOLO"}')
    assert run_day(root, MON, monkeypatch) == 0
    receipt = read_json(root, "live_cycle_receipt")
    assert receipt["gate"] == "MOCK_ONLY" and receipt["push"]["status"] == "SIMULATED"
    summary = read_json(root, "ops_summary")
    assert summary["safety"]["gate_file"] == "CORRUPT"
    assert "SAFETY_FILE_INVALID" in [r["code"] for r in summary["top_risks"]]


def test_real_enabled_plan_is_executable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = server_repo(tmp_path)
    put(root, "execution_gate", gate(MON, ExecutionGate.REAL_ENABLED))
    assert run_day(root, MON, monkeypatch) == 0
    assert read_json(root, "order_plan")["executable"] is True
    assert bundle_bytes(bundle_model(FRI)) == (root / "state/strategy_bundle.json").read_bytes()


def test_a_concurrent_delivery_waits_then_gives_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.errors import RetryableError
    from pipeline.io import delivery

    root = server_repo(tmp_path)
    params = (root / "params.yaml").read_text("utf-8")
    (root / "params.yaml").write_text(
        params.replace("delivery_lock_wait_s: 60.0", "delivery_lock_wait_s: 0.3"), "utf-8"
    )
    with delivery.delivery_lock(root, 0), pytest.raises(RetryableError):
        run_day(root, MON, monkeypatch)
    assert not (root / "reports/live/delivery_record.json").exists()
    assert run_stage(root, "live_cycle", MON, monkeypatch) == 0  # free again


def test_stale_bundle_plans_exits_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Friday's rebalance bundle on Tuesday (the PC missed Monday): no buys at all, but the
    exit the strategy signalled (sell 102110) is still planned; the ops summary says why."""
    root = server_repo(tmp_path)
    assert run_day(root, TUE, monkeypatch) == 0
    receipt = read_json(root, "live_cycle_receipt")
    assert (receipt["result"], receipt["decision"], receipt["reason"]) == (
        "OK",
        "PARTIAL",
        "BUNDLE_STALE",
    )
    assert receipt["exit_code"] == 0
    orders = [(o["ticker"], o["side"]) for o in read_json(root, "order_plan")["orders"]]
    assert orders == [("102110", "SELL")]
    risks = {r["code"]: r["severity"] for r in read_json(root, "ops_summary")["top_risks"]}
    assert risks["BUNDLE_STALE"] == "CRITICAL"
    assert_all_valid(root)


def test_one_session_late_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = server_repo(tmp_path, rebalance_due=False)
    assert run_day(root, TUE, monkeypatch) == 0  # Friday's hold bundle, Monday's close missed
    risks = {r["code"]: r["severity"] for r in read_json(root, "ops_summary")["top_risks"]}
    assert risks["BUNDLE_STALE"] == "WARN"
    assert read_json(root, "live_cycle_receipt")["reason"] != "BUNDLE_STALE"
