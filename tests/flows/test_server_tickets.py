"""tickets stage: one result per id, bad tickets never stop good ones, reprocessing is a no-op,
positions = baseline + applied fills; `krx ticket new` writes tickets the stage accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.canonical import canonical_json
from pipeline.cli import main as krx
from pipeline.enums import TicketKind
from pipeline.io.validate import validate_all
from tests.server.factories import (
    put,
    put_raw,
    read_json,
    run_day,
    run_stage,
    server_repo,
    snapshot,
    ticket,
)

MON, TUE = dt.date(2025, 9, 22), dt.date(2025, 9, 23)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """Monday's cycle ran: a plan to sell 20 x 102110 and buy 069500 / 132030."""
    root = server_repo(tmp_path)
    assert run_day(root, MON, monkeypatch) == 0
    return root, read_json(root, "order_plan")["plan_id"]


def results(root: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for p in sorted((root / "reports/tickets").glob("*.json")):
        data = read_json(root, "ticket_result", p.stem)
        out[p.stem] = (data["status"], data["reason"])
    return out


def test_mixed_batch(repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    root, pid = repo
    put_raw(root, "state/tickets/T-a-garbage.json", b"\xff not json")
    put(root, "ticket", ticket("T-b-sell", pid, MON, [("102110", "SELL", 20, 35_400)]), "T-b-sell")
    put(root, "ticket", ticket("T-other-id", pid, MON, [("069500", "BUY", 1, 35_000)]), "T-c-id")
    put(root, "ticket", ticket("T-d-buy", pid, MON, [("069500", "BUY", 100, 35_100)]), "T-d-buy")
    put(root, "ticket", ticket("T-e-dup", pid, MON, [("069500", "BUY", 100, 35_100)]), "T-e-dup")
    put(root, "ticket", ticket("T-f-ack", pid, MON, kind=TicketKind.ACK), "T-f-ack")
    put(
        root,
        "ticket",
        ticket("T-g-noplan", "P-20250922-000000000000", MON, [("069500", "BUY", 1, 35_000)]),
        "T-g-noplan",
    )
    assert run_stage(root, "tickets", TUE, monkeypatch) == 0
    assert results(root) == {
        "T-a-garbage": ("REJECTED", "NOT_JSON"),
        "T-b-sell": ("DONE", "APPLIED"),
        "T-c-id": ("REJECTED", "ID_MISMATCH"),
        "T-d-buy": ("DONE", "APPLIED"),
        "T-e-dup": ("REJECTED", "DUPLICATE"),
        "T-f-ack": ("DONE", "ACKNOWLEDGED"),
        "T-g-noplan": ("REJECTED", "PLAN_NOT_FOUND"),
    }
    pos = read_json(root, "positions")
    assert pos["applied_tickets"] == ["T-b-sell", "T-d-buy"]
    assert pos["holdings"] == [{"ticker": "069500", "shares": 100, "avg_price_krw": 35_100}]
    assert pos["cash_krw"] == 10_000_000 + 20 * 35_400 - 100 * 35_100
    problems = validate_all(root)[1]
    assert {p.file for p in problems} == {"state/tickets/T-a-garbage.json"}  # only the bad input
    # reprocessing is a no-op: not one byte changes, even days later
    before = snapshot(root)
    mtimes = {p: (root / p).stat().st_mtime_ns for p in before if p.startswith("reports/tickets")}
    assert run_stage(root, "tickets", dt.date(2025, 9, 24), monkeypatch) == 0
    after = snapshot(root)
    assert {k: v for k, v in after.items() if k != "state/server/positions.json"} == {
        k: v for k, v in before.items() if k != "state/server/positions.json"
    }
    assert {p: (root / p).stat().st_mtime_ns for p in mtimes} == mtimes
    # ops summary reports the failures of the window
    assert run_stage(root, "ops_summary", dt.date(2025, 9, 24), monkeypatch) == 0
    codes = [r["code"] for r in read_json(root, "ops_summary")["top_risks"]]
    assert "TICKETS_FAILED" in codes


def test_fills_change_the_next_plan(
    repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, pid = repo
    put(root, "ticket", ticket("T-1", pid, MON, [("102110", "SELL", 20, 35_400)]), "T-1")
    from tests.server.factories import bundle_model

    put(root, "strategy_bundle", bundle_model(MON))
    assert run_day(root, TUE, monkeypatch) == 0
    plan = read_json(root, "order_plan")
    assert "102110" not in [o["ticker"] for o in plan["orders"]]  # already sold by the ticket
    ledger = read_json(root, "plan_ledger")
    assert [e["session"] for e in ledger["entries"]] == ["2025-09-22", "2025-09-23"]


def test_expired_ticket(repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    root, pid = repo
    put(root, "ticket", ticket("T-late", pid, MON, [("102110", "SELL", 20, 35_400)]), "T-late")
    assert run_stage(root, "tickets", dt.date(2025, 9, 26), monkeypatch) == 0
    assert results(root) == {"T-late": ("EXPIRED", "PLAN_EXPIRED")}
    assert read_json(root, "positions")["applied_tickets"] == []


def test_cli_ticket_new(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, pid = repo
    monkeypatch.setenv("KRX_ROLE", "PC")
    monkeypatch.setenv("KRX_ASOF", "2025-09-22")
    args = ["-C", str(root), "ticket", "new", "--plan", pid, "--by", "kim", "--id", "T-cli"]
    assert krx([*args, "--fill", "102110:SELL:20:35400:53", "--fill", "069500:BUY:10:35050"]) == 0
    assert krx([*args[:-1], "T-cli-ack", "--ack"]) == 0
    assert krx([*args, "--ack"]) == 1  # ids are never reused
    assert krx([*args[:-2], "--fill", "069500:HOLD:1:1"]) == 1
    assert (
        krx(
            [
                "-C",
                str(root),
                "ticket",
                "new",
                "--plan",
                "P-20250101-000000000000",
                "--by",
                "kim",
                "--ack",
            ]
        )
        == 1
    )
    assert "git pull" in capsys.readouterr().err
    over = [*args[:-1], "T-over", "--fill", "102110:SELL:21:35400"]
    assert krx(over) == 1  # the server would reject it: refused before it is committed
    assert "QUANTITY_EXCEEDS_PLAN" in capsys.readouterr().err
    assert krx([*over, "--force"]) == 0
    t = read_json(root, "ticket", "T-cli")
    assert t["asof"] == "2025-09-22" and t["fills"][0]["fee_krw"] == 53
    assert t["fills"][1]["executed_on"] == "2025-09-22"
    assert run_stage(root, "tickets", TUE, monkeypatch) == 0
    assert results(root) == {
        "T-cli": ("DONE", "APPLIED"),
        "T-cli-ack": ("DONE", "ACKNOWLEDGED"),
        "T-over": ("REJECTED", "QUANTITY_EXCEEDS_PLAN"),
    }
    monkeypatch.setenv("KRX_ROLE", "SERVER")
    assert krx([*args[:-1], "T-srv", "--ack"]) == 1  # the server never writes PC-owned tickets


def test_unreadable_result_is_never_rejudged_and_blocks(
    repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, pid = repo
    put(root, "ticket", ticket("T-1", pid, MON, [("102110", "SELL", 20, 35_400)]), "T-1")
    assert run_stage(root, "tickets", TUE, monkeypatch) == 0
    put_raw(root, "reports/tickets/T-1.json", b"{ truncated")
    assert run_stage(root, "tickets", TUE, monkeypatch) == 0
    assert (root / "reports/tickets/T-1.json").read_bytes() == b"{ truncated"  # not rewritten
    pos = read_json(root, "positions")
    assert pos["inconsistencies"] == ["reports/tickets/T-1.json is unreadable"]
    from tests.server.factories import bundle_model

    put(root, "strategy_bundle", bundle_model(MON))
    assert run_stage(root, "ops_summary", TUE, monkeypatch) == 0
    assert read_json(root, "ops_summary")["overall_status"] == "BLOCKED"
    assert run_stage(root, "live_cycle", TUE, monkeypatch) == 3
    assert read_json(root, "live_cycle_receipt")["reason"] == "PORTFOLIO_INVALID"


def _fill(**over: object) -> dict[str, object]:
    fill: dict[str, object] = {
        "ticker": "102110",
        "side": "SELL",
        "shares": 20,
        "price_krw": 35_400,
        "fee_krw": 0,
        "executed_on": "2025-09-22",
    }
    return {**fill, **over}


def test_any_bad_ticket_file_is_rejected_alone(
    repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bad names, bad JSON, deep nesting, NaN and absurd numbers: each gets its own REJECTED
    result naming why; the good ticket and the positions are still processed, and the next run
    is clean (nothing judged twice, no fault)."""
    root, pid = repo
    good = ticket("T-good", pid, MON, [("102110", "SELL", 20, 35_400)])
    base = good.model_dump(mode="json", by_alias=True)
    long_name = "T" * 70
    put(root, "ticket", good, "T-good")
    put_raw(root, "state/tickets/x.y.json", {**base, "ticket_id": "x"})
    put_raw(root, "state/tickets/sub/x.json", {**base, "ticket_id": "x"})
    put_raw(root, f"state/tickets/{long_name}.json", {**base, "ticket_id": long_name})
    put_raw(root, "state/tickets/T-deep.json", b"[" * 100_000 + b"]" * 100_000)
    nan = canonical_json({**base, "ticket_id": "T-nan"}).replace('"fee_krw": 0', '"fee_krw": NaN')
    put_raw(root, "state/tickets/T-nan.json", nan.encode())
    put_raw(root, "state/tickets/T-inf.json", nan.replace("NaN", "1e999").encode())
    put_raw(
        root,
        "state/tickets/T-fee.json",
        {**base, "ticket_id": "T-fee", "fills": [_fill(fee_krw=10**15)]},
    )
    put_raw(
        root,
        "state/tickets/T-big.json",
        {**base, "ticket_id": "T-big", "fills": [_fill(shares=10**12)]},
    )
    huge = "가" * 5_000
    put_raw(root, "state/tickets/T-echo.json", {**base, "ticket_id": "T-echo", "plan_id": huge})
    assert run_stage(root, "tickets", TUE, monkeypatch) == 0
    got = results(root)
    by_reason = {k: r for k, (_, r) in got.items()}
    assert by_reason.pop("T-good") == "APPLIED"
    assert {k: by_reason.pop(k) for k in ["T-deep", "T-nan", "T-inf"]} == dict.fromkeys(
        ["T-deep", "T-nan", "T-inf"], "NOT_JSON"
    )
    assert {k: by_reason.pop(k) for k in ["T-fee", "T-big", "T-echo"]} == dict.fromkeys(
        ["T-fee", "T-big", "T-echo"], "MALFORMED"
    )
    # the three bad names: one result each, keyed by a hash of the name (never the name)
    assert sorted(by_reason.values()) == ["BAD_FILE_NAME"] * 3
    assert all(k.startswith("invalid.") for k in by_reason)
    assert all(s == "REJECTED" for k, (s, _) in got.items() if k != "T-good")
    for key in got:
        data = read_json(root, "ticket_result", key)
        assert len(data["detail"]) <= 300  # echoed values are truncated
    pos = read_json(root, "positions")
    assert pos["applied_tickets"] == ["T-good"]
    assert pos["cash_krw"] == 10_000_000 + 20 * 35_400
    # a later run is a no-op that does not fault
    before = snapshot(root)
    assert run_stage(root, "tickets", dt.date(2025, 9, 24), monkeypatch) == 0
    after = snapshot(root)
    assert {k for k in after if k.startswith("reports/tickets")} == {
        k for k in before if k.startswith("reports/tickets")
    }


def test_server_validation_can_leave_ticket_judging_to_the_stage(
    repo: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad ticket file never makes the server's upstream validation fail every run."""
    root, _ = repo
    put_raw(root, "state/tickets/x.y.json", b"[" * 10_000)
    assert krx(["-C", str(root), "validate", "--all", "--json-only", "-q"]) == 1
    capsys.readouterr()
    assert krx(["-C", str(root), "validate", "--all", "--json-only", "--except", "ticket"]) == 0
