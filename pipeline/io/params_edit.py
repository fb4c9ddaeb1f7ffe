"""Edit ``params.yaml`` in place, keeping its comments, order and flow style (ruamel round-trip).

Used by ``krx sweep promote``: the change must be a reviewable one-line-per-key diff, and the
result must parse to exactly the params the sweep scored.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML

from pipeline.errors import ParamsError
from pipeline.params.sweep_spec import Value


def _yaml() -> YAML:
    y = YAML()  # round-trip: comments, key order, quotes and flow lists survive
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def set_strategy_values(text: str, values: Mapping[str, Value]) -> str:
    """``params.yaml`` text with ``strategy.<dotted key>`` set to each value."""
    y = _yaml()
    doc: Any = y.load(text)
    for key, value in values.items():
        node: Any = doc["strategy"]
        *parents, last = key.split(".")
        try:
            for part in parents:
                node = node[int(part)] if isinstance(node, list) else node[part]
            if isinstance(node, list):
                node[int(last)] = value
            else:
                node[last] = value  # a key left at its default is added
        except (KeyError, IndexError, ValueError, TypeError):
            raise ParamsError(f"params.yaml: strategy.{key} not found") from None
    out = io.StringIO()
    y.dump(doc, out)
    return out.getvalue()
