"""The PC's daily run (pipeline.flows.daily_pc) in-process on real git repos and real DVC.

The project's dvc.yaml is cut down to the clock stage so each run takes seconds; the full
pipeline through the shell wrapper is tests/e2e/test_pc_daily.py.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK
from pipeline.flows import daily_pc
from pipeline.flows.stage_runner import run_in_process
from tests.conftest import BASE_ENV, copy_project, git
from tests.support.gitrepo import clone

CLOCK_ONLY = """\
stages:
  clock:
    cmd: python -m pipeline.cli stage clock
    deps:
      - config/krx_closures.yaml
    always_changed: true
    outs:
      - data/asof.json:
          cache: false
          persist: true
"""


@pytest.fixture(scope="module")
def seed_origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("pc-origin")
    seed = copy_project(tmp / "seed", include_data=False)
    (seed / "dvc.yaml").write_text(CLOCK_ONLY, encoding="utf-8")
    git(seed, "commit", "-qam", "clock-only pipeline (fast flow tests)")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    return origin


class World:
    def __init__(self, tmp: Path, seed_origin: Path) -> None:
        self.origin = tmp / "origin.git"
        shutil.copytree(seed_origin, self.origin, symlinks=True)
        self.pc = tmp / "pc"
        clone(self.origin, self.pc)
        self.lines: list[str] = []

    def daily(self, asof: str, **settings: Any) -> int:
        os.environ["KRX_ASOF"] = asof
        self.lines.clear()
        return daily_pc.run(self.pc, daily_pc.PcSettings(**settings), self.lines.append)

    @property
    def out(self) -> str:
        return "\n".join(self.lines)

    def origin_head(self) -> str:
        return git(self.origin, "rev-parse", "main")

    def head(self) -> str:
        return git(self.pc, "rev-parse", "HEAD")


@pytest.fixture
def world(tmp_path: Path, seed_origin: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("KRX_ASOF", "")
    return World(tmp_path, seed_origin)


def test_commits_the_pc_paths_and_pushes_by_default_then_changes_nothing(world: World) -> None:
    assert world.daily("2026-11-20") == EXIT_OK, world.out
    subject = git(world.pc, "log", "-1", "--format=%s")
    assert subject == "artifact(pc): asof 2026-11-20 [clock]"
    assert set(git(world.pc, "show", "--name-only", "--format=", "HEAD").split()) == {
        "data/asof.json",
        "dvc.lock",
    }
    assert world.origin_head() == world.head()
    assert "pushed to origin/main" in world.out
    head = world.head()
    assert world.daily("2026-11-20") == EXIT_OK, world.out
    assert "commit: nothing changed" in world.out and world.head() == head


def test_krx_push_0_keeps_the_commit_local(world: World) -> None:
    before = world.origin_head()
    assert world.daily("2026-11-20", push=False) == EXIT_OK, world.out
    assert world.origin_head() == before != world.head()
    assert "push skipped (KRX_PUSH=0)" in world.out


def test_a_misnamed_remote_is_a_fault_and_nothing_is_committed(world: World) -> None:
    head = world.head()
    assert world.daily("2026-11-20", remote="orgin") == EXIT_FAULT
    assert "git remote 'orgin' does not exist (remotes: origin): set KRX_REMOTE" in world.out
    assert world.head() == head


def test_no_remote_at_all_works_locally(world: World) -> None:
    git(world.pc, "remote", "remove", "origin")
    assert world.daily("2026-11-20") == EXIT_OK, world.out
    assert "no git remote" in world.out and "push skipped (no remote)" in world.out


def test_a_staged_foreign_file_is_never_committed(world: World) -> None:
    readme = world.pc / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nlocal note\n", encoding="utf-8")
    git(world.pc, "add", "README.md")
    assert world.daily("2026-11-20", push=False) == EXIT_OK, world.out
    assert "README.md" not in git(world.pc, "show", "--name-only", "--format=", "HEAD")
    assert git(world.pc, "diff", "--cached", "--name-only") == "README.md"  # still staged


def test_stale_git_locks_and_a_leftover_rebase_are_recovered(world: World) -> None:
    gitdir = world.pc / ".git"
    for name in ("index.lock", "HEAD.lock"):
        (gitdir / name).write_text("", encoding="utf-8")
        old = time.time() - 3600
        os.utime(gitdir / name, (old, old))
    # A rebase stopped on a conflict, as a killed `pull --rebase` leaves it.
    other = world.pc.parent / "other"
    git(world.pc.parent, "clone", "-q", str(world.origin), str(other))
    for repo, text in ((other, "theirs\n"), (world.pc, "mine\n")):
        (repo / "notes.txt").write_text(text, encoding="utf-8")
    git(other, "add", "notes.txt")
    git(other, "commit", "-qm", "theirs")
    git(other, "push", "-q", "origin", "HEAD:main")
    for name in ("index.lock", "HEAD.lock"):
        (gitdir / name).rename(gitdir / f"{name}.keep")
    git(world.pc, "add", "notes.txt")
    git(world.pc, "commit", "-qm", "mine")
    git(world.pc, "fetch", "-q")
    git(world.pc, "rebase", "origin/main", check=False)
    assert (gitdir / "rebase-merge").exists() or (gitdir / "rebase-apply").exists()
    for name in ("index.lock", "HEAD.lock"):
        (gitdir / f"{name}.keep").rename(gitdir / name)
    code = world.daily("2026-11-20", push=False)
    assert "removed stale index.lock, HEAD.lock" in world.out
    assert "aborted a rebase" in world.out
    # After recovery the branch is back; the conflicting local commit makes the pull a fault,
    # which says so, and leaves no rebase behind for the next run.
    assert code == EXIT_FAULT and "git pull origin main failed" in world.out
    assert not (gitdir / "rebase-merge").exists() and not (gitdir / "rebase-apply").exists()
    assert git(world.pc, "symbolic-ref", "--short", "HEAD") == "main"


def test_a_detached_head_is_reattached_before_the_branch_is_read(world: World) -> None:
    git(world.pc, "checkout", "-q", "--detach")
    assert world.daily("2026-11-20") == EXIT_OK, world.out
    assert "re-attached HEAD to main" in world.out
    assert git(world.pc, "symbolic-ref", "--short", "HEAD") == "main"
    assert world.head() == world.origin_head()  # the run's commit is on main and pushed


def test_a_push_the_remote_accepted_but_reported_failed_is_never_rewritten(world: World) -> None:
    assert world.daily("2026-11-20", push=False) == EXIT_OK, world.out
    mine = world.head()
    # The remote took the commit but the client never learned it (no tracking ref update).
    git(world.pc, "push", "-q", str(world.origin), "HEAD:main")
    assert world.daily("2026-11-20") == EXIT_OK, world.out
    assert world.head() == mine == world.origin_head()  # same commit: nothing amended
    assert git(world.origin, "rev-list", "--count", "main") == git(
        world.pc, "rev-list", "--count", "HEAD"
    )


def test_an_invalid_pc_artifact_blocks_the_commit(world: World) -> None:
    (world.pc / "state").mkdir(exist_ok=True)
    (world.pc / "state/portfolio.json").write_text('{"schema": "portfolio/v1"}', encoding="utf-8")
    head = world.head()
    assert world.daily("2026-11-20") == EXIT_BLOCKED
    assert "BLOCKED: invalid PC artifact(s), nothing committed: state/portfolio.json" in world.out
    assert world.head() == head


def test_in_process_stages_then_a_failing_stage_is_a_fault_that_commits_nothing(
    world: World,
) -> None:
    """``PcSettings.runner``: the stages of dvc.yaml in this process (the tests' many evenings);
    a stage that fails is the same exit 3 as a failed ``dvc repro``, and nothing is committed."""
    assert world.daily("2026-11-20", runner=run_in_process) == EXIT_OK, world.out
    asof = json.loads((world.pc / "data/asof.json").read_text(encoding="utf-8"))
    assert asof["asof"] == "2026-11-20" and world.origin_head() == world.head()
    head = world.head()
    assert world.daily("2026-13-40", runner=run_in_process) == EXIT_FAULT
    assert "FAULT: dvc repro failed (exit 3)" in world.out
    assert world.head() == world.origin_head() == head
    assert git(world.pc, "status", "--porcelain") == ""


def test_says_plainly_when_the_server_last_ran_sessions_ago(world: World) -> None:
    record = {"schema": "scheduler_record/v1", "asof": "2026-11-17"}
    path = world.pc / "reports/ops/scheduler_record.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(record), encoding="utf-8")
    world.daily("2026-11-20", push=False)
    assert "서버 마지막 실행이 2026-11-17로 3세션 지났습니다 (예정: 2026-11-20 09:05)" in world.out


def test_no_server_record_is_said_too(world: World) -> None:
    assert world.daily("2026-11-20", push=False) == EXIT_OK
    assert "서버 실행 기록이 없습니다" in world.out


def test_the_lock_is_exclusive(world: World) -> None:
    gitdir = Path(git(world.pc, "rev-parse", "--absolute-git-dir"))
    from pipeline.io.runlock import run_lock

    with run_lock(gitdir / "krx-daily.lock", 1, "test"):
        assert world.daily("2026-11-20", lock_wait_s=0.3) == EXIT_FAULT
    assert "another PC daily run is running" in world.out
