"""The server run's dead-man's switch: ping a heartbeat URL (healthchecks.io convention).

A run that never starts (machine off, timer disabled, crash before Python) cannot alert anyone
itself; a monitor *off* the server that expects a ping every session can. The convention is
healthchecks.io's Pinging API (https://healthchecks.io/docs/http_api/, "Signaling failures":
https://healthchecks.io/docs/signaling_failures/), which self-hosted Healthchecks and several
other monitors share:

- ``<url>/start`` when the run starts (the monitor then also measures the run's duration and
  notices a run that started but never finished);
- ``<url>`` on success (exit 0);
- ``<url>/<exit-status>`` on failure: healthchecks.io takes ``/fail`` or a 0-255 exit status
  (non-zero is a failure); we send the exit code so BLOCKED (2) and FAULT (3) stay apart in the
  monitor's log.

A heartbeat never fails the run: every error (refused, timeout, an HTTP error status, a bad URL)
is caught; :func:`ping` returns whether the monitor acknowledged it (a 2xx answer). Bounded:
``attempts`` tries of ``timeout_s`` each (connect, read and write; default 2 x 5 s) and a fixed
short pause between them. No proxy from the environment (``trust_env=False``), no redirects.
The URL carries a secret (a check's UUID or a ping key): only its scheme and host are ever
logged. The caller reads ``KRX_HEARTBEAT_URL`` and passes it in (``None`` or empty: no ping).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

import httpx

from pipeline.io.tls import client_context

Event = Literal["start", "success", "fail"]

#: Default timeout of one attempt, and attempts per ping: at most ~10.5 s per event.
TIMEOUT_S = 5.0
ATTEMPTS = 2
RETRY_PAUSE_S = 0.5
USER_AGENT = "krx-alertor-heartbeat"


def _print(line: str) -> None:
    print(line, flush=True)


def redact(url: str) -> str:
    """Scheme and host (with port) only: the path and query carry the check's secret."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    return f"{parts.scheme or '?'}://{host}{port}/…"


def ping_url(url: str, event: Event, exit_code: int | None = None) -> str:
    """The URL for one event: ``<url>/start``, ``<url>`` or ``<url>/<exit code>``."""
    base = url.strip().rstrip("/")
    if event == "start":
        return f"{base}/start"
    if event == "success":
        return base
    code = 1 if exit_code is None else exit_code
    return f"{base}/{code}" if 0 < code <= 255 else f"{base}/fail"


def ping(
    url: str | None,
    event: Event,
    exit_code: int | None = None,
    timeout_s: float = TIMEOUT_S,
    attempts: int = ATTEMPTS,
    log: Callable[[str], None] = _print,
) -> bool:
    """Ping the heartbeat monitor; True when it answered 2xx. Never raises.

    ``event="fail"`` sends ``exit_code`` (1-255; anything else sends ``/fail``).
    ``url`` None or blank: heartbeat not configured, nothing is sent, returns False.
    """
    if not url or not url.strip():
        return False
    try:
        target = ping_url(url, event, exit_code)
        where = redact(target)
        if urlsplit(target).scheme not in ("http", "https"):
            log(f"heartbeat {event}: not sent: {where} is not an http(s) URL")
            return False
    except ValueError:
        log(f"heartbeat {event}: not sent: invalid URL")
        return False
    reason = "not sent"
    try:
        client = httpx.Client(
            verify=client_context(),
            timeout=httpx.Timeout(timeout_s),
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )
    except Exception as exc:  # a heartbeat never fails the run
        log(f"heartbeat {event}: not sent ({type(exc).__name__})")
        return False
    with client:
        for attempt in range(1, max(1, attempts) + 1):
            try:
                answer = client.get(target)
                if answer.is_success:
                    log(f"heartbeat {event}: delivered to {where}")
                    return True
                reason = f"HTTP {answer.status_code}"
            except httpx.TimeoutException:
                reason = f"timeout after {timeout_s:g} s"
            except httpx.HTTPError as exc:
                reason = type(exc).__name__
            except Exception as exc:  # a heartbeat never fails the run
                reason = f"unexpected {type(exc).__name__}"
            if attempt < attempts:
                time.sleep(RETRY_PAUSE_S)
    log(f"heartbeat {event}: NOT delivered to {where} ({reason}, {attempts} attempts)")
    return False
