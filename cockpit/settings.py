"""Where the cockpit reads from and who is operating it (environment, then the sidebar)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Resolver calls must never block the page: connect/read timeout per request, seconds.
DEFAULT_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Settings:
    """``api_url`` None: read the local repo; else read server artifacts from the resolver."""

    repo: Path
    api_url: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    operator: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        """``KRX_COCKPIT_REPO`` (default .), ``KRX_COCKPIT_API``, ``KRX_COCKPIT_TIMEOUT``,
        ``KRX_OPERATOR``."""
        raw_timeout = os.environ.get("KRX_COCKPIT_TIMEOUT", "")
        try:
            timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_S
        except ValueError:
            timeout = DEFAULT_TIMEOUT_S
        return cls(
            repo=Path(os.environ.get("KRX_COCKPIT_REPO", ".")).resolve(),
            api_url=os.environ.get("KRX_COCKPIT_API", "").strip() or None,
            timeout_s=timeout,
            operator=os.environ.get("KRX_OPERATOR", "").strip(),
        )
