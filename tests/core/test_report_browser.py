"""The HTML report in headless Chromium at 1,400 px and at a phone's 420 px: nothing widens the
page, every heading is there, today's action comes first, and no request leaves the file.

Screenshots are saved to ``KRX_SCREENSHOT_DIR`` (default: the test's temp folder);
``python -m tests.core.report_screenshot`` makes the README picture the same way.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from pipeline.core import report as rp
from pipeline.core.report_html import render_html
from tests.conftest import CHROMIUM_FLAGS
from tests.core.report_factories import make_report_inputs

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = "/usr/bin/chromium"
FLAGS = CHROMIUM_FLAGS  # the one set of headless flags (tests/conftest.py)
WIDTHS = (1400, 420)


def test_report_reads_at_desktop_and_phone_width(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or CHROMIUM
    assert Path(chromium).exists(), "chromium is installed by `make sysdeps` (Debian package)"
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(make_report_inputs()), encoding="utf-8")
    shots = Path(os.environ.get("KRX_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    seen: dict[int, dict[str, object]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.route(
                    "**/*", lambda route: (requests.append(route.request.url), route.continue_())
                )
                page.goto(page_file.as_uri())
                seen[width] = page.evaluate(
                    """() => ({
                      scroll: document.documentElement.scrollWidth,
                      client: document.documentElement.clientWidth,
                      headings: [...document.querySelectorAll('h2')].map(h => h.textContent),
                      first: document.querySelector('body section, body h2').id,
                      scripts: document.scripts.length,
                      charts: [...document.querySelectorAll('svg')]
                        .filter(s => s.getBoundingClientRect().width > 0)
                        .map(s => s.getBoundingClientRect().width),
                      font: Math.min(...[...document.querySelectorAll('svg text')]
                        .filter(t => t.getBoundingClientRect().width > 0)
                        .map(t => t.getBoundingClientRect().height)),
                    })"""
                )
                page.screenshot(path=str(shots / f"report_{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
    assert requests == [page_file.as_uri()] * len(WIDTHS)  # the file itself, nothing else
    for width, s in seen.items():
        assert s["scroll"] == s["client"], f"{width}px: the page scrolls sideways"
        assert s["first"] == "today"
        assert s["scripts"] == 0
        headings = " | ".join(str(h) for h in s["headings"])  # type: ignore[attr-defined]
        for _, heading in rp.SECTIONS:
            assert heading in headings, (width, heading)
        charts = s["charts"]
        assert isinstance(charts, list) and len(charts) >= 5
        assert max(charts) <= width
        assert isinstance(s["font"], float | int) and s["font"] >= 9, f"{width}px: tiny labels"
    for width in WIDTHS:
        assert (shots / f"report_{width}.png").stat().st_size > 50_000
