"""Benchmark: the waits an operator meets every day (issue 16), each beside a floor.

    python benchmarks/bench_everyday.py [--skip-install] [--server-runs 3] [--out FILE]

Figures (each measured in fresh clones under the system temp folder, never in this checkout):
- fresh ``make run``, first time (empty uv and pip caches) and warm (the caches of the first);
- the runtime venv's size after ``make run`` (``du -sm .venv``; the installer's ``.tools`` apart);
- a second ``make run`` with nothing changed; ``krx validate --all``; ``krx --help``;
- the server's daily run (``bash deploy/oci/daily_ops.sh``, median warm) in a prepared server
  clone with a bare origin on local disk and a real resolver on loopback (no network).

Floors, measured in the same run: ``python -c pass``; DVC's own no-op (a second ``dvc repro``
of a trivial one-stage pipeline); ``git commit`` + ``git push`` of one small file to a local
bare remote. The machine's load average is recorded before and after: on a shared machine the
floors move with the load, and the ratios say more than the seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_daily_ops as daily  # noqa: E402

from tests.conftest import BASE_ENV  # noqa: E402
from tests.e2e.ops_world import resolver  # noqa: E402

TARGETS = {
    "fresh make run (warm cache)": 90.0,
    "venv size (MB)": 500.0,
    "second make run": 3.0,
    "krx validate --all": 1.0,
    "krx --help": 0.3,
    "server daily run (median)": 4.0,
}


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    }
    env.update(BASE_ENV)
    env.update(extra or {})
    return env


#: CPU seconds (user + sys) of the last ``sh`` command and its children: on a shared, loaded
#: machine the wall clock mostly measures the queue, the CPU time what the command costs.
CPU: dict[str, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sh(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds ``cmd`` took; raises with its output when it fails."""
    cpu0, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env or _env(), capture_output=True, text=True)
    took = time.perf_counter() - start
    CPU["last"] = _children_cpu() - cpu0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr}")
    return took


def median_of(n: int, fn: Callable[[], float]) -> tuple[float, list[float]]:
    runs, cpus = [], []
    for _ in range(n):
        runs.append(fn())
        cpus.append(CPU.get("last", 0.0))
    CPU["median"] = statistics.median(cpus)
    return statistics.median(runs), runs


def floor_python(tmp: Path) -> float:
    return median_of(10, lambda: sh([sys.executable, "-c", "pass"], tmp))[0]


def floor_dvc_noop(tmp: Path, dvc: str) -> float:
    repo = tmp / "dvc-floor"
    repo.mkdir()
    sh(["git", "init", "-q", "-b", "main"], repo)
    sh([dvc, "init", "-q"], repo)
    (repo / "dvc.yaml").write_text(
        "stages:\n  one:\n    cmd: echo hi > out.txt\n    outs:\n      - out.txt:\n"
        "          cache: false\n",
        encoding="utf-8",
    )
    sh([dvc, "repro", "-q"], repo)
    return median_of(3, lambda: sh([dvc, "repro", "-q"], repo))[0]


def floor_git_push(tmp: Path) -> float:
    origin, clone = tmp / "origin.git", tmp / "git-floor"
    sh(["git", "init", "-q", "--bare", "-b", "main", str(origin)], tmp)
    sh(["git", "clone", "-q", str(origin), str(clone)], tmp)
    counter = iter(range(1000))

    def once() -> float:
        (clone / "note.txt").write_text(f"{next(counter)}\n", encoding="utf-8")
        start = time.perf_counter()
        sh(["git", "add", "note.txt"], clone)
        sh(["git", "commit", "-q", "-m", "note"], clone)
        sh(["git", "push", "-q", "origin", "HEAD:main"], clone)
        return time.perf_counter() - start

    return median_of(3, once)[0]


def fresh_make_run(tmp: Path, name: str, caches: Path) -> tuple[float, Path]:
    clone = tmp / name
    sh(["git", "clone", "-q", str(ROOT), str(clone)], tmp)
    env = _env({"UV_CACHE_DIR": str(caches / "uv"), "PIP_CACHE_DIR": str(caches / "pip")})
    return sh(["make", "run"], clone, env), clone


def du_mb(path: Path) -> float:
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[0])


