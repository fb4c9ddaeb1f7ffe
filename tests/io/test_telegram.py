"""The Telegram sender against a real local HTTP server: success, 429, 5xx, timeouts, errors
-> a recorded fallback, never a crash; the token never leaves the request URL."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from pathlib import Path

import pytest

from pipeline.enums import ExecutionGate, SendError
from pipeline.io.telegram import TelegramConfig, send_message
from tests.server.factories import (
    bundle_model,
    gate,
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
    assert not out.ok and [a.error for a in out.attempts] == [SendError.TIMEOUT] * 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nobody listens there
    out = send_message(cfg(f"http://127.0.0.1:{port}", attempts=1), "x", Sleeps())
    assert not out.ok and out.attempts[0].error is SendError.CONNECT
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
        assert "[KRX Alertor] 2025-09-22 일일 현황" in text and "매수 069500" in text
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
        assert "일일 현황" in capsys.readouterr().out  # the operator still sees the message
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
