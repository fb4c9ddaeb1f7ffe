"""Deliver the daily message: console by default, Telegram only when everything allows it.

Idempotent per (plan, day): if the last delivery record has the same key and was really sent,
nothing is sent again. A record that exists but cannot be read suppresses the real send (we
cannot tell whether it was already sent: fail closed).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.live import DeliveryRecordV1, SendAttempt
from pipeline.core.cycle import should_skip_send
from pipeline.core.safety import SafetyState
from pipeline.enums import DeliveryChannel, DeliveryStatus
from pipeline.errors import RetryableError
from pipeline.io import server_state as st
from pipeline.io.telegram import config_from_env, send_message
from pipeline.params import LiveParams


def lock_path(root: Path) -> Path:
    """A per-checkout lock file outside the working tree (nothing to ignore or commit)."""
    tag = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"krx-delivery-{tag}.lock"


@contextlib.contextmanager
def delivery_lock(root: Path, wait_s: float) -> Iterator[None]:
    """Hold while reading the last record, sending and writing the new record: two live
    cycles started at once (cron and a manual run) can never both send."""
    with lock_path(root).open("a") as fh:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RetryableError("another live cycle is delivering; try again") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@dataclass(frozen=True)
class Delivery:
    allowed: bool
    actual: DeliveryChannel
    status: DeliveryStatus
    message_id: int | None
    attempts: tuple[SendAttempt, ...]


def _console(text: str, why: str) -> None:
    print(f"----- {DeliveryChannel.CONSOLE_SIMULATED.value} ({why}) -----")
    print(text, end="")
    print("-----")


def deliver(
    root: Path,
    key: str,
    text: str,
    safety: SafetyState,
    live: LiveParams,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send or print ``text`` for idempotency key ``key``; never raises on a send failure."""
    present = (root / registry.get("delivery_record").path).exists()
    prev = st.read_valid(root, "delivery_record", DeliveryRecordV1)
    cfg = config_from_env(live)
    allowed = safety.real_send_allowed(cfg is not None) and not (present and prev is None)
    if prev is not None and should_skip_send(prev.delivery_key, prev.status, key):
        print(f"delivery {key}: already sent (message {prev.telegram_message_id}); not sent again")
        return Delivery(
            allowed,
            DeliveryChannel.TELEGRAM,
            DeliveryStatus.DUPLICATE_SKIPPED,
            prev.telegram_message_id,
            (),
        )
    if not allowed or cfg is None:
        _console(text, "real send not allowed")
        return Delivery(
            False, DeliveryChannel.CONSOLE_SIMULATED, DeliveryStatus.SIMULATED, None, ()
        )
    outcome = send_message(cfg, text, sleep)
    if outcome.ok:
        print(f"delivery {key}: sent to Telegram (message {outcome.message_id})")
        return Delivery(
            True,
            DeliveryChannel.TELEGRAM,
            DeliveryStatus.SENT,
            outcome.message_id,
            outcome.attempts,
        )
    _console(text, "Telegram send failed; fallback")
    return Delivery(
        True, DeliveryChannel.CONSOLE_SIMULATED, DeliveryStatus.FALLBACK, None, outcome.attempts
    )
