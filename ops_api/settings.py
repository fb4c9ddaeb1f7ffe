"""Resolver settings: from the environment (systemd ``EnvironmentFile``) or the command line.

| variable | default | meaning |
|---|---|---|
| ``KRX_API_REPO`` | ``.`` | the git repository to serve |
| ``KRX_API_BRANCH`` | the checkout's HEAD branch | the branch "latest" means |
| ``KRX_API_HOST`` | ``127.0.0.1`` | bind address (loopback: the API is for the operator's shell) |
| ``KRX_API_PORT`` | ``8000`` | port (the runbook's one-liners use 8000) |
| ``KRX_API_CACHE_ENTRIES`` | ``1024`` | rendered responses kept (keyed by commit, so never stale) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    repo: Path = Path()
    branch: str | None = None  # None: the branch HEAD points to when the API starts
    host: str = "127.0.0.1"
    port: int = 8000
    cache_entries: int = 1024
    history_limit_max: int = 500
    history_scan_limit: int = 20_000  # commits examined per history request
    diff_limit: int = 2000  # changes listed per diff response
    fast_path: bool = True  # answer plain artifact GETs before the router (ops_api.fastpath)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        base = cls()
        try:
            port = int(env.get("KRX_API_PORT", base.port))
            cache = int(env.get("KRX_API_CACHE_ENTRIES", base.cache_entries))
        except ValueError as err:
            raise ValueError(f"KRX_API_PORT / KRX_API_CACHE_ENTRIES: {err}") from None
        return replace(
            base,
            repo=Path(env.get("KRX_API_REPO", str(base.repo))),
            branch=env.get("KRX_API_BRANCH") or None,
            host=env.get("KRX_API_HOST", base.host),
            port=port,
            cache_entries=cache,
        )
