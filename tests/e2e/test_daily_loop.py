"""The whole daily loop across a bare origin, a PC clone and a server clone (issue 7).

Ten KRX sessions from 2026-12-21 to 2027-01-06 with the server also run on two closures
(Christmas, the year-end closure): the server's ``daily_ops.sh`` every morning, the PC's
``daily.sh`` on some evenings (in between the bundle goes stale: exits only), an operator
ticket, and at the end the PC's reconcile reads the server's history. Then every command of
``docs/runbook.md`` is run against a second world.

The first and the last server morning run the real ``deploy/oci/daily_ops.sh`` (and so ``dvc
repro`` of the server stages), the last PC evening the real ``deploy/pc/daily.sh``: the process
boundary is crossed on both machines. The mornings in between run the same flow in-process
(``World.daily_ops_in_process``: its stages through ``pipeline.flows.stage_runner``), the other
evenings the PC's flow in-process the same way; every day asserts the same.
"""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, git, run
from tests.e2e.ops_world import VENV, World, clone_world, resolver

pytestmark = pytest.mark.slow
SESSIONS = (
    "2026-12-21",
    "2026-12-22",
    "2026-12-23",
    "2026-12-24",
    "2026-12-28",
    "2026-12-29",
    "2026-12-30",
    "2027-01-04",
    "2027-01-05",
    "2027-01-06",
)
CLOSED = ("2026-12-25", "2026-12-31")
PC_EVENINGS = ("2026-12-23", "2026-12-30", "2027-01-06")  # the PC skips the other evenings
#: The days that run the real shell wrappers (the others run the same flows in this process).
REAL_MORNINGS = (SESSIONS[0], SESSIONS[-1])
REAL_EVENINGS = (PC_EVENINGS[-1],)
RECORD = "reports/ops/scheduler_record.json"


def check_day(w: World, day: str, bundle_asof: str) -> str | None:
    """Assert one server morning; the outputs commit of a session (None on a closure)."""
    out = w.daily_ops(day) if day in REAL_MORNINGS else w.daily_ops_in_process(day)
    assert out.returncode == 0, out.stdout + out.stderr
    head = w.head(w.server)
    assert w.head(w.origin, "main") == head, "pushed"
    assert git(w.server, "status", "--porcelain") == ""
    record = w.api_get("/api/ops/scheduler/latest")
    assert record["commit"] == head and record["valid"] is True
    rec = record["rows"][0]
    assert (rec["asof"], rec["exit_code"], rec["push"]) == (day, 0, "PUSHING")
    results = {s["name"]: s["result"] for s in rec["steps"]}
    health = w.api_get("/api/ops/health")["rows"][0]["daily_ops"]
    assert (health["exit_code"], health["asof"]) == (0, day)
    cycle = w.api_get("/api/live/cycle/latest")
    assert cycle["valid"] is True and cycle["commit"] == head
    if day in CLOSED:
        assert rec["trading_day"] is False
        assert results == {
            "pull": "OK",
            "health": "OK",
            "ops_summary": "SKIPPED",
            "live_cycle": "SKIPPED",
            "commit": "SKIPPED",
            "resolve": "SKIPPED",
        }
        assert cycle["asof"] != day  # nothing is written on a closure
        assert rec["outputs_commit"] is None
        return None
    assert set(results.values()) == {"OK"}, results
    row = cycle["rows"][0]
    assert (row["asof"], row["result"], row["exit_code"]) == (day, "OK", 0)
    assert row["push"]["delivery_actual"] == "CONSOLE_SIMULATED"
    # The receipt names the PC commit of the bundle it used, and that bundle is the PC's latest.
    commit, path = row["snapshot_ref"].split(":")
    assert path == "state/strategy_bundle.json"
    assert json.loads(git(w.server, "show", f"{commit}:{path}"))["asof"] == bundle_asof
    assert rec["outputs_commit"] == w.head(w.server, "HEAD~1")
    summary = w.api_get("/api/ops/summary/latest")["rows"][0]
    # The summary is computed before the live cycle: on the first morning there is no receipt.
    first = day == SESSIONS[0]
    # Staleness in KRX sessions (issue 14): the PC skipped evenings, so a bundle more than one
    # close behind the last known close is STALE (CRITICAL, ops BLOCKED; the cycle plans exits
    # only and still ends OK/PARTIAL, exit 0); one close behind is a WARN.
    lag = sum(1 for s in SESSIONS if bundle_asof < s < day)
    if first:
        assert summary["overall_status"] == "NO_RUN_HISTORY"
    elif lag > 1:
        assert summary["overall_status"] == "BLOCKED"
        assert "BUNDLE_STALE" in [r["code"] for r in summary["top_risks"]]
    else:
        assert summary["overall_status"] in ("OK", "WARN")
    outputs: str = rec["outputs_commit"]
    return outputs


