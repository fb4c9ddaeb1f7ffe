"""The ssh tunnel's rules, pure: the command line, the backoff, which ssh errors are final.

``pipeline.io.tunnel`` runs the processes; see its docstring for the loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import OperatorError

STABLE_SECONDS = 30.0
#: ssh's stderr lines that mean "fix the configuration", not "try again later".
FATAL = (
    "Could not resolve hostname",
    "Permission denied",
    "Host key verification failed",
    "REMOTE HOST IDENTIFICATION HAS CHANGED",
    "Address already in use",
    "cannot listen to port",
    "Bad configuration option",
    "Bad local forwarding specification",
    "no argument after keyword",
    "Too many authentication failures",
    "usage: ssh",
)


@dataclass(frozen=True)
class TunnelSpec:
    """Where to forward: ``127.0.0.1:local_port`` on this machine -> ``127.0.0.1:remote_port``
    on ``host`` (an ssh destination: ``user@host``, ``host`` or an ``~/.ssh/config`` alias)."""

    host: str
    local_port: int = 8000
    remote_port: int = 8000
    ssh_port: int | None = None
    identity: str | None = None
    config: str | None = None  # ssh -F
    options: tuple[str, ...] = ()  # extra ``-o KEY=VALUE``
    alive_interval: int = 15
    alive_count: int = 3
    ssh: str = "ssh"
    max_backoff: float = 60.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.local_port}"


def check_spec(spec: TunnelSpec) -> None:
    """OperatorError (exit 1) on a destination or port ssh would misread."""
    host = spec.host
    if not host or host.startswith("-") or any(c.isspace() for c in host):
        raise OperatorError(f"bad ssh destination {host!r}: give user@host or an ssh alias")
    for name, port in (("local", spec.local_port), ("remote", spec.remote_port)):
        if not 1 <= port <= 65535:
            raise OperatorError(f"bad {name} port {port}: 1..65535")
    if spec.ssh_port is not None and not 1 <= spec.ssh_port <= 65535:
        raise OperatorError(f"bad ssh port {spec.ssh_port}: 1..65535")
    if spec.alive_interval < 1:
        raise OperatorError("--alive-interval must be at least 1 second")
    if spec.max_backoff < 1:
        raise OperatorError("--max-backoff must be at least 1 second")
    for opt in spec.options:
        if "=" not in opt or opt.startswith("-"):
            raise OperatorError(f"bad ssh option {opt!r}: give KEY=VALUE")


def ssh_argv(spec: TunnelSpec) -> list[str]:
    """The ssh command line of one connection."""
    argv = [spec.ssh, "-N", "-L", f"127.0.0.1:{spec.local_port}:127.0.0.1:{spec.remote_port}"]
    for opt in (
        f"ServerAliveInterval={spec.alive_interval}",
        f"ServerAliveCountMax={spec.alive_count}",
        "ExitOnForwardFailure=yes",
        "BatchMode=yes",
        "ConnectTimeout=10",
        *spec.options,
    ):
        argv += ["-o", opt]
    if spec.config:
        argv += ["-F", spec.config]
    if spec.identity:
        argv += ["-i", spec.identity]
    if spec.ssh_port is not None:
        argv += ["-p", str(spec.ssh_port)]
    return [*argv, "--", spec.host]


def next_delay(previous: float, uptime: float, max_backoff: float) -> float:
    """Backoff before the next attempt: doubles, capped; reset after a stable connection."""
    if uptime >= STABLE_SECONDS:
        return 1.0
    return min(max_backoff, max(1.0, previous * 2))


def fatal_reason(stderr: str) -> str | None:
    """The line of ssh's stderr that makes retrying pointless, if any."""
    for line in stderr.splitlines():
        if any(marker in line for marker in FATAL):
            return line.strip()
    return None
