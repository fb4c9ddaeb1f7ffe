"""Files written before the ``NO_BUNDLE`` -> ``BUNDLE_MISSING`` rename (issue 13 item 4).

``fixtures/v1_no_bundle/`` holds what the code before the rename (commit 1392a63) wrote for
session 2025-09-22 on a repo without a strategy bundle (``tickets`` -> ``ops_summary`` ->
``live_cycle``, run from a ``git archive`` of that commit): ``order_plan/v1``,
``live_cycle_receipt/v1``, ``ops_summary/v1`` (all saying ``NO_BUNDLE``) and the day's
``delivery_record/v1``. They must still validate as v1 (STYLE §6) and every reader must get
them as the current version.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline import registry
from pipeline.artifacts import legacy
from pipeline.artifacts.drill import DrillReportV2, DrillReportV3
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.live import (
    LiveCycleReceiptV1,
    LiveCycleReceiptV2,
    OrderPlanV2,
    SendIntent,
    SendLedgerV1,
)
from pipeline.artifacts.ops import OpsSummaryV2
from pipeline.cli import main as krx
from pipeline.core.cycle import delivery_key
from pipeline.enums import (
    BundleStatus,
    CycleReason,
    DeliveryStatus,
    RiskCode,
    SchedulerStepResult,
    SendOutcome,
)
from pipeline.io import server_state as st
from pipeline.io.delivery import deliver, read_intents
from pipeline.io.history import open_store, versions
from pipeline.io.jsonio import dump_model
from pipeline.io.safety import read_safety
from pipeline.params import load_params
from tests.server.factories import PRODUCER, at, drill_header, make_repo
from tests.support.gitrepo import GitRepo

FIXTURES = Path(__file__).parent / "fixtures" / "v1_no_bundle"
MON = dt.date(2025, 9, 22)
OLD = ("order_plan", "live_cycle_receipt", "ops_summary", "delivery_record")


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_bytes())
    return data


def old_repo(tmp_path: Path) -> Path:
    """A checkout holding the pre-rename files at their registered paths."""
    root = make_repo(tmp_path / "repo")
    for name in OLD:
        dest = root / registry.path(name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / f"{name}.json", dest)
    return root


def validate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = krx(["-C", str(root), "validate", "--all", "--no-cache", "--json"])
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, out


def test_the_fixtures_are_what_the_old_code_wrote() -> None:
    assert fixture("order_plan")["block_reason"] == "NO_BUNDLE"
    assert fixture("live_cycle_receipt")["reason"] == "NO_BUNDLE"
    assert fixture("live_cycle_receipt")["push"]["delivery_key"] == "2025-09-22:NO_BUNDLE"
    assert "NO_BUNDLE" in {r["code"] for r in fixture("ops_summary")["top_risks"]}
    for name in ("order_plan", "live_cycle_receipt", "ops_summary"):
        spec = registry.by_schema_id(fixture(name)["schema"])
        assert spec is not None and spec in registry.LEGACY and spec.version == 1


def test_old_files_still_validate_as_v1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = old_repo(tmp_path)
    code, out = validate(root, capsys)
    assert code == 0, out["problems"]
    assert set(out["files"]) == {registry.path(n) for n in OLD} and out["invalid"] == []


@pytest.mark.parametrize(
    ("name", "model", "renamed"),
    [
        ("order_plan", OrderPlanV2, {"block_reason": "BUNDLE_MISSING"}),
        ("live_cycle_receipt", LiveCycleReceiptV2, {"reason": "BUNDLE_MISSING"}),
        ("ops_summary", OpsSummaryV2, {}),
    ],
)
def test_the_state_reader_gives_the_current_version_renamed_and_nothing_else(
    tmp_path: Path, name: str, model: type[Envelope], renamed: dict[str, Any]
) -> None:
    root = old_repo(tmp_path)
    doc = st.read_valid(root, name, model)
    assert doc is not None and doc.schema_id == registry.get(name).schema_id
    expected = {**fixture(name), "schema": registry.get(name).schema_id, **renamed}
    if name == "live_cycle_receipt":
        expected["push"] = {**expected["push"], "delivery_key": "2025-09-22:BUNDLE_MISSING"}
    if name == "ops_summary":
        expected["top_risks"] = [
            {**r, "code": "BUNDLE_MISSING" if r["code"] == "NO_BUNDLE" else r["code"]}
            for r in expected["top_risks"]
        ]
    assert json.loads(dump_model(doc)) == expected


def test_current_readers_see_todays_enums(tmp_path: Path) -> None:
    root = old_repo(tmp_path)
    receipt = st.read_valid(root, "live_cycle_receipt", LiveCycleReceiptV2)
    plan = st.read_valid(root, "order_plan", OrderPlanV2)
    ops = st.read_valid(root, "ops_summary", OpsSummaryV2)
    assert receipt is not None and plan is not None and ops is not None
    assert receipt.reason is CycleReason.BUNDLE_MISSING
    assert receipt.bundle_status is BundleStatus.MISSING
    assert plan.block_reason is CycleReason.BUNDLE_MISSING
    assert RiskCode.BUNDLE_MISSING in {r.code for r in ops.top_risks}
    # who asks for the old model gets the file as it is
    old = st.read_valid(root, "live_cycle_receipt", LiveCycleReceiptV1)
    assert old is not None and old.reason is legacy.CycleReason.NO_BUNDLE


def _broken(name: str, change: dict[str, Any]) -> dict[str, Any]:
    return {**fixture(name), **change}


@pytest.mark.parametrize(
    ("name", "data", "pointer"),
    [
        # an unknown reason in a v1 file
        ("live_cycle_receipt", _broken("live_cycle_receipt", {"reason": "NO_IDEA"}), "/reason"),
        # v1 never said BUNDLE_MISSING: a v1 file that does is not one the old code wrote
        (
            "live_cycle_receipt",
            _broken("live_cycle_receipt", {"reason": "BUNDLE_MISSING"}),
            "/reason",
        ),
        ("order_plan", _broken("order_plan", {"block_reason": "NO_IDEA"}), "/block_reason"),
        (
            "ops_summary",
            _broken(
                "ops_summary",
                {"top_risks": [{**fixture("ops_summary")["top_risks"][0], "code": "NO_IDEA"}]},
            ),
            "/top_risks/0/code",
        ),
        # and a current file never says NO_BUNDLE
        (
            "live_cycle_receipt",
            _broken("live_cycle_receipt", {"schema": "live_cycle_receipt/v2"}),
            "/reason",
        ),
    ],
)
def test_bad_input_stays_bad(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: dict[str, Any],
    pointer: str,
) -> None:
    root = old_repo(tmp_path)
    (root / registry.path(name)).write_text(json.dumps(data), encoding="utf-8")
    code, out = validate(root, capsys)
    assert code == 1 and out["invalid"] == [registry.path(name)]
    [problem] = out["problems"]
    value: Any = data
    for part in pointer.strip("/").split("/"):
        value = value[int(part)] if isinstance(value, list) else value[part]
    assert problem["pointer"] == pointer and f"'{value}' is not" in problem["message"]
    current = registry.get(name).model
    assert current is not None and st.read_valid(root, name, current) is None


def test_a_v1_file_keeps_its_cross_field_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Old files are checked by the current rules (on the upgraded document)."""
    root = old_repo(tmp_path)
    bad = _broken("live_cycle_receipt", {"exit_code": 0})
    (root / registry.path("live_cycle_receipt")).write_text(json.dumps(bad), encoding="utf-8")
    code, out = validate(root, capsys)
    assert code == 1
    assert [p["pointer"] for p in out["problems"]] == ["/exit_code"]


