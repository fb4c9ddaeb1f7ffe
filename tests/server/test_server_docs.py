"""docs/server.md names every ENUM reason the server can write (docs never drift from code)."""

from __future__ import annotations

from pipeline.enums import CycleReason, RiskCode, TicketReason
from tests.conftest import ROOT


def test_every_reason_is_documented() -> None:
    text = (ROOT / "docs/server.md").read_text(encoding="utf-8")
    for enum in (RiskCode, CycleReason, TicketReason):
        for member in enum:
            assert f"`{member.value}`" in text, f"docs/server.md misses {enum.__name__}.{member}"
