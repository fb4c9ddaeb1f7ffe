"""A bare origin, a PC clone and a server clone on local disk, plus a real resolver process.

The clones' ``params.yaml`` uses a 3-ticker universe from 2025 (instead of 14 tickers from
2009) so one PC ``daily.sh`` run takes seconds, not tens of seconds: the loop under test is
the same, only the backtest's input is smaller. Everything runs as real subprocesses (bash,
git, dvc, uvicorn) on loopback with bounded timeouts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.flows import daily_pc, daily_server
from pipeline.flows.stage_runner import environment, run_in_process
from tests.conftest import BASE_ENV, copy_project, git, run
from tests.support import net
from tests.support.gitrepo import bare_origin, clone
from tests.support.net import free_port as free_port  # re-exported for the fault tests

VENV = str(Path(sys.executable).parent.parent)
#: The PC's first as-of date and the operator's baseline portfolio (cash only, 10,000,000 KRW).
FIRST_PC_DAY = "2026-12-18"
#: The server's first good morning in the fault and runbook tests (bundle of FIRST_PC_DAY).
GOOD_DAY = "2026-12-21"
SMALL_UNIVERSE = (
    "  universe:\n"
    '    - {ticker: "069500", name: "KODEX 200", type: ETF}\n'
    '    - {ticker: "102110", name: "TIGER 200", type: ETF}\n'
    '    - {ticker: "229200", name: "KODEX 코스닥150", type: ETF}\n'
)


def shrink_params(root: Path) -> None:
    """A 3-ticker universe with history from 2025: the same pipeline on a smaller input."""
    path = root / "params.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  universe:\n"), text.index("\nstrategy:")
    text = text[:start] + SMALL_UNIVERSE + text[end:]
    path.write_text(text.replace('start: "2009-01-02"', 'start: "2025-01-02"'), encoding="utf-8")


def get_json(url: str, timeout: float = 10) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        data: dict[str, Any] = json.loads(resp.read())
        return data


@contextlib.contextmanager
def resolver(repo: Path) -> Iterator[str]:
    """``python -m ops_api`` serving ``repo`` on a free loopback port; yields the base URL."""
    with net.resolver(repo, env=BASE_ENV) as url:
        yield url


@dataclass
class World:
    tmp: Path
    origin: Path
    pc: Path
    server: Path
    api: str = ""

    def pc_daily(self, asof: str) -> subprocess.CompletedProcess[str]:
        return run(
            ["bash", "deploy/pc/daily.sh"], self.pc, env={"KRX_VENV": VENV, "KRX_ASOF": asof}
        )

    def server_env(self, asof: str, **extra: str) -> dict[str, str]:
        return {
            "KRX_VENV": VENV,
            "KRX_ASOF": asof,
            "KRX_NOW": f"{asof}T09:05:00+09:00",
            "KRX_API_URL": self.api,
            "KRX_PUSH": "1",
            **extra,
        }

    def daily_ops(self, asof: str, **extra: str) -> subprocess.CompletedProcess[str]:
        """``deploy/oci/daily_ops.sh`` on the server clone (exit code not checked)."""
        return run(
            ["bash", "deploy/oci/daily_ops.sh"],
            self.server,
            env=self.server_env(asof, **extra),
            check=False,
            timeout=180,
        )

    def daily_ops_in_process(self, asof: str, **extra: str) -> subprocess.CompletedProcess[str]:
        """The flow ``daily_ops.sh`` execs (``krx daily server``), run in this process with its
        DVC stages in-process too (``pipeline.flows.stage_runner``, the order of
        ``server/dvc.yaml``): the same run without the wrapper and the dvc/stage processes,
        which a test keeps for one or two of its mornings."""
        env = {
            **os.environ,
            **BASE_ENV,
            **self.server_env(asof, **extra),
            # What the wrapper exports besides (deploy/oci/daily_ops.sh).
            "KRX_ROLE": "SERVER",
            "GIT_TERMINAL_PROMPT": "0",
            "PYTHONIOENCODING": "utf-8",
        }
        day = dt.date.fromisoformat(asof)
        settings = dataclasses.replace(
            daily_server.Settings.from_env(self.server, env),
            asof=day,
            now=dt.datetime.fromisoformat(env["KRX_NOW"]),
            runner=run_in_process,
        )
        lines: list[str] = []
        out = daily_server.run_daily(settings, log=lines.append)
        return subprocess.CompletedProcess(
            ["krx", "daily", "server"], out.exit_code, "\n".join(lines), ""
        )

    def pc_daily_in_process(self, asof: str) -> int:
        """The flow ``daily.sh`` runs (``krx daily pc``), in this process: the same steps
        (lock, pull, the stages of ``dvc.yaml``, validate, commit, push) without the wrapper,
        its stages in-process too (``pipeline.flows.stage_runner``: every stage, no DVC)."""
        lines: list[str] = []
        with environment({**os.environ, **BASE_ENV, "KRX_ASOF": asof}):
            settings = dataclasses.replace(
                daily_pc.PcSettings.from_env(os.environ), runner=run_in_process
            )
            code = daily_pc.run(self.pc, settings, lines.append)
        assert code == 0, "\n".join(lines)
        return code

    def krx(self, clone: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run([sys.executable, "-m", "pipeline.cli", *args], clone, env=env, check=False)

    def api_get(self, path: str) -> dict[str, Any]:
        return get_json(self.api + path)

    def head(self, clone: Path, ref: str = "HEAD") -> str:
        return git(clone, "rev-parse", ref)

    def read(self, clone: Path, rel: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((clone / rel).read_text(encoding="utf-8"))
        return data


def build_origin(tmp: Path) -> Path:
    """Seed (small params, no committed data) → bare origin; the PC's first day and portfolio."""
    seed = copy_project(tmp / "seed", include_data=False)
    shrink_params(seed)
    git(seed, "commit", "-qam", "params: 3-ticker universe from 2025 (fast e2e)")
    origin = tmp / "origin.git"
    bare_origin(seed, origin)
    pc = tmp / "pc-setup"
    clone(origin, pc)
    run(["bash", "deploy/pc/daily.sh"], pc, env={"KRX_VENV": VENV, "KRX_ASOF": FIRST_PC_DAY})
    baseline = ["--cash", "10000000", "--asof", FIRST_PC_DAY, "--by", "operator"]
    run([sys.executable, "-m", "pipeline.cli", "portfolio", "set", *baseline], pc)
    git(pc, "add", "state/portfolio.json")
    git(pc, "commit", "-qm", f"ops(portfolio): baseline {FIRST_PC_DAY}")
    git(pc, "push", "-q", "origin", "HEAD:main")
    return origin


def clone_world(tmp: Path, origin: Path) -> World:
    pc, server = tmp / "pc", tmp / "server"
    clone(origin, pc)
    clone(origin, server)
    return World(tmp=tmp, origin=origin, pc=pc, server=server)


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the whole process group of ``proc`` (bash, dvc, the stage's python)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
