"""Benchmark the resolver against an nginx static baseline (issue 6).

    PYTHONPATH=. python benchmarks/bench_resolver.py [--duration 10] [--rounds 3]

Setup: a 1,000-commit repository where every commit rewrites a 20 KB ``prices_meta`` artifact;
``python -m ops_api`` with one uvicorn worker; ``wrk`` with 32 connections on loopback. Measured:
req/s and p99 for latest, ``?ref=<full sha>`` and ``?ref=HEAD~900``; nginx (one worker) serving
the byte-identical response body as a static file; and the in-process cost of resolving ``HEAD``
vs ``HEAD~900`` (raw walk vs the resolver's cache keyed by the immutable base commit).

With two or more CPUs the server (or nginx) is pinned to CPU 0 and wrk to CPU 1 with ``taskset``
so they do not fight over one core. Each target runs ``--rounds`` times; the median is reported
and every round is listed. Needs ``wrk`` and ``nginx``: ``bash benchmarks/install_tools.sh``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ops_api.refs import RefResolver, parse_ref  # noqa: E402
from pipeline.io.gitstore import GitStore  # noqa: E402
from tests.api.factories import GitRepo, make_prices_meta  # noqa: E402

ARTIFACT = "data/prices/_meta.json"
TARGETS = {"latest": 8000.0, "ref=<sha>": 8000.0, "ref=HEAD~900": 5000.0}
P99_MS = 15.0


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p99_ms: float
    non_2xx: int
    errors: int
    requests: int
    cpu_us_per_request: float = 0.0  # server CPU time (user+sys) / requests; contention-proof


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pin(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None and shutil.which("taskset") else []


def wait_http(url: str, timeout: float = 20) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                body: bytes = resp.read()
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if m is None:
        raise ValueError(f"unparsable latency {text!r}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    return float(m.group(1)) * scale


def run_wrk(url: str, duration: int, connections: int, cpu: int | None) -> WrkResult:
    cmd = [*pin(cpu), "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 60)
    text = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p99_match = re.search(r"^\s*99%\s+(\S+)\s*$", text, re.M)
    if p99_match is None:
        raise RuntimeError(f"no latency distribution in wrk output:\n{text}")
    p99 = _ms(p99_match.group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return WrkResult(
        rps=rps,
        p99_ms=p99,
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
        errors=sum(int(g) for g in errors.groups()) if errors else 0,
        requests=total,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its direct children (nginx workers), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="utf-8")
        pids += [int(c) for c in children.split()]
    except OSError:
        pass
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (after the comm field)
    return total / tick


def measured(url: str, pid: int, duration: int, connections: int, cpu: int | None) -> WrkResult:
    before = cpu_seconds(pid)
    result = run_wrk(url, duration, connections, cpu)
    used = cpu_seconds(pid) - before
    per = used / result.requests * 1e6 if result.requests else 0.0
    return dataclasses.replace(result, cpu_us_per_request=per)


def build_repo(path: Path, commits: int) -> GitRepo:
    repo = GitRepo(path)
    asof = dt.date(2026, 11, 20)
    repo.bulk(
        ({ARTIFACT: make_prices_meta(asof, seq)}, f"artifact(ingest): seq {seq}")
        for seq in range(commits)
    )
    return repo


def start_nginx(workdir: Path, port: int, cpu: int | None) -> subprocess.Popen[bytes]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = workdir / "nginx.conf"
    user = "user root;" if os.geteuid() == 0 else ""
    conf.write_text(
        textwrap.dedent(
            f"""\
            {user}
            worker_processes 1;
            daemon off;
            pid {workdir}/nginx.pid;
            error_log {workdir}/error.log warn;
            events {{ worker_connections 1024; }}
            http {{
              access_log off;
              sendfile on;
              tcp_nopush on;
              keepalive_requests 1000000;
              client_body_temp_path {workdir}/body;
              proxy_temp_path {workdir}/proxy;
              fastcgi_temp_path {workdir}/fastcgi;
              uwsgi_temp_path {workdir}/uwsgi;
              scgi_temp_path {workdir}/scgi;
              server {{
                listen 127.0.0.1:{port};
                root {workdir}/static;
                location / {{ default_type application/json; }}
              }}
            }}
            """
        ),
        encoding="utf-8",
    )
    return subprocess.Popen([*pin(cpu), nginx, "-p", str(workdir), "-c", str(conf)])


def per_call_us(fn: Callable[[], object], n: int) -> float:
    fn()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n * 1e6


def lookup_costs(repo_path: Path) -> list[str]:
    store = GitStore(repo_path)
    head, deep = parse_ref("HEAD"), parse_ref("HEAD~900")
    cached = RefResolver(store)
    lines = []
    for label, ref in (("HEAD", head), ("HEAD~900", deep)):
        raw = per_call_us(lambda r=ref: RefResolver(store).resolve(r), 200)  # type: ignore[misc]
        hot = per_call_us(lambda r=ref: cached.resolve(r), 20_000)  # type: ignore[misc]
        native = per_call_us(lambda r=ref.text: store.repo.revparse_single(r), 200)  # type: ignore[misc]
        blob = per_call_us(lambda r=ref: store.read(cached.resolve(r).commit, ARTIFACT), 5000)  # type: ignore[misc]
        lines.append(
            f"  {label:<9} walk, no cache {raw:9.1f} us | libgit2 revparse {native:8.1f} us | "
            f"resolver (cached per base commit) {hot:6.1f} us | + read 20 KB blob {blob:6.1f} us"
        )
    return lines


def versions() -> str:
    mods = ["fastapi", "starlette", "uvicorn", "pygit2", "uvloop", "httptools"]
    out = []
    for mod in mods:
        try:
            out.append(f"{mod} {version(mod)}")
        except Exception:
            out.append(f"{mod} missing")
    return ", ".join(out)


def tool_version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return (out.stdout + out.stderr).strip().splitlines()[0]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--commits", type=int, default=1000)
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--output", type=Path, help="also write the report here")
    args = p.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            print(f"{tool} not found: run `bash benchmarks/install_tools.sh`", file=sys.stderr)
            return 2
    cpus = os.cpu_count() or 1
    server_cpu, client_cpu = (0, 1) if cpus >= 2 else (None, None)

    load_before = _loadavg()
    with tempfile.TemporaryDirectory(prefix="bench-resolver-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        repo = build_repo(work / "repo", args.commits)
        built = time.perf_counter() - t0
        size = len((repo.path / ARTIFACT).read_bytes())
        sha = repo.git("rev-parse", "HEAD~100")

        api_port, nginx_port = free_port(), free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(
            [*pin(server_cpu), sys.executable, "-m", "ops_api", "--repo", str(repo.path),
             "--port", str(api_port)],
            env=env,
        )  # fmt: skip
        static = work / "static"
        static.mkdir()
        nginx: subprocess.Popen[bytes] | None = None
        try:
            base = f"http://127.0.0.1:{api_port}/api/artifacts/prices_meta"
            body = wait_http(base)
            urls = {
                "latest": base,
                "ref=<sha>": f"{base}?ref={sha}",
                "ref=HEAD~900": f"{base}?ref=HEAD~900",
            }
            for url in urls.values():
                wait_http(url)
            (static / "latest.json").write_bytes(body)
            os.chmod(work, 0o755)  # noqa: PTH101 (nginx workers must read the static file)
            nginx = start_nginx(work, nginx_port, server_cpu)
            urls["nginx static"] = f"http://127.0.0.1:{nginx_port}/latest.json"
            assert wait_http(urls["nginx static"]) == body

            results: dict[str, list[WrkResult]] = {k: [] for k in urls}
            for _ in range(args.rounds):
                for label, url in urls.items():
                    pid = nginx.pid if nginx is not None and label == "nginx static" else server.pid
                    results[label].append(
                        measured(url, pid, args.duration, args.connections, client_cpu)
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
            if nginx is not None:
                nginx.send_signal(signal.SIGQUIT)
                nginx.wait(timeout=20)
        costs = lookup_costs(repo.path)
    load_after = _loadavg()

    med = {k: statistics.median(r.rps for r in v) for k, v in results.items()}
    p99 = {k: statistics.median(r.p99_ms for r in v) for k, v in results.items()}
    cpu_med = {k: statistics.median(r.cpu_us_per_request for r in v) for k, v in results.items()}
    lines = [
        f"# resolver benchmark — finished {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"machine: {platform.machine()} {cpus} vCPU ({_cpu_model()}), "
        f"{platform.python_implementation()} {platform.python_version()}",
        f"libraries: {versions()}",
        f"tools: {tool_version(['wrk', '-v'])}; {tool_version(['nginx', '-v'])}",
        f"repo: {args.commits} commits (built in {built:.1f} s), artifact {ARTIFACT} "
        f"{size} bytes on disk, response body {len(body)} bytes",
        f"load: wrk -t1 -c{args.connections} -d{args.duration}s x {args.rounds} rounds; "
        f"one uvicorn worker; "
        + ("server/nginx on CPU 0, wrk on CPU 1" if server_cpu is not None else "no pinning"),
        f"load average (1/5/15 min) before: {load_before}, after: {load_after} "
        f"(>{cpus} means other processes competed for the {cpus} CPUs during the run)",
        "",
        f"{'target':<14} {'req/s (median)':>15} {'p99 ms':>8} {'CPU us/req':>10} "
        f"{'=> req/s/core':>13} {'target':>10}  rounds req/s/p99",
    ]
    for label in results:
        goal = TARGETS.get(label)
        verdict = ""
        if goal is not None:
            ok = med[label] >= goal and p99[label] <= P99_MS
            verdict = f"{'PASS' if ok else 'FAIL'} >={goal:.0f}"
        bad = sum(r.non_2xx + r.errors for r in results[label])
        rounds = ", ".join(f"{r.rps:.0f}/{r.p99_ms:.0f}ms" for r in results[label])
        cpu = cpu_med[label]
        per_core = 1e6 / cpu if cpu else 0.0
        lines.append(
            f"{label:<14} {med[label]:>15.0f} {p99[label]:>8.2f} {cpu:>10.1f} {per_core:>13.0f} "
            f"{verdict:>10}  {rounds}" + (f"  ({bad} non-2xx/socket errors)" if bad else "")
        )
    lines += [
        "",
        "CPU us/req: server (or nginx master+worker) CPU time per request, so '=> req/s/core'",
        "is the throughput one uncontended core would give; it does not depend on other load.",
        "resolver / nginx static (same bytes), req/s: "
        + ", ".join(f"{k} {med[k] / med['nginx static']:.2f}" for k in TARGETS),
        "resolver / nginx static (same bytes), req/s per core from CPU time: "
        + ", ".join(f"{k} {cpu_med['nginx static'] / cpu_med[k]:.2f}" for k in TARGETS),
        f"p99 target <= {P99_MS:.0f} ms",
        "",
        "ref lookup cost in process (does it grow with history depth?):",
        *costs,
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report, encoding="utf-8")
    return 0


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])
    except OSError:
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
