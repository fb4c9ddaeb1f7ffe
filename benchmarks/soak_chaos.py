"""Soak: the chaos simulation of issue 14 over >= 250 KRX sessions, its invariant counts recorded.

    PYTHONPATH=. python benchmarks/soak_chaos.py [--sessions 260] [--seed 7] [--out FILE]

The same world and invariants as ``tests/e2e/test_chaos.py`` (real git repositories, a real
resolver process, a Telegram-protocol server on loopback, the server's real daily flow; SIGKILLed
mornings as real processes through ``dvc repro``), over a longer seeded schedule. Every
invariant is asserted after every day; the record lists how many times each one was checked and
held, the events the schedule produced, and the wall time. A failure stops the soak with the
seed and the day, so it can be replayed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e import chaos  # noqa: E402
from tests.e2e.test_chaos import simulate  # noqa: E402
from tests.server import factories as f  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=260)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--first", default="2024-07-01", help="first day (a KRX session or not)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/soak_chaos.txt"))
    args = ap.parse_args()
    first = dt.date.fromisoformat(args.first)
    days = chaos.schedule(args.seed, f.cal(), first, args.sessions)
    events = Counter(e for d in days for e in d.events)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="krx-soak-") as tmp:
        tally = simulate(Path(tmp), args.seed, first, args.sessions)
    wall = time.monotonic() - t0
    lines = [
        f"# soak_chaos: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z} on {platform.node()}",
        f"command: PYTHONPATH=. python benchmarks/soak_chaos.py --sessions {args.sessions} "
        f"--seed {args.seed} --first {args.first}",
        f"sessions: {args.sessions} ({days[0].day} .. {days[-1].day}, {len(days)} weekdays)",
        f"wall: {wall:.1f} s ({wall / len(days):.2f} s per weekday)",
        "result: every invariant held on every day (an assertion stops the soak otherwise)",
        "invariant checks (times checked and held):",
        *(f"  {k}: {v}" for k, v in sorted(tally.counts.items())),
        "events in the schedule:",
        *(f"  {k}: {v}" for k, v in sorted(events.items())),
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
