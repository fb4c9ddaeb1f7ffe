"""The resolver's logic without HTTP: MemoryStore in, envelope bytes out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

import pytest
from pydantic import Field, field_validator

from ops_api.answer import Answer, CachePolicy
from ops_api.models import Envelope
from ops_api.resolve import Resolver
from ops_api.settings import Settings
from pipeline import registry
from pipeline.artifacts.envelope import Envelope as Envelope_
from pipeline.canonical import canonical_bytes
from pipeline.enums import ArtifactKind, Owner
from pipeline.io.store import MemoryStore
from tests.api.factories import make_clock

CLOCK = "data/asof.json"


def body(answer: Answer) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(answer.body)
    Envelope[Any].model_validate(data)
    return data


@pytest.fixture
def mem() -> MemoryStore:
    store = MemoryStore()
    for i in range(6):
        store.commit({CLOCK: canonical_bytes(make_clock(dt.date(2026, 11, 10 + i), i))}, f"c{i}")
    return store


def test_latest_and_cache(mem: MemoryStore) -> None:
    r = Resolver(mem, Settings(), "main")
    first = r.artifact("clock", None)
    assert first is r.artifact("clock", None)  # rendered once per (commit, path, ref)
    doc = body(first)
    assert doc["status"] == "ok" and doc["asof"] == "2026-11-15" and doc["valid"] is True
    assert first.cache is CachePolicy.SHORT
    head = mem.resolve_name("HEAD")
    pinned = r.artifact("clock", head)
    assert pinned.cache is CachePolicy.IMMUTABLE and body(pinned)["rows"] == doc["rows"]
    mem.commit({CLOCK: canonical_bytes(make_clock(dt.date(2026, 11, 16)))})
    assert body(r.artifact("clock", None))["asof"] == "2026-11-16"  # never stale
    assert body(r.artifact("clock", head))["asof"] == "2026-11-15"


def test_korean_is_unescaped() -> None:
    store = MemoryStore()
    doc = make_clock(dt.date(2026, 11, 20))
    doc["producer"]["stage"] = "시계"
    store.commit({CLOCK: canonical_bytes(doc)})
    answer = Resolver(store, Settings(), "main").artifact("clock", None)
    assert "시계".encode() in answer.body


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (lambda r: r.artifact("nope", None), 404, "UNKNOWN_ARTIFACT"),
        (lambda r: r.artifact("clock", "HEAD~99"), 404, "UNKNOWN_REF"),
        (lambda r: r.artifact("clock", "-h"), 400, "BAD_REF"),
        (lambda r: r.artifact("prices", None), 400, "KEY_REQUIRED"),
        (lambda r: r.artifact("prices", None, "2020/2020-01"), 200, "ARTIFACT_ABSENT"),
        (lambda r: r.route_artifact("never_registered_probe", None, "x"), 200, "NOT_REGISTERED"),
        (lambda r: r.history("clock", None, None, 5, "bad"), 400, "BAD_CURSOR"),
        (lambda r: r.diff("clock", "nope", None, None), 404, "UNKNOWN_REF"),
    ],
)
def test_error_and_no_data_codes(mem: MemoryStore, call: Any, status: int, code: str) -> None:
    answer = call(Resolver(mem, Settings(), "main"))
    doc = body(answer)
    assert (answer.status_code, doc["error"]["code"]) == (status, code)
    assert doc["status"] == ("no_data" if status == 200 else "error")


def test_unborn_branch_is_no_data() -> None:
    doc = body(Resolver(MemoryStore(), Settings(), "main").artifact("clock", None))
    assert doc["status"] == "no_data" and doc["error"]["code"] == "NO_COMMITS"


def test_history_and_diff(mem: MemoryStore) -> None:
    r = Resolver(mem, Settings(), "main")
    page = body(r.history("clock", None, None, 4, None))
    assert [row["subject"] for row in page["rows"]] == ["c5", "c4", "c3", "c2"]
    rest = body(r.history("clock", None, None, 4, page["next_cursor"]))
    assert [row["subject"] for row in rest["rows"]] == ["c1", "c0"] and rest["next_cursor"] is None
    diff = body(r.diff("clock", "HEAD~1", None, None))
    assert {c["pointer"] for c in diff["rows"]} == {"/asof", "/generated_at"}


def test_health_is_pure_over_the_store(mem: MemoryStore) -> None:
    now = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    doc = body(Resolver(mem, Settings(), "main").health(now))
    row = doc["rows"][0]
    assert row["today"] == "2026-11-17" and row["repo"]["commit"] == mem.resolve_name("main")
    clock = next(s for s in row["stages"] if s["stage"] == "clock")
    assert (clock["asof"], clock["age_trading_days"]) == (
        "2026-11-15",
        2,
    )  # Sun 15 -> Mon 16, Tue 17
    assert row["daily_ops"]["exit_code"] is None and row["daily_ops"]["reason"]


def test_health_survives_a_broken_calendar_file(mem: MemoryStore) -> None:
    mem.commit({"config/krx_closures.yaml": b"closures: [{date: nope}]\n"})
    now = dt.datetime(2026, 11, 17, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    answer = Resolver(mem, Settings(), "main").health(now)
    clock = next(s for s in body(answer)["rows"][0]["stages"] if s["stage"] == "clock")
    assert answer.status_code == 200 and clock["age_trading_days"] is None
    assert clock["reason"].startswith("calendar:")


class _Exploding(Envelope_):
    schema_id: Literal["exploding/v1"] = Field("exploding/v1", alias="schema")

    @field_validator("asof")
    @classmethod
    def _boom(cls, value: dt.date) -> dt.date:
        raise RuntimeError("validator bug")


def test_a_validator_crash_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = registry.ArtifactSpec(
        name="exploding",
        version=1,
        path="x/exploding.json",
        owner=Owner.PC,
        kind=ArtifactKind.JSON,
        stage="test",
        description="test-only artifact whose model raises",
        model=_Exploding,
    )
    arts = (*registry.ARTIFACTS, spec)
    monkeypatch.setattr(registry, "ARTIFACTS", arts)
    monkeypatch.setattr(registry, "_BY_NAME", {a.name: a for a in arts})
    store = MemoryStore()
    doc = {**make_clock(dt.date(2026, 11, 20)), "schema": "exploding/v1"}
    store.commit({"x/exploding.json": canonical_bytes(doc)})
    answer = Resolver(store, Settings(), "main").artifact("exploding", None)
    got = body(answer)
    assert answer.status_code == 200 and got["status"] == "invalid" and got["valid"] is False
    assert "validator failed: RuntimeError" in got["validation_errors"][0]["message"]
    assert got["rows"] == [doc]


@pytest.mark.parametrize("spec", registry.ARTIFACTS, ids=lambda s: s.name)
def test_write_hints_name_real_commands(spec: registry.ArtifactSpec) -> None:
    from ops_api.answer import write_hint
    from pipeline.flows import DVC_STAGES, WRITER_COMMANDS

    hint = write_hint(spec)
    commands = {f"krx stage {s}" for s in DVC_STAGES} | set(WRITER_COMMANDS.values())
    assert hint in commands
    if spec.stage in DVC_STAGES:
        assert hint == f"krx stage {spec.stage}"
    else:
        assert hint == WRITER_COMMANDS[spec.stage]
