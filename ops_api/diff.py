"""A structural diff of two JSON documents (pure): the changes as JSON pointers.

Objects are compared key by key (sorted); lists index by index, so an insertion in the middle of a
list shows as replacements plus an add at the end — simple and predictable for artifacts, whose
lists are sorted by a key. Output is bounded by ``limit``.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def json_diff(old: Any, new: Any, limit: int = 1000) -> tuple[list[dict[str, Any]], bool]:
    """Changes turning ``old`` into ``new`` and whether the list was truncated at ``limit``."""
    out: list[dict[str, Any]] = []

    def emit(op: str, pointer: str, a: Any, b: Any) -> bool:
        if len(out) >= limit:
            return False
        change: dict[str, Any] = {"op": op, "pointer": pointer}
        if a is not _MISSING:
            change["old"] = a
        if b is not _MISSING:
            change["new"] = b
        out.append(change)
        return True

    def walk(a: Any, b: Any, pointer: str) -> bool:
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                p = f"{pointer}/{_escape(str(k))}"
                if k not in b:
                    ok = emit("remove", p, a[k], _MISSING)
                elif k not in a:
                    ok = emit("add", p, _MISSING, b[k])
                else:
                    ok = walk(a[k], b[k], p)
                if not ok:
                    return False
            return True
        if isinstance(a, list) and isinstance(b, list):
            for i in range(max(len(a), len(b))):
                p = f"{pointer}/{i}"
                if i >= len(b):
                    ok = emit("remove", p, a[i], _MISSING)
                elif i >= len(a):
                    ok = emit("add", p, _MISSING, b[i])
                else:
                    ok = walk(a[i], b[i], p)
                if not ok:
                    return False
            return True
        # bool is an int in Python: compare types too, so true -> 1 is a change.
        if type(a) is type(b) and a == b:
            return True
        return emit("replace", pointer, a, b)

    complete = walk(old, new, "")
    return out, not complete
