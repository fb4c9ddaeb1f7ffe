"""``krx tunnel`` with real parts on loopback: OpenSSH's sshd as the server (a throwaway key pair
and config in tmp), a real uvicorn resolver, and the tunnel as a real process. The tunnel
forwards ``/api/ops/health``; when sshd dies and comes back the tunnel reconnects by itself;
Ctrl-C exits 0; a bad destination or a refused key exits 1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ops_api.app import create_app
from ops_api.settings import Settings
from pipeline.core.tunnel import TunnelSpec, fatal_reason, next_delay, ssh_argv
from tests.conftest import BASE_ENV, ROOT
from tests.support.gitrepo import GitRepo
from tests.support.net import free_port, serve

pytestmark = pytest.mark.slow
SSHD = Path("/usr/sbin/sshd")


def keygen(path: Path) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "krx-test", "-f", str(path)],
        check=True,
        timeout=30,
    )
    return path


@dataclass(frozen=True)
class SshWorld:
    """A throwaway OpenSSH server setup in tmp: its config and port, the client's key."""

    config: Path
    port: int
    client: Path
    known_hosts: Path


@pytest.fixture
def ssh_world(tmp_path: Path) -> SshWorld:
    """Host key, client key, authorized_keys, known_hosts and an sshd_config, all in tmp."""
    assert SSHD.exists(), "openssh-server is installed by `make sysdeps` (Debian package)"
    if os.geteuid() == 0:
        # sshd run by root chroots its unprivileged child there (Debian's service creates it).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    host = keygen(tmp_path / "host_key")
    client = keygen(tmp_path / "client_key")
    (tmp_path / "authorized_keys").write_text(client.with_suffix(".pub").read_text())
    port = free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {host}\n"
        f"PidFile {tmp_path / 'sshd.pid'}\nAuthorizedKeysFile {tmp_path / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "StrictModes no\nAllowTcpForwarding yes\nPermitRootLogin prohibit-password\n"
        "PermitTTY no\nX11Forwarding no\n",
        encoding="utf-8",
    )
    host_pub = host.with_suffix(".pub").read_text().split()
    (tmp_path / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    return SshWorld(config, port, client, tmp_path / "known_hosts")


@contextmanager
def sshd(world: SshWorld) -> Iterator[subprocess.Popen[bytes]]:
    """``sshd -D``; leaving the block kills it and every connection process it forked (each
    calls setsid, so a process-group kill would miss them), as a server crash would."""
    proc = subprocess.Popen(
        [str(SSHD), "-D", "-e", "-f", str(world.config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _listening(world.port):
            assert proc.poll() is None, "sshd exited at start"
            assert time.monotonic() < deadline, "sshd did not listen"
            time.sleep(0.05)
        yield proc
    finally:
        # Freeze the tree first (a stopped process cannot fork), collect it until no new process
        # shows up, then kill it all: a connection process forked while a scan ran would live
        # on, reparented, and keep the forward up.
        doomed: set[int] = set()
        found = {proc.pid}
        while found - doomed:
            for pid in found - doomed:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
            doomed |= found
            found = {proc.pid, *descendants(proc.pid)}
        for pid in doomed:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)


def descendants(root: int) -> list[int]:
    """Pids of every process below ``root`` (from /proc: Linux only, as sshd here)."""
    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(fields[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        pid = frontier.pop()
        kids = [child for child, ppid in parent.items() if ppid == pid]
        found += kids
        frontier += kids
    return found


def _listening(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def tunnel_args(world: SshWorld, local: int, remote: int, key: Path | None = None) -> list[str]:
    return [
        sys.executable, "-m", "pipeline.cli", "tunnel", "127.0.0.1",
        "--local-port", str(local), "--remote-port", str(remote),
        "--ssh-port", str(world.port), "-i", str(key or world.client),
        "-F", os.devnull, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", f"UserKnownHostsFile={world.known_hosts}", "--max-backoff", "2",
        "--alive-interval", "2",
    ]  # fmt: skip


def health(url: str) -> int | None:
    try:
        return httpx.get(f"{url}/api/ops/health", timeout=3, trust_env=False).status_code
    except httpx.HTTPError:
        return None


def wait_until(pred: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_tunnel_forwards_and_reconnects_by_itself(ssh_world: SshWorld) -> None:
    repo = GitRepo(ssh_world.config.parent / "repo")
    repo.commit({"notes.txt": "x"})
    local = free_port()
    url = f"http://127.0.0.1:{local}"
    env = {**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)}
    # The tunnel's log goes to a file the test can read while it runs: the tunnel notices its
    # forward is up a moment after the forward works (it polls), so the test waits for the
    # line itself rather than racing it (on a loaded machine the Ctrl-C came first).
    log = ssh_world.config.parent / "tunnel.log"

    def ups() -> int:
        return log.read_text(encoding="utf-8").count("tunnel: up: ")

    with serve(create_app(Settings(repo=repo.path))) as resolver, log.open("w") as err_file:
        remote = int(resolver.rsplit(":", 1)[1])
        args = tunnel_args(ssh_world, local, remote)
        # cwd: the tunnel needs no repository (not the checkout: the hermetic guard)
        proc = subprocess.Popen(
            args, cwd=ssh_world.config.parent, env=env, stderr=err_file, text=True
        )
        try:
            with sshd(ssh_world):
                wait_until(lambda: health(url) == 200, 90, "tunnel never forwarded")
                wait_until(lambda: ups() == 1, 60, "the tunnel did not log its forward")
            # sshd and its connections are gone: the forward drops, the tunnel keeps trying.
            wait_until(lambda: health(url) is None, 90, "forward still up without sshd")
            assert proc.poll() is None
            with sshd(ssh_world):
                wait_until(lambda: health(url) == 200, 90, "tunnel did not reconnect")
                wait_until(lambda: ups() == 2, 60, "the tunnel did not log its reconnection")
                body = httpx.get(f"{url}/api/ops/health", timeout=5, trust_env=False).json()
                proc.send_signal(signal.SIGINT)  # Ctrl-C
                try:
                    proc.wait(timeout=120)  # a bound for a hang, not the expected time (< 1 s)
                except subprocess.TimeoutExpired:  # say where it hung, then fail
                    status = Path(f"/proc/{proc.pid}/status").read_text(encoding="utf-8")
                    masks = [x for x in status.splitlines() if x.startswith("Sig")]
                    raise AssertionError(
                        f"Ctrl-C did not stop the tunnel: {masks}\n{log.read_text('utf-8')}"
                    ) from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    err = log.read_text(encoding="utf-8")
    assert body["rows"][0]["repo"]["commit"] == repo.git("rev-parse", "HEAD")
    assert proc.returncode == 0, err
    assert err.count("tunnel: up: ") >= 2 and "reconnecting in" in err and "tunnel: stopped" in err


def test_refused_key_and_bad_destination_exit_1(ssh_world: SshWorld) -> None:
    env = {**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)}
    stranger = keygen(ssh_world.config.parent / "stranger")
    with sshd(ssh_world):
        refused = subprocess.run(
            tunnel_args(ssh_world, free_port(), free_port(), key=stranger),
            cwd=ssh_world.config.parent, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert refused.returncode == 1, refused.stderr
    assert "Permission denied" in refused.stderr and "not retrying" in refused.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "tunnel", "--", "-oProxyCommand=sh"],
        cwd=ssh_world.config.parent, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1 and "bad ssh destination" in bad.stderr


def test_ssh_command_line_and_backoff() -> None:
    spec = TunnelSpec("ops@server", local_port=18000, ssh_port=2222, options=("User=x",))
    argv = ssh_argv(spec)
    assert argv[:4] == ["ssh", "-N", "-L", "127.0.0.1:18000:127.0.0.1:8000"]
    for opt in ("ServerAliveInterval=15", "ExitOnForwardFailure=yes", "BatchMode=yes", "User=x"):
        assert argv[argv.index(opt) - 1] == "-o"
    assert argv[-2:] == ["--", "ops@server"] and argv[argv.index("-p") + 1] == "2222"
    delays = [1.0]
    for _ in range(8):
        delays.append(next_delay(delays[-1], uptime=0.0, max_backoff=60.0))
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert next_delay(60.0, uptime=3600.0, max_backoff=60.0) == 1.0
    assert fatal_reason("x\nroot@127.0.0.1: Permission denied (publickey).\n")
    assert fatal_reason("ssh: connect to host 127.0.0.1 port 22: Connection refused") is None


def test_ctrl_c_stops_a_tunnel_started_with_sigint_ignored(ssh_world: SshWorld) -> None:
    # A background job of a non-interactive shell (`krx tunnel ... &`) or nohup starts with
    # SIGINT ignored, which Python keeps: the tunnel installs its own Ctrl-C handler. No sshd
    # here: the tunnel keeps retrying a refused port, which is when an operator stops it.
    env = {**os.environ, **BASE_ENV, "PYTHONPATH": str(ROOT)}
    log = ssh_world.config.parent / "ignored.log"
    args = tunnel_args(ssh_world, free_port(), free_port())
    with log.open("w") as err_file:
        proc = subprocess.Popen(
            args, cwd=ssh_world.config.parent, env=env, stderr=err_file, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )  # fmt: skip
        try:
            wait_until(lambda: "reconnecting in" in log.read_text("utf-8"), 90, "no retry")
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=120) == 0, log.read_text("utf-8")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    assert "tunnel: stopped" in log.read_text("utf-8")
