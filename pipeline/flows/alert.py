"""Deliver a server run's alert: Telegram when the real sender may send, the console otherwise.

The text comes from ``pipeline.core.alerts``; one alert per run that ends BLOCKED or FAULT. A
failed Telegram send falls back to the console (the journal), so the alert is never lost
silently. Telegram follows the same rule as a real order message (gate, sender, stop, token):
the drill's MOCK_ONLY copy and an emergency stop keep it on the console.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from pipeline.enums import DeliveryChannel
from pipeline.errors import KrxError
from pipeline.io.safety import read_safety
from pipeline.io.telegram import config_from_env, send_message
from pipeline.params import load_params


def send_alert(
    root: Path, environ: Mapping[str, str], text: str, log: Callable[[str], None]
) -> DeliveryChannel:
    """Send ``text`` once; the channel it went to."""
    try:
        safety = read_safety(root)
        cfg = config_from_env(load_params(root).live, environ)
    except KrxError as err:  # unreadable params: the console still gets the alert
        log(f"alert: cannot read the sender's settings ({err})")
        cfg, safety = None, None
    if safety is not None and safety.real_send_allowed(cfg is not None):
        assert cfg is not None
        sent = send_message(cfg, text)
        if sent.ok:
            log(f"alert sent to Telegram (message {sent.message_id})")
            return DeliveryChannel.TELEGRAM
        log("alert: Telegram did not accept it; the console has it")
    log(text)
    return DeliveryChannel.CONSOLE_SIMULATED
