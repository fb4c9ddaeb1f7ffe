"""A seeded chaos simulation of the PC <-> git <-> server loop over many KRX sessions (issue 14).

Real git repositories (a bare origin, a PC clone, a server clone), a real resolver process
serving the server clone, a real Telegram-protocol server on loopback, and the server's real
daily flow (``pipeline.flows.daily_server.run_daily``). Most mornings run the server's DVC stages
in-process (``pipeline.flows.stage_runner``, the order of ``server/dvc.yaml``); the mornings
that are killed with SIGKILL run ``krx daily server`` as a real process through ``dvc repro``.

The PC publishes what the strategy holds for the next session (a bundle of target weights):
its exposure follows a seeded schedule of on/off stretches, so exits happen on days that are not
rebalance days. The schedule also misses PC evenings (one on an exposure change) and server
mornings, records good, partial and bad tickets, kills the server mid-stage and mid-push, makes
a push land on the remote while the client sees a failure, races the PC's push against the
server's, pushes a corrupt bundle, and engages and releases the emergency stop.

After every day ``check_day`` asserts the invariants; ``Tally`` counts how often each held.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import registry
from pipeline.artifacts.live import OrderPlanV2
from pipeline.enums import ExecutionGate, OrderSide
from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK
from pipeline.flows.daily_server import Settings, run_daily
from pipeline.flows.stage_runner import run_in_process
from pipeline.io.telegram import ENV_BASE, ENV_CHAT, ENV_TOKEN
from pipeline.io.validate import validate_bytes
from pipeline.krx_calendar import KrxCalendar
from tests.conftest import BASE_ENV, copy_project, git
from tests.server import factories as f
from tests.support import gitrepo

SEOUL = f.SEOUL
EXIT_CODES = {EXIT_OK, EXIT_BLOCKED, EXIT_FAULT}
#: The PC's universe in the simulation: three ETFs with fixed reference closes (KRW).
HOLD = {"069500": 0.45, "132030": 0.35}
TOKEN = "123456:chaos-test-token"


# --- the schedule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: dt.date
    session: bool
    exposure: bool  # the strategy holds positions for the next session (PC's view this evening)
    events: frozenset[str]


def schedule(seed: int, cal: KrxCalendar, first: dt.date, sessions: int) -> list[Day]:
    """A seeded schedule of weekdays covering ``sessions`` KRX sessions from ``first``."""
    rng = random.Random(seed)
    # A SIGKILLed morning runs ``krx daily server`` as a real process through dvc (seconds):
    # the 60-session test has exactly one of each kind, a soak a few more.
    kill_rate = 0.0 if sessions <= 100 else 0.01
    days: list[Day] = []
    exposure, left = True, rng.randint(4, 9)
    day, count = first, 0
    forced_miss_on_change = False
    while count < sessions:
        if day.weekday() < 5:
            session = cal.is_trading_day(day)
            events: set[str] = set()
            changed = False
            if session:
                count += 1
                left -= 1
                if left <= 0:
                    exposure, left, changed = not exposure, rng.randint(3, 9), True
                r = rng.random
                if changed and not exposure and not forced_miss_on_change:
                    events.add("miss_pc")  # the PC misses the evening the strategy exits
                    forced_miss_on_change = True
                elif r() < 0.08:
                    events.add("miss_pc")
                if r() < 0.07:
                    events.add("miss_server")
                elif r() < kill_rate:  # real processes through dvc: seconds each, so rare
                    events.add("kill_stage")
                elif r() < kill_rate:
                    events.add("kill_push")
                elif r() < 0.03:
                    events.add("push_lost_ack")
                elif r() < 0.04:
                    events.add("race")
                if r() < 0.6:
                    events.add("fill")  # the operator trades the morning's orders
                if r() < 0.25:
                    events.add("partial")  # ... and records only part of them
                if r() < 0.12:
                    events.add(rng.choice(BAD_TICKETS))
                if r() < 0.05:
                    events.add("corrupt_bundle")
                if r() < 0.04:
                    events.add("stop_on")
            else:
                events.add("holiday")
            days.append(Day(day, session, exposure, frozenset(events)))
        day += dt.timedelta(days=1)
    # Every rare morning happens at least once, on a seeded session without another morning event.
    mornings = {"miss_server", "kill_stage", "kill_push", "push_lost_ack", "race"}
    free = [i for i, d in enumerate(days) if d.session and not d.events & mornings and i > 2]
    for event in sorted(mornings - {e for d in days for e in d.events}):
        i = free.pop(rng.randrange(len(free)))
        days[i] = Day(days[i].day, True, days[i].exposure, days[i].events | {event})
    # Release every emergency stop two sessions later.
    out = []
    releases: set[int] = set()
    for i, d in enumerate(days):
        ev = set(d.events)
        if "stop_on" in ev:
            releases.add(i + 3)
        if i in releases:
            ev.discard("stop_on")
            ev.add("stop_off")
        out.append(Day(d.day, d.session, d.exposure, frozenset(ev)))
    return out


#: Ticket files an operator should never commit; each must be rejected alone.
BAD_TICKETS = (
    "bad_name_dots",  # x.y.json
    "bad_name_sub",  # sub/x.json
    "bad_name_long",  # a 70-character name
    "bad_json",
    "bad_nesting",
    "bad_nan",
    "bad_fee",
)


# --- the world ----------------------------------------------------------------------------------


@dataclass
class Tally:
    """How often each invariant was checked (and held) over the run."""

    counts: Counter[str] = field(default_factory=Counter)

    def held(self, name: str) -> None:
        self.counts[name] += 1


@dataclass
class World:
    tmp: Path
    origin: Path
    pc: Path
    server: Path
    api: str
    telegram: Any  # tests.server.telegram_stub.Stub
    cal: KrxCalendar
    tally: Tally = field(default_factory=Tally)
    pushed: list[str] = field(default_factory=list)  # every origin head seen, in order
    last_plan: OrderPlanV2 | None = None
    last_server_session: dt.date | None = None
    stop_on: bool = False
    #: asof -> the targets the PC published that evening (None: a corrupt bundle)
    published: dict[dt.date, dict[str, float] | None] = field(default_factory=dict)
    remote_bundle: dt.date | None = None  # asof of the bundle on the remote (None: the seed's)
    console: list[str] = field(default_factory=list)
    new_messages: list[Any] = field(default_factory=list)  # Telegram requests of today's run
    missed: list[dt.date] = field(default_factory=list)  # sessions whose morning was missed

    # -- git ---------------------------------------------------------------------------------

    def origin_head(self) -> str:
        return git(self.origin, "rev-parse", "main")

    def pc_commit_push(self, message: str) -> None:
        git(self.pc, "add", "-A", "state")
        if not git(self.pc, "status", "--porcelain", "--", "state"):
            return
        git(self.pc, "commit", "-q", "-m", message)
        for _ in range(5):
            push = subprocess.run(
                ["git", "-C", str(self.pc), "push", "-q", "origin", "HEAD:main"],
                capture_output=True,
                text=True,
                env={**os.environ, **BASE_ENV},
                check=False,
            )
            if push.returncode == 0:
                return
            git(self.pc, "pull", "-q", "--rebase", "origin", "main")
        raise AssertionError("the PC could not push in 5 attempts")

    def pc_pull(self) -> None:
        git(self.pc, "pull", "-q", "--rebase", "origin", "main")

    # -- the PC ------------------------------------------------------------------------------

    def publish_bundle(self, d: Day) -> None:
        targets = dict(HOLD) if d.exposure else {}
        first = self.cal.is_first_of_month(self.cal.add(d.day, 1))
        model = f.bundle_model(d.day, targets=targets, rebalance_due=first, intended=targets)
        f.put(self.pc, "strategy_bundle", model)
        self.published[d.day] = targets
        self.remote_bundle = d.day

    def corrupt_bundle(self, d: Day) -> None:
        path = self.pc / registry.path("strategy_bundle")
        text = path.read_text(encoding="utf-8").replace('"exposure": 1.0', '"exposure": NaN')
        path.write_text(text.replace('"exposure":1.0', '"exposure":NaN'), encoding="utf-8")
        if b"NaN" not in path.read_bytes():
            path.write_text(text[: len(text) // 2], encoding="utf-8")  # truncated JSON
        self.published[d.day] = None

    def write_tickets(self, d: Day) -> None:
        plan = self.last_plan
        if plan is not None and plan.asof == d.day and plan.plan_id and "fill" in d.events:
            fills = [
                (o.ticker, o.side.value, o.shares, o.price_krw) for o in plan.orders if o.shares > 0
            ]
            if "partial" in d.events and fills:
                t, side, n, p = fills[0]
                fills[0] = (t, side, max(1, n // 2), p)
            if fills:
                tid = f"t{d.day:%Y%m%d}"
                f.put(self.pc, "ticket", f.ticket(tid, plan.plan_id, d.day, fills), tid)
        for bad in d.events & set(BAD_TICKETS):
            self._bad_ticket(bad, d.day)

    def _bad_ticket(self, kind: str, day: dt.date) -> None:
        folder = self.pc / registry.path("ticket", "x").rsplit("/", 1)[0]
        folder.mkdir(parents=True, exist_ok=True)
        stamp = f"{day:%Y%m%d}"
        fills = [("069500", "BUY", 1, 35_000)]
        good = json.loads(f.ticket(f"b{stamp}", "p" * 12, day, fills).model_dump_json())
        if kind == "bad_name_dots":
            (folder / f"x{stamp}.y.json").write_text(json.dumps(good), encoding="utf-8")
        elif kind == "bad_name_sub":
            (folder / "sub").mkdir(exist_ok=True)
            (folder / "sub" / f"x{stamp}.json").write_text(json.dumps(good), encoding="utf-8")
        elif kind == "bad_name_long":
            (folder / f"{stamp}{'x' * 62}.json").write_text(json.dumps(good), encoding="utf-8")
        elif kind == "bad_json":
            (folder / f"j{stamp}.json").write_text('{"ticket_id": ', encoding="utf-8")
        elif kind == "bad_nesting":
            deep = "[" * 5000 + "]" * 5000
            (folder / f"n{stamp}.json").write_text(f'{{"fills": {deep}}}', encoding="utf-8")
        elif kind == "bad_nan":
            text = json.dumps({**good, "ticket_id": f"nan{stamp}"})
            text = text.replace('"price_krw": 35000', '"price_krw": NaN')
            assert "NaN" in text
            (folder / f"nan{stamp}.json").write_text(text, encoding="utf-8")
        elif kind == "bad_fee":
            fill = {
                "ticker": "069500",
                "side": "BUY",
                "shares": 1,
                "price_krw": 35_000,
                "fee_krw": 10**30,
                "executed_on": day.isoformat(),
            }
            doc = {**good, "ticket_id": f"fee{stamp}", "fills": [fill]}
            (folder / f"fee{stamp}.json").write_text(json.dumps(doc), encoding="utf-8")

    def pc_evening(self, d: Day) -> None:
        self.pc_pull()
        if "stop_on" in d.events:
            f.put(self.pc, "emergency_stop", f.stop(d.day, True))
            self.stop_on = True
        if "stop_off" in d.events:
            f.put(self.pc, "emergency_stop", f.stop(d.day, False))
            self.stop_on = False
        if d.session:
            self.write_tickets(d)
            if "miss_pc" not in d.events:
                if "corrupt_bundle" in d.events:
                    self.publish_bundle(d)
                    self.corrupt_bundle(d)
                else:
                    self.publish_bundle(d)
        self.pc_commit_push(f"pc: evening {d.day}")
        self.pushed.append(self.origin_head())

    # -- the server --------------------------------------------------------------------------

    def server_env(self, day: dt.date) -> dict[str, str]:
        return {
            **os.environ,
            **BASE_ENV,
            "KRX_ROLE": "SERVER",
            "KRX_ASOF": day.isoformat(),
            "KRX_NOW": f"{day.isoformat()}T09:05:00+09:00",
            "KRX_API_URL": self.api,
            ENV_TOKEN: TOKEN,
            ENV_CHAT: "42",
            ENV_BASE: self.telegram.base_url,
        }

    def settings(self, day: dt.date, **kw: Any) -> Settings:
        return Settings(
            root=self.server,
            asof=day,
            now=dt.datetime.combine(day, dt.time(9, 5), SEOUL),
            env=self.server_env(day),
            api_url=self.api,
            net_timeout_s=kw.pop("net_timeout_s", 20.0),
            lock_wait_s=2.0,
            runner=run_in_process,
            **kw,
        )

    def server_morning(self, d: Day) -> int | None:
        """The server's run on ``d`` (None: missed); its exit code."""
        if "miss_server" in d.events:
            if d.session and self.last_server_session is not None:
                self.missed.append(d.day)  # the next run must report it
            return None
        self.last_server_session = d.day
        before = len(self.telegram.requests)
        if "kill_stage" in d.events or "kill_push" in d.events:
            self._killed_run(d)
            code = self._in_process_run(d)  # the operator (or the timer's retry) runs it again
        elif "push_lost_ack" in d.events:
            code = self._lost_ack_run(d)
        else:
            if "race" in d.events:
                self._arm_race(d)
            code = self._in_process_run(d)
            self._disarm_race()
        self.new_messages = self.telegram.requests[before:]
        return code

    def _in_process_run(self, d: Day, **kw: Any) -> int:
        lines: list[str] = []
        out = run_daily(self.settings(d.day, **kw), log=lines.append)
        self.console = lines
        return out.exit_code

    def _killed_run(self, d: Day) -> None:
        """``krx daily server`` as a real process through dvc, SIGKILLed mid-stage or mid-push."""
        env = {k: v for k, v in self.server_env(d.day).items() if k != "DVC_STAGE"}
        mid_push = "kill_push" in d.events
        hook = self.origin / "hooks" / "pre-receive"
        if mid_push:  # the remote takes its time: the kill lands while git push runs
            hook.write_text("#!/bin/sh\nsleep 5\n", encoding="utf-8")
            hook.chmod(0o755)
        # Mid-stage: the scheduled command itself, through dvc. Mid-push: the same flow in a
        # real process with its stages in-process (the push, not the stages, is under test).
        argv = [sys.executable, "-m", "pipeline.cli", "daily", "server"]
        if mid_push:
            argv = [sys.executable, "-c", "from tests.e2e.chaos import child; child()"]
        proc = subprocess.Popen(
            argv,
            cwd=self.server,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        marker = "step resolve:" if mid_push else "running stage 'live_cycle'"
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                if marker in line.lower():
                    time.sleep(1.5 if mid_push else 0.2)
                    break
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            proc.stdout.close()
            hook.unlink(missing_ok=True)

    def _lost_ack_run(self, d: Day) -> int:
        """The remote accepts the push, but the client times out waiting for it."""
        hook = self.origin / "hooks" / "post-receive"
        hook.write_text("#!/bin/sh\nsleep 3\n", encoding="utf-8")
        hook.chmod(0o755)
        try:
            return self._in_process_run(d, net_timeout_s=1.0)
        finally:
            hook.unlink()

    def _arm_race(self, d: Day) -> None:
        """Another PC push lands on the remote right after the server fetched (a push race)."""
        other = self.tmp / "pc2"
        if not other.exists():
            git(self.tmp, "clone", "-q", str(self.origin), str(other))
            git(other, "config", "user.name", "krx-pc2")
            git(other, "config", "user.email", "pc2@example.invalid")
        flag = self.tmp / f"race-{d.day}.done"
        # git runs reference-transaction for every ref update: the fetch's update of the
        # remote-tracking ref is the moment the server has "pulled"; fire once.
        script = (
            "#!/bin/sh\n"
            f"[ \"$1\" = committed ] && [ ! -e '{flag}' ] || exit 0\n"
            f"touch '{flag}'\n"
            "unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_PREFIX GIT_QUARANTINE_PATH\n"
            f"cd '{other}' && git pull -q --rebase origin main && "
            f"echo '{d.day}' > config/race.txt && git add config/race.txt && "
            f"git commit -qm 'pc: race {d.day}' && git push -q origin HEAD:main\n"
        )
        hook = self.server / ".git" / "hooks" / "reference-transaction"
        hook.write_text(script, encoding="utf-8")
        hook.chmod(0o755)

    def _disarm_race(self) -> None:
        (self.server / ".git" / "hooks" / "reference-transaction").unlink(missing_ok=True)


def child() -> None:
    """A server morning in a real process (cwd: the server clone), stages in-process."""
    import dataclasses

    base = Settings.from_env(Path.cwd(), os.environ)
    settings = dataclasses.replace(base, runner=run_in_process)
    raise SystemExit(run_daily(settings).exit_code)


# --- building the world -------------------------------------------------------------------------


def build(tmp: Path, first: dt.date) -> tuple[Path, Path, Path]:
    """A seed repo (the project without data) -> bare origin -> PC and server clones."""
    seed = copy_project(tmp / "seed", include_data=False)
    prev = f.cal().add(first, -1)
    f.put(seed, "strategy_bundle", f.bundle_model(prev, targets={}))
    f.put(seed, "portfolio", f.portfolio(prev, cash=10_000_000))
    f.put(seed, "execution_gate", f.gate(prev, ExecutionGate.REAL_ENABLED))
    f.put(seed, "real_sender", f.sender(prev, True))
    f.put(seed, "emergency_stop", f.stop(prev, False))
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "seed: the operator's first day")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    pc, server = tmp / "pc", tmp / "server"
    for clone in (pc, server):
        gitrepo.clone(origin, clone)
        for key, value in (("user.name", "krx"), ("user.email", "krx@example.invalid")):
            git(clone, "config", key, value)
    return origin, pc, server


