"""The real app (``streamlit run``, headless, loopback) opened in headless Chromium: the main
page shows the status, the order plan and the equity chart, with no error on the page, and a
screenshot of it is saved (``KRX_SCREENSHOT_DIR``, default the test's temp folder); then one
action through the real form makes its commit."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.cockpit.conftest import APP, SESSION
from tests.conftest import CHROMIUM_FLAGS, git
from tests.support.net import free_port, process, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
FLAGS = CHROMIUM_FLAGS  # the one set of headless flags (tests/conftest.py)


def test_main_page_in_headless_chromium(repo: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or CHROMIUM
    assert Path(chromium).exists(), "chromium is installed by `make sysdeps` (Debian package)"
    port = free_port()
    env = {
        "PYTHONPATH": str(APP.parents[1]),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "KRX_COCKPIT_REPO": str(repo),
        "KRX_OPERATOR": "kim",
    }
    args = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true"]
    args += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    args += ["--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]
    plan = json.loads((repo / "reports/live/order_plan.json").read_text("utf-8"))
    shot = Path(os.environ.get("KRX_SCREENSHOT_DIR", tmp_path)) / "cockpit_main.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    with process(args, cwd=repo, env=env):
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/_stcore/health")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 2200})
                page.goto(url, timeout=30_000)
                page.get_by_text("할 일:").first.wait_for(timeout=30_000)
                page.get_by_text("서버의 마지막 실행").first.wait_for(timeout=30_000)
                page.get_by_text("서버의 주문 계획").wait_for(timeout=30_000)
                page.get_by_text(plan["plan_id"]).first.wait_for(timeout=30_000)
                charts = page.locator('[data-testid="stVegaLiteChart"]')
                charts.first.wait_for(timeout=30_000)
                page.wait_for_timeout(1_500)  # let vega draw before the screenshot
                page.screenshot(path=str(shot), full_page=True)
                top = shot.with_name("cockpit_today.png")  # the README's picture: the top
                page.screenshot(path=str(top), clip={"x": 0, "y": 0, "width": 1400, "height": 1100})
                body = page.inner_text("body")
                exceptions = page.locator('[data-testid="stException"]').count()
                chart_count = charts.count()
                # One action through the real form: the gate, as an operator would set it.
                form = page.locator('[data-testid="stForm"]').filter(has_text="execution_gate")
                form.get_by_label("이유 (필수)").fill("standing value")
                gate = form.locator('[data-testid="stSelectbox"]').first
                gate.scroll_into_view_if_needed()
                gate.click()
                page.get_by_role("option", name="DRY_RUN").click()
                page.get_by_role("button", name="실행 게이트 커밋").click()
                done = "operator(gate): MISSING -> DRY_RUN by kim: standing value"
                shown = done.replace("->", "→")  # Streamlit's markdown typesets the arrow
                page.get_by_text(shown).first.wait_for(timeout=30_000)
                exceptions += page.locator('[data-testid="stException"]').count()
            finally:
                browser.close()
    assert shot.stat().st_size > 20_000
    assert exceptions == 0, body
    assert "Traceback" not in body and "Error" not in body and "서버 연결 안 됨" not in body
    assert f"오늘 — {SESSION}" in body and "할 일:" in body  # the today panel comes first
    assert body.index("할 일:") < body.index("서버의 주문 계획")
    # The header names the repo without this machine's path (the README shows this picture).
    assert "읽는 곳: 로컬 저장소 . · 커밋" in body and str(repo) not in body
    assert "서버의 마지막 실행: 2026-11-23(월) 09:05 KST" in body
    assert "비상 정지 켜기 — 커밋하고 푸시" in body and "파라미터 관리" in body
    assert top.stat().st_size > 20_000
    assert "운영 상태" in body and "NO_RUN_HISTORY" in body
    assert plan["plan_id"] in body and "자산 곡선 (전략 vs 069500)" in body
    assert chart_count >= 3  # equity, drawdown, regime timeline (+ metrics history)
    assert git(repo, "log", "-1", "--format=%s") == done
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "state/execution_gate.json"
