"""An ssh local forward to the server's resolver, kept up by a reconnect loop with backoff.

``ssh -N -L 127.0.0.1:LOCAL:127.0.0.1:REMOTE HOST`` with keep-alives (a dead link is noticed in
``ServerAliveInterval * ServerAliveCountMax`` seconds), ``ExitOnForwardFailure`` (no "connected"
ssh without its forward) and ``BatchMode`` (never a password prompt in a service). When ssh
exits for any reason the loop starts it again after 1, 2, 4 ... ``max_backoff`` seconds; a run
that stayed up for ``STABLE_SECONDS`` resets the delay. Errors that a retry cannot fix (unknown
host, key refused, host key mismatch, local port taken, bad option) stop the loop (exit 1).
The rules are pure, in ``pipeline.core.tunnel``.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from types import FrameType

from pipeline.core.tunnel import TunnelSpec, check_spec, fatal_reason, next_delay, ssh_argv
from pipeline.errors import OperatorError


def port_open(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def health(url: str, timeout: float = 5.0) -> str:
    """One line on the resolver behind the tunnel (for the log; never raises)."""
    try:
        with urllib.request.urlopen(f"{url}/api/ops/health", timeout=timeout) as resp:
            return f"resolver answered HTTP {resp.status}"
    except urllib.error.HTTPError as err:
        return f"resolver answered HTTP {err.code}"
    except (urllib.error.URLError, OSError) as err:
        return f"resolver not answering yet ({getattr(err, 'reason', err)})"


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.stderr.read() if proc.stderr is not None else ""


def _connect(spec: TunnelSpec, log: Callable[[str], None]) -> tuple[int, str, float]:
    """Run one ssh until it exits: (exit code, its stderr, seconds the forward was up)."""
    proc = subprocess.Popen(
        ssh_argv(spec), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
    )  # fmt: skip
    up_since: float | None = None
    try:
        while proc.poll() is None:
            if up_since is None and port_open(spec.local_port):
                up_since = time.monotonic()
                target = f"{spec.host}:127.0.0.1:{spec.remote_port}"
                log(f"up: {spec.url} -> {target}; {health(spec.url)}")
            time.sleep(0.2)
    finally:
        stderr = _stop(proc)
    uptime = 0.0 if up_since is None else time.monotonic() - up_since
    return proc.returncode, stderr, uptime


def run_tunnel(
    spec: TunnelSpec,
    log: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int | None = None,
) -> None:
    """Keep the forward up until Ctrl-C / SIGTERM (returns) or a fatal ssh error (raises).

    ``attempts`` bounds the number of ssh runs (tests); None = forever.
    """
    check_spec(spec)
    say = log or (lambda line: print(f"tunnel: {line}", file=sys.stderr, flush=True))
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt)  # systemd stop = Ctrl-C
    # Ctrl-C stops the tunnel even where it was started with SIGINT ignored (a background job
    # of a non-interactive shell, ``nohup``): Python keeps an inherited SIG_IGN otherwise.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    delay = 0.5
    count = 0
    try:
        while attempts is None or count < attempts:
            count += 1
            say(f"connecting: {' '.join(ssh_argv(spec))}")
            code, stderr, uptime = _connect(spec, say)
            reason = fatal_reason(stderr)
            if reason is not None:
                raise OperatorError(f"ssh to {spec.host} failed: {reason} (fix it; not retrying)")
            last = (stderr.strip().splitlines() or [f"exit {code}"])[-1]
            delay = next_delay(delay, uptime, spec.max_backoff)
            say(
                f"ssh exited {code} after {uptime:.0f} s up ({last}); reconnecting in {delay:.0f} s"
            )
            sleep(delay)
    except KeyboardInterrupt:
        say("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)
