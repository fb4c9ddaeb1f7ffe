"""``krx scheduler``: the record of a ``daily_ops.sh`` run from the script's step lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.artifacts.scheduler import SchedulerStep
from tests.conftest import git, run

ENV = {"KRX_ROLE": "SERVER", "KRX_ASOF": "2026-11-24", "KRX_NOW": "2026-11-24T09:06:00+09:00"}
RECORD = "reports/ops/scheduler_record.json"


def krx(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = run([sys.executable, "-m", "pipeline.cli", *args], root, env=env or ENV, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def finish(root: Path, lines: list[str], *extra: str) -> tuple[int, str]:
    steps = root / "steps.tsv"
    steps.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    head = git(root, "rev-parse", "HEAD")
    return krx(
        root, "scheduler", "finish", "--steps", str(steps), "--started", "1795000000.5",
        "--push", "DISABLED", "--remote", "origin", "--branch", "main",
        "--head-before", head, "--head-pulled", head, *extra,
    )  # fmt: skip


def test_today_prints_two_plain_words(project: Path) -> None:
    assert krx(project, "scheduler", "today") == (0, "2026-11-24 session\n")
    closed = {**ENV, "KRX_ASOF": "2026-12-25"}
    assert krx(project, "scheduler", "today", env=closed) == (0, "2026-12-25 closed\n")


def test_finish_exits_with_the_worst_step_and_commits_only_the_record(project: Path) -> None:
    (project / "reports/ops").mkdir(parents=True, exist_ok=True)
    (project / "reports/ops/ops_summary.json").write_text("{}", encoding="utf-8")  # not staged
    lines = [
        "pull\t3\t0\t1795000000.5\t1795000001.0\tgit pull origin main failed",
        "health\t0\t0\t1795000001.0\t1795000001.2\tresolver answers",
        "live_cycle\t2\t0\t1795000001.2\t1795000004.2\tdecision=BLOCKED\treason with a tab",
        "resolve\t0\t1\t1795000004.2\t1795000004.2\tnot a session",
    ]
    code, out = finish(project, lines, "--commit")
    assert code == 3, out
    record = json.loads((project / RECORD).read_text(encoding="utf-8"))
    assert (record["exit_code"], record["result"], record["asof"]) == (3, "FAULT", "2026-11-24")
    assert [(s["name"], s["result"]) for s in record["steps"]] == [
        ("pull", "FAULT"),
        ("health", "OK"),
        ("live_cycle", "BLOCKED"),
        ("resolve", "SKIPPED"),
    ]
    assert record["steps"][2]["duration_s"] == 3.0
    assert record["steps"][2]["message"] == "decision=BLOCKED reason with a tab"
    assert record["started_at"].endswith("+09:00") and record["outputs_commit"] is None
    assert git(project, "log", "-1", "--format=%s") == (
        "artifact(server): asof 2026-11-24 [scheduler_record]"
    )
    assert git(project, "show", "--name-only", "--format=", "HEAD") == RECORD
    assert krx(project, "validate", RECORD)[0] == 0


def test_finish_without_steps_is_ok_and_a_rerun_commits_nothing_new(project: Path) -> None:
    assert finish(project, [], "--commit")[0] == 0
    head = git(project, "rev-parse", "HEAD")
    assert finish(project, [])[0] == 0  # rewritten, not committed
    assert git(project, "rev-parse", "HEAD") == head


def test_a_step_code_must_match_its_result() -> None:
    with pytest.raises(ValidationError, match="needs exit code 3"):
        SchedulerStep.model_validate(
            {
                "name": "pull",
                "result": "FAULT",
                "exit_code": 0,
                "started_at": "2026-11-24T09:05:00+09:00",
                "duration_s": 0.1,
                "message": "",
            }
        )


def test_commit_artifact_refuses_a_name_the_owner_does_not_own(project: Path) -> None:
    code, out = krx(project, "commit", "--owner", "SERVER", "--artifact", "strategy_bundle")
    assert code == 1 and "not a registered SERVER artifact" in out
