"""reconcile and reports stages on a real git copy of the project."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.canonical import canonical_bytes
from pipeline.enums import OrderSide
from pipeline.flows import reconcile, reports
from tests.conftest import CHROMIUM_FLAGS, git
from tests.support.recon_factories import plan, receipt

D = dt.date
PLAN = "reports/live/order_plan.json"
REC = "reports/live/live_cycle_receipt.json"


def put(root: Path, rel: str, model: object) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(canonical_bytes(model.model_dump(mode="json", by_alias=True)))  # type: ignore[attr-defined]


def commit(root: Path, msg: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", msg)
    return git(root, "rev-parse", "HEAD")


def summary(root: Path) -> dict[str, object]:
    out: dict[str, object] = json.loads(
        (root / "reports/recon/recon_summary.json").read_text(encoding="utf-8")
    )
    return out


def test_reconcile_bootstraps_then_reads_every_version_from_git(project: Path) -> None:
    reconcile.main(project, None)
    assert summary(project)["status"] == "BOOTSTRAP"

    first = plan(D(2026, 11, 19), [])
    put(project, PLAN, first)
    put(project, REC, receipt(first.asof, first))
    c1 = commit(project, "server 11-19")
    old = plan(D(2026, 11, 20), [("069500", OrderSide.BUY, 1)], n=1)
    put(project, PLAN, old)
    c2 = commit(project, "server 11-20")
    new = plan(D(2026, 11, 20), [])
    put(project, PLAN, new)
    put(project, REC, receipt(new.asof, new))
    c3 = commit(project, "server 11-20 rerun")
    (project / PLAN).write_text("{uncommitted edits are not history", encoding="utf-8")

    reconcile.main(project, None)
    s = summary(project)
    assert s["status"] in ("GREEN", "AMBER")
    sources = {(x["commit"], x["path"]) for x in s["sources"]}  # type: ignore[index, union-attr]
    assert {(c1, PLAN), (c2, PLAN), (c3, PLAN), (c1, REC), (c3, REC)} <= sources
    assert "PLAN_REVISED" in [i["code"] for i in s["issues"]]  # type: ignore[index, union-attr]
    daily = json.loads((project / "reports/recon/recon_daily.json").read_text(encoding="utf-8"))
    last = daily["days"][-1]
    assert last["session"] == "2026-11-20" and last["plan_id"] == new.plan_id


def test_reconcile_rerun_changes_nothing(project: Path) -> None:
    reconcile.main(project, None)
    before = (project / "reports/recon/recon_summary.json").read_bytes()
    reconcile.main(project, None)
    assert (project / "reports/recon/recon_summary.json").read_bytes() == before


def test_reports_are_compact_korean_and_self_contained(project: Path) -> None:
    reports.main(project, None)
    machine = (project / "reports/machine_report.json").read_text(encoding="utf-8")
    assert len(machine) <= 1200
    push = json.loads((project / "reports/push_preview.json").read_text(encoding="utf-8"))
    assert len(push["title"]) <= 50 and len(push["body"]) <= 500
    assert "노출" in push["title"] and "목표 비중" in push["body"]
    assert "/" not in push["body"].replace("/v1", "")  # no paths
    html = (project / "reports/human/report.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing to fetch
    for anchor in (
        "equity-chart",
        "drawdown-chart",
        "regime-timeline",
        "recon-badge",
        "sweep-surface",
    ):
        assert f'id="{anchor}"' in html
    assert "합성 데이터" in html  # synthetic data is marked wherever shown
    md = (project / "reports/human/report.md").read_text(encoding="utf-8")
    assert "## 월별 수익률" in md and "| 연도 |" in md


@pytest.mark.browser
def test_html_report_renders_offline_in_headless_chromium(project: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "chromium is installed by `make test` (Debian package)"
    reports.main(project, None)
    shot = tmp_path / "report.png"
    page = (project / "reports/human/report.html").as_uri()
    flags = [
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        # No network at all: every non-file request would fail and be logged.
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]
    proc = subprocess.run(
        [chromium, *flags, "--window-size=1000,2600", f"--screenshot={shot}", page],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 50_000
    assert "CONSOLE" not in proc.stderr and "net::ERR" not in proc.stderr, proc.stderr[-2000:]
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", page],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    ).stdout
    assert dom.count("<svg") >= 3 and "polyline" in dom


def test_reports_without_a_sweep_leaderboard_leave_the_surface_out(project: Path) -> None:
    (project / "reports/sweep/leaderboard.json").unlink()
    reports.main(project, None)
    html = (project / "reports/human/report.html").read_text(encoding="utf-8")
    assert 'id="sweep-surface"' not in html and 'id="equity-chart"' in html
