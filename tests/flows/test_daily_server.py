"""``krx daily server`` in-process on real git (bare origin + server clone) and a real resolver.

Each fault is left the way a killed or misconfigured run leaves it; the run recovers (or faults
with a clear line) and the next run is clean. Exit codes are only ever 0, 2 or 3.

The runs take their DVC stages in-process too (``pipeline.flows.stage_runner``): what is under
test here is the flow's git, lock and record handling. The healthy day runs them through real
``dvc repro`` processes, as do tests/flows/test_server_dvc.py and the end-to-end tests.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.flows.daily_server import LOCK_NAME
from pipeline.flows.stage_runner import run_in_process
from pipeline.io.validate import validate_bytes
from tests.conftest import git
from tests.flows.server_world import MON, RECORD, TUE, ServerWorld, build_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path) -> ServerWorld:
    return build_world(tmp_path, runner=run_in_process)


def steps(w: ServerWorld) -> dict[str, str]:
    record = json.loads((w.server / RECORD).read_text("utf-8"))
    return {s["name"]: s["result"] for s in record["steps"]}


def record(w: ServerWorld, repo: Path | None = None, ref: str | None = None) -> dict[str, object]:
    if ref is not None:
        data: dict[str, object] = json.loads(git(repo or w.origin, "show", f"{ref}:{RECORD}"))
        return data
    data = json.loads((w.server / RECORD).read_text("utf-8"))
    return data


def assert_clean(w: ServerWorld) -> None:
    """Nothing left uncommitted but what DVC itself maintains (.dvc/.gitignore)."""
    dirty = git(w.server, "status", "--porcelain", "--untracked-files=no").splitlines()
    assert [line for line in dirty if not line.endswith(".dvc/.gitignore")] == []


def assert_in_sync_without_merges(w: ServerWorld) -> None:
    assert w.head(w.origin, "main") == w.head(w.server), w.log()
    assert git(w.origin, "log", "--merges", "--format=%h", "main") == ""
    assert_clean(w)


def test_healthy_day_commits_owned_paths_records_and_pushes_by_default(w: ServerWorld) -> None:
    out = w.daily(MON, runner=None)  # real dvc processes
    assert out.exit_code == 0, w.log()
    assert out.receipt is not None and out.receipt.reason == "ORDERS_READY"
    assert set(steps(w).values()) == {"OK"}
    assert_in_sync_without_merges(w)
    rec = record(w, ref="main")
    assert (rec["push"], rec["exit_code"], rec["branch"]) == ("PUSHING", 0, "main")
    subjects = git(w.origin, "log", "--format=%s", "-2", "main").splitlines()
    assert subjects[0] == f"artifact(server): asof {MON} [scheduler_record]"
    assert subjects[1].startswith(f"artifact(server): asof {MON} [")
    # the server committed only SERVER-owned paths
    changed = git(w.origin, "diff", "--name-only", "main~2", "main").splitlines()
    assert changed and all(p.startswith(("reports/", "state/server/", "server/")) for p in changed)


@pytest.fixture(name="w")
def _w(world: ServerWorld) -> ServerWorld:
    return world


def test_push_that_reached_the_remote_but_timed_out_never_diverges(w: ServerWorld) -> None:
    # The remote accepts the push, then its post-receive hook outlives the client's timeout:
    # the client sees a failure although the remote has the commits.
    hook = w.origin / "hooks/post-receive"
    hook.write_text("#!/bin/sh\nsleep 6\n", encoding="utf-8")
    hook.chmod(0o755)
    first = w.daily(MON, net_timeout_s=2.0)
    assert first.exit_code in (0, 3), w.log()
    assert "push rejected (attempt 1)" in w.log()
    pushed = w.head(w.origin, "main")
    # whatever the client saw, what the remote has is an ancestor of the server's HEAD
    git(w.server, "merge-base", "--is-ancestor", pushed, "HEAD")
    hook.unlink()
    second = w.daily(MON)  # a rerun of the day (the bundle is stale from TUE on)
    assert second.exit_code == 0, w.log()
    assert_in_sync_without_merges(w)
    git(w.origin, "merge-base", "--is-ancestor", pushed, "main")  # never rewritten


def test_push_failure_adds_a_failed_record_commit_never_amends(w: ServerWorld) -> None:
    hook = w.origin / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho refused >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    out = w.daily(MON)
    assert out.exit_code == 3, w.log()
    assert steps(w)["push"] == "FAULT" and record(w)["push"] == "FAILED"
    subjects = git(w.server, "log", "--format=%s", "-3").splitlines()
    assert subjects[:2] == [f"artifact(server): asof {MON} [scheduler_record]"] * 2
    pushing = json.loads(git(w.server, "show", f"HEAD~1:{RECORD}"))
    assert pushing["push"] == "PUSHING"  # the first record commit is kept as it was
    hook.unlink()
    again = w.daily(MON)
    assert again.exit_code == 0, w.log()
    assert_in_sync_without_merges(w)


def test_stale_head_lock_index_lock_and_dvc_rwlock_are_removed(w: ServerWorld) -> None:
    gd = w.server / ".git"
    (gd / "HEAD.lock").write_text("", encoding="utf-8")
    (gd / "index.lock").write_text("", encoding="utf-8")
    (gd / "refs/heads/main.lock").write_text("", encoding="utf-8")
    (w.server / ".dvc/tmp").mkdir(parents=True, exist_ok=True)
    (w.server / ".dvc/tmp/rwlock").write_text('{"write": {"x": {"pid": 1}}}', encoding="utf-8")
    out = w.daily(MON)
    assert out.exit_code == 0, w.log()
    assert "removed stale index.lock, HEAD.lock, refs/heads/main.lock" in w.log()
    assert "removed a stale dvc rwlock" in w.log()
    assert_in_sync_without_merges(w)


def test_leftover_rebase_is_aborted_and_the_branch_reattached(w: ServerWorld) -> None:
    (w.server / "reports/ops").mkdir(parents=True, exist_ok=True)
    (w.server / "reports/ops/note.txt").write_text("local\n", encoding="utf-8")
    git(w.server, "add", "-A")
    git(w.server, "commit", "-qm", "local commit")
    # a rebase that stops (its exec fails) leaves rebase-merge and a detached HEAD
    proc = subprocess.run(
        ["git", "rebase", "--exec", "false", "HEAD~1"], cwd=w.server, capture_output=True
    )
    assert proc.returncode != 0 and (w.server / ".git/rebase-merge").exists()
    git(w.server, "reset", "-q", "--hard", "HEAD")  # (a killed run leaves no conflict markers)
    out = w.daily(MON)
    assert out.exit_code == 0, w.log()
    assert "aborted a rebase left by a killed run" in w.log()
    assert git(w.server, "symbolic-ref", "--short", "HEAD") == "main"
    assert_in_sync_without_merges(w)


def test_detached_head_is_reattached_to_the_configured_branch(w: ServerWorld) -> None:
    git(w.server, "checkout", "-q", "--detach")
    out = w.daily(MON)
    assert out.exit_code == 0, w.log()
    assert "re-attached HEAD to main" in w.log()
    assert git(w.server, "symbolic-ref", "--short", "HEAD") == "main"
    assert_in_sync_without_merges(w)


def test_a_staged_foreign_file_stays_staged_and_uncommitted(w: ServerWorld) -> None:
    params = w.server / "params.yaml"
    params.write_text(params.read_text("utf-8") + "# operator edit\n", encoding="utf-8")
    git(w.server, "add", "params.yaml")
    out = w.daily(MON)
    assert out.exit_code == 0, w.log()
    assert git(w.server, "diff", "--cached", "--name-only") == "params.yaml"
    pushed = git(w.origin, "log", "--name-only", "--format=", "main~2..main").splitlines()
    assert "params.yaml" not in pushed
    assert w.head(w.origin, "main") == w.head(w.server)


def test_a_misnamed_remote_is_a_fault_then_the_next_run_recovers(w: ServerWorld) -> None:
    out = w.daily(MON, remote="upstream")
    assert out.exit_code == 3, w.log()
    assert "git remote 'upstream' does not exist" in w.log()
    assert steps(w)["pull"] == "FAULT" and steps(w)["live_cycle"] == "OK"
    assert record(w)["push"] == "NO_REMOTE"
    again = w.daily(MON)
    assert again.exit_code == 0, w.log()
    assert_in_sync_without_merges(w)


def test_krx_push_0_disables_the_push_and_no_remote_works_locally(w: ServerWorld) -> None:
    before = w.head(w.origin, "main")
    assert w.daily(MON, push="0").exit_code == 0, w.log()
    assert record(w)["push"] == "DISABLED" and w.head(w.origin, "main") == before
    git(w.server, "remote", "remove", "origin")
    assert w.daily(MON).exit_code == 0, w.log()
    assert record(w)["push"] == "NO_REMOTE"


def test_remote_unreachable_exit_3_record_written_then_catches_up(w: ServerWorld) -> None:
    gone = w.origin.with_name("offline.git")
    w.origin.rename(gone)
    out = w.daily(MON)
    assert out.exit_code == 3, w.log()
    assert "git pull origin main failed (remote unreachable?)" in w.log()
    assert record(w)["push"] == "FAILED" and steps(w)["live_cycle"] == "OK"
    assert_clean(w)
    gone.rename(w.origin)
    assert w.daily(MON).exit_code == 0, w.log()
    assert_in_sync_without_merges(w)


def test_a_run_that_cannot_take_the_lock_exits_3_and_changes_nothing(w: ServerWorld) -> None:
    head = w.head()
    with (w.server / ".git" / LOCK_NAME).open("a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        out = w.daily(MON, lock_wait_s=0.3)
    assert out.exit_code == 3 and out.record is None
    assert "this run changed nothing" in out.line
    assert w.head() == head and not (w.server / RECORD).exists()
    assert git(w.server, "status", "--porcelain") == ""


def test_a_non_session_day_skips_the_stages(w: ServerWorld) -> None:
    out = w.daily(MON.replace(day=20))  # Saturday
    assert out.exit_code == 0, w.log()
    got = steps(w)
    assert got["pull"] == "OK" and got["live_cycle"] == got["commit"] == "SKIPPED"
    assert record(w, ref="main")["trading_day"] is False


def test_fresh_server_without_portfolio_is_blocked_no_portfolio(tmp_path: Path) -> None:
    w = build_world(tmp_path, portfolio=False, runner=run_in_process)
    out = w.daily(MON)
    assert out.exit_code == 2, w.log()
    assert out.receipt is not None and out.receipt.reason == "NO_PORTFOLIO"
    assert out.ops_status == "BLOCKED"
    assert steps(w)["live_cycle"] == "BLOCKED" and steps(w)["ops_summary"] == "OK"
    shown = json.loads(git(w.origin, "show", "main:reports/live/live_cycle_receipt.json"))
    assert (shown["decision"], shown["reason"]) == ("BLOCKED", "NO_PORTFOLIO")


def test_a_missed_session_is_reported_by_the_next_run_and_by_its_rerun(w: ServerWorld) -> None:
    assert w.daily(MON).exit_code in (0, 2), w.log()
    wed = dt.date(2025, 9, 24)  # Tuesday's morning never ran
    first = w.daily(wed)
    assert first.record is not None and first.record.missed_sessions == (TUE,), w.log()
    assert f"missed KRX sessions since the last run ({MON}): {TUE}" in w.log()
    again = w.daily(wed)  # a rerun of the same day (after a crash, by hand) keeps the report
    assert again.record is not None and again.record.missed_sessions == (TUE,)


#: What the server wrote on Monday with the code before the NO_BUNDLE -> BUNDLE_MISSING rename.
V1_FIXTURES = Path(__file__).resolve().parents[1] / "io" / "fixtures" / "v1_no_bundle"
V1_FILES = ("order_plan", "live_cycle_receipt", "ops_summary", "delivery_record")


def test_the_first_morning_after_the_rename_reads_yesterdays_v1_files(w: ServerWorld) -> None:
    """Monday's run (old code, no bundle yet) committed v1 files saying NO_BUNDLE; the deploy
    and the PC's bundle came in the evening. Tuesday's run reads them as the current versions
    (the ops summary sees yesterday's receipt and blocked plan) and writes v2."""
    for name in V1_FILES:
        (w.server / registry.path(name)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(V1_FIXTURES / f"{name}.json", w.server / registry.path(name))
    git(w.server, "add", *(registry.path(n) for n in V1_FILES))
    git(w.server, "commit", "-q", "-m", f"artifact(server): asof {MON} [live_cycle_receipt]")
    git(w.server, "push", "-q", "origin", "HEAD:main")
    yesterday = w.head()
    out = w.daily(TUE)
    assert out.exit_code in (0, 2), w.log()
    assert set(steps(w).values()) <= {"OK", "BLOCKED"}, w.log()
    shown = {
        n: json.loads(git(w.origin, "show", f"main:{registry.path(n)}"))
        for n in ("ops_summary", "live_cycle_receipt", "order_plan")
    }
    assert {n: d["schema"] for n, d in shown.items()} == {
        "ops_summary": "ops_summary/v2",
        "live_cycle_receipt": "live_cycle_receipt/v2",
        "order_plan": "order_plan/v2",
    }
    ops = shown["ops_summary"]
    assert ops["asof"] == TUE.isoformat()
    assert ops["last_cycle_asof"] == MON.isoformat()  # yesterday's v1 receipt was read
    assert "ORDER_PLAN_BLOCKED" in {r["code"] for r in ops["top_risks"]}  # and its v1 plan
    assert ops["overall_status"] != "NO_RUN_HISTORY"
    # yesterday's files still validate at their ref, as v1 (what the resolver does at a ref)
    for name in V1_FILES:
        rel = registry.path(name)
        blob = subprocess.run(
            ["git", "-C", str(w.origin), "show", f"{yesterday}:{rel}"],
            capture_output=True,
            check=True,
        ).stdout
        assert validate_bytes(blob, rel) == [], name
        assert json.loads(blob)["schema"] == f"{name}/v1"
