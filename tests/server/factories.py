"""Factories for the server tests: bundles, portfolios, tickets, a temp repo (STYLE §15)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline import registry
from pipeline.artifacts.bundle import (
    RegimeReason,
    SignalReason,
    StrategyBundleV1,
    TargetWeight,
    TickerSignal,
    bundle_integrity,
)
from pipeline.artifacts.envelope import Producer
from pipeline.artifacts.portfolio import Holding, PortfolioV1
from pipeline.artifacts.safety import EmergencyStopV1, ExecutionGateV1, RealSenderV1
from pipeline.artifacts.tickets import Fill, TicketV1
from pipeline.canonical import canonical_bytes
from pipeline.core.bundle_check import BUNDLE_PATH
from pipeline.enums import (
    DayState,
    ExecutionGate,
    InstrumentType,
    OrderSide,
    PriceSource,
    Regime,
    SafetyFileState,
    TicketKind,
)
from pipeline.io.jsonio import dump_model
from pipeline.krx_calendar import load_calendar

SRC = Path(__file__).resolve().parents[2]
SEOUL = ZoneInfo("Asia/Seoul")
PRODUCER = Producer(stage="test", host="PC", code_sha=None)
NAMES = {"069500": "KODEX 200", "102110": "TIGER 200", "132030": "KODEX 골드선물(H)"}
CLOSES = {"069500": 35_000, "102110": 35_500, "132030": 15_000}


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(16, 0), SEOUL)


def cal() -> Any:
    return load_calendar(SRC)


def bundle_model(
    asof: dt.date,
    targets: dict[str, float] | None = None,
    closes: dict[str, int | None] | None = None,
    rebalance_due: bool = True,
    valid_until: dt.date | None = None,
    intended: dict[str, float] | None = None,
) -> StrategyBundleV1:
    """A bundle signalled on the close of ``asof``, valid for the next session."""
    c = cal()
    targets = {"069500": 0.5, "132030": 0.3} if targets is None else targets
    closes = dict(CLOSES) if closes is None else closes
    nxt = c.add(asof, 1)
    signals = tuple(
        TickerSignal(
            ticker=t,
            name=NAMES.get(t, t),
            type=InstrumentType.ETF,
            close=closes.get(t),
            momentum=0.05,
            rsi=55.0,
            rank=1,
            rsi_scale=1.0,
            weight=targets.get(t, 0.0),
            reason=SignalReason.SELECTED if targets.get(t) else SignalReason.NOT_TOP_N,
        )
        for t in sorted(set(closes) | set(targets))
    )
    draft = StrategyBundleV1(
        asof=asof,
        generated_at=at(asof),
        producer=PRODUCER,
        data_source=PriceSource.SAMPLE,
        synthetic_data=True,
        day_state=DayState.BULL,
        regime=Regime.BULL,
        regime_reason=RegimeReason.ABOVE_SMA_LONG,
        regime_detail="test",
        exposure=1.0,
        rebalance_due=rebalance_due,
        last_rebalance=asof,
        valid_from=nxt,
        valid_until=valid_until or nxt,
        target_weights=tuple(TargetWeight(ticker=t, weight=w) for t, w in sorted(targets.items())),
        cash_weight=round(1 - sum(targets.values()), 6),
        intended_weights=None
        if intended is None
        else tuple(TargetWeight(ticker=t, weight=w) for t, w in sorted(intended.items())),
        signals=signals,
        integrity_sha256="0" * 64,
    )
    data = json.loads(dump_model(draft))
    data["integrity_sha256"] = bundle_integrity(data)
    return StrategyBundleV1.model_validate(data)


def bundle_bytes(model: StrategyBundleV1) -> bytes:
    return dump_model(model)


def portfolio(
    asof: dt.date, cash: int = 10_000_000, holdings: dict[str, tuple[int, int]] | None = None
) -> PortfolioV1:
    return PortfolioV1(
        asof=asof,
        generated_at=at(asof),
        producer=PRODUCER,
        cash_krw=cash,
        holdings=tuple(
            Holding(ticker=t, shares=s, avg_price_krw=p)
            for t, (s, p) in sorted((holdings or {}).items())
        ),
        updated_by="tester",
    )


def ticket(
    ticket_id: str,
    plan_id: str,
    session: dt.date,
    fills: list[tuple[str, str, int, int]] | None = None,
    kind: TicketKind = TicketKind.EXECUTION,
    executed_on: dt.date | None = None,
) -> TicketV1:
    return TicketV1(
        asof=session,
        generated_at=at(session),
        producer=PRODUCER,
        ticket_id=ticket_id,
        kind=kind,
        plan_id=plan_id,
        created_by="tester",
        fills=tuple(
            Fill(
                ticker=t,
                side=OrderSide(side),
                shares=n,
                price_krw=p,
                executed_on=executed_on or session,
            )
            for t, side, n, p in (fills or [])
        ),
    )


def drill_header(asof: dt.date) -> dict[str, Any]:
    """The fields every drill report version shares, as keyword arguments: a drill of commit
    ``a…a`` on a clean tree, observed DRY_RUN (nothing can be sent), forced MOCK_ONLY."""
    from pipeline.artifacts.drill import ForcedSafety, ObservedSafety

    ok = SafetyFileState.OK
    return {
        "asof": asof,
        "generated_at": at(asof),
        "producer": PRODUCER,
        "head_commit": "a" * 40,
        "real_tree_dirty": False,
        "observed_safety": ObservedSafety(
            gate=ExecutionGate.DRY_RUN,
            gate_file=ok,
            real_sender_enabled=False,
            real_sender_file=ok,
            emergency_stop=False,
            emergency_stop_file=ok,
            emergency_stop_env=False,
            telegram_credentials_present=False,
            real_send_possible=False,
        ),
        "forced_safety": ForcedSafety(
            gate=ExecutionGate.MOCK_ONLY, real_sender_enabled=False, removed_env=()
        ),
    }


def gate(asof: dt.date, value: ExecutionGate) -> ExecutionGateV1:
    return ExecutionGateV1(
        asof=asof,
        generated_at=at(asof),
        producer=PRODUCER,
        gate=value,
        changed_by="tester",
        reason="test",
    )


def sender(asof: dt.date, enabled: bool) -> RealSenderV1:
    return RealSenderV1(
        asof=asof,
        generated_at=at(asof),
        producer=PRODUCER,
        enabled=enabled,
        changed_by="tester",
        reason="test",
    )


def stop(asof: dt.date, enabled: bool) -> EmergencyStopV1:
    return EmergencyStopV1(
        asof=asof,
        generated_at=at(asof),
        producer=PRODUCER,
        enabled=enabled,
        changed_by="tester",
        reason="test",
    )


def put(root: Path, name: str, model: Any, key: str | None = None) -> Path:
    """Write a PC-owned fixture artifact exactly as the operator's tools would."""
    # strategy_bundle is registered by the backtest branch; until the merge use its fixed path.
    rel = BUNDLE_PATH if name == "strategy_bundle" else registry.get(name).path_for(key)
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dump_model(model))
    return path


