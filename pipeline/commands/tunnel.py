"""``krx tunnel HOST``: keep the server's resolver reachable on this PC's loopback port.

Runs ``ssh -N -L`` in a reconnect loop (``pipeline.io.tunnel``) until Ctrl-C (exit 0). A bad
destination, a refused key or a taken local port exits 1. See docs/tunnel.md for running it as
a systemd user service or a Windows scheduled task.
"""

from __future__ import annotations

import argparse

from pipeline.core.tunnel import TunnelSpec
from pipeline.errors import EXIT_OK
from pipeline.io.tunnel import run_tunnel


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "tunnel",
        help="keep the server's resolver reachable on a local port (ssh -L, reconnects)",
        description="Forwards 127.0.0.1:LOCAL here to 127.0.0.1:REMOTE on HOST over ssh, "
        "reconnecting with backoff; Ctrl-C stops it (exit 0). Needs key-based ssh login.",
    )
    p.add_argument("host", help="ssh destination: user@host or an ~/.ssh/config alias")
    p.add_argument("--local-port", type=int, default=8000, help="port on this PC (8000)")
    p.add_argument("--remote-port", type=int, default=8000, help="resolver port on HOST (8000)")
    p.add_argument("-p", "--ssh-port", type=int, help="ssh port on HOST (ssh's default)")
    p.add_argument("-i", "--identity", help="private key file (ssh -i)")
    p.add_argument("-F", "--ssh-config", help="ssh configuration file (ssh -F)")
    p.add_argument(
        "-o", "--ssh-option", action="append", default=[], metavar="KEY=VALUE",
        help="extra ssh option (repeatable), e.g. -o User=ubuntu",
    )  # fmt: skip
    p.add_argument(
        "--max-backoff", type=float, default=60.0, help="longest wait between attempts, s (60)"
    )
    p.add_argument("--alive-interval", type=int, default=15, help="ServerAliveInterval, s (15)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = TunnelSpec(
        host=args.host,
        local_port=args.local_port,
        remote_port=args.remote_port,
        ssh_port=args.ssh_port,
        identity=args.identity,
        config=args.ssh_config,
        options=tuple(args.ssh_option),
        alive_interval=args.alive_interval,
        max_backoff=args.max_backoff,
    )
    run_tunnel(spec)
    return EXIT_OK
