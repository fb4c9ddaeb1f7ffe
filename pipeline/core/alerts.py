"""The alert a server run sends when it ends BLOCKED or FAULT (issue 14 item 3).

One alert per run, in Korean, naming what failed and the one thing to do: every run that ends
BLOCKED or FAULT, and a done run whose bundle is late or whose message may not have arrived.
A live-cycle block takes its words from ``pipeline.core.risk_advice`` (the table the daily
message and the cockpit use); a step's fault takes them from ``STEP_ADVICE`` below. Pure:
the daily flow passes the run's steps, its exit code and today's receipt reason;
``pipeline.flows.alert`` delivers the text (Telegram when a real send is allowed, else the
console).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.core.risk_advice import Advice, reason_advice
from pipeline.enums import CycleReason, ServerStep
from pipeline.errors import EXIT_BLOCKED, EXIT_FAULT, EXIT_OK

#: Every alert starts with this mark (the operator's phone shows it first; tests look for it).
ALERT_MARK = "⚠️ KRX 경보"


@dataclass(frozen=True)
class StepOutcome:
    """One step of the run as the alert needs it: its name, exit code and one-line message."""

    step: str
    exit_code: int
    message: str


#: A fault in a step of the server's daily run: what it means and what to do.
STEP_ADVICE: dict[str, Advice] = {
    ServerStep.PULL: Advice(
        "원격 저장소에서 최신 상태를 가져오지 못했습니다 (네트워크 또는 원격 설정).",
        "서버에서 원격 저장소 접속과 KRX_REMOTE 설정을 확인하세요; 마지막 상태로 계속 운영합니다.",
    ),
    ServerStep.HEALTH: Advice(
        "리졸버 API가 응답하지 않습니다.",
        "서버에서 'systemctl restart krx-ops-api'로 리졸버를 다시 시작하세요.",
    ),
    ServerStep.OPS_SUMMARY: Advice(
        "운영 요약(티켓·운영 요약 단계)이 실패했거나 입력 산출물이 유효하지 않습니다.",
        "'journalctl -u krx-daily'에서 오류를 보고, PC 산출물이 원인이면 PC에서 고쳐 푸시하세요.",
    ),
    ServerStep.LIVE_CYCLE: Advice(
        "라이브 사이클 단계가 실패했습니다.",
        "'journalctl -u krx-daily'에서 오류를 확인하세요; 오늘 주문은 나가지 않았습니다.",
    ),
    ServerStep.COMMIT: Advice(
        "서버 산출물을 커밋하지 못했습니다.",
        "서버 저장소에서 'git status'로 상태를 확인하세요; 다음 실행이 다시 시도합니다.",
    ),
    ServerStep.RESOLVE: Advice(
        "새 영수증을 리졸버 API로 확인하지 못했습니다.",
        "'systemctl status krx-ops-api'로 리졸버를 확인하세요.",
    ),
    ServerStep.PUSH: Advice(
        "원격 저장소에 푸시하지 못했습니다 — 커밋은 서버에 남아 다음 실행이 푸시합니다.",
        "서버의 네트워크와 원격 저장소 인증을 확인하세요.",
    ),
    "lock": Advice(
        "다른 일일 실행이 아직 돌고 있어 이번 실행은 아무것도 바꾸지 않았습니다.",
        "서버에서 멈춘 실행이 없는지 확인하세요 ('systemctl status krx-daily').",
    ),
    "run": Advice(
        "서버 일일 실행이 예기치 않게 실패했습니다.",
        "'journalctl -u krx-daily'에서 마지막 줄을 확인하세요.",
    ),
}


def worst_step(steps: Sequence[StepOutcome]) -> StepOutcome | None:
    """The first step with the run's worst exit code (None if every step was fine)."""
    worst = max((s.exit_code for s in steps), default=0)
    return next((s for s in steps if s.exit_code == worst), None) if worst else None


#: Done runs (exit 0) that still need the operator: a bundle computed before the last known
#: close (one session late: buys still allowed; beyond: exits only) and a message that may or
#: may not have reached Telegram (never resent).
WARN_REASONS = frozenset({CycleReason.BUNDLE_STALE, CycleReason.DELIVERY_OUTCOME_UNKNOWN})


def alert_text(
    asof: dt.date,
    exit_code: int,
    steps: Sequence[StepOutcome],
    reason: CycleReason | None,
    bundle_late: bool = False,
) -> str | None:
    """The run's one alert: BLOCKED (2) or FAULT (3); a done run (0) only for ``WARN_REASONS``
    or a bundle one session late (``bundle_late``); None when there is nothing to say."""
    if exit_code == EXIT_OK:
        if reason in WARN_REASONS:
            advice = reason_advice(reason)
            where = f"라이브 사이클: {reason.value}"
        elif bundle_late:
            advice, where = reason_advice(CycleReason.BUNDLE_STALE), "전략 번들: 한 세션 늦음"
        else:
            return None
        return (
            f"{ALERT_MARK} — 서버 일일 실행 {asof} 주의(WARN), exit 0\n"
            f"무엇이: {advice.what}\n"
            f"어디서: {where}\n"
            f"할 일: {advice.todo}"
        )
    if exit_code not in (EXIT_BLOCKED, EXIT_FAULT):
        return None
    kind = "차단(BLOCKED)" if exit_code == EXIT_BLOCKED else "장애(FAULT)"
    step = worst_step(steps)
    if reason is not None and (step is None or step.step == ServerStep.LIVE_CYCLE):
        advice, where = reason_advice(reason), f"라이브 사이클: {reason.value}"
    elif step is not None:
        advice = STEP_ADVICE.get(step.step, STEP_ADVICE["run"])
        where = f"{step.step} 단계: {step.message[:160]}"
    else:
        advice, where = STEP_ADVICE["run"], "알 수 없는 단계"
    return (
        f"{ALERT_MARK} — 서버 일일 실행 {asof} {kind}, exit {exit_code}\n"
        f"무엇이: {advice.what}\n"
        f"어디서: {where}\n"
        f"할 일: {advice.todo}"
    )
