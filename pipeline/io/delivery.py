"""Deliver the daily message: console by default, Telegram only when everything allows it.

At most once per (plan, session): the send ledger (``send_ledger``) records every intent durably
before the request leaves and its outcome after; a key already SENT, or whose outcome is unknown
(a crash after the send, a timeout), is never sent again — other plans in between do not matter.
A ledger that exists but cannot be read suppresses the real send (fail closed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import registry
from pipeline.artifacts.legacy import upgrade_delivery_key
from pipeline.artifacts.live import SendAttempt, SendIntent, SendLedgerV1
from pipeline.canonical import sha256_hex
from pipeline.core.cycle import OUTCOME_UNKNOWN_TEXT, send_decision, sent_message_id, with_intent
from pipeline.core.safety import SafetyState
from pipeline.enums import DeliveryChannel, DeliveryStatus, SendOutcome
from pipeline.errors import RetryableError
from pipeline.io import server_state as st
from pipeline.io.context import now_seoul, producer
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


def read_intents(root: Path) -> tuple[SendIntent, ...] | None:
    """The send ledger's intents; () if there is none yet, None if it cannot be read."""
    if not (root / registry.get("send_ledger").path).exists():
        return ()
    ledger = st.read_valid(root, "send_ledger", SendLedgerV1)
    if ledger is None:
        return None
    # Keys written before the NO_BUNDLE -> BUNDLE_MISSING rename read in today's spelling: a
    # rerun on the deploy day finds the block it already sent and does not send it twice. Every
    # write goes through this read, so one ledger never holds both spellings of one key.
    return tuple(
        i.model_copy(update={"delivery_key": upgrade_delivery_key(i.delivery_key)})
        for i in ledger.intents
    )


def _record(root: Path, session: dt.date, intents: tuple[SendIntent, ...]) -> None:
    """Write the ledger and fsync its folder: the record survives a crash right after."""
    ledger = SendLedgerV1(
        asof=session,
        generated_at=now_seoul(),
        producer=producer("live_cycle", root),
        inputs=(),
        intents=intents,
    )
    path = st.write(root, "send_ledger", ledger)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def deliver(
    root: Path,
    key: str,
    text: str,
    safety: SafetyState,
    live: LiveParams,
    sleep: Callable[[float], None] = time.sleep,
    *,
    session: dt.date | None = None,
    plan_id: str | None = None,
) -> Delivery:
    """Send or print ``text`` for idempotency key ``key``: at most once per key, ever.

    The intent is recorded (fsync) before the request leaves; an intent whose outcome was never
    recorded (a crash) or is unknown (a timeout) is never sent again (rules in core.cycle).
    """
    day = session or dt.date.fromisoformat(key.split(":", 1)[0])
    intents = read_intents(root)
    if intents == () and not (root / registry.get("send_ledger").path).exists():
        _record(root, day, ())  # a declared DVC output: present from the first run on
    cfg = config_from_env(live)
    allowed = safety.real_send_allowed(cfg is not None) and intents is not None
    known = intents or ()
    verdict = send_decision(known, key)
    if verdict is DeliveryStatus.DUPLICATE_SKIPPED:
        mid = sent_message_id(known, key)
        print(f"delivery {key}: already sent (message {mid}); not sent again")
        return Delivery(allowed, DeliveryChannel.TELEGRAM, verdict, mid, ())
    if verdict is DeliveryStatus.OUTCOME_UNKNOWN and allowed:
        _console(text, f"{OUTCOME_UNKNOWN_TEXT}: an earlier send of {key} may have arrived")
        return Delivery(True, DeliveryChannel.CONSOLE_SIMULATED, verdict, None, ())
    if not allowed or cfg is None:
        why = "send ledger unreadable" if intents is None else "real send not allowed"
        _console(text, why)
        return Delivery(
            False, DeliveryChannel.CONSOLE_SIMULATED, DeliveryStatus.SIMULATED, None, ()
        )
    intent = SendIntent(
        delivery_key=key,
        session=day,
        plan_id=plan_id,
        message_sha256=sha256_hex(text.encode("utf-8")),
        intent_at=now_seoul(),
        outcome=SendOutcome.PENDING,
        outcome_at=None,
        telegram_message_id=None,
    )
    _record(root, day, with_intent(known, intent))  # durable BEFORE the request leaves
    outcome = send_message(cfg, text, sleep)
    if outcome.ok:
        result = SendOutcome.SENT
    else:
        result = SendOutcome.UNKNOWN if outcome.maybe_arrived else SendOutcome.NOT_SENT
    done = intent.model_copy(
        update={
            "outcome": result,
            "outcome_at": now_seoul(),
            "telegram_message_id": outcome.message_id,
        }
    )
    _record(root, day, with_intent(known, done))
    if outcome.ok:
        print(f"delivery {key}: sent to Telegram (message {outcome.message_id})")
        return Delivery(
            True,
            DeliveryChannel.TELEGRAM,
            DeliveryStatus.SENT,
            outcome.message_id,
            outcome.attempts,
        )
    if result is SendOutcome.UNKNOWN:
        _console(text, f"{OUTCOME_UNKNOWN_TEXT}: Telegram did not answer; not resent")
        return Delivery(
            True,
            DeliveryChannel.CONSOLE_SIMULATED,
            DeliveryStatus.OUTCOME_UNKNOWN,
            None,
            outcome.attempts,
        )
    _console(text, "Telegram send failed; fallback")
    return Delivery(
        True, DeliveryChannel.CONSOLE_SIMULATED, DeliveryStatus.FALLBACK, None, outcome.attempts
    )
