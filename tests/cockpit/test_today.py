"""The cockpit's day: the "today" panel, the first-run guide on a fresh clone, the unpushed
indicator, the one-action emergency stop (a real bare origin receives the commit), parameter
governance through the promotion guard, and the operator's action log — through AppTest."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.cockpit.conftest import APP, SESSION, commit_count, head
from tests.cockpit.test_app import click, run_app, texts
from tests.conftest import copy_project, git

COCKPIT = APP.parent


def with_origin(repo: Path, tmp_path: Path) -> Path:
    """A bare origin holding ``repo``'s history, set as its upstream."""
    remote = tmp_path / "origin.git"
    git(repo, "clone", "-q", "--bare", str(repo), str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "fetch", "-q", "origin")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main", "main")
    return remote


def frames(at: AppTest) -> list[object]:
    return [d.value for d in at.dataframe]


def test_today_panel_says_what_to_do_lists_orders_and_the_last_run(repo: Path) -> None:
    at = run_app()
    page = texts(at)
    plan = json.loads((repo / "reports/live/order_plan.json").read_text("utf-8"))
    active = [o for o in plan["orders"] if o["shares"] > 0]
    assert f"오늘 — {SESSION}" in [h.value for h in at.header]
    # gate MOCK_ONLY in the fixture: the orders are for reference, and the page says so
    assert f"**할 일:** 주문 {len(active)}건 (참고용" in page
    table = next(f for f in frames(at) if "구분" in f.columns)  # type: ignore[attr-defined]
    assert list(table.columns) == ["종목", "이름", "구분", "수량(주)", "기준가(원)", "금액(원)"]
    assert len(table) == len(active) and set(table["구분"]) <= {"매수", "매도"}
    assert "서버의 마지막 실행: 2026-11-23(월) 09:05 KST" in page
    assert "오래되었습니다" not in page
    risks = next(f for f in frames(at) if "할 일" in f.columns)  # type: ignore[attr-defined]
    assert risks["위험"].str.len().min() > 5  # words, not bare codes


def test_a_server_run_older_than_one_session_is_said_plainly(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRX_NOW", "2026-11-25T10:00:00+09:00")  # runs of 11-24 and 11-25 missing
    monkeypatch.setenv("KRX_ASOF", "2026-11-25")
    at = run_app()
    late = [str(e.value) for e in at.error if "1 거래일보다 오래되었습니다" in str(e.value)]
    assert late and "예정된 실행 2회의 기록이 없습니다" in late[0]
    assert "서버 계획을 아직 받지 못했습니다" in texts(at)


def test_fresh_clone_shows_the_first_run_guide_not_empty_boxes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path / "fresh")
    monkeypatch.setenv("KRX_COCKPIT_REPO", str(root))
    monkeypatch.setenv("KRX_ROLE", "PC")
    monkeypatch.setenv("KRX_NOW", "2026-11-23T10:00:00+09:00")
    monkeypatch.delenv("KRX_COCKPIT_API", raising=False)
    at = run_app()
    page = texts(at)
    assert "처음 시작하기" in [h.value for h in at.header]
    assert "PC 파이프라인 실행" in page and "기준 포트폴리오 입력" in page
    assert "✅ **1. PC 파이프라인 실행**" in page  # the bundle is committed in a clone
    assert "⬜ **2. 기준 포트폴리오 입력**" in page
    assert "커밋되지 않았습니다" not in page and "[?]" not in page
    assert "--by" not in page and "--force" not in page


def test_emergency_stop_is_one_action_that_commits_and_pushes(repo: Path, tmp_path: Path) -> None:
    origin = with_origin(repo, tmp_path)
    count = commit_count(repo)
    at = run_app()
    assert any("모든 커밋이 푸시되었습니다" in str(s.value) for s in at.success)
    at.text_input(key="stop_reason").input("증권사 장애")
    at = click(at, "비상 정지 켜기 — 커밋하고 푸시")
    assert commit_count(repo) == count + 1
    assert git(origin, "rev-parse", "main") == head(repo)  # the server can see it now
    assert git(origin, "log", "-1", "--format=%s", "main") == (
        "operator(stop): MISSING -> on by kim: 증권사 장애"
    )
    done = next(str(s.value) for s in at.success if "비상 정지 켜짐" in str(s.value))
    assert "서버는 다음 실행 2026-11-24(화) 09:05 KST에 이를 봅니다" in done
    assert any(b.label == "비상 정지 해제 — 커밋하고 푸시" for b in at.button)


