"""The runbook's curl one-liners (seeds/000, §4-C..4-E), verbatim but for the port."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

import pytest

from tests.api import dummies
from tests.api.factories import make_clock
from tests.support.gitrepo import GitRepo

# Copied verbatim from the runbook; only "8000" is replaced by the test server's port.
SCHEDULER = "curl -s http://127.0.0.1:8000/api/ops/scheduler/latest | head"
SUMMARY_HEAD = "curl -s http://127.0.0.1:8000/api/ops/summary/latest | head"
HEALTH = "curl -s http://127.0.0.1:8000/api/ops/health"
RECEIPT = """curl -s http://127.0.0.1:8000/api/live/cycle/latest | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d.get("rows",[{}])[0]; print("result=",r.get("result"),"decision=",r.get("decision"),"snapshot_ref=",r.get("snapshot_ref"))'"""  # noqa: E501
DELIVERY = """curl -s http://127.0.0.1:8000/api/live/cycle/latest | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d.get("rows",[{}])[0]; print("delivery=",(r.get("push") or {}).get("delivery_actual"))'"""  # noqa: E501
SUMMARY = """curl -s http://127.0.0.1:8000/api/ops/summary/latest | python3 -c 'import json,sys; d=json.load(sys.stdin); row=(d.get("rows") or [d])[0]; print("overall_status=",row.get("overall_status")); print("top_risks=",[r.get("code") for r in row.get("top_risks",[])])'"""  # noqa: E501
RUN_CYCLE = 'curl -X POST "http://127.0.0.1:8000/api/live/cycle/run?confirm=true"'
REGENERATE = 'curl -X POST "http://127.0.0.1:8000/api/ops/summary/regenerate?confirm=true"'

ASOF = dt.date(2026, 11, 20)


def sh(line: str, base_url: str) -> subprocess.CompletedProcess[str]:
    port = base_url.rsplit(":", 1)[1]
    cmd = line.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    return subprocess.run(
        ["bash", "-c", cmd], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture
def ops_url(repo: GitRepo, server_for: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    dummies.register_dummies(monkeypatch)
    monkeypatch.setenv("KRX_NOW", "2026-11-24T09:10:00+09:00")
    c1 = repo.commit({"data/asof.json": make_clock(ASOF)}, "artifact(clock): asof 2026-11-20")
    repo.commit(
        {
            "reports/ops/summary.json": dummies.summary(dt.date(2026, 11, 24)),
            "reports/live/receipt.json": dummies.receipt(
                dt.date(2026, 11, 24), f"{c1}:state/strategy_bundle.json"
            ),
            "reports/ops/scheduler.json": dummies.scheduler(dt.date(2026, 11, 24), 2),
        },
        "artifact(server): daily ops 2026-11-24",
    )
    url: str = server_for(repo.path)
    return url


def test_live_cycle_one_liners(ops_url: str, repo: GitRepo) -> None:
    out = sh(RECEIPT, ops_url)
    assert out.returncode == 0, out.stderr
    c1 = repo.git("rev-parse", "HEAD~1")
    expect = f"result= OK decision= COMPLETED snapshot_ref= {c1}:state/strategy_bundle.json\n"
    assert out.stdout == expect
    out = sh(DELIVERY, ops_url)
    assert (out.returncode, out.stdout) == (0, "delivery= CONSOLE_SIMULATED\n")


def test_ops_summary_one_liner(ops_url: str) -> None:
    out = sh(SUMMARY, ops_url)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "overall_status= WARN\ntop_risks= ['BUNDLE_STALE', 'NO_PORTFOLIO']\n"


@pytest.mark.parametrize("line", [SCHEDULER, SUMMARY_HEAD, HEALTH])
def test_plain_curls_print_the_envelope(ops_url: str, line: str) -> None:
    out = sh(line, ops_url)
    assert out.returncode == 0 and out.stdout.startswith('{"status":"ok"'), out


def test_health_reports_ages_and_exit_code(ops_url: str, repo: GitRepo) -> None:
    import json

    out = sh(HEALTH, ops_url)
    health = json.loads(out.stdout)["rows"][0]
    assert health["today"] == "2026-11-24"
    assert health["repo"]["commit"] == repo.git("rev-parse", "HEAD")
    assert health["repo"]["dirty"] is False
    ages = {s["stage"]: s for s in health["stages"]}
    # asof Fri 2026-11-20 -> Mon 23, Tue 24: two KRX trading days.
    assert ages["clock"]["age_trading_days"] == 2 and ages["clock"]["artifact"] == "clock"
    assert ages["daily_ops"]["age_trading_days"] == 0
    assert ages["ingest"]["age_trading_days"] is None and ages["ingest"]["reason"]
    # 09:10 on Tue 24th: today's run is recorded, so the server is not late.
    assert health["daily_ops"] == {
        "exit_code": 2,
        "asof": "2026-11-24",
        "reason": None,
        "late": False,
        "sessions_missed": 0,
        "message": "서버 마지막 실행 2026-11-24 (정상).",
    }


def test_health_sees_a_dirty_tree(ops_url: str, repo: GitRepo) -> None:
    import json

    (repo.path / "data" / "asof.json").write_text("{}\n", encoding="utf-8")
    health = json.loads(sh(HEALTH, ops_url).stdout)["rows"][0]
    assert health["repo"]["dirty"] is True and health["repo"]["dirty_paths"] == ["data/asof.json"]


@pytest.mark.parametrize(
    ("line", "hint"),
    [(RUN_CYCLE, "krx stage live_cycle"), (REGENERATE, "krx stage ops_summary")],
)
def test_runbook_writes_get_405_and_the_cli_command(ops_url: str, line: str, hint: str) -> None:
    out = sh(line, ops_url)
    assert '"code":"METHOD_NOT_ALLOWED"' in out.stdout and f"run `{hint}` instead" in out.stdout


def test_one_liners_without_data(repo: GitRepo, server_for: Any) -> None:
    """Nothing registered/committed yet: the envelope says no_data; no fake row is invented.

    The summary one-liner prints None values; the receipt one-liner's ``d.get("rows",[{}])[0]``
    raises IndexError on the empty rows list (exit 1), so a check script fails closed.
    """
    url = server_for(repo.path)
    out = sh(SUMMARY, url)
    assert (out.returncode, out.stdout) == (0, "overall_status= None\ntop_risks= []\n")
    out = sh(RECEIPT, url)
    assert out.returncode == 1 and "IndexError" in out.stderr