def test_reconcile_reads_old_versions_from_git_history(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    rel = registry.path("live_cycle_receipt")
    repo.commit({rel: fixture("live_cycle_receipt")}, "artifact(server): asof 2025-09-22")
    assert json.loads(repo.path.joinpath(rel).read_bytes())["schema"] == "live_cycle_receipt/v1"
    today = {**fixture("live_cycle_receipt"), "schema": "live_cycle_receipt/v2"}
    today.update(asof="2025-09-23", reason="BUNDLE_MISSING")
    today["push"] = {**today["push"], "delivery_key": "2025-09-23:BUNDLE_MISSING"}
    repo.commit({rel: today}, "artifact(server): asof 2025-09-23")
    found = versions(open_store(repo.path), rel, LiveCycleReceiptV2)
    assert [(v.doc.asof.isoformat(), v.doc.reason) for v in found] == [
        ("2025-09-23", CycleReason.BUNDLE_MISSING),
        ("2025-09-22", CycleReason.BUNDLE_MISSING),
    ]


def test_a_rerun_on_the_deploy_day_does_not_send_the_block_twice(tmp_path: Path) -> None:
    """The old code keyed the day's block ``2025-09-22:NO_BUNDLE``; today's code keys it
    ``2025-09-22:BUNDLE_MISSING``: the ledger's old key reads in today's spelling."""
    root = make_repo(tmp_path / "repo")
    sent = SendIntent(
        delivery_key="2025-09-22:NO_BUNDLE",
        session=MON,
        plan_id=None,
        message_sha256="0" * 64,
        intent_at=at(MON),
        outcome=SendOutcome.SENT,
        outcome_at=at(MON),
        telegram_message_id=77,
    )
    ledger = SendLedgerV1(asof=MON, generated_at=at(MON), producer=PRODUCER, intents=(sent,))
    path = root / registry.path("send_ledger")
    path.parent.mkdir(parents=True)
    path.write_bytes(dump_model(ledger))
    intents = read_intents(root)
    assert intents is not None
    assert [i.delivery_key for i in intents] == ["2025-09-22:BUNDLE_MISSING"]
    key = delivery_key(MON.isoformat(), None, CycleReason.BUNDLE_MISSING)
    out = deliver(root, key, "차단", read_safety(root), load_params(root).live, session=MON)
    assert (out.status, out.message_id) == (DeliveryStatus.DUPLICATE_SKIPPED, 77)


def _drill_v2() -> DrillReportV2:
    """A drill report as the code before the rename wrote it (v2, its frozen enums)."""
    return DrillReportV2(
        **drill_header(MON),
        steps=(),
        ops_status=None,
        cycle=legacy.CycleView.model_validate(
            {
                "result": "OK",
                "decision": "BLOCKED",
                "reason": "NO_BUNDLE",
                "delivery_actual": "CONSOLE_SIMULATED",
            }
        ),
        reason=legacy.CycleReason.NO_BUNDLE,
        result=SchedulerStepResult.BLOCKED,
        exit_code=2,
        fault=None,
        duration_ms=1,
    )


def test_a_v2_drill_report_validates_and_reads_as_v3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(tmp_path / "repo")
    path = root / registry.path("drill_report")
    path.parent.mkdir(parents=True)
    path.write_bytes(dump_model(_drill_v2()))
    assert json.loads(path.read_bytes())["schema"] == "drill_report/v2"
    code, out = validate(root, capsys)
    assert code == 0, out["problems"]
    drill = st.read_valid(root, "drill_report", DrillReportV3)
    assert drill is not None and drill.reason is CycleReason.BUNDLE_MISSING
    assert drill.cycle is not None and drill.cycle.reason is CycleReason.BUNDLE_MISSING