def test_ten_trading_days_pc_and_server(fresh_origin: Path, tmp_path: Path) -> None:
    w = clone_world(tmp_path, fresh_origin)
    bundle_asof, outputs, ticket_id = "2026-12-18", [], ""
    with resolver(w.server) as url:
        w.api = url
        for day in sorted(SESSIONS + CLOSED):
            commit = check_day(w, day, bundle_asof)
            outputs += [commit] if commit else []
            if day == "2026-12-22":
                ticket_id = file_ack_ticket(w)
            if day == "2026-12-23":  # the ticket filed yesterday evening has its one result
                result = w.api_get(f"/api/artifacts/ticket_result?key={ticket_id}")
                assert result["valid"] is True
                assert (result["rows"][0]["status"], result["rows"][0]["reason"]) == (
                    "DONE",
                    "ACKNOWLEDGED",
                )
            if day in PC_EVENINGS:
                if day in REAL_EVENINGS:
                    w.pc_daily(day)
                else:
                    w.pc_daily_in_process(day)
                bundle_asof = day
    # The PC's last evening pulled the whole server history before its reconcile ran.
    recon = w.read(w.pc, "reports/recon/recon_summary.json")
    assert recon["asof"] == SESSIONS[-1]
    assert recon["counts"]["days_with_plan"] == recon["counts"]["days_with_receipt"] == 10
    plan_commits = {s["commit"] for s in recon["sources"] if s["path"].endswith("order_plan.json")}
    assert plan_commits == set(outputs)
    assert git(w.origin, "log", "--merges", "--format=%h", "main") == ""


def file_ack_ticket(w: World) -> str:
    """The operator acknowledges today's plan on the PC and pushes the ticket."""
    git(w.pc, "pull", "-q", "--rebase", "origin", "main")
    plan_id = w.read(w.pc, "reports/live/order_plan.json")["plan_id"]
    out = w.krx(w.pc, "ticket", "new", "--plan", plan_id, "--ack", "--by", "operator")
    assert out.returncode == 0, out.stdout + out.stderr
    (path,) = (w.pc / "state/tickets").glob("*.json")
    git(w.pc, "add", "state/tickets")
    git(w.pc, "commit", "-qm", f"ops(ticket): ack {plan_id}")
    git(w.pc, "push", "-q", "origin", "HEAD:main")
    return path.stem


# --- docs/runbook.md: every fenced bash block runs -------------------------------------------

RUNBOOK = ROOT / "docs/runbook.md"
BLOCK_RE = re.compile(r"<!-- runbook-test: ([a-z-]+) -->\n```bash\n(.*?)```", re.S)
PLACEHOLDER = "/opt/krx-alertor"


def runbook_blocks() -> list[tuple[str, str]]:
    return BLOCK_RE.findall(RUNBOOK.read_text(encoding="utf-8"))


def test_every_runbook_block_is_tagged_for_its_test() -> None:
    text = RUNBOOK.read_text(encoding="utf-8")
    assert text.count("```bash") == len(runbook_blocks()) >= 10
    assert {tag for tag, _ in runbook_blocks()} == {"pc", "server", "server-install"}


