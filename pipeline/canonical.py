"""The one canonical JSON encoding (STYLE §9): pure, no I/O.

Sorted keys, UTF-8 with Korean unescaped, no NaN/Infinity, two-space indent, trailing newline.
No ``default=str``: anything that is not plain JSON data is a bug and raises.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    """Encode ``data`` canonically; raises ValueError on NaN/Infinity, TypeError on non-JSON."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def canonical_bytes(data: Any) -> bytes:
    return canonical_json(data).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
