"""JSON Schema (Draft 2020-12) generation from the artifact models."""

from __future__ import annotations

import functools
from typing import Any

from pipeline.canonical import canonical_json
from pipeline.registry import ArtifactSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@functools.cache
def _schema_cached(name: str, version: int, model_id: int) -> dict[str, Any]:
    from pipeline.registry import by_schema_id

    spec = by_schema_id(f"{name}/v{version}")
    assert spec is not None and spec.model is not None
    schema = spec.model.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": DIALECT, "$id": f"krx-alertor/{spec.schema_id}", **schema}


def json_schema(spec: ArtifactSpec) -> dict[str, Any]:
    """The JSON Schema of a registered JSON artifact."""
    if spec.model is None:
        raise ValueError(f"{spec.name} is not a JSON artifact")
    return _schema_cached(spec.name, spec.version, id(spec.model))


def schema_text(spec: ArtifactSpec) -> str:
    return canonical_json(json_schema(spec))