# --- the invariants -----------------------------------------------------------------------------


def read_committed(w: World, name: str, ref: str = "main") -> bytes | None:
    out = subprocess.run(
        ["git", "-C", str(w.origin), "show", f"{ref}:{registry.path(name)}"],
        capture_output=True,
        check=False,
    )
    return out.stdout if out.returncode == 0 else None


def check_day(w: World, d: Day, code: int | None, held: dict[str, int]) -> None:
    """The six invariants of issue 14 item 7 after the server's morning of ``d``."""
    t = w.tally
    # (vi) exit codes only 0/2/3
    if code is not None:
        assert code in EXIT_CODES, f"{d.day}: exit {code}"
        t.held("exit_code_in_0_2_3")
    # (v) no pushed commit rewritten, no manual merge, nothing invalid committed
    head = w.origin_head()
    for earlier in w.pushed[-5:]:
        ok = subprocess.run(
            ["git", "-C", str(w.origin), "merge-base", "--is-ancestor", earlier, head],
            check=False,
        )
        assert ok.returncode == 0, f"{d.day}: pushed commit {earlier[:8]} was rewritten"
    w.pushed.append(head)
    merges = git(w.origin, "rev-list", "--merges", "main")
    assert merges == "", f"{d.day}: merge commits on the remote: {merges}"
    t.held("no_rewrite_no_merge")
    for spec in registry.ARTIFACTS:
        if spec.owner.value != "SERVER" or spec.is_collection or spec.model is None:
            continue
        data = read_committed(w, spec.name)
        if data is not None:
            problems = validate_bytes(data, spec.path)
            assert not problems, f"{d.day}: committed {spec.path} is invalid: {problems}"
    t.held("nothing_invalid_committed")
    if code is None:
        return
    # (iii) every missed server session is reported by the next run
    record = json.loads((w.server / registry.path("scheduler_record")).read_text("utf-8"))
    if w.missed:
        reported = {dt.date.fromisoformat(x) for x in record.get("missed_sessions", [])}
        assert set(w.missed) <= reported, f"{d.day}: missed {w.missed}, reported {reported}"
        t.held("missed_sessions_reported")
        w.missed.clear()
    # (iii) a BLOCKED or FAULT run sends exactly one alert; a done run at most one (a warning)
    alerts = [m for m in w.new_messages if _is_alert(m)] + [x for x in w.console if _is_alert(x)]
    if code in (EXIT_BLOCKED, EXIT_FAULT):
        assert len(alerts) == 1, f"{d.day}: exit {code} gave {len(alerts)} alerts: {alerts}"
        t.held("one_alert_per_blocked_or_fault")
    else:
        assert len(alerts) <= 1, f"{d.day}: exit 0 but {len(alerts)} alerts: {alerts}"
    if not d.session:
        return
    plan = OrderPlanV2.model_validate_json((w.server / registry.path("order_plan")).read_bytes())
    today = plan.asof == d.day
    w.last_plan = plan if today else None
    last_close = w.cal.add(d.day, -1)
    bundle = w.remote_bundle
    valid = bundle is not None and w.published.get(bundle) is not None
    lag = w.cal.count_after(bundle, last_close) if bundle is not None else None
    # (i) exits: the first run after the PC published zero exposure plans the exit
    targets = w.published.get(bundle) if bundle is not None else None
    positions = _positions(w)
    if today and valid and targets == {} and positions and not w.stop_on:
        sells = {o.ticker for o in plan.orders if o.side is OrderSide.SELL and o.shares > 0}
        assert set(positions) <= sells, f"{d.day}: holds {positions}, plans sells {sells}"
        t.held("exit_planned_after_zero_exposure")
    # (ii) no buy on a stale (beyond one session) or invalid bundle
    if today and (not valid or lag is None or lag > 1):
        buys = [o for o in plan.orders if o.side is OrderSide.BUY and o.shares > 0]
        assert not buys, f"{d.day}: bought {buys} on a stale or invalid bundle (lag {lag})"
        t.held("no_buy_on_stale_or_invalid")
    held["runs"] = held.get("runs", 0) + 1


