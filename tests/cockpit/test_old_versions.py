"""The cockpit shows files written before the NO_BUNDLE -> BUNDLE_MISSING rename in today's
words: its loader upgrades them (``registry.upgrade``), so the advice tables know the codes."""

from __future__ import annotations

import json
from pathlib import Path

from cockpit import today_view as tv
from cockpit.data import load_local
from pipeline import registry
from pipeline.core.risk_advice import RISK_ADVICE
from pipeline.enums import RiskCode
from tests.support.gitrepo import GitRepo

FIXTURES = Path(__file__).resolve().parents[1] / "io" / "fixtures" / "v1_no_bundle"
NAMES = ("ops_summary", "order_plan", "live_cycle_receipt")


def test_old_files_are_shown_upgraded_and_still_valid(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    files = {registry.path(n): (FIXTURES / f"{n}.json").read_bytes() for n in NAMES}
    repo.commit(files, "artifact(server): asof 2025-09-22")
    snap = load_local(repo.path, names=NAMES)
    assert all(snap.docs[n].valid for n in NAMES), {n: snap.docs[n].problem for n in NAMES}
    receipt, plan = snap.data("live_cycle_receipt"), snap.data("order_plan")
    assert receipt is not None and plan is not None
    assert (receipt["schema"], receipt["reason"]) == ("live_cycle_receipt/v2", "BUNDLE_MISSING")
    assert plan["block_reason"] == "BUNDLE_MISSING"
    risks = tv.risks_table(snap.data("ops_summary"))
    row = risks[risks["코드"] == "BUNDLE_MISSING"].iloc[0]
    assert row["위험"] == RISK_ADVICE[RiskCode.BUNDLE_MISSING].what
    # the stored file is untouched: the commit still holds the old spelling
    stored = json.loads(repo.show("HEAD", registry.path("live_cycle_receipt")))
    assert stored["reason"] == "NO_BUNDLE"
