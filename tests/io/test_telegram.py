"""The Telegram sender against a real local HTTP server: success, 429, 5xx, timeouts, errors
-> a recorded fallback, never a crash; the token never leaves the request URL."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.enums import ExecutionGate, SendError
from pipeline.io.telegram import TelegramConfig, send_message
from tests.conftest import BASE_ENV, ROOT
from tests.server.factories import (
    bundle_model,
    gate,
    portfolio,
    put,
    read_json,
    run_day,
    run_stage,
    sender,
    server_repo,
    snapshot,
    stop,
)
from tests.server.telegram_stub import telegram_stub

TOKEN = "123456:SECRET-token-never-written"
MON, TUE = dt.date(2025, 9, 22), dt.date(2025, 9, 23)


def cfg(base: str, **kw: float) -> TelegramConfig:
    return TelegramConfig(
        base_url=base,
        token=TOKEN,
        chat_id="42",
        timeout_s=kw.get("timeout", 2.0),
        max_attempts=int(kw.get("attempts", 3)),
        backoff_s=kw.get("backoff", 0.5),
        max_retry_after_s=kw.get("max_after", 30.0),
    )


class Sleeps(list[float]):
    def __call__(self, s: float) -> None:
        self.append(s)


def test_success() -> None:
    with telegram_stub() as stub:
        out = send_message(cfg(stub.base_url), "안녕하세요\n", Sleeps())
    assert out.ok and out.message_id == 101 and len(out.attempts) == 1
    path, body = stub.requests[0]
    assert path == f"/bot{TOKEN}/sendMessage"
    assert body["chat_id"] == "42" and body["text"] == "안녕하세요\n"


@pytest.mark.parametrize(
    ("script", "ok", "errors", "sleeps"),
    [
        ([("429", 1)], True, [SendError.RATE_LIMITED, None], [1.0]),
        (
            [("500",), ("500",)],
            True,
            [SendError.SERVER_ERROR, SendError.SERVER_ERROR, None],
            [0.5, 1.0],
        ),
        ([("500",)] * 3, False, [SendError.SERVER_ERROR] * 3, [0.5, 1.0]),
        ([("429", 999)], False, [SendError.RATE_LIMITED], []),  # longer than we may wait
        ([("400",)], False, [SendError.CLIENT_ERROR], []),  # not retryable
        ([("bad",)], False, [SendError.BAD_RESPONSE], []),
    ],
)
def test_failures_are_recorded_and_bounded(script, ok, errors, sleeps) -> None:
    slept = Sleeps()
    with telegram_stub(script) as stub:
        out = send_message(cfg(stub.base_url), "x", slept)
    assert out.ok is ok
    assert [a.error for a in out.attempts] == errors
    assert slept == sleeps
    assert len(stub.requests) == len(errors)


def test_timeout_and_connection_refused() -> None:
    with telegram_stub([("sleep", 1.0), ("sleep", 1.0)]) as stub:
        out = send_message(cfg(stub.base_url, timeout=0.2, attempts=2), "x", Sleeps())
    # the request may have arrived: never retried (at most once)
    assert not out.ok and [a.error for a in out.attempts] == [SendError.TIMEOUT]
    assert out.maybe_arrived and len(stub.requests) == 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nobody listens there
    out = send_message(cfg(f"http://127.0.0.1:{port}", attempts=1), "x", Sleeps())
    assert not out.ok and out.attempts[0].error is SendError.CONNECT
    assert not out.maybe_arrived
    assert TOKEN not in repr(cfg("http://x"))


def _arm(root: Path, mp: pytest.MonkeyPatch, base: str) -> None:
    put(root, "execution_gate", gate(MON, ExecutionGate.DRY_RUN))
    put(root, "real_sender", sender(MON, True))
    mp.setenv("KRX_TELEGRAM_TOKEN", TOKEN)
    mp.setenv("KRX_TELEGRAM_CHAT_ID", "42")
    mp.setenv("KRX_TELEGRAM_API_BASE", base)


def test_live_cycle_sends_once_per_plan_and_day(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    root = server_repo(tmp_path)
    with telegram_stub() as stub:
        _arm(root, monkeypatch, stub.base_url)
        assert run_day(root, MON, monkeypatch) == 0
        first = read_json(root, "live_cycle_receipt")
        assert first["push"]["delivery_actual"] == "TELEGRAM"
        assert first["push"]["telegram_message_id"] == 101
        text = stub.requests[0][1]["text"]
        assert "[KRX Alertor] 2025-09-22(월) 오늘 할 일" in text and "매수 069500" in text
        assert run_stage(root, "live_cycle", MON, monkeypatch) == 0  # a rerun
        assert run_stage(root, "live_cycle", MON, monkeypatch) == 0
        assert len(stub.requests) == 1  # never sent twice
        again = read_json(root, "live_cycle_receipt")
        assert again["push"]["status"] == "DUPLICATE_SKIPPED"
        assert again["push"]["delivery_actual"] == "TELEGRAM"
        assert again["push"]["telegram_message_id"] == 101
        put(root, "strategy_bundle", bundle_model(MON))
        assert run_day(root, TUE, monkeypatch) == 0  # a new day: a new message
        assert len(stub.requests) == 2
    out = capsys.readouterr()
    everything = b"".join(snapshot(root).values()).decode("utf-8", "replace")
    for where in (everything, out.out, out.err, caplog.text):
        assert TOKEN not in where and "SECRET" not in where


def test_failed_send_falls_back_to_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = server_repo(tmp_path)
    root.joinpath("params.yaml").write_text(
        root.joinpath("params.yaml")
        .read_text("utf-8")
        .replace("telegram_backoff_s: 1.0", "telegram_backoff_s: 0.01"),
        "utf-8",
    )
    with telegram_stub([("500",)] * 3 + [("ok",)]) as stub:
        _arm(root, monkeypatch, stub.base_url)
        assert run_day(root, MON, monkeypatch) == 0
        receipt = read_json(root, "live_cycle_receipt")
        assert (receipt["decision"], receipt["reason"]) == ("PARTIAL", "DELIVERY_FALLBACK")
        assert receipt["push"]["delivery_actual"] == "CONSOLE_SIMULATED"
        assert receipt["push"]["status"] == "FALLBACK" and receipt["push"]["attempts"] == 3
        record = read_json(root, "delivery_record")
        assert [a["http_status"] for a in record["attempts"]] == [502, 502, 502]
        assert "오늘 할 일" in capsys.readouterr().out  # the operator still sees the message
        assert run_stage(root, "live_cycle", MON, monkeypatch) == 0  # a rerun may retry
        assert read_json(root, "live_cycle_receipt")["push"]["status"] == "SENT"
        assert len(stub.requests) == 4


@pytest.mark.parametrize("block", ["mock_only", "sender_off", "stopped", "no_token"])
def test_no_real_send_unless_everything_allows(
    block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = server_repo(tmp_path)
    with telegram_stub() as stub:
        _arm(root, monkeypatch, stub.base_url)
        if block == "mock_only":
            put(root, "execution_gate", gate(MON, ExecutionGate.MOCK_ONLY))
        elif block == "sender_off":
            put(root, "real_sender", sender(MON, False))
        elif block == "stopped":
            put(root, "emergency_stop", stop(MON, True))
        else:
            monkeypatch.delenv("KRX_TELEGRAM_TOKEN")
        run_day(root, MON, monkeypatch)
        assert stub.requests == []
    push = read_json(root, "live_cycle_receipt")["push"]
    assert (push["delivery_actual"], push["status"]) == ("CONSOLE_SIMULATED", "SIMULATED")


# --------------------------------------------------------------------------- at most once


def _sent_texts(stub: Any) -> list[str]:
    return [body["text"] for _, body in stub.requests]


def _ledger(root: Path) -> dict[str, str]:
    return {i["delivery_key"]: i["outcome"] for i in read_json(root, "send_ledger")["intents"]}


def test_a_b_a_sends_a_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plan A, then plan B (the portfolio changed), then plan A again on the same session:
    A's message went out once; the last run records DUPLICATE_SKIPPED."""
    root = server_repo(tmp_path)
    read_bytes = (root / "state/portfolio.json").read_bytes()
    with telegram_stub() as stub:
        _arm(root, monkeypatch, stub.base_url)
        assert run_day(root, MON, monkeypatch) == 0
        plan_a = read_json(root, "order_plan")["plan_id"]
        put(root, "portfolio", portfolio(dt.date(2025, 9, 19), cash=9_000_000, holdings={}))
        assert run_day(root, MON, monkeypatch) == 0
        plan_b = read_json(root, "order_plan")["plan_id"]
        assert plan_b != plan_a
        (root / "state/portfolio.json").write_bytes(read_bytes)
        assert run_day(root, MON, monkeypatch) == 0
        assert read_json(root, "order_plan")["plan_id"] == plan_a
        assert len(stub.requests) == 2  # A once, B once; never A again
        push = read_json(root, "live_cycle_receipt")["push"]
        assert push["status"] == "DUPLICATE_SKIPPED" and push["telegram_message_id"] == 101
        assert _ledger(root) == {f"{MON}:{plan_a}": "SENT", f"{MON}:{plan_b}": "SENT"}


