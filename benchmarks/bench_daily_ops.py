"""Benchmark: ``deploy/oci/daily_ops.sh`` (= ``krx daily server``) on a server clone, warm, no
network (issues 7, 13). Since issue 13 the script is a thin wrapper that execs the Python flow
``pipeline/flows/daily_server.py``; the peer below is unchanged so results stay comparable.

    python benchmarks/bench_daily_ops.py [--runs 3] [--out FILE]

Set-up (in ``benchmarks/.work/daily_ops``, git-ignored): the project's committed files and data
as the seed, the operator's portfolio, a bare origin on local disk, a server clone and a real
resolver (``python -m ops_api``) on a free loopback port. One warm-up run, then ``--runs``
timed runs of the script, each on the next KRX session (a full day: pull, health, tickets, ops
summary, live cycle, validation, commit, resolve, scheduler record, push to the local origin).

Peer, measured in the same run and alternated with the script: the same steps typed as bare
commands (git pull, curl, dvc repro x2, krx validate x2, krx live check, krx commit, krx check,
git push) without the flow's lock, recovery, step bookkeeping, scheduler record and retries.
Target: the script's median <= 15 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import BASE_ENV, copy_project, git, run  # noqa: E402
from tests.e2e.ops_world import resolver  # noqa: E402

WORK = ROOT / "benchmarks/.work/daily_ops"
VENV = str(Path(sys.executable).parent.parent)
#: Sessions after the committed bundle (asof 2026-11-20), all inside its validity window.
DAYS = (
    "2026-11-23",
    "2026-11-24",
    "2026-11-25",
    "2026-11-26",
    "2026-11-27",
    "2026-11-30",
    "2026-12-01",
)
TARGET_S = 15.0


def setup() -> Path:
    shutil.rmtree(WORK, ignore_errors=True)
    seed = copy_project(WORK / "seed")
    env = {"KRX_ROLE": "PC"}
    baseline = ["--cash", "10000000", "--asof", "2026-11-20", "--by", "bench"]
    run([sys.executable, "-m", "pipeline.cli", "portfolio", "set", *baseline], seed, env=env)
    git(seed, "add", "state/portfolio.json")
    git(seed, "commit", "-qm", "ops(portfolio): baseline")
    git(WORK, "clone", "-q", "--bare", str(seed), str(WORK / "origin.git"))
    git(WORK, "clone", "-q", str(WORK / "origin.git"), str(WORK / "server"))
    return WORK / "server"


def env_for(day: str, api: str) -> dict[str, str]:
    return {
        **os.environ,
        **BASE_ENV,
        "KRX_VENV": VENV,
        "KRX_ASOF": day,
        "KRX_NOW": f"{day}T09:05:00+09:00",
        "KRX_API_URL": api,
        "KRX_PUSH": "1",
        "KRX_ROLE": "SERVER",
        "PATH": f"{Path(VENV) / 'bin'}:{os.environ['PATH']}",
    }


def timed(cmds: list[list[str]], server: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    for cmd in cmds:
        proc = subprocess.run(cmd, cwd=server, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return time.perf_counter() - start


def peer_commands(day: str, api: str, steps_file: Path) -> list[list[str]]:
    krx = [sys.executable, "-m", "pipeline.cli"]
    dvc = [str(Path(VENV) / "bin/dvc"), "repro", "--no-run-cache"]
    return [
        ["git", "pull", "--rebase", "--autostash", "-q", "origin", "main"],
        ["curl", "-fsS", "--max-time", "5", "-o", "/dev/null", f"{api}/api/ops/health"],
        [*dvc, "server/dvc.yaml:ops_summary"],
        [*krx, "validate", "--all", "--json-only", "-q"],
        [*dvc, "--single-item", "server/dvc.yaml:live_cycle"],
        [*krx, "validate", "--all", "--owner", "SERVER", "-q"],
        [*krx, "live", "check", "--asof", day],
        [*krx, "commit", "--owner", "SERVER", "--produced"],
        [*krx, "check", "live-cycle", "ops-summary", "--api", api, "--asof", day, "--served-only"],
        ["git", "push", "-q", "origin", "HEAD:main"],
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/daily_ops.txt")
    args = ap.parse_args()
    days = list(DAYS[: 1 + 2 * args.runs])
    load_before = os.getloadavg()
    server = setup()
    script_s: list[float] = []
    peer_s: list[float] = []
    records: list[dict[str, object]] = []
    with resolver(server) as api:
        warm = days.pop(0)
        timed([["bash", "deploy/oci/daily_ops.sh"]], server, env_for(warm, api))
        for i in range(args.runs):
            day = days.pop(0)
            script_s.append(timed([["bash", "deploy/oci/daily_ops.sh"]], server, env_for(day, api)))
            records.append(json.loads((server / "reports/ops/scheduler_record.json").read_text()))
            day = days.pop(0)
            steps_file = WORK / f"peer-steps-{i}.tsv"
            steps_file.write_text("", encoding="utf-8")
            peer_s.append(timed(peer_commands(day, api, steps_file), server, env_for(day, api)))
    load_after = os.getloadavg()
    med, peer_med = statistics.median(script_s), statistics.median(peer_s)
    step_names = [s["name"] for s in records[-1]["steps"]]  # type: ignore[index]
    per_step = {
        n: statistics.median(
            next(s["duration_s"] for s in r["steps"] if s["name"] == n)  # type: ignore[attr-defined]
            for r in records
        )
        for n in step_names
    }
    lines = [
        "command: python benchmarks/bench_daily_ops.py",
        f"measured: {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%MZ} on {os.cpu_count()} cores; "
        f"python {platform.python_version()}; load average before/after: "
        f"{' '.join(f'{x:.2f}' for x in load_before)} / {' '.join(f'{x:.2f}' for x in load_after)}",
        "workload: server clone of the project (committed data, 14 tickers), local bare origin "
        "(no network), real resolver on loopback, warm (one untimed run first); each run is a "
        "new KRX session with a full commit + push",
        "",
        f"daily_ops.sh -> krx daily server: median {med:.2f} s "
        f"(runs {', '.join(f'{x:.2f}' for x in script_s)})",
        f"peer (same steps as bare commands, no script): median {peer_med:.2f} s "
        f"(runs {', '.join(f'{x:.2f}' for x in peer_s)})",
        f"script overhead vs peer: {med - peer_med:+.2f} s ({med / peer_med:.2f}x)",
        "median step durations inside the script (from the scheduler record): "
        + ", ".join(f"{n} {v:.2f} s" for n, v in per_step.items()),
        f"target median <= {TARGET_S:.0f} s: {'PASS' if med <= TARGET_S else 'FAIL'} ({med:.2f} s)",
    ]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0 if med <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
