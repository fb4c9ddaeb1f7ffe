"""Contract tests that keep the map honest (STYLE §18)."""

import importlib

import yaml

from pipeline import registry
from pipeline.cli import COMMANDS, build_parser
from pipeline.docs import render_readme
from pipeline.flows import DVC_STAGES as STAGES
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_tables_match_the_registry() -> None:
    assert render_readme(README) == README, "README tables are stale: run make schemas"


def test_changelog_lists_every_schema_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for spec in (*registry.ARTIFACTS, *registry.LEGACY):
        ident = spec.schema_id if spec.model is not None else spec.name
        assert f"`{ident}`" in changelog, f"CHANGELOG.md does not mention {ident}"


def _dvc_stages() -> dict[str, dict[str, object]]:
    stages: dict[str, dict[str, object]] = {}
    for rel in ("dvc.yaml", "server/dvc.yaml"):
        path = ROOT / rel
        if path.exists():
            stages.update(yaml.safe_load(path.read_text(encoding="utf-8"))["stages"])
    return stages


def test_every_dvc_stage_has_a_module_and_registered_outputs() -> None:
    for name, stage in _dvc_stages().items():
        assert stage["cmd"] == f"python -m pipeline.cli stage {name}", name
        assert name in STAGES, f"{name} missing from pipeline.flows.DVC_STAGES"
        assert callable(importlib.import_module(f"pipeline.flows.{name}").main)
        stage_specs = [a for a in registry.ARTIFACTS if a.stage == name]
        assert stage_specs, f"stage {name} writes no registered artifact"


def test_every_registered_stage_is_in_a_dvc_pipeline_or_documented_as_a_command() -> None:
    dvc_stages = set(_dvc_stages())
    for spec in registry.ARTIFACTS:
        if spec.stage in STAGES:
            assert spec.stage in dvc_stages, f"{spec.name}: stage {spec.stage} not in dvc.yaml"


def cli_subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)  # type: ignore[arg-type]


def test_every_cli_command_is_in_the_readme() -> None:
    assert len(cli_subcommands()) >= len(COMMANDS)
    for name in cli_subcommands():
        assert f"`krx {name}" in README, f"krx {name} is not documented in README.md"