def write_stubs(bin_dir: Path, log: Path) -> None:
    """``krx`` as the venv's entry point would be; recording stubs for the system tools."""
    bin_dir.mkdir()
    stubs = {
        "krx": f'exec {shlex.quote(sys.executable)} -m pipeline.cli "$@"\n',
        # sudo/systemctl/install belong to the machine, not to us: record, check the sources.
        "sudo": (
            f'echo "sudo $*" >> {shlex.quote(str(log))}\n'
            'for a in "$@"; do case "$a" in deploy/*) test -f "$a" || exit 1;; esac; done\n'
        ),
        "systemctl": f'echo "systemctl $*" >> {shlex.quote(str(log))}\n',
        # journald: what the unit's ExecStart printed (the test runs it, as systemd would).
        "journalctl": f'echo "journalctl $*" >> {shlex.quote(str(log))}\n'
        f"tail -n 20 {shlex.quote(str(log))}.journal\n",
    }
    for name, body in stubs.items():
        (bin_dir / name).write_text("#!/bin/sh\n" + body, encoding="utf-8")
        (bin_dir / name).chmod(0o755)


def unit_command() -> tuple[list[str], dict[str, str]]:
    """krx-daily.service's ExecStart and Environment (the schedule: tests/contract)."""
    argv: list[str] = []
    env: dict[str, str] = {}
    for line in (ROOT / "deploy/oci/krx-daily.service").read_text("utf-8").splitlines():
        key, _, value = line.partition("=")
        if key == "ExecStart":
            argv = shlex.split(value)
        elif key == "Environment":
            env |= dict(item.split("=", 1) for item in shlex.split(value))
    assert argv and "/home/" not in " ".join(argv)
    return argv, env


def test_runbook_commands_run(day1_origin: Path, tmp_path: Path) -> None:
    w = clone_world(tmp_path, day1_origin)
    stubs, log = tmp_path / "bin", tmp_path / "system.log"
    write_stubs(stubs, log)
    day = "2026-12-22"
    with resolver(w.server) as url:
        w.api = url
        port = url.rsplit(":", 1)[1]
        env = {
            **w.server_env(day),
            "PATH": f"{stubs}:{Path(VENV) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        }
        for i, (tag, block) in enumerate(runbook_blocks()):
            if "git revert" in block:  # the bad change the rollback undoes
                text = (w.pc / "params.yaml").read_text(encoding="utf-8")
                (w.pc / "params.yaml").write_text(
                    text.replace("max_positions: 5", "max_positions: 1"), encoding="utf-8"
                )
                git(w.pc, "commit", "-qam", "params: max_positions 1 (a mistake)")
            script = block.replace(PLACEHOLDER, str(w.server)).replace(
                "127.0.0.1:8000", f"127.0.0.1:{port}"
            )
            clone = w.pc if tag == "pc" else w.server
            block_env = {**env, "KRX_ASOF": "2026-12-18"} if tag == "pc" else env
            out = run(["bash", "-c", script], clone, env=block_env, check=False, timeout=240)
            shown = f"block {i} ({tag}):\n{block}\nstdout:\n{out.stdout}\nstderr:\n{out.stderr}"
            assert out.returncode == 0, shown
            assert "command not found" not in out.stderr and "Traceback" not in out.stderr, shown
            for expected in re.findall(r"# expected: exit=(\d)", block):
                assert f"exit={expected}" in out.stdout, shown
            if "daily_ops.sh\necho" in block and "EMERGENCY" not in block:
                assert "exit=0" in out.stdout, shown
            if tag == "server-install":
                system = log.read_text(encoding="utf-8")
                assert "sudo systemctl enable --now krx-ops-api" in system
                assert "sudo systemctl enable --now krx-daily.timer" in system
                argv, unit_env = unit_command()
                argv = [a.replace(PLACEHOLDER, str(w.server)) for a in argv]
                ran = run(argv, w.server, env={**env, **unit_env}, check=False, timeout=240)
                assert ran.returncode == 0, ran.stdout + ran.stderr
                assert "done: exit 0" in ran.stdout, ran.stdout + ran.stderr
                Path(f"{log}.journal").write_text(ran.stdout + ran.stderr, encoding="utf-8")
    assert git(w.pc, "log", "-1", "--format=%s", "--", "params.yaml").startswith("Revert")
    assert w.head(w.origin, "main") == w.head(w.server)
