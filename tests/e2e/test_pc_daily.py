"""`deploy/pc/daily.sh` as a real subprocess against a bare origin and clones on local disk.

The origin is the end-to-end tests' pristine world (``ops_origin``: 3-ticker params, the PC's
first day FIRST_PC_DAY committed and pushed), built once per worker and copied per test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import git, run
from tests.e2e.ops_world import FIRST_PC_DAY
from tests.support.gitrepo import clone

pytestmark = pytest.mark.slow
VENV = str(Path(sys.executable).parent.parent)
NEXT_DAY = "2026-12-21"  # the session after FIRST_PC_DAY (a Friday)


def daily(clone: Path, asof: str, check: bool = True) -> str:
    proc = run(
        ["bash", "deploy/pc/daily.sh"], clone, env={"KRX_VENV": VENV, "KRX_ASOF": asof}, check=check
    )
    return proc.stdout + proc.stderr


@pytest.fixture
def origin_and_pc(fresh_origin: Path, tmp_path: Path) -> tuple[Path, Path]:
    return fresh_origin, clone(fresh_origin, tmp_path / "pc")


def test_daily_twice_changes_nothing_the_second_time(origin_and_pc: tuple[Path, Path]) -> None:
    origin, pc = origin_and_pc
    daily(pc, NEXT_DAY)
    subject = git(pc, "log", "-1", "--format=%s")
    assert subject.startswith(f"artifact(pc): asof {NEXT_DAY} ["), subject
    for name in ("clock", "prices", "prices_meta", "strategy_bundle", "backtest_metrics"):
        assert name in subject
    assert git(pc, "rev-parse", "HEAD") == git(origin, "rev-parse", "main")
    head = git(pc, "rev-parse", "HEAD")
    out = daily(pc, NEXT_DAY)
    assert "nothing changed" in out
    assert git(pc, "rev-parse", "HEAD") == head
    assert git(pc, "status", "--porcelain") == ""


def test_push_race_is_retried_after_a_rebase(
    origin_and_pc: tuple[Path, Path], tmp_path: Path
) -> None:
    origin, pc = origin_and_pc
    other = tmp_path / "server"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    # The server lands a commit on a server-owned path after the PC pulled: the PC's first
    # push is rejected, then it rebases (no conflict: disjoint paths) and pushes.
    hook = pc / ".git/hooks/pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -f '{tmp_path}/raced' ]; then touch '{tmp_path}/raced';\n"
        f"  cd '{other}' && mkdir -p reports/ops && echo '{{}}' > reports/ops/x.json &&"
        " git add -A && git commit -qm server && git push -q origin HEAD:main; fi\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    out = daily(pc, NEXT_DAY)
    assert "pushed to origin/main (after 2 attempts)" in out  # rejected once, rebased, pushed
    log = git(origin, "log", "--format=%s", "main").splitlines()
    assert log[0].startswith(f"artifact(pc): asof {NEXT_DAY}") and log[1] == "server"
    assert (pc / "reports/ops/x.json").exists()


def test_hand_corrupted_pipeline_output_is_rebuilt_not_pushed(
    origin_and_pc: tuple[Path, Path],
) -> None:
    """DVC sees the changed output and reruns its stage; what lands upstream is valid."""
    origin, pc = origin_and_pc
    (pc / "data/prices/_meta.json").write_text('{"schema": "prices_meta/v1"}', encoding="utf-8")
    git(pc, "commit", "-qam", "corrupt meta by hand")
    daily(pc, FIRST_PC_DAY)
    run([sys.executable, "-m", "pipeline.cli", "validate", "--all"], pc)
    assert git(pc, "rev-parse", "HEAD") == git(origin, "rev-parse", "main")
    shown = git(origin, "show", "main:data/prices/_meta.json")
    assert '"bars": ' in shown


def test_wrappers_are_thin_and_exit_only_0_2_3(origin_and_pc: tuple[Path, Path]) -> None:
    from tests.conftest import ROOT

    for name in ("daily.sh", "daily.ps1"):
        text = (ROOT / "deploy/pc" / name).read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 30 and "daily pc" in text, name
    _, pc = origin_and_pc
    env = {"KRX_VENV": VENV, "KRX_REMOTE": "nope"}
    proc = run(["bash", "deploy/pc/daily.sh"], pc, env=env, check=False)
    assert proc.returncode == 3
    assert "git remote 'nope' does not exist (remotes: origin): set KRX_REMOTE" in proc.stdout
    proc = run(["bash", "deploy/pc/daily.sh"], pc, env={"KRX_VENV": "/nonexistent"}, check=False)
    assert proc.returncode == 3 and "no virtualenv" in proc.stderr
