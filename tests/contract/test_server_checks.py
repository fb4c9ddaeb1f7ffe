"""Cross-field checks catch hand-edited server artifacts that still pass their JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.io.validate import validate_file
from tests.server.factories import put_raw, read_json, run_day, server_repo

MON = dt.date(2025, 9, 22)


def _set(data: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = pointer.strip("/").split("/")
    for p in parents:
        data = data[int(p)] if isinstance(data, list) else data[p]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


EDITS = [
    ("live_cycle_receipt", "/exit_code", 2, "/exit_code"),
    ("live_cycle_receipt", "/push/delivery_actual", "TELEGRAM", "/push/delivery_actual"),
    ("order_plan", "/orders/0/notional_krw", 1, "/orders/0/notional_krw"),
    ("order_plan", "/total_buy_krw", 0, "/total_buy_krw"),
    ("order_plan", "/executable", True, "/executable"),
    ("delivery_record", "/message_text", "조작된 메시지\n", "/message_sha256"),
    ("ops_summary", "/overall_status", "OK", "/overall_status"),
]


@pytest.mark.parametrize(("name", "pointer", "value", "where"), EDITS)
def test_edit_is_caught(
    name: str, pointer: str, value: Any, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = server_repo(tmp_path)
    assert run_day(root, MON, monkeypatch) == 0
    from pipeline import registry

    rel = registry.get(name).path
    assert validate_file(root, rel) == []
    data = read_json(root, name)
    if name == "ops_summary":  # make the status disagree with the risks
        data["last_cycle_asof"] = None
    _set(data, pointer, value)
    put_raw(root, rel, data)
    problems = validate_file(root, rel)
    assert where in [p.pointer for p in problems], problems
    assert json.loads((root / rel).read_text("utf-8"))  # still well-formed JSON
