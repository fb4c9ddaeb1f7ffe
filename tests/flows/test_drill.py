"""``krx drill`` end to end: real git repos, real processes, a real loopback resolver.

The drill runs the server's daily flow (``pipeline.flows.daily_server``) in a scratch copy, so
its report speaks the daily run's words: the scheduler record's steps, the receipt's reason.
Each test builds a server-ready repository (bundle + portfolio committed, like the server's
clone after a PC push), breaks one precondition, drills it as a process and checks the report,
the exit code, that the repository is byte-for-byte unchanged apart from the report, and that
no message reached the local Telegram-protocol server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.server_steps import STEPS
from pipeline.enums import ExecutionGate
from pipeline.io.api_probe import free_port, serve
from tests.conftest import ROOT, run
from tests.server.factories import (
    add_server_pipeline,
    commit_all,
    gate,
    git,
    git_init,
    put,
    put_raw,
    sender,
    server_repo,
    stop,
)
from tests.server.telegram_stub import telegram_stub

pytestmark = pytest.mark.slow
FRI = dt.date(2025, 9, 19)
MON = dt.date(2025, 9, 22)
REPORT = "reports/ops/drill_report.json"
TARGETS = {"069500": 0.3, "132030": 0.3}


def drill_repo(tmp: Path) -> Path:
    """A server clone: bundle signalled Friday, baseline portfolio, server/dvc.yaml, lock files."""
    root = server_repo(tmp, targets=TARGETS)  # inside every guardrail: a clean COMPLETED
    add_server_pipeline(root)
    git_init(root)
    commit_all(root, "pc: bundle + portfolio")
    return root


def state(root: Path) -> dict[str, Any]:
    """Every file's hash (tracked, untracked, ignored, dvc.lock files) and git's refs."""
    files = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and ".git" not in p.relative_to(root).parts
        and "__pycache__" not in p.parts  # Python's bytecode of the checkout's code
    }
    return {
        "files": files,
        "refs": git(root, "for-each-ref", "--format=%(refname) %(objectname)"),
        "head": git(root, "rev-parse", "HEAD"),
        "worktrees": git(root, "worktree", "list", "--porcelain"),
        "remotes": git(root, "remote", "-v"),
        "stash": git(root, "stash", "list"),
    }


def drill(
    root: Path, day: dt.date, *args: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], str]:
    scratch_tmp(root).mkdir(exist_ok=True)
    base = {
        "TMPDIR": str(scratch_tmp(root)),  # the scratch copy and lock file land here
        "KRX_ROLE": "SERVER",
        "KRX_ASOF": day.isoformat(),
        "KRX_NOW": f"{day.isoformat()}T09:30:00+09:00",
        "PYTHONPATH": str(ROOT),
    }
    proc = run(
        [sys.executable, "-m", "pipeline.cli", "-C", str(root), "drill", *args],
        root,
        env={**base, **(env or {})},
        check=False,
        timeout=600,  # a whole daily run, through DVC, on a shared 2-core machine
    )
    out = proc.stdout + proc.stderr
    assert (root / REPORT).exists(), out
    report: dict[str, Any] = json.loads((root / REPORT).read_text("utf-8"))
    return proc.returncode, report, out


def steps(report: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["result"] for s in report["steps"]}


def checked(root: Path, day: dt.date, *args: str, env: dict[str, str] | None = None) -> Any:
    """Drill and assert the invariants every drill keeps; (exit, report, output).

    With ``--commit`` the one new commit holds the report and nothing else.
    """
    before = state(root)
    code, report, out = drill(root, day, *args, env=env)
    after = state(root)
    if "--commit" in args:
        assert git(root, "rev-parse", "HEAD~1") == before["head"]
        assert git(root, "show", "--name-only", "--format=", "HEAD") == REPORT
        assert git(root, "status", "--porcelain") == ""
        old = before["head"]
        for key in ("refs", "head", "worktrees"):
            before[key] = before[key].replace(old, after["head"])
    changed = {
        p
        for p in before["files"].keys() | after["files"].keys()
        if before["files"].get(p) != after["files"].get(p)
    }
    assert changed == {REPORT}, out
    assert {k: v for k, v in after.items() if k != "files"} == {
        k: v for k, v in before.items() if k != "files"
    }
    assert list(scratch_tmp(root).iterdir()) == [], "scratch copy or lock file left behind"
    run(
        [sys.executable, "-m", "pipeline.cli", "validate", REPORT],
        root,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert report["exit_code"] == code and report["asof"] >= day.isoformat()
    assert report["schema"] == "drill_report/v3"
    assert [s["name"] for s in report["steps"]] == [s.value for s in STEPS]
    return code, report, out


def scratch_tmp(root: Path) -> Path:
    return root.parent / "tmp"


def test_healthy_repo_drills_pass_and_nothing_leaves_the_machine(tmp_path: Path) -> None:
    """Real sending fully enabled (gate, sender, token, base URL): the stub receives nothing."""
    root = drill_repo(tmp_path)
    put(root, "execution_gate", gate(FRI, ExecutionGate.REAL_ENABLED))
    put(root, "real_sender", sender(FRI, True))
    commit_all(root, "pc: real sending on")
    with telegram_stub() as stub:
        env = {
            "KRX_TELEGRAM_TOKEN": "123:secret-token",
            "KRX_TELEGRAM_CHAT_ID": "42",
            "KRX_TELEGRAM_API_BASE": stub.base_url,
        }
        # run on Sunday: a holiday drills the next session ("would Monday's run work?")
        code, report, out = checked(root, dt.date(2025, 9, 21), env=env)
        assert stub.requests == []
    assert report["asof"] == MON.isoformat()
    assert code == 0 and report["result"] == "OK" and report["fault"] is None, out
    assert report["reason"] == "ORDERS_READY"
    assert set(steps(report).values()) == {"OK"}, report["steps"]
    seen = report["observed_safety"]
    assert (seen["gate"], seen["real_sender_enabled"], seen["real_send_possible"]) == (
        "REAL_ENABLED",
        True,
        True,
    )
    assert report["forced_safety"]["gate"] == "MOCK_ONLY"
    assert report["cycle"] == {
        "result": "OK",
        "decision": "COMPLETED",
        "reason": "ORDERS_READY",
        "delivery_actual": "CONSOLE_SIMULATED",
    }
    assert report["head_commit"] == git(root, "rev-parse", "HEAD")
    assert "secret-token" not in json.dumps(report) and "secret-token" not in out


def test_stale_bundle_plans_exits_only(tmp_path: Path) -> None:
    root = drill_repo(tmp_path)
    day = dt.date(2025, 9, 24)  # the rebalance bundle was valid until MON: STALE, exits only
    code, report, out = checked(root, day, "--commit")
    # A stale bundle is no block (issue 14): the cycle plans the exits only, PARTIAL, exit 0.
    assert code == 0 and report["result"] == "OK", out
    got = steps(report)
    assert got["ops_summary"] == "OK"
    assert got["live_cycle"] == "OK"
    assert got["resolve"] == "OK"
    assert report["cycle"]["reason"] == "BUNDLE_STALE"
    assert report["cycle"]["decision"] == "PARTIAL"
    # the committed report is what the runbook's route serves
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with serve(root, "main", free_port(), env, timeout=30) as api:
        status, body = api.get("/api/ops/drill/latest")
    assert status == 200 and body is not None and body["valid"] is True, body
    assert body["rows"][0]["result"] == "OK"


def test_emergency_stop_is_a_safety_block(tmp_path: Path) -> None:
    root = drill_repo(tmp_path)
    put(root, "emergency_stop", stop(FRI, True))
    commit_all(root, "pc: stop")
    code, report, out = checked(root, MON)
    assert code == 2 and report["result"] == "BLOCKED", out
    assert report["ops_status"] == "STOPPED"
    assert steps(report)["live_cycle"] == "BLOCKED"
    assert report["cycle"]["reason"] == report["reason"] == "EMERGENCY_STOP"
    assert report["observed_safety"]["emergency_stop"] is True


@pytest.mark.parametrize(
    "rel",
    [
        # a PC-owned file: the PC must fix it; the scheduled run faults on it (exit 3), so does
        # the drill (the ops_summary step validates every JSON artifact)
        "reports/recon/recon_daily.json",
        # a SERVER-owned file the stages never rewrite: a fault (and it is never committed)
        "reports/tickets/T-0001.json",
    ],
)
def test_invalid_artifact_is_a_fault_as_in_the_scheduled_run(tmp_path: Path, rel: str) -> None:
    root = drill_repo(tmp_path)
    put_raw(root, rel, b'{"schema": "broken')
    commit_all(root, "a broken artifact")
    code, report, out = checked(root, MON)
    assert code == 3 and report["result"] == "FAULT", out
    assert steps(report)["ops_summary"] == "FAULT"
    assert rel in out  # every problem is logged


def test_resolver_that_cannot_start_is_a_fault(tmp_path: Path) -> None:
    root = drill_repo(tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, report, out = checked(root, MON, "--api-port", str(port), "--api-timeout", "15")
    assert code == 3 and report["result"] == "FAULT", out
    got = steps(report)
    assert got["health"] == got["resolve"] == "FAULT"
    assert got["live_cycle"] == "OK"


def test_drill_refuses_on_the_pc(tmp_path: Path) -> None:
    root = drill_repo(tmp_path)
    proc = run(
        [sys.executable, "-m", "pipeline.cli", "-C", str(root), "drill"],
        root,
        env={"KRX_ROLE": "PC", "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert proc.returncode == 1 and "KRX_ROLE" in proc.stderr
    assert not (root / REPORT).exists()


def test_repo_without_commits_is_a_fault(tmp_path: Path) -> None:
    root = server_repo(tmp_path)
    git_init(root)
    code, report, _ = drill(root, MON)
    assert code == 3 and report["head_commit"] is None
    assert report["fault"] == "the repository has no commits" and report["steps"] == []


def test_a_stage_missing_from_server_dvc_yaml_is_a_fault(tmp_path: Path) -> None:
    # The drill runs `dvc repro server/dvc.yaml:ops_summary` as the scheduled run does: a
    # pipeline file without that stage faults both, the same way.
    root = drill_repo(tmp_path)
    text = (root / "server/dvc.yaml").read_text("utf-8")
    (root / "server/dvc.yaml").write_text(text.replace("  ops_summary:", "  ops_old:"), "utf-8")
    commit_all(root, "server: a broken pipeline file")
    code, report, out = checked(root, MON)
    assert code == 3 and report["result"] == "FAULT", out
    assert steps(report)["ops_summary"] == "FAULT"