PLAN_IN_TEXT = re.compile(r"(P-\d{8}-[0-9a-f]{6,})")


def check_end(w: World, days: list[Day]) -> None:
    """(iv) no order message was sent twice over the whole run."""
    sent: Counter[str] = Counter()
    for _, body in w.telegram.requests:
        text = body.get("text", "")
        if isinstance(text, str) and not _is_alert(text):
            m = PLAN_IN_TEXT.search(text)
            if m:
                sent[m.group(1)] += 1
    twice = {k: n for k, n in sent.items() if n > 1}
    assert not twice, f"order messages sent more than once: {twice}"
    assert sent, "no order message was ever sent: the simulation did not exercise delivery"
    w.tally.counts["no_order_message_twice"] += len(sent)
    assert len(days) >= 60


def _is_alert(message: Any) -> bool:
    from pipeline.core.alerts import ALERT_MARK

    text = message if isinstance(message, str) else message[1].get("text", "")
    return isinstance(text, str) and text.startswith(ALERT_MARK)


def _positions(w: World) -> dict[str, int]:
    raw = w.server / registry.path("positions")
    if not raw.exists():
        return {}
    doc = json.loads(raw.read_text(encoding="utf-8"))
    return {h["ticker"]: h["shares"] for h in doc.get("holdings", []) if h["shares"] > 0}
