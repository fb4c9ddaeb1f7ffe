import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.canonical import MAX_JSON_DEPTH, JsonInputError, canonical_json, parse_json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def test_sorted_keys_korean_unescaped_trailing_newline() -> None:
    text = canonical_json({"b": 1, "a": "코덱스 200"})
    assert text == '{\n  "a": "코덱스 200",\n  "b": 1\n}\n'


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        canonical_json({"x": bad})


def test_no_silent_stringification() -> None:
    import datetime as dt

    with pytest.raises(TypeError):
        canonical_json({"when": dt.date(2026, 1, 2)})


# Generation speed depends on how busy the shared CI cores are; the property does not.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_round_trip_is_stable(value: object) -> None:
    text = canonical_json(value)
    assert json.loads(text) == value
    assert canonical_json(json.loads(text)) == text


@given(json_values)
def test_parse_json_reads_back_what_canonical_json_writes(value: object) -> None:
    assert parse_json(canonical_json(value)) == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"x": NaN}', "NaN is not allowed"),
        (b'{"x": Infinity}', "Infinity is not allowed"),
        (b'{"x": -Infinity}', "-Infinity is not allowed"),
        (b'{"x": 1e999}', "out of range"),
        (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), "levels deep"),
        (b"[" * 1_000_000, "levels deep"),  # never a RecursionError
        (b"1" * 5_000, "not a sane JSON value"),
        (b"\xff", "not UTF-8"),
        (b"{", "not JSON"),
    ],
)
def test_parse_json_refuses_insane_input(raw: bytes, message: str) -> None:
    with pytest.raises(JsonInputError, match=message):
        parse_json(raw)


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    text = '{"a": "' + "[" * 500 + '\\"{"}'
    assert parse_json(text) == {"a": "[" * 500 + '"{'}
    assert parse_json(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) is not None