def test_timeout_is_never_resent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = server_repo(tmp_path)
    text = root.joinpath("params.yaml").read_text("utf-8")
    assert "telegram_timeout_s:" in text
    root.joinpath("params.yaml").write_text(
        "\n".join(
            "  telegram_timeout_s: 0.3" if ln.strip().startswith("telegram_timeout_s:") else ln
            for ln in text.splitlines()
        )
        + "\n",
        "utf-8",
    )
    with telegram_stub([("sleep", 1.5)]) as stub:
        _arm(root, monkeypatch, stub.base_url)
        assert run_day(root, MON, monkeypatch) == 0
        receipt = read_json(root, "live_cycle_receipt")
        assert (receipt["decision"], receipt["reason"]) == ("PARTIAL", "DELIVERY_OUTCOME_UNKNOWN")
        assert "전송 결과 불명 — 텔레그램을 확인하세요" in capsys.readouterr().out
        assert run_stage(root, "live_cycle", MON, monkeypatch) == 0  # a rerun
        assert read_json(root, "live_cycle_receipt")["push"]["status"] == "OUTCOME_UNKNOWN"
        assert len(stub.requests) == 1
        assert list(_ledger(root).values()) == ["UNKNOWN"]


def test_429_waits_retry_after_then_sends_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = server_repo(tmp_path)
    with telegram_stub([("429", 1)]) as stub:
        _arm(root, monkeypatch, stub.base_url)
        assert run_day(root, MON, monkeypatch) == 0
        record = read_json(root, "delivery_record")
        assert [a["error"] for a in record["attempts"]] == ["RATE_LIMITED", None]
        assert record["attempts"][0]["retry_after_s"] == 1
        assert record["status"] == "SENT"
        assert run_stage(root, "live_cycle", MON, monkeypatch) == 0
        assert len(stub.requests) == 2  # the refused one and the accepted one; no third
        assert list(_ledger(root).values()) == ["SENT"]


