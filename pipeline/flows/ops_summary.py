"""Stage ``ops_summary``: the server's single pane of glass (rules in ``pipeline.core.ops``)."""

from __future__ import annotations

from pathlib import Path

from pipeline import registry
from pipeline.artifacts.drill import DrillReportV1, DrillReportV3
from pipeline.artifacts.live import LiveCycleReceiptV2, OrderPlanV2
from pipeline.artifacts.ops import OpsSummaryV2, SafetyView
from pipeline.artifacts.tickets import TicketResultV1
from pipeline.core.bundle_check import BUNDLE_PATH, check_bundle
from pipeline.core.ops import OpsInputs, assess
from pipeline.enums import Owner
from pipeline.errors import EXIT_FAULT, EXIT_OK
from pipeline.io import gitref
from pipeline.io import server_state as st
from pipeline.io.context import now_seoul, producer
from pipeline.io.safety import read_safety
from pipeline.params import load_params, params_sha256

RECON_PATH = registry.get("recon_summary").path  # the PC's reconcile summary (status field)


def main(root: Path, asof: str | None) -> int:
    st.require_role(Owner.SERVER, "stage ops_summary")
    session = st.trading_session(root, asof)
    if session is None:
        print("ops_summary: not a KRX trading day; nothing written")
        return EXIT_OK
    params = load_params(root)
    safety = read_safety(root)
    verdict = check_bundle(st.read_raw(root, BUNDLE_PATH), session.day, session.cal, params.live)
    holdings = st.load_holdings(root)
    results = [
        st.read_valid(root, "ticket_result", TicketResultV1, k)
        for k, _ in st.collection(root, "ticket_result")
    ]
    # A v1 plan/receipt or a v2 drill report (before the BUNDLE_MISSING rename) reads upgraded.
    plan = st.read_valid(root, "order_plan", OrderPlanV2)
    receipt = st.read_valid(root, "live_cycle_receipt", LiveCycleReceiptV2)
    drill = st.read_valid(root, "drill_report", DrillReportV3)
    # A v1 drill report has no upgrade (its steps are not the daily run's): read it as it is.
    old_drill = None if drill else st.read_valid(root, "drill_report", DrillReportV1)
    last_drill = (drill.exit_code == EXIT_FAULT, drill.asof) if drill else None
    if old_drill:
        last_drill = (old_drill.exit_code == EXIT_FAULT, old_drill.asof)
    inputs = OpsInputs(
        session=session.day,
        safety=safety,
        bundle=verdict,
        portfolio=holdings.view(),
        ticket_results=tuple((r.ticket_id, r.status, r.asof) for r in results if r),
        last_plan=(plan.status, plan.asof) if plan else None,
        last_receipt=(receipt.result, receipt.asof) if receipt else None,
        recon_status=st.read_status_field(root, RECON_PATH, "status"),
        recon_path=RECON_PATH,
        last_drill=last_drill,
    )
    status, risks = assess(inputs, session.cal, params.ops)
    read = [
        BUNDLE_PATH,
        *(
            registry.get(n).path
            for n in (
                "portfolio",
                "execution_gate",
                "real_sender",
                "emergency_stop",
                "positions",
                "drill_report",
            )
        ),
    ]
    summary = OpsSummaryV2(
        asof=session.day,
        generated_at=now_seoul(),
        producer=producer("ops_summary", root),
        params_sha256=params_sha256(params.live, params.ops),
        inputs=st.refs(root, read, gitref.head(root)),
        overall_status=status,
        top_risks=risks,
        safety=SafetyView(
            gate=safety.gate,
            gate_file=safety.gate_file,
            real_sender_enabled=safety.sender_enabled,
            real_sender_file=safety.sender_file,
            emergency_stop=safety.stop,
            emergency_stop_file=safety.stop_file,
        ),
        bundle_asof=verdict.bundle.asof if verdict.bundle else None,
        last_cycle_asof=receipt.asof if receipt else None,
    )
    st.write(root, "ops_summary", summary)
    print(f"ops_summary {session.day}: {status} risks={[r.code.value for r in risks]}")
    return EXIT_OK
