"""The one canonical JSON encoding (STYLE §9), the one sane-JSON reader and the YAML reader.

Pure, no I/O.

Sorted keys, UTF-8 with Korean unescaped, no NaN/Infinity, two-space indent, trailing newline.
No ``default=str``: anything that is not plain JSON data is a bug and raises.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
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

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")


class JsonInputError(ValueError):
    """Bytes that are not sane JSON: not UTF-8, not JSON, NaN/Infinity, too deep, too big."""


def _reject_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not allowed in an artifact")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(f"number {text[:20]} is out of range")
    return value


def json_depth(raw: bytes) -> int:
    """Deepest bracket nesting of JSON bytes (brackets inside strings do not count)."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b'""', raw))
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


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
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise JsonInputError(f"nested {depth} levels deep (at most {MAX_JSON_DEPTH})")
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except JsonInputError:
        raise
    except json.JSONDecodeError as err:
        raise JsonInputError(
            f"not JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except (ValueError, RecursionError) as err:  # int digit limit; depth is checked above
        raise JsonInputError(f"not a sane JSON value: {str(err)[:80]}") from None


def safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's C loader where PyYAML has it (several times faster:
    ``params.yaml`` is read by every stage of every run)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)
