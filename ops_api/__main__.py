"""``python -m ops_api [--repo R] [--host H] [--port P]``: serve with one uvicorn worker."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from ops_api.app import create_app
from ops_api.limits import protocol_class
from ops_api.refs import BadRefError
from ops_api.settings import Settings
from pipeline.errors import EXIT_INVALID
from pipeline.io.store import StoreError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        base = Settings.from_env()
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    p = argparse.ArgumentParser(prog="python -m ops_api", description=__doc__)
    p.add_argument("--repo", type=Path, default=base.repo, help="git repository (KRX_API_REPO)")
    p.add_argument("--branch", default=base.branch, help="served branch (KRX_API_BRANCH)")
    p.add_argument("--host", default=base.host, help="bind address (KRX_API_HOST; loopback)")
    p.add_argument("--port", type=int, default=base.port, help="port (KRX_API_PORT)")
    p.add_argument("--log-level", default="warning")
    args = p.parse_args(argv)
    settings = dataclasses.replace(
        base, repo=args.repo, branch=args.branch, host=args.host, port=args.port
    )
    try:
        app = create_app(settings)
    except (StoreError, BadRefError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    # One worker: the pygit2 repository and the caches live in this process. uvloop/httptools
    # are used when installed ("auto"), plain asyncio/h11 otherwise.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        access_log=False,
        server_header=False,
        http=protocol_class(),  # malformed requests get the JSON error envelope too
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
