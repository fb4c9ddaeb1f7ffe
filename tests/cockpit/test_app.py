"""The cockpit driven through Streamlit's AppTest against a real temp git repo: what it shows,
and that every action makes exactly the expected commit — or none, with the reason, for
invalid input."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cockpit.actions import SWITCH_KO
from cockpit.views import HISTORY_HEAD, OPS_STATUS, ORDER_HEAD
from pipeline.core.report import HEAD
from pipeline.io.validate import validate_bytes
from tests.cockpit.conftest import (
    APP,
    SESSION,
    changed_paths,
    commit_count,
    head,
    subject,
)
from tests.conftest import git
from tests.support.net import free_port


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tiles(at: AppTest) -> dict[str, str]:
    """The status tiles: label -> badge text (``:blue-badge[NO_RUN_HISTORY]``)."""
    out = {}
    for m in at.markdown:
        label, sep, value = str(m.value).partition("\n\n#### ")
        if sep:
            out[label] = value
    return out


def click(at: AppTest, label: str) -> AppTest:
    button = next(b for b in at.button if b.label == label)
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption]
    parts += [m.value for m in at.success] + [m.value for m in at.error]
    parts += [m.value for m in at.info] + [m.value for m in at.warning]
    return "\n".join(str(p) for p in parts)


def result_box(at: AppTest, ok: bool) -> str:
    boxes = at.success if ok else at.error
    hits = [str(b.value) for b in boxes if str(b.value).startswith("**")]
    assert hits, f"no {'success' if ok else 'error'} result in {texts(at)}"
    return hits[0]


def assert_valid(root: Path, rel: str) -> None:
    assert validate_bytes((root / rel).read_bytes(), rel) == []


# ---------------------------------------------------------------------------------- look


def test_page_shows_status_plan_receipt_and_commit(repo: Path) -> None:
    at = run_app()
    status = tiles(at)
    assert status["운영 상태"] == ":blue-badge[NO_RUN_HISTORY]"
    assert status["실행 게이트"] == ":blue-badge[MOCK_ONLY]"
    assert status["비상 정지"] == ":green-badge[꺼짐]"
    assert status["정산 (Reconcile)"] == ":blue-badge[BOOTSTRAP]"
    assert list(status) == [OPS_STATUS, *SWITCH_KO.values(), HEAD["reconcile"]]
    page = texts(at)
    assert f"`{head(repo)[:10]}`" in page  # the commit it is looking at, and its age
    assert " 전**" in page
    plan = json.loads((repo / "reports/live/order_plan.json").read_text("utf-8"))
    assert plan["orders"], "the fixture's plan rebalances"
    assert plan["plan_id"] in page
    receipt = json.loads((repo / "reports/live/live_cycle_receipt.json").read_text("utf-8"))
    assert f"{SESSION}: OK / {receipt['decision']} ({receipt['reason']}), 종료 코드 0" in page
    assert "CONSOLE_SIMULATED" in page
    frames = [d.value for d in at.dataframe]
    assert any(list(f.columns[:3]) == ["종목", "구분", "수량(주)"] for f in frames)
    assert list(ORDER_HEAD.values())[:3] == ["종목", "구분", "수량(주)"]
    history = next(f for f in frames if HISTORY_HEAD["total_return"] in f.columns)
    assert len(history) == 3  # three committed backtest_metrics versions (fixture)


# ---------------------------------------------------------------------------------- act


def set_switch(at: AppTest, name: str, value: str, reason: str, confirm: str = "") -> AppTest:
    at.selectbox(key=f"{name}_value").set_value(value)
    at.text_input(key=f"{name}_reason").input(reason)
    if name == "execution_gate":
        at.text_input(key=f"{name}_confirm").input(confirm)
    return click(at, f"{SWITCH_KO[name]} 커밋")


@pytest.mark.parametrize(
    ("name", "value", "path", "expected"),
    [
        (
            "execution_gate",
            "DRY_RUN",
            "state/execution_gate.json",
            "operator(gate): MISSING -> DRY_RUN by kim: standing value after the drill",
        ),
        (
            "real_sender",
            "on",
            "state/real_sender_enable.json",
            "operator(sender): MISSING -> on by kim: standing value after the drill",
        ),
        (
            "emergency_stop",
            "on",
            "state/emergency_stop.json",
            "operator(stop): MISSING -> on by kim: standing value after the drill",
        ),
    ],
)
def test_switch_makes_one_commit(
    repo: Path, name: str, value: str, path: str, expected: str
) -> None:
    before, count = head(repo), commit_count(repo)
    at = set_switch(run_app(), name, value, "standing value after the drill")
    assert commit_count(repo) == count + 1
    assert git(repo, "rev-parse", "HEAD~1") == before
    assert subject(repo) == expected
    assert changed_paths(repo) == [path]
    assert_valid(repo, path)
    body = git(repo, "log", "-1", "--format=%b")
    assert f"path: {path}" in body and "by: kim" in body
    assert expected in result_box(at, ok=True)
    assert not git(repo, "status", "--porcelain")


def test_gate_change_shows_from_and_to(repo: Path) -> None:
    at = set_switch(run_app(), "execution_gate", "DRY_RUN", "standing")
    at = set_switch(at, "execution_gate", "MOCK_ONLY", "holiday drill")
    assert subject(repo) == "operator(gate): DRY_RUN -> MOCK_ONLY by kim: holiday drill"
    assert tiles(at)["실행 게이트"] == ":blue-badge[MOCK_ONLY]"


def test_real_enabled_needs_the_confirmation(repo: Path) -> None:
    count = commit_count(repo)
    at = set_switch(run_app(), "execution_gate", "REAL_ENABLED", "go live", confirm="yes")
    assert commit_count(repo) == count
    assert "type REAL_ENABLED to confirm" in result_box(at, ok=False)
    assert not (repo / "state/execution_gate.json").exists()
    set_switch(at, "execution_gate", "REAL_ENABLED", "go live", confirm="REAL_ENABLED")
    assert commit_count(repo) == count + 1
    assert subject(repo) == "operator(gate): MISSING -> REAL_ENABLED by kim: go live"


@pytest.mark.parametrize(
    ("reason", "operator", "message"),
    [("  ", "kim", "a reason is required"), ("why", "", "who makes the change is required")],
)
def test_switch_refused_without_reason_or_operator(
    repo: Path, monkeypatch: pytest.MonkeyPatch, reason: str, operator: str, message: str
) -> None:
    monkeypatch.setenv("KRX_OPERATOR", operator)
    count = commit_count(repo)
    at = set_switch(run_app(), "emergency_stop", "on", reason)
    assert commit_count(repo) == count
    assert message in result_box(at, ok=False)
    assert not git(repo, "status", "--porcelain")


def fill_portfolio(at: AppTest, cash: int, holdings: str, asof: str) -> AppTest:
    at.number_input(key="pf_cash").set_value(cash)
    at.text_area(key="pf_holdings").input(holdings)
    at.text_input(key="pf_asof").input(asof)
    at.text_input(key="pf_note").input("broker statement 2026-11-20")
    return click(at, "포트폴리오 커밋")


def test_portfolio_makes_one_commit(repo: Path) -> None:
    count = commit_count(repo)
    at = run_app()
    assert at.text_area(key="pf_holdings").value == "102110 20 30000"  # pre-filled
    at = fill_portfolio(at, 9_500_000, "102110 20 30000\n069500 10 35000", "2026-11-20")
    assert commit_count(repo) == count + 1
    assert changed_paths(repo) == ["state/portfolio.json"]
    assert subject(repo) == (
        "operator(portfolio): asof 2026-11-20 cash 9,500,000 KRW, 2 holdings by kim"
    )
    assert_valid(repo, "state/portfolio.json")
    doc = json.loads((repo / "state/portfolio.json").read_text("utf-8"))
    assert [h["ticker"] for h in doc["holdings"]] == ["069500", "102110"]
    result_box(at, ok=True)


INVALID_PORTFOLIOS = [
    (1_000, "102110 twenty 30000", "2026-11-20", "`종목코드 수량 평균단가` 형식이어야 합니다"),
    (-1, "", "2026-11-20", "cash cannot be negative"),
    (1_000, "", "2026-11-22", "not a KRX trading day"),
    (1_000, "102110 1 1\n102110 2 2", "2026-11-20", "appears twice"),
    (1_000, "10211 1 1", "2026-11-20", "invalid portfolio"),
]


def test_invalid_portfolio_commits_nothing(repo: Path) -> None:
    count, at = commit_count(repo), run_app()
    for cash, holdings, asof, message in INVALID_PORTFOLIOS:
        at = fill_portfolio(at, cash, holdings, asof)
        assert message in result_box(at, ok=False), holdings
        assert commit_count(repo) == count
        assert not git(repo, "status", "--porcelain")


def test_ticket_prefilled_from_the_plan_makes_one_commit(repo: Path) -> None:
    plan = json.loads((repo / "reports/live/order_plan.json").read_text("utf-8"))
    count = commit_count(repo)
    at = run_app()
    assert at.text_input(key="tk_plan").value == plan["plan_id"]
    prefilled = at.text_area(key="tk_fills").value
    assert prefilled is not None
    assert len(prefilled.splitlines()) == sum(1 for o in plan["orders"] if o["shares"] > 0)
    at = click(at, "티켓 커밋")
    assert commit_count(repo) == count + 1
    (path,) = changed_paths(repo)
    assert path.startswith(f"state/tickets/T-{SESSION:%Y%m%d}-")
    assert_valid(repo, path)
    n = len(prefilled.splitlines())
    assert subject(repo) == (
        f"operator(ticket): {Path(path).stem} EXECUTION, {n} fill{'' if n == 1 else 's'} "
        f"for {plan['plan_id']} by kim"
    )
    result_box(at, ok=True)


INVALID_TICKETS = [
    ("999999 BUY 1 1000 0", None, "the server would answer REJECTED TICKER_NOT_IN_PLAN"),
    ("069500 HOLD 1 1000", None, "`종목코드 BUY|SELL 수량 가격 [수수료]` 형식이어야 합니다"),
    ("069500 BUY 1 35000", "P-20260101-000000000000", "not found in the pulled server state"),
]


def test_invalid_ticket_commits_nothing(repo: Path) -> None:
    count, at = commit_count(repo), run_app()
    for fills, plan, message in INVALID_TICKETS:
        at.text_area(key="tk_fills").input(fills)
        if plan:
            at.text_input(key="tk_plan").input(plan)
        at = click(at, "티켓 커밋")
        assert message in result_box(at, ok=False), fills
        assert commit_count(repo) == count
        assert not git(repo, "status", "--porcelain")


# ------------------------------------------------------------------------------ pull/push


def test_pull_and_push_through_a_real_remote(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(repo, "clone", "-q", "--bare", str(repo), str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "fetch", "-q", "origin")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main", "main")
    server = tmp_path / "server"
    git(tmp_path, "clone", "-q", str(remote), str(server))
    at = run_app()  # the form is filled from the plan before the pull
    old_plan = at.text_input(key="tk_plan").value
    plan_path = server / "reports/live/order_plan.json"
    plan = json.loads(plan_path.read_text("utf-8"))
    plan["plan_id"] = "P-20261124-0123456789ab"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    git(server, "add", "-A")
    git(server, "-c", "user.name=srv", "-c", "user.email=s@x", "commit", "-q", "-m", "server")
    git(server, "push", "-q")

    at = click(at, "PULL (서버 결과 받기)")
    assert "PULL" in result_box(at, ok=True)
    assert head(repo) == git(server, "rev-parse", "HEAD")
    assert old_plan != plan["plan_id"]
    assert at.text_input(key="tk_plan").value == plan["plan_id"]  # forms follow the pull

    at = set_switch(at, "execution_gate", "DRY_RUN", "standing")
    at = click(at, "PUSH (서버로 보내기)")
    assert "PUSH" in result_box(at, ok=True)
    assert git(remote, "rev-parse", "main") == head(repo)


def test_push_failure_is_shown_not_raised(repo: Path) -> None:
    count = commit_count(repo)
    at = click(run_app(), "PUSH (서버로 보내기)")
    assert "git push" in result_box(at, ok=False)
    assert commit_count(repo) == count


# ---------------------------------------------------------------------------- remote mode


def test_reads_through_a_real_resolver(repo: Path, resolver: str) -> None:
    at = run_app()
    at.radio(key="source").set_value("remote")
    at.text_input(key="api_url").input(resolver)
    at.run()
    assert not at.exception
    page = texts(at)
    assert f"읽는 곳: **리졸버** `{resolver}` · 커밋 **`{head(repo)[:10]}`**" in page
    assert tiles(at)["운영 상태"] == ":blue-badge[NO_RUN_HISTORY]"
    total = HISTORY_HEAD["total_return"]
    history = next(d.value for d in at.dataframe if total in d.value.columns)
    assert len(history) == 3
    assert not at.error


def test_unreachable_resolver_still_shows_local_data(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)  # as `make cockpit` runs: the repo is the working folder
    closed = free_port()  # nothing listens here
    at = run_app()
    at.radio(key="source").set_value("remote")
    at.text_input(key="api_url").input(f"http://127.0.0.1:{closed}")
    at.number_input(key="timeout").set_value(1.0)
    at.run()
    assert not at.exception
    assert any("서버 연결 안 됨" in str(e.value) for e in at.error)
    where = next(str(m.value) for m in at.markdown if str(m.value).startswith("읽는 곳:"))
    assert where.startswith("읽는 곳: **로컬 저장소** `.` · 커밋")
    shown = [where, *(str(c.value) for c in at.caption)]
    assert not [t for t in shown if str(repo) in t]  # the repo by a neutral label, not its path
    assert tiles(at)["운영 상태"] == ":blue-badge[NO_RUN_HISTORY]"


def test_hanging_resolver_times_out_and_local_data_is_shown(repo: Path) -> None:
    with socket.socket() as listener:  # accepts connections (kernel backlog), never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        at = run_app()
        at.radio(key="source").set_value("remote")
        at.text_input(key="api_url").input(url)
        at.number_input(key="timeout").set_value(0.5)
        started = time.monotonic()
        at.run()
        elapsed = time.monotonic() - started
    assert not at.exception
    assert elapsed < 10
    assert any("서버 연결 안 됨" in str(e.value) and "Timeout" in str(e.value) for e in at.error)
    assert tiles(at)["운영 상태"] == ":blue-badge[NO_RUN_HISTORY]"
