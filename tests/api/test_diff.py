"""The structural JSON diff (pure)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ops_api.diff import json_diff

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


def apply(doc: Any, changes: list[dict[str, Any]]) -> Any:
    """Apply diff output (pointer-based) to rebuild the new document."""
    import copy

    doc = copy.deepcopy(doc)
    # Removals from lists go from the end so indexes stay valid.
    for ch in sorted(changes, key=lambda c: c["op"] != "remove"):
        if ch["pointer"] == "":
            doc = ch.get("new")
            continue
        parts = [p.replace("~1", "/").replace("~0", "~") for p in ch["pointer"][1:].split("/")]
        target = doc
        for p in parts[:-1]:
            target = target[int(p)] if isinstance(target, list) else target[p]
        last = parts[-1]
        if isinstance(target, list):
            i = int(last)
            if ch["op"] == "remove":
                del target[i:]
            elif ch["op"] == "add":
                target.append(ch["new"])
            else:
                target[i] = ch["new"]
        elif ch["op"] == "remove":
            del target[last]
        else:
            target[last] = ch["new"]
    return doc


def test_examples() -> None:
    old = {"a": 1, "b": [1, 2, 3], "c": {"x/y": True}, "gone": 0}
    new = {"a": 1, "b": [1, 5], "c": {"x/y": 1}, "new": "한"}
    changes, truncated = json_diff(old, new)
    assert not truncated
    assert changes == [
        {"op": "replace", "pointer": "/b/1", "old": 2, "new": 5},
        {"op": "remove", "pointer": "/b/2", "old": 3},
        {"op": "replace", "pointer": "/c/x~1y", "old": True, "new": 1},
        {"op": "remove", "pointer": "/gone", "old": 0},
        {"op": "add", "pointer": "/new", "new": "한"},
    ]


def test_limit() -> None:
    changes, truncated = json_diff({"a": 1, "b": 2}, {"a": 2, "b": 3}, limit=1)
    assert len(changes) == 1 and truncated
    changes, truncated = json_diff({"a": 1}, {"a": 2}, limit=1)
    assert len(changes) == 1 and not truncated


@given(json_values, json_values)
def test_diff_rebuilds_the_new_document(old: Any, new: Any) -> None:
    changes, truncated = json_diff(old, new, limit=10_000)
    assert not truncated
    assert apply(old, changes) == new
    assert json_diff(new, new)[0] == []
