"""Contract tests: the registry, the models and the committed schemas agree."""

import json
import typing

from pipeline import registry
from pipeline.commands.schemas import expected_files
from pipeline.enums import ArtifactKind, Owner
from tests.conftest import ROOT


def test_names_paths_and_schema_ids_are_unique() -> None:
    specs = registry.ARTIFACTS
    assert len({s.name for s in specs}) == len(specs)
    assert len({s.path for s in specs}) == len(specs)
    assert len({s.schema_id for s in (*specs, *registry.LEGACY)}) == len(specs) + len(
        registry.LEGACY
    )


def test_every_json_artifact_has_a_model_that_pins_its_schema_id() -> None:
    for spec in registry.ARTIFACTS:
        if spec.kind is ArtifactKind.JSON:
            assert spec.model is not None, spec.name
            field = spec.model.model_fields["schema_id"]
            assert typing.get_args(field.annotation) == (spec.schema_id,), spec.name
            assert field.alias == "schema"
        else:
            assert spec.model is None, spec.name


def test_every_model_field_is_described() -> None:
    """Every field of every artifact model (nested ones too) says what it is (STYLE §5)."""
    from pipeline.artifacts.envelope import Envelope

    base = set(Envelope.model_fields) | {"schema"}
    for spec in registry.json_specs():
        assert spec.model is not None
        schema = spec.model.model_json_schema(by_alias=True)
        objects = [("", schema)] + [(f"{k}.", d) for k, d in schema.get("$defs", {}).items()]
        for prefix, obj in objects:
            for name, prop in obj.get("properties", {}).items():
                if not prefix and name in base:
                    continue
                assert prop.get("description"), f"{spec.name}: {prefix}{name} has no description"


def test_owner_is_pc_or_server_and_paths_are_repo_relative() -> None:
    for spec in registry.ARTIFACTS:
        assert spec.owner in (Owner.PC, Owner.SERVER)
        assert not spec.path.startswith("/") and ".." not in spec.path


def test_committed_schemas_are_fresh() -> None:
    """Fails when a model changed without `make schemas` (or a schema file is orphaned)."""
    expected = expected_files()
    present = {p.relative_to(ROOT).as_posix() for p in (ROOT / "schemas").glob("*.schema.json")}
    assert present == set(expected), "run: make schemas"
    for rel, text in expected.items():
        assert (ROOT / rel).read_text(encoding="utf-8") == text, f"{rel} is stale: run make schemas"
        assert json.loads(text)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_collection_keys_round_trip_and_reject_escapes() -> None:
    prices = registry.get("prices")
    assert prices.path_for("2026/2026-11") == "data/prices/2026/2026-11.parquet"
    assert prices.key_of("data/prices/2026/2026-11.parquet") == "2026/2026-11"
    assert registry.spec_for_path("data/prices/2026/2026-11.parquet") is prices
    assert registry.spec_for_path("data/prices/_meta.json") is registry.get("prices_meta")
    for bad in ("../x", "", "-rf"):
        try:
            prices.path_for(bad)
        except ValueError:
            continue
        raise AssertionError(f"key {bad!r} accepted")


def test_every_upgrade_leads_to_the_version_written_now() -> None:
    """A legacy version upgrades one step to the next version of its artifact, and the steps
    end at the current version (drill_report/v1 has none: its steps are not the daily run's)."""
    for spec in registry.LEGACY:
        if spec.upgrade is None:
            assert spec.schema_id == "drill_report/v1"
            continue
        step = spec.upgrade({"schema": spec.schema_id})
        assert step["schema"] == f"{spec.name}/v{spec.version + 1}", spec.schema_id
        current = registry.upgrade({"schema": spec.schema_id})
        assert current["schema"] == registry.get(spec.name).schema_id, spec.schema_id
    assert all(spec.upgrade is None for spec in registry.ARTIFACTS)


def test_every_frozen_code_has_a_current_spelling() -> None:
    """An upgraded old file always holds codes the current enums know."""
    from pipeline.artifacts import legacy
    from pipeline.enums import CycleReason, RiskCode

    for old, new in ((legacy.CycleReason, CycleReason), (legacy.RiskCode, RiskCode)):
        assert {legacy.renamed(m.value) for m in old} <= {m.value for m in new}, new.__name__
    assert set(legacy.RENAMED) == {"NO_BUNDLE"}
    assert {m.value for m in CycleReason} & set(legacy.RENAMED) == set()
    assert {m.value for m in RiskCode} & set(legacy.RENAMED) == set()
