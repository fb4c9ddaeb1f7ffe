"""``deploy/oci/daily_ops.sh`` under faults: exit code, message, and nothing committed is lost.

Real processes where the fault needs them: the shell wrapper execs ``krx daily server``; a
kill -9 and a lock race need a process boundary, and so do the wrapper's own exits (no venv,
the emergency stop's 2), the unreachable remote and the push race. The flow's answers to bad
inputs (a hand-corrupted bundle, a stale bundle, the resolver down) run the same flow
in-process (``World.daily_ops_in_process``) on the same world. The git faults of the flow
(stale locks, a leftover rebase, a detached HEAD, a staged foreign file, a misnamed remote, a
push that reached the remote) run in-process in ``tests/flows/test_daily_server.py``.

Each test: a private copy of an origin where the PC's first day, the operator's portfolio and
one good server morning (2026-12-21) landed, fresh PC and server clones and a real resolver
serving the server clone (the last good state); then the fault on 2026-12-22.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BASE_ENV, ROOT, git, run
from tests.e2e.ops_world import (
    GOOD_DAY,
    VENV,
    World,
    clone_world,
    free_port,
    kill_group,
    resolver,
)

pytestmark = pytest.mark.slow
FAULT_DAY = "2026-12-22"
RECORD = "reports/ops/scheduler_record.json"


@pytest.fixture
def world(day1_origin: Path, tmp_path: Path) -> Iterator[World]:
    w = clone_world(tmp_path, day1_origin)
    with resolver(w.server) as url:
        w.api = url
        assert receipt(w)["asof"] == GOOD_DAY
        yield w


def receipt(w: World) -> dict[str, object]:
    env = w.api_get("/api/live/cycle/latest")
    assert env["status"] == "ok" and env["valid"] is True, env
    row: dict[str, object] = env["rows"][0]
    return row


def steps(record: dict[str, object]) -> dict[str, str]:
    return {s["name"]: s["result"] for s in record["steps"]}  # type: ignore[attr-defined]


def popen_daily_ops(w: World, asof: str, log: Path, **extra: str) -> subprocess.Popen[str]:
    """Start a run in its own process group, its output to ``log`` (polled by the test)."""
    log.touch()
    return subprocess.Popen(
        ["bash", "-c", f"exec bash deploy/oci/daily_ops.sh > '{log}' 2>&1"],
        cwd=w.server,
        env={**os.environ, **BASE_ENV, **w.server_env(asof, **extra)},
        text=True,
        start_new_session=True,
    )


def wait_for(log: Path, needle: str, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while needle not in log.read_text(encoding="utf-8"):
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, f"timed out waiting for {needle!r}"
        time.sleep(0.05)


def test_remote_unreachable_exit_3_keeps_serving_then_catches_up(world: World) -> None:
    w = world
    origin_head = w.head(w.origin, "main")
    gone = w.origin.with_name("origin-offline.git")
    w.origin.rename(gone)
    out = w.daily_ops(FAULT_DAY)
    assert out.returncode == 3, out.stdout
    assert "git pull origin main failed (remote unreachable?)" in out.stdout
    record = w.read(w.server, RECORD)
    assert (record["exit_code"], record["push"]) == (3, "FAILED")
    assert steps(record)["pull"] == "FAULT" and steps(record)["live_cycle"] == "OK"
    # The resolver serves the server's committed state: valid, today's receipt, exit 3 in health.
    assert receipt(w)["asof"] == FAULT_DAY
    health = w.api_get("/api/ops/health")["rows"][0]["daily_ops"]
    assert (health["exit_code"], health["asof"]) == (3, FAULT_DAY)
    assert git(w.server, "status", "--porcelain") == ""
    gone.rename(w.origin)
    assert w.head(w.origin, "main") == origin_head  # nothing reached the remote
    again = w.daily_ops(FAULT_DAY)
    assert again.returncode == 0, again.stdout
    assert w.head(w.origin, "main") == w.head(w.server)
    subjects = git(w.origin, "log", "--format=%s", "main").splitlines()
    # One record per run: the failed run's (push FAILED: the pull already failed, so no push
    # was tried and nothing was amended) and this one.
    assert sum("[scheduler_record]" in s and FAULT_DAY in s for s in subjects) == 2


def test_kill_9_mid_stage_commits_nothing_and_the_next_run_recovers(
    world: World, tmp_path: Path
) -> None:
    w = world
    head, origin_head = w.head(w.server), w.head(w.origin, "main")
    log = tmp_path / "killed.log"
    proc = popen_daily_ops(w, FAULT_DAY, log)
    wait_for(log, "Running stage 'server/dvc.yaml:live_cycle'", proc)
    kill_group(proc)
    assert (w.head(w.server), w.head(w.origin, "main")) == (head, origin_head)
    assert receipt(w)["asof"] == GOOD_DAY  # the resolver still serves the last good state
    out = w.daily_ops(FAULT_DAY)
    assert out.returncode == 0, out.stdout
    assert receipt(w)["asof"] == FAULT_DAY
    assert git(w.server, "status", "--porcelain") == ""
    run([sys.executable, "-m", "pipeline.cli", "validate", "--all"], w.server)
    tracked = git(w.server, "ls-files").splitlines()
    assert not [p for p in tracked if p.endswith(".tmp")]


def test_overlapping_run_waits_then_exits_3_and_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    w = world
    log = tmp_path / "first.log"
    first = popen_daily_ops(w, FAULT_DAY, log)
    wait_for(log, "step pull:", first)  # the first run holds the lock from before its pull
    second = w.daily_ops(FAULT_DAY, KRX_LOCK_WAIT="1")
    assert second.returncode == 3
    assert "another daily_ops.sh is running" in second.stdout
    assert "this run changed nothing" in second.stdout
    assert first.wait(timeout=180) == 0, log.read_text(encoding="utf-8")
    record = w.read(w.server, RECORD)
    assert record["exit_code"] == 0 and record["asof"] == FAULT_DAY
    assert w.head(w.origin, "main") == w.head(w.server)


def test_push_race_with_the_pc_lands_both_without_a_merge(world: World) -> None:
    w = world
    # The PC pushes a safety change after the server pulled: the server's first push is
    # rejected; it rebases (disjoint paths: no conflict) and pushes again.
    hook = w.server / ".git/hooks/pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -f '{w.tmp}/raced' ]; then touch '{w.tmp}/raced'; cd '{w.pc}' &&"
        f" git pull -q --rebase origin main && KRX_ROLE=PC '{sys.executable}' -m pipeline.cli"
        " safety set-gate DRY_RUN --reason race --by test >/dev/null &&"
        " git add state/execution_gate.json && git commit -qm 'ops(safety): gate DRY_RUN' &&"
        " git push -q origin HEAD:main; fi\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    out = w.daily_ops(FAULT_DAY)
    assert out.returncode == 0, out.stdout
    assert "push rejected (attempt 1)" in out.stdout and "pushed to origin/main" in out.stdout
    subjects = git(w.origin, "log", "--format=%s", "-3", "main").splitlines()
    assert subjects[0] == f"artifact(server): asof {FAULT_DAY} [scheduler_record]"
    assert subjects[1].startswith(f"artifact(server): asof {FAULT_DAY} [")
    assert subjects[2] == "ops(safety): gate DRY_RUN"
    assert git(w.origin, "log", "--merges", "--format=%h", "main") == ""
    record = json.loads(git(w.origin, "show", f"main:{RECORD}"))
    assert record["outputs_commit"] == w.head(w.origin, "main~1")  # rebased id, not the old one
    assert record["push"] == "PUSHING"


def test_hand_corrupted_upstream_bundle_exit_3_reported_not_served_as_valid(
    world: World,
) -> None:
    w = world
    git(w.pc, "pull", "-q", "--rebase", "origin", "main")
    path = w.pc / "state/strategy_bundle.json"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    bundle["exposure"] = 7.5
    path.write_text(json.dumps(bundle), encoding="utf-8")
    git(w.pc, "commit", "-qam", "hand edit")
    git(w.pc, "push", "-q", "origin", "HEAD:main")
    out = w.daily_ops_in_process(FAULT_DAY)
    assert out.returncode == 3, out.stdout
    assert "an upstream (PC) artifact is invalid" in out.stdout
    assert "state/strategy_bundle.json#/exposure" in out.stdout + out.stderr
    row = receipt(w)
    assert (row["result"], row["decision"], row["reason"]) == (
        "FAILED",
        "BLOCKED",
        "BUNDLE_INVALID",
    )
    served = w.api_get("/api/artifacts/strategy_bundle")
    assert served["status"] == "invalid" and served["valid"] is False
    assert steps(w.read(w.server, RECORD))["ops_summary"] == "FAULT"
    check = run(
        ["bash", "deploy/oci/check_live_cycle.sh"],
        w.server,
        env={"KRX_VENV": VENV, "KRX_API_URL": w.api, "KRX_NOW": f"{FAULT_DAY}T09:30:00"},
        check=False,
    )
    assert check.returncode == 3 and "reason=BUNDLE_INVALID" in check.stdout
    # the next session, the same receipt is not today's: one clear FAULT line, exit 3
    later = run(
        ["bash", "deploy/oci/check_live_cycle.sh"],
        w.server,
        env={"KRX_VENV": VENV, "KRX_API_URL": w.api, "KRX_NOW": "2027-01-08T09:30:00+09:00"},
        check=False,
    )
    assert later.returncode == 3 and len(later.stdout.splitlines()) == 1
    assert later.stdout.startswith("FAULT live-cycle:") and "today's session" in later.stdout


def test_emergency_stop_exit_2_stopped(world: World) -> None:
    w = world
    out = w.daily_ops(FAULT_DAY, KRX_EMERGENCY_STOP="1")
    assert out.returncode == 2, out.stdout
    row = receipt(w)
    assert (row["decision"], row["reason"]) == ("BLOCKED", "EMERGENCY_STOP")
    summary = w.api_get("/api/ops/summary/latest")["rows"][0]
    assert summary["overall_status"] == "STOPPED"
    record = w.read(w.server, RECORD)
    assert (record["exit_code"], steps(record)["live_cycle"]) == (2, "BLOCKED")
    check = run(
        ["bash", "deploy/oci/check_ops_summary.sh"],
        w.server,
        env={"KRX_VENV": VENV, "KRX_API_URL": w.api, "KRX_NOW": f"{FAULT_DAY}T09:30:00"},
        check=False,
    )
    assert check.returncode == 2 and "overall_status=STOPPED" in check.stdout
    assert len(check.stdout.splitlines()) == 1


def test_stale_bundle_exits_only(world: World) -> None:
    w = world
    # The bundle of 2026-12-18 is many KRX closes behind on 2027-01-08 (beyond
    # live.max_bundle_lag_sessions): no buys, exits only; the ops summary is BLOCKED.
    out = w.daily_ops_in_process("2027-01-08")
    assert out.returncode == 0, out.stdout
    row = receipt(w)
    assert (row["result"], row["decision"], row["reason"]) == ("OK", "PARTIAL", "BUNDLE_STALE")
    plan = w.api_get("/api/artifacts/order_plan")["rows"] or [{}]
    assert all(o.get("side") != "BUY" for o in plan[0].get("orders", []))
    assert w.api_get("/api/ops/summary/latest")["rows"][0]["overall_status"] == "BLOCKED"


def test_resolver_down_at_step_2_exit_3_clear_message(world: World) -> None:
    w = world
    down = f"http://127.0.0.1:{free_port()}"
    out = w.daily_ops_in_process(FAULT_DAY, KRX_API_URL=down)
    assert out.returncode == 3, out.stdout
    assert f"resolver not reachable at {down}/api/ops/health" in out.stdout
    record = w.read(w.server, RECORD)
    assert steps(record)["health"] == "FAULT" and steps(record)["resolve"] == "FAULT"
    assert steps(record)["live_cycle"] == "OK"  # the day's cycle still ran and was pushed
    shown = json.loads(git(w.origin, "show", "main:reports/live/live_cycle_receipt.json"))
    assert shown["asof"] == FAULT_DAY


def test_wrapper_without_a_venv_exits_3_and_changes_nothing(world: World) -> None:
    w = world
    head = w.head(w.server)
    out = w.daily_ops(FAULT_DAY, KRX_VENV=str(w.tmp / "no-venv"))
    assert out.returncode == 3
    assert "FAULT: no" in out.stdout and "set KRX_VENV" in out.stdout
    assert w.head(w.server) == head


def test_wrapper_is_thin_and_execs_the_flow() -> None:
    text = (ROOT / "deploy/oci/daily_ops.sh").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 30
    assert 'exec python -m pipeline.cli daily server "$@"' in text
    assert "git " not in text and "dvc " not in text  # the flow owns git and DVC