def server_daily_run(runs: int) -> tuple[float, list[float]]:
    """``deploy/oci/daily_ops.sh`` on a prepared server clone (bench_daily_ops's world)."""
    daily.WORK = Path(tempfile.mkdtemp(prefix="krx-bench-server-"))
    try:
        server = daily.setup()
        days = list(daily.DAYS[: 1 + runs])
        with resolver(server) as api:
            daily.timed([["bash", "deploy/oci/daily_ops.sh"]], server, daily.env_for(days[0], api))
            times = [
                daily.timed([["bash", "deploy/oci/daily_ops.sh"]], server, daily.env_for(d, api))
                for d in days[1:]
            ]
        return statistics.median(times), times
    finally:
        shutil.rmtree(daily.WORK, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-install", action="store_true", help="reuse --clone, no fresh runs")
    ap.add_argument("--clone", type=Path, help="with --skip-install: a clone after make run")
    ap.add_argument("--server-runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/everyday.txt")
    args = ap.parse_args()
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="krx-bench-everyday-"))
    figures: dict[str, float] = {}
    cpu: dict[str, float] = {}
    notes: list[str] = []
    try:
        if args.skip_install:
            clone = args.clone
        else:
            caches = tmp / "caches"
            first, _ = fresh_make_run(tmp, "first", caches)
            notes.append(
                f"fresh make run, first time (empty uv/pip caches): {first:.1f} s "
                f"(cpu {CPU['last']:.1f} s)"
            )
            figures["fresh make run (warm cache)"], clone = fresh_make_run(tmp, "warm", caches)
            cpu["fresh make run (warm cache)"] = CPU["last"]
        venv_bin = clone / ".venv" / "bin"
        figures["venv size (MB)"] = du_mb(clone / ".venv")
        if (clone / ".tools").exists():
            notes.append(
                f"installer venv .tools (pip + uv), not counted: {du_mb(clone / '.tools'):.0f} MB"
            )
        run_env = _env()
        figures["second make run"], seconds = median_of(
            3, lambda: sh(["make", "run"], clone, run_env)
        )
        cpu["second make run"] = CPU["median"]
        notes.append("second make run runs: " + ", ".join(f"{s:.2f}" for s in seconds))
        py = str(venv_bin / "python")
        figures["krx validate --all"] = median_of(
            5, lambda: sh([py, "-m", "pipeline.cli", "validate", "--all", "-q"], clone)
        )[0]
        cpu["krx validate --all"] = CPU["median"]
        figures["krx --help"] = median_of(10, lambda: sh([str(venv_bin / "krx"), "--help"], clone))[
            0
        ]
        cpu["krx --help"] = CPU["median"]
        floors = {
            "python -c pass": floor_python(tmp),
            "dvc no-op, one-stage pipeline": floor_dvc_noop(tmp, str(venv_bin / "dvc")),
            "git commit + push, one small file, local bare": floor_git_push(tmp),
        }
        figures["server daily run (median)"], seconds = server_daily_run(args.server_runs)
        notes.append("server daily run runs: " + ", ".join(f"{s:.2f}" for s in seconds))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()
    floor_of = {
        "fresh make run (warm cache)": "dvc no-op, one-stage pipeline",
        "second make run": "dvc no-op, one-stage pipeline",
        "krx validate --all": "python -c pass",
        "krx --help": "python -c pass",
        "server daily run (median)": "git commit + push, one small file, local bare",
    }
    lines = [
        "command: python benchmarks/bench_everyday.py   (make bench-everyday)",
        f"measured: {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%MZ} on {os.cpu_count()} cores; "
        f"python {platform.python_version()}; load average before/after: "
        f"{' '.join(f'{x:.2f}' for x in load_before)} / {' '.join(f'{x:.2f}' for x in load_after)}",
        "",
        "floors (same run):",
        *(f"  {name}: {value:.3f} s" for name, value in floors.items()),
        "",
        "figures:",
    ]
    ok = True
    for name, value in figures.items():
        target = TARGETS[name]
        passed = value <= target
        ok = ok and passed
        unit = "MB" if "MB" in name else "s"
        if name in cpu:
            unit += f", cpu {cpu[name]:.2f} s"
        floor = floor_of.get(name)
        beside = f"; floor {floors[floor]:.3f} s ({value / floors[floor]:.1f}x)" if floor else ""
        lines.append(
            f"  {name}: {value:.2f} {unit} (target <= {target:g}: "
            f"{'PASS' if passed else 'FAIL'}){beside}"
        )
    lines += ["", "notes:", *(f"  {n}" for n in notes)]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
