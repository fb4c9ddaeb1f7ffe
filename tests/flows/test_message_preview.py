"""``reports/push_preview.json`` carries the daily message exactly as the server will send it:
the PC's reports stage and the server's live cycle render it with the same code, so for the
same files the two texts are equal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline import registry
from pipeline.enums import ExecutionGate
from pipeline.flows import live_cycle, reports, tickets
from pipeline.flows.portfolio import write_portfolio
from tests.conftest import copy_project
from tests.server.factories import bundle_model, gate, put


def _read(root: Path, name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / registry.get(name).path).read_text("utf-8"))
    return data


@pytest.mark.parametrize("with_portfolio", [True, False])
def test_push_preview_equals_the_message_the_server_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_portfolio: bool
) -> None:
    root = copy_project(tmp_path / "repo")
    signal = "2026-11-20"  # a Friday: the next session is Monday 2026-11-23
    put(root, "strategy_bundle", bundle_model(dt.date.fromisoformat(signal), rebalance_due=True))
    monkeypatch.setenv("KRX_ROLE", "PC")
    monkeypatch.setenv("KRX_NOW", f"{signal}T18:00:00+09:00")
    if with_portfolio:
        write_portfolio(root, 10_000_000, [("102110", 20, 30_000)], str(signal), "kim", "")
        put(
            root,
            "execution_gate",
            gate(dt.date.fromisoformat(str(signal)), ExecutionGate.REAL_ENABLED),
        )
        monkeypatch.setenv("KRX_ROLE", "SERVER")  # the server took the baseline in (positions)
        monkeypatch.setenv("KRX_ASOF", str(signal))
        assert tickets.main(root, None) == 0
        monkeypatch.setenv("KRX_ROLE", "PC")
    assert reports.main(root, None) == 0
    preview = _read(root, "push_preview")["message_text"]
    assert isinstance(preview, str) and preview.startswith("[KRX Alertor] ")

    # the server, the next session, on the same files (no ops summary yet: same facts)
    monkeypatch.setenv("KRX_ROLE", "SERVER")
    session = preview.split()[2][:10]
    monkeypatch.setenv("KRX_ASOF", session)
    monkeypatch.setenv("KRX_NOW", f"{session}T09:05:00+09:00")
    live_cycle.main(root, None)
    sent = _read(root, "delivery_record")["message_text"]
    assert sent == preview
    if with_portfolio:
        assert "▶ 주문 " in preview and "krx ticket new --plan P-" in preview
    else:
        assert "차단: 기준 포트폴리오" in preview  # what the server would say on day one
