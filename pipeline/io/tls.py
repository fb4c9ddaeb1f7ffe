"""One TLS context for every HTTP client of a process.

``httpx.Client()`` builds a fresh SSL context each time, loading the system's CA bundle (about
20-300 ms); the daily run opens several clients (resolver health, resolve, Telegram, heartbeat).
"""

from __future__ import annotations

import functools
import ssl


@functools.cache
def client_context() -> ssl.SSLContext:
    """The default verifying context (system CA bundle), built once."""
    return ssl.create_default_context()
