"""Telegram Bot API ``sendMessage`` with timeouts and bounded retries; it never raises.

The token is part of the request URL, so nothing here ever logs or returns a URL, a request or
an exception text: attempts are recorded as status codes and ENUM error kinds only, and httpx's
own request logging is silenced.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.artifacts.live import SendAttempt
from pipeline.enums import SendError
from pipeline.io.tls import client_context
from pipeline.params import LiveParams

if TYPE_CHECKING:  # httpx (~0.1 s to import) only when a message is really sent
    import httpx

DEFAULT_API_BASE = "https://api.telegram.org"
ENV_TOKEN = "KRX_TELEGRAM_TOKEN"
ENV_CHAT = "KRX_TELEGRAM_CHAT_ID"
ENV_BASE = "KRX_TELEGRAM_API_BASE"
#: Explicit proxy URL, if the server needs one (the process environment's proxies are ignored
#: so a stray HTTP(S)_PROXY never sees the token-bearing URL).
ENV_PROXY = "KRX_TELEGRAM_PROXY"


@dataclass(frozen=True)
class TelegramConfig:
    base_url: str
    token: str
    chat_id: str
    timeout_s: float
    max_attempts: int
    backoff_s: float
    max_retry_after_s: float
    proxy: str | None = None

    def __repr__(self) -> str:  # never show the token, even in a traceback
        return f"TelegramConfig(base_url={self.base_url!r}, chat_id=***, token=***)"


def config_from_env(
    live: LiveParams, environ: Mapping[str, str] | None = None
) -> TelegramConfig | None:
    """The sender's config, or None if the token or chat id is not in the environment."""
    env = os.environ if environ is None else environ
    token = env.get(ENV_TOKEN, "").strip()
    chat = env.get(ENV_CHAT, "").strip()
    if not token or not chat:
        return None
    return TelegramConfig(
        base_url=env.get(ENV_BASE, DEFAULT_API_BASE).rstrip("/"),
        token=token,
        chat_id=chat,
        timeout_s=live.telegram_timeout_s,
        max_attempts=live.telegram_max_attempts,
        backoff_s=live.telegram_backoff_s,
        max_retry_after_s=live.telegram_max_retry_after_s,
        proxy=env.get(ENV_PROXY, "").strip() or None,
    )


#: Failures after which the message may have arrived (a 200 we could not read included).
MAYBE_ARRIVED = frozenset({SendError.TIMEOUT, SendError.NO_ANSWER, SendError.BAD_RESPONSE})


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    message_id: int | None
    attempts: tuple[SendAttempt, ...]

    @property
    def maybe_arrived(self) -> bool:
        """Not confirmed, but the last request may have reached Telegram: never resend."""
        return not self.ok and bool(self.attempts) and self.attempts[-1].error in MAYBE_ARRIVED


def _retry_after(resp: httpx.Response) -> float | None:
    try:
        value = resp.json().get("parameters", {}).get("retry_after")
        if isinstance(value, int | float):
            return float(value)
    except (ValueError, AttributeError):
        pass
    try:
        return float(resp.headers["retry-after"])
    except (KeyError, ValueError):
        return None


def _one(
    client: httpx.Client, cfg: TelegramConfig, text: str, n: int
) -> tuple[SendAttempt, int | None, float | None]:
    """One attempt: (record, message_id if sent, seconds to wait before a retry or None)."""
    import httpx

    url = f"{cfg.base_url}/bot{cfg.token}/sendMessage"
    body = {"chat_id": cfg.chat_id, "text": text, "disable_web_page_preview": True}
    backoff = cfg.backoff_s * 2 ** (n - 1)
    try:
        resp = client.post(url, json=body)
    except (httpx.ConnectTimeout, httpx.ConnectError, httpx.PoolTimeout):
        # The request never left: retrying cannot send it twice.
        return (
            SendAttempt(n=n, http_status=None, error=SendError.CONNECT, retry_after_s=None),
            None,
            backoff,
        )
    except httpx.TimeoutException:
        # The request left and may have arrived: never retried (at most once).
        return (
            SendAttempt(n=n, http_status=None, error=SendError.TIMEOUT, retry_after_s=None),
            None,
            None,
        )
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
        return (
            SendAttempt(n=n, http_status=None, error=SendError.NO_ANSWER, retry_after_s=None),
            None,
            None,
        )
    except httpx.HTTPError:
        return (
            SendAttempt(n=n, http_status=None, error=SendError.CONNECT, retry_after_s=None),
            None,
            backoff,
        )
    code = resp.status_code
    if code == 429:
        after = _retry_after(resp)
        wait = after if after is not None else backoff
        retry = wait if wait <= cfg.max_retry_after_s else None
        return (
            SendAttempt(n=n, http_status=code, error=SendError.RATE_LIMITED, retry_after_s=after),
            None,
            retry,
        )
    if code >= 500:
        return (
            SendAttempt(n=n, http_status=code, error=SendError.SERVER_ERROR, retry_after_s=None),
            None,
            backoff,
        )
    if code != 200:
        return (
            SendAttempt(n=n, http_status=code, error=SendError.CLIENT_ERROR, retry_after_s=None),
            None,
            None,
        )
    try:
        data = resp.json()
        message_id = int(data["result"]["message_id"]) if data.get("ok") is True else None
    except (ValueError, KeyError, TypeError, AttributeError):
        message_id = None
    if message_id is None:
        return (
            SendAttempt(n=n, http_status=code, error=SendError.BAD_RESPONSE, retry_after_s=None),
            None,
            None,
        )
    return SendAttempt(n=n, http_status=code, error=None, retry_after_s=None), message_id, None


def send_message(
    cfg: TelegramConfig, text: str, sleep: Callable[[float], None] = time.sleep
) -> SendOutcome:
    """Send ``text``; retry connection errors, 429 and 5xx up to ``max_attempts``.

    Never retried: a timeout or a lost connection after the request left, or a 200 we cannot
    read (the message may have arrived; the caller records an unknown outcome).
    """
    import httpx

    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)  # their INFO lines carry the URL
    attempts: list[SendAttempt] = []
    timeout = httpx.Timeout(cfg.timeout_s)
    with httpx.Client(
        verify=client_context(),
        timeout=timeout,
        trust_env=False,
        follow_redirects=False,
        proxy=cfg.proxy,
    ) as client:
        for n in range(1, cfg.max_attempts + 1):
            attempt, message_id, wait = _one(client, cfg, text, n)
            attempts.append(attempt)
            if message_id is not None:
                return SendOutcome(True, message_id, tuple(attempts))
            if wait is None or n == cfg.max_attempts:
                break
            sleep(wait)
    return SendOutcome(False, None, tuple(attempts))
