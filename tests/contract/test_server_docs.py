"""docs/server.md names every ENUM reason the server can write (docs never drift from code)."""

from __future__ import annotations

from pipeline.enums import CycleReason, RiskCode, TicketReason
from tests.conftest import ROOT


def test_every_reason_is_documented() -> None:
    text = (ROOT / "docs/server.md").read_text(encoding="utf-8")
    for enum in (RiskCode, CycleReason, TicketReason):
        for member in enum:
            assert f"`{member.value}`" in text, f"docs/server.md misses {enum.__name__}.{member}"


def test_server_dvc_outputs_are_server_owned_and_never_cached() -> None:
    import yaml

    from pipeline import registry
    from pipeline.enums import Owner

    stages = yaml.safe_load((ROOT / "server/dvc.yaml").read_text(encoding="utf-8"))["stages"]
    assert list(stages) == ["tickets", "ops_summary", "live_cycle"]
    written = {a.stage for a in registry.ARTIFACTS if a.owner is Owner.SERVER}
    # Server artifacts written by a command rather than a DVC stage (`krx drill`, and the
    # scheduler record written by deploy/oci/daily_ops.sh through `krx scheduler`).
    by_command = {"drill", "daily_ops"}
    assert written - by_command == set(stages)
    for name, stage in stages.items():
        assert stage["wdir"] == ".." and stage["always_changed"] is True, name
        for out in stage["outs"]:
            ((path, opts),) = out.items()
            assert opts == {"cache": False, "persist": True}, (name, path)
            owners = {a.owner for a in registry.ARTIFACTS if a.path.startswith(path)}
            assert owners == {Owner.SERVER}, (name, path)
        for dep in stage.get("deps", []):  # never a PC-owned path: repro would run PC stages
            assert all(
                a.owner is Owner.SERVER for a in registry.ARTIFACTS if a.path.startswith(dep)
            ), (name, dep)
