"""Cross-field rules per schema id, beyond what the JSON Schema can say (STYLE §7).

Each ``_check_*`` takes the parsed model and yields ``(json_pointer, message)`` pairs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from pipeline.artifacts.bundle import StrategyBundleV1, bundle_integrity
from pipeline.artifacts.envelope import Envelope
from pipeline.artifacts.prices import PricesMetaV1
from pipeline.artifacts.reports import MACHINE_REPORT_MAX_CHARS, PushPreviewV1
from pipeline.canonical import canonical_bytes
from pipeline.core.checks.server import SERVER_CHECKS
from pipeline.core.checks.sweep import SWEEP_CHECKS
from pipeline.enums import DayState, Regime

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


#: Float slack on weight sums (weights are sums of float products).
_EPS = 1e-9


def _check_strategy_bundle(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, StrategyBundleV1)
    data = json.loads(canonical_bytes(doc.model_dump(mode="json", by_alias=True)))
    if bundle_integrity(data) != doc.integrity_sha256:
        yield "/integrity_sha256", "does not match the document (edited after it was written?)"
    total = sum(t.weight for t in doc.target_weights)
    if total > 1.0 + _EPS:
        yield "/target_weights", f"weights sum to {total}, above 1"
    if abs(doc.cash_weight - max(0.0, 1.0 - total)) > _EPS:
        yield "/cash_weight", f"cash_weight {doc.cash_weight} != 1 - sum of weights {1 - total}"
    tickers = [t.ticker for t in doc.target_weights]
    if tickers != sorted(set(tickers)):
        yield "/target_weights", "tickers must be unique and sorted"
    if any(t.weight <= 0 for t in doc.target_weights):
        yield "/target_weights", "list only positive weights"
    if doc.exposure == 0.0 and total > 0.0:
        yield (
            "/target_weights",
            f"exposure is 0 in {doc.day_state.value} but weights sum to {total}",
        )
    if total > doc.exposure + _EPS:
        yield "/target_weights", f"weights sum {total} above exposure {doc.exposure}"
    by_signal = {s.ticker: s.weight for s in doc.signals if s.weight > 0}
    if by_signal != {t.ticker: t.weight for t in doc.target_weights}:
        yield "/signals", "signal weights differ from target_weights"
    if not doc.asof < doc.valid_from <= doc.valid_until:
        yield "/valid_until", "need asof < valid_from <= valid_until"
    if (doc.day_state is DayState.WARMUP) != (doc.regime is Regime.WARMUP):
        yield "/regime", "WARMUP day state and WARMUP regime go together"
    if doc.synthetic_data != (doc.data_source.value == "sample"):
        yield "/synthetic_data", "synthetic_data must be true exactly when data_source is 'sample'"


CHECKS: dict[str, list[Check]] = {
    "prices_meta/v1": [_check_prices_meta],
    "strategy_bundle/v1": [_check_strategy_bundle],
    **SERVER_CHECKS,
    **SWEEP_CHECKS,
}


def run_checks(doc: Envelope) -> list[Finding]:
    out: list[Finding] = []
    for check in CHECKS.get(doc.schema_id, []):
        out.extend(check(doc))
    return out


_TOKEN = re.compile(r"\b\d{6,}:[A-Za-z0-9_-]{30,}\b")  # Telegram bot token shape
_PATH = re.compile(r"(^|\s)(/[\w.-]+){2,}|[A-Za-z]:\\\\")


def _check_machine_report(doc: Envelope) -> Iterator[Finding]:
    size = len(canonical_bytes(doc.model_dump(mode="json", by_alias=True)).decode("utf-8"))
    if size > MACHINE_REPORT_MAX_CHARS:
        yield "", f"machine report is {size} characters, above {MACHINE_REPORT_MAX_CHARS}"


def _check_push_preview(doc: Envelope) -> Iterator[Finding]:
    assert isinstance(doc, PushPreviewV1)
    for field in ("title", "body", "message_text"):
        text = getattr(doc, field)
        if _TOKEN.search(text):
            yield f"/{field}", "looks like it contains a secret token"
        if _PATH.search(text):
            yield f"/{field}", "contains a file path"


CHECKS["machine_report/v1"] = [_check_machine_report]
CHECKS["push_preview/v1"] = [_check_push_preview]
