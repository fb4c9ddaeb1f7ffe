"""Screenshot of a rendered report for the README: ``python -m tests.core.report_screenshot``.

Reads ``reports/human/report.html`` of ROOT (default: the current directory, after ``make run``)
and writes the top of the page at 1,400 px to OUT (default ``docs/img/report.png``) with the
Debian chromium, offline. The tests use the same launch flags (tests/core/test_report_browser.py).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

from pipeline import registry
from tests.core.test_report_browser import CHROMIUM, FLAGS


def screenshot(html: Path, out: Path, width: int = 1400, height: int = 2000) -> None:
    """The first ``height`` pixels of ``html`` at ``width`` px (device scale 1)."""
    chromium = shutil.which("chromium") or CHROMIUM
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            page.goto(html.resolve().as_uri())
            page.screenshot(path=str(out), full_page=False)
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path())
    ap.add_argument("--out", type=Path, default=Path("docs/img/report.png"))
    args = ap.parse_args()
    screenshot(args.root / registry.get("report_html").path, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