def test_emergency_stop_needs_a_reason_and_commits_nothing_without(repo: Path) -> None:
    count = commit_count(repo)
    at = click(run_app(), "비상 정지 켜기 — 커밋하고 푸시")
    err = next(str(e.value) for e in at.error if "비상 정지를 바꾸지 않았습니다" in str(e.value))
    assert "reason" in err and "--" not in err
    assert commit_count(repo) == count


def test_emergency_stop_without_a_reachable_origin_says_push_again(repo: Path) -> None:
    at = run_app()
    at.text_input(key="stop_reason").input("점검")
    at = click(at, "비상 정지 켜기 — 커밋하고 푸시")
    err = next(str(e.value) for e in at.error if "푸시하지 못했습니다" in str(e.value))
    assert "PUSH" in err and "2026-11-24(화) 09:05 KST" in err


def test_unpushed_commits_are_counted(repo: Path, tmp_path: Path) -> None:
    with_origin(repo, tmp_path)
    (repo / "note.txt").write_text("x", encoding="utf-8")
    git(repo, "add", "note.txt")
    git(repo, "commit", "-q", "-m", "operator(note): a local change")
    at = run_app()
    box = next(str(w.value) for w in at.warning if "푸시하지 않은 커밋" in str(w.value))
    assert "푸시하지 않은 커밋 1개" in box
    assert "operator(note): a local change" in texts(at)


def test_promotion_goes_through_the_guard_and_a_rejected_candidate_is_refused(
    repo: Path,
) -> None:
    count = commit_count(repo)
    before = (repo / "params.yaml").read_bytes()
    at = run_app()
    board = next(f for f in frames(at) if "가드" in f.columns)  # type: ignore[attr-defined]
    first = board.iloc[0]
    assert first["가드"] != "통과"  # the committed leaderboard's best fails the guard
    at.selectbox(key="promote_candidate").set_value(first["후보"])
    at = click(at, "이 후보를 승격 (가드 확인 후 params.yaml 커밋)")
    err = next(str(e.value) for e in at.error if "가드가 승격을 거절했습니다" in str(e.value))
    assert "out-of-sample guard" in err and str(first["가드"]).split(",")[0] in err
    assert commit_count(repo) == count and (repo / "params.yaml").read_bytes() == before


def test_a_candidate_that_passes_the_guard_is_committed_to_params(repo: Path) -> None:
    path = repo / "reports/sweep/leaderboard.json"
    board = json.loads(path.read_text("utf-8"))
    cand = board["candidates"][0]
    cand["guard"] = {"passed": True, "failures": []}
    path.write_text(json.dumps(board, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "artifact(pc): leaderboard (test: candidate 1 passes)")
    at = run_app()
    at.selectbox(key="promote_candidate").set_value(cand["id"])
    at = click(at, "이 후보를 승격 (가드 확인 후 params.yaml 커밋)")
    ok = next(str(s.value) for s in at.success if "params.yaml에 커밋했습니다" in str(s.value))
    assert cand["id"] in ok
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["params.yaml"]
    history = next(f for f in frames(at) if "왜" in f.columns)  # type: ignore[attr-defined]
    assert cand["id"] in history.iloc[0]["무엇"]  # who, when and why: newest first


def test_params_history_and_the_operator_log_say_who_when_why(repo: Path) -> None:
    text = (repo / "params.yaml").read_text("utf-8")
    (repo / "params.yaml").write_text(text + "\n", encoding="utf-8")
    git(repo, "add", "params.yaml")
    author = "--author=Lee Param <lee@example.invalid>"
    git(repo, "commit", "-q", author, "-m", "params: blank line\n\nwhy: formatting only")
    at = run_app()
    history = next(f for f in frames(at) if "왜" in f.columns)  # type: ignore[attr-defined]
    row = history.iloc[0]
    assert (row["누가"], row["무엇"]) == ("Lee Param", "params: blank line")
    assert row["왜"] == "why: formatting only"
    logs = [f for f in frames(at) if "무엇" in f.columns and "왜" not in f.columns]  # type: ignore[attr-defined]
    subjects = list(logs[0]["무엇"])  # type: ignore[index]
    assert subjects[0] == "params: blank line"
    # the fixture's portfolio commit touched an operator file: it is in the log too
    assert any("portfolio" in s for s in subjects)


def test_the_cockpit_never_imports_pipeline_commands() -> None:
    for path in COCKPIT.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.startswith("pipeline.commands") for n in names), path.name
