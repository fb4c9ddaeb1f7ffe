"""Dead-man's switch: ping a heartbeat URL in the healthchecks.io convention; never fails a run.

``<url>/start`` when a run starts, ``<url>`` on success, ``<url>/fail`` or ``<url>/<exit code>``
when it ends otherwise. A monitor off the server (healthchecks.io, a self-hosted one, anything
speaking the convention) then notices a run that never started or never finished. The URL comes
from ``KRX_HEARTBEAT_URL`` (unset: no ping). Bounded timeout, one attempt, no exception ever: a
monitor that is down must not turn a good run into a failed one.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import httpx

ENV_URL = "KRX_HEARTBEAT_URL"
DEFAULT_TIMEOUT_S = 5.0
#: Body sent with a ping (healthchecks.io stores the first 100 kB; we send a short log tail).
MAX_BODY = 10_000


class Ping(StrEnum):
    START = "start"
    SUCCESS = "success"
    FAIL = "fail"


@dataclass(frozen=True)
class PingResult:
    sent: bool  # the monitor answered 2xx
    url: str | None  # the URL pinged (None: no heartbeat configured)
    detail: str  # for the log: "HTTP 200", "timeout", "not configured", ...


def heartbeat_url(env: dict[str, str] | None = None) -> str | None:
    """The configured heartbeat base URL (http/https), or None."""
    value = (env if env is not None else dict(os.environ)).get(ENV_URL, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return value.rstrip("/")


def ping_url(base: str, what: Ping | int) -> str:
    """The healthchecks.io URL for ``what``: start, success, fail, or an exit code (0-255)."""
    if what is Ping.START:
        return f"{base}/start"
    if what is Ping.SUCCESS:
        return base
    if what is Ping.FAIL:
        return f"{base}/fail"
    code = int(what)
    return base if code == 0 else f"{base}/{max(0, min(code, 255))}"


def ping(
    what: Ping | int,
    base: str | None = None,
    body: str = "",
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> PingResult:
    """Ping the heartbeat (``base`` or ``KRX_HEARTBEAT_URL``); never raises, one attempt."""
    base = base if base is not None else heartbeat_url()
    if base is None:
        return PingResult(False, None, "not configured")
    url = ping_url(base.rstrip("/"), what)
    for name in ("httpx", "httpcore"):  # their INFO lines carry the URL (it is a secret)
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with httpx.Client(timeout=timeout_s, trust_env=False, follow_redirects=True) as client:
            resp = client.post(url, content=body.encode("utf-8")[-MAX_BODY:])
    except httpx.TimeoutException:
        return PingResult(False, url, "timeout")
    except (httpx.HTTPError, ValueError, OSError) as err:
        return PingResult(False, url, f"not reachable ({type(err).__name__})")
    return PingResult(200 <= resp.status_code < 300, url, f"HTTP {resp.status_code}")
