"""The one canonical JSON encoding (STYLE §9), the one sane-JSON reader and the YAML reader.

Pure, no I/O.

Sorted keys, UTF-8 with Korean unescaped, no NaN/Infinity, two-space indent, trailing newline.
No ``default=str``: anything that is not plain JSON data is a bug and raises.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any


def canonical_json(data: Any) -> str:
    """Encode ``data`` canonically; raises ValueError on NaN/Infinity, TypeError on non-JSON."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def canonical_bytes(data: Any) -> bytes:
    return canonical_json(data).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Deepest nesting an artifact may have; real artifacts stay below 10. Deeper is bad input
#: (Python's decoder would otherwise raise RecursionError, a traceback instead of an answer).
MAX_JSON_DEPTH = 64


class JsonInputError(ValueError):
    """Bytes that are not sane JSON: not UTF-8, not JSON, NaN/Infinity, too deep, too big."""


def _reject_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not allowed in an artifact")


def _check_tree(data: Any) -> None:
    """Depth and finiteness of a parsed document, without recursion (one pass over nodes)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            if isinstance(node, float) and not math.isfinite(node):
                raise JsonInputError("a number is out of range (overflows to Infinity)")
            continue
        if depth > MAX_JSON_DEPTH:
            raise JsonInputError(f"nested more than {MAX_JSON_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in children)


def parse_json(raw: bytes | str) -> Any:
    """The one sane-JSON reader every artifact reader uses (JsonInputError on bad input).

    Rejects: bytes that are not UTF-8, text that is not JSON, ``NaN``/``Infinity`` (and numbers
    that overflow to them), integers beyond Python's digit limit, nesting beyond
    ``MAX_JSON_DEPTH``.
    """
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise JsonInputError(f"not UTF-8: {err.reason} at byte {err.start}") from None
    try:
        parsed = json.loads(text, parse_constant=_reject_constant)
    except JsonInputError:
        raise
    except json.JSONDecodeError as err:
        raise JsonInputError(
            f"not JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:  # the C decoder's own guard, far beyond MAX_JSON_DEPTH
        raise JsonInputError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as err:  # Python's integer digit limit
        raise JsonInputError(f"not a sane JSON value: {str(err)[:80]}") from None
    _check_tree(parsed)
    return parsed


def safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's C loader where PyYAML has it (several times faster:
    ``params.yaml`` is read by every stage of every run)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)
