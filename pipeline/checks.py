"""Cross-field rules per schema id, beyond what the JSON Schema can say (STYLE §7).

Each ``_check_*`` takes the parsed model and yields ``(json_pointer, message)`` pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.prices import PricesMetaV1
from pipeline.checks_server import SERVER_CHECKS

Finding = tuple[str, str]
Check = Callable[[Envelope], Iterator[Finding]]


def _check_prices_meta(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, PricesMetaV1)
    if doc.first_date > doc.last_date:
        yield "/first_date", "first_date is after last_date"
    if doc.synthetic != (doc.source.value == "sample"):
        yield "/synthetic", "synthetic must be true exactly when source is 'sample'"
    total = sum(u.bars for u in doc.universe)
    if total != doc.bars:
        yield "/bars", f"bars={doc.bars} but the universe entries sum to {total}"
    if sum(p.rows for p in doc.partitions) != doc.bars:
        yield "/partitions", "partition rows do not add up to bars"
    keys = [p.key for p in doc.partitions]
    if keys != sorted(set(keys)):
        yield "/partitions", "partition keys must be unique and sorted"


CHECKS: dict[str, list[Check]] = {
    "prices_meta/v1": [_check_prices_meta],
    **SERVER_CHECKS,
}


def run_checks(doc: Envelope) -> list[Finding]:
    out: list[Finding] = []
    for check in CHECKS.get(doc.schema_id, []):
        out.extend(check(doc))
    return out