def put_raw(root: Path, rel: str, data: bytes | dict[str, Any]) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else canonical_bytes(data))
    return path


def make_repo(root: Path, params_overrides: str = "") -> Path:
    """A project checkout in ``root``: params.yaml and the calendar overrides."""
    root.mkdir(parents=True, exist_ok=True)
    text = (SRC / "params.yaml").read_text(encoding="utf-8")
    for line in params_overrides.splitlines():
        key, value = (s.strip() for s in line.split("=", 1))
        section, field = key.split(".")
        head = f"\n{section}:\n"
        start = text.index(head) + len(head)
        lines = text[start:].split("\n")
        for i, ln in enumerate(lines):
            if ln.strip().startswith(f"{field}:"):
                lines[i] = f"  {field}: {value}"
                break
        else:
            raise KeyError(key)
        text = text[:start] + "\n".join(lines)
    (root / "params.yaml").write_text(text, encoding="utf-8")
    (root / "config").mkdir(exist_ok=True)
    shutil.copy(SRC / "config" / "krx_closures.yaml", root / "config" / "krx_closures.yaml")
    return root


def git(root: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.strip()


def git_init(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "config", "user.name", "test")
    git(root, "config", "commit.gpgsign", "false")


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (outside .git/.dvc) -> bytes, to prove nothing else changed."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".dvc" not in p.parts
    }


def read_json(root: Path, name: str, key: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / registry.get(name).path_for(key)).read_text("utf-8"))
    return data


def run_stage(root: Path, name: str, day: dt.date, mp: Any) -> int:
    """Run a server stage in-process for ``day`` (clock and role from the environment)."""
    import importlib

    mp.setenv("KRX_ROLE", "SERVER")
    mp.setenv("KRX_ASOF", day.isoformat())
    mp.setenv("KRX_NOW", f"{day.isoformat()}T09:05:00+09:00")
    module = importlib.import_module(f"pipeline.flows.{name}")
    code: int = module.main(root, None)
    return code


def run_day(root: Path, day: dt.date, mp: Any) -> int:
    """The server's daily order: tickets -> ops_summary -> live_cycle; the cycle's exit code."""
    assert run_stage(root, "tickets", day, mp) == 0
    assert run_stage(root, "ops_summary", day, mp) == 0
    return run_stage(root, "live_cycle", day, mp)


def server_repo(tmp: Path, signal_day: dt.date = dt.date(2025, 9, 19), **bundle: Any) -> Path:
    """A repo with a valid bundle (signal day ``signal_day``) and a baseline portfolio."""
    root = make_repo(tmp / "repo")
    put(root, "strategy_bundle", bundle_model(signal_day, **bundle))
    put(
        root, "portfolio", portfolio(signal_day, cash=10_000_000, holdings={"102110": (20, 30_000)})
    )
    return root


def add_server_pipeline(root: Path) -> None:
    """What a server checkout has for ``dvc repro server/dvc.yaml``: the pipeline file, the
    ``pipeline`` package it depends on (its code deps; a partial copy would shadow the installed
    package in every ``python -m`` started there), empty lock files and a DVC repository."""
    (root / "server").mkdir(exist_ok=True)
    shutil.copy(SRC / "server/dvc.yaml", root / "server/dvc.yaml")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "pipeline"], cwd=SRC, capture_output=True, check=True
    ).stdout.decode()
    for rel in (p for p in listed.split("\0") if p and (SRC / p).is_file()):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SRC / rel, root / rel)
    put_raw(root, "server/dvc.lock", b"schema: '2.0'\nstages: {}\n")
    put_raw(root, "dvc.lock", b"schema: '2.0'\nstages: {}\n")
    for rel in (".dvc/config", ".dvc/.gitignore", ".dvcignore", ".gitignore"):  # a DVC repository
        put_raw(root, rel, (SRC / rel).read_bytes())  # .gitignore: no __pycache__ in git status
