"""Factories for resolver tests: valid artifacts (the git repositories are
``tests.support.gitrepo.GitRepo``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pipeline.registry import get

SEOUL = dt.timezone(dt.timedelta(hours=9))


def make_clock(asof: dt.date, seq: int = 0) -> dict[str, Any]:
    """A valid ``clock/v1`` artifact; ``seq`` varies generated_at so versions differ."""
    doc = {
        "schema": "clock/v1",
        "asof": asof.isoformat(),
        "generated_at": (
            dt.datetime.combine(asof, dt.time(16, 0), SEOUL) + dt.timedelta(seconds=seq)
        ).isoformat(),
        "producer": {"stage": "clock", "host": "PC", "code_sha": None},
        "params_sha256": None,
        "inputs": [],
    }
    _check("clock", doc)
    return doc


def _check(name: str, doc: dict[str, Any]) -> None:
    """Fail early (in the factory, not in the resolver under test) if the model moved on."""
    spec = get(name)
    assert spec.model is not None
    spec.model.model_validate(doc)


def make_prices_meta(asof: dt.date, seq: int = 0, months: int = 75) -> dict[str, Any]:
    """A valid ``prices_meta/v1`` artifact; 75 months of partitions make a 20 KB file."""
    partitions = []
    day = dt.date(2020, 1, 2)
    for i in range(months):
        y, m = 2020 + (i // 12), i % 12 + 1
        partitions.append(
            {
                "key": f"{y}/{y}-{m:02d}",
                "path": f"data/prices/{y}/{y}-{m:02d}.parquet",
                "rows": 20 + seq % 3,
                "first_date": dt.date(y, m, 1).isoformat(),
                "last_date": dt.date(y, m, 28).isoformat(),
                "sha256": f"{(i * 7919 + seq) % 16**8:08x}" * 8,
            }
        )
    bars = sum(p["rows"] for p in partitions)
    doc = {
        "schema": "prices_meta/v1",
        "asof": asof.isoformat(),
        "generated_at": dt.datetime.combine(asof, dt.time(16, 0), SEOUL).isoformat(),
        "producer": {"stage": "ingest", "host": "PC", "code_sha": None},
        "params_sha256": None,
        "inputs": [],
        "source": "sample",
        "synthetic": True,
        "source_note": f"합성 표본 데이터 (seq {seq})",
        "first_date": day.isoformat(),
        "last_date": asof.isoformat(),
        "bars": bars,
        "universe": [
            {
                "ticker": "069500",
                "name": "KODEX 200",
                "type": "ETF",
                "first_date": day.isoformat(),
                "last_date": asof.isoformat(),
                "bars": bars,
            }
        ],
        "partitions": partitions,
    }
    _check("prices_meta", doc)
    return doc


def loads(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8"))