def test_crash_after_telegram_answered_is_never_resent(tmp_path: Path) -> None:
    """A real process is SIGKILLed by the stub right after it answered 200: the rerun finds
    the intent (recorded before the send) and does not send again."""
    root = server_repo(tmp_path)
    env = {
        **BASE_ENV,
        "PYTHONPATH": str(ROOT),
        "KRX_ROLE": "SERVER",
        "KRX_ASOF": MON.isoformat(),
        "KRX_NOW": f"{MON.isoformat()}T09:05:00+09:00",
        "KRX_TELEGRAM_TOKEN": TOKEN,
        "KRX_TELEGRAM_CHAT_ID": "42",
    }
    put(root, "execution_gate", gate(MON, ExecutionGate.DRY_RUN))
    put(root, "real_sender", sender(MON, True))
    cmd = [sys.executable, "-m", "pipeline.cli", "-C", str(root), "stage"]
    with telegram_stub([("kill",)]) as stub:
        env["KRX_TELEGRAM_API_BASE"] = stub.base_url
        for stage in ("tickets", "ops_summary"):
            subprocess.run([*cmd, stage], env=env, check=True, capture_output=True)
        proc = subprocess.Popen([*cmd, "live_cycle"], env=env, stdout=subprocess.PIPE)
        stub.kill_pid = proc.pid
        proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL
        assert len(stub.requests) == 1
        rerun = subprocess.run([*cmd, "live_cycle"], env=env, capture_output=True, text=True)
        assert len(stub.requests) == 1, rerun.stdout  # never sent twice
    receipt = read_json(root, "live_cycle_receipt")
    assert receipt["push"]["status"] in ("OUTCOME_UNKNOWN", "DUPLICATE_SKIPPED")
    if receipt["push"]["status"] == "OUTCOME_UNKNOWN":
        assert "전송 결과 불명" in rerun.stdout
