"""Git growth of 20 simulated daily ingests of the default universe.

Target (issue #2): packed bytes per trading day <= 50 KB. Peer measured in the same run: the
naive layout, one parquet file with the whole history rewritten every day.

    python benchmarks/bench_ingest_growth.py [--days 20] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.flows import clock, ingest  # noqa: E402
from pipeline.io.parquet import PRICES_SCHEMA, table_bytes  # noqa: E402
from pipeline.io.prices import read_prices  # noqa: E402
from pipeline.krx_calendar import load_calendar  # noqa: E402

ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **ENV}
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout


def packed_bytes(repo: Path) -> int:
    git(repo, "repack", "-adq")
    stats = dict(line.split(": ") for line in git(repo, "count-objects", "-v").strip().splitlines())
    return int(stats["size-pack"]) * 1024


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, "--allow-empty")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/ingest_growth.txt"))
    args = ap.parse_args()
    cal = load_calendar(ROOT)
    end = cal.previous_or_same(dt.date(2026, 11, 20))
    start = cal.add(end, -args.days)
    days = cal.between(cal.add(start, 1), end)
    with tempfile.TemporaryDirectory() as tmp:
        ours, naive = Path(tmp) / "ours", Path(tmp) / "naive"
        for repo in (ours, naive):
            repo.mkdir()
            git(repo, "init", "-q", "-b", "main")
        for rel in ("params.yaml", "config/krx_closures.yaml"):
            (ours / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, ours / rel)
        clock.main(ours, start.isoformat())
        ingest.main(ours, None)
        (naive / "prices.parquet").write_bytes(table_bytes(read_prices(ours), PRICES_SCHEMA))
        commit_all(ours, f"ingest {start}")
        commit_all(naive, f"ingest {start}")
        base_ours, base_naive = packed_bytes(ours), packed_bytes(naive)
        for day in days:
            clock.main(ours, day.isoformat())
            ingest.main(ours, None)
            (naive / "prices.parquet").write_bytes(table_bytes(read_prices(ours), PRICES_SCHEMA))
            commit_all(ours, f"ingest {day}")
            commit_all(naive, f"ingest {day}")
        per_day = (packed_bytes(ours) - base_ours) / len(days)
        per_day_naive = (packed_bytes(naive) - base_naive) / len(days)
    tickers = len(read_prices_universe())
    lines = [
        f"command: python benchmarks/bench_ingest_growth.py --days {args.days}",
        f"measured: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"universe: {tickers} tickers, full history, daily ingests {days[0]}..{days[-1]}",
        f"monthly partitions (ours): {per_day / 1024:.1f} KB packed per trading day",
        f"single-file peer (naive):  {per_day_naive / 1024:.1f} KB packed per trading day",
        f"ratio ours/naive: {per_day / per_day_naive:.3f}",
        f"target <= 50 KB/day: {'PASS' if per_day <= 50 * 1024 else 'FAIL'}",
    ]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    Path(args.out).write_text(text, encoding="utf-8")


def read_prices_universe() -> list[str]:
    import yaml

    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    return [u["ticker"] for u in params["data"]["universe"]]


if __name__ == "__main__":
    main()
