"""Every risk and block code in Korean words, with the one thing the operator should do.

One table for the daily message, the cockpit and the docs (``docs/message.md``), so a code never
reaches the operator bare. A test checks that every ``RiskCode`` and ``CycleReason`` member has
an entry. To-dos name a cockpit section or a command without flags (the page's language).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.enums import CycleReason, RiskCode


@dataclass(frozen=True)
class Advice:
    """``what``: what is wrong, in words; ``todo``: the one thing to do about it."""

    what: str
    todo: str


RISK_ADVICE: dict[RiskCode, Advice] = {
    RiskCode.EMERGENCY_STOP: Advice(
        "비상 정지가 켜져 있어 서버가 주문 계획을 만들지 않습니다.",
        "원인을 해결한 뒤 콕핏 '비상 정지'에서 해제하고 푸시하세요.",
    ),
    RiskCode.SAFETY_FILE_INVALID: Advice(
        "안전 설정 파일이 없거나 손상되어 가장 안전한 값으로 읽었습니다.",
        "콕핏 '안전 스위치'에서 게이트·발송·비상 정지를 다시 저장하고 푸시하세요.",
    ),
    RiskCode.GATE_MOCK_ONLY: Advice(
        "실행 게이트가 모의(MOCK_ONLY)라 주문은 연습용입니다.",
        "실거래를 원하면 콕핏 '안전 스위치'에서 게이트를 바꾸세요; 아니면 그대로 두세요.",
    ),
    RiskCode.BUNDLE_MISSING: Advice(
        "전략 번들이 없어 목표 비중을 알 수 없습니다.",
        "PC에서 장 마감 후 일일 실행(make run)을 하고 커밋·푸시하세요.",
    ),
    RiskCode.BUNDLE_INVALID: Advice(
        "전략 번들이 손상되었거나 스키마에 맞지 않습니다.",
        "PC에서 일일 실행(make run)으로 번들을 다시 만들고 커밋·푸시하세요.",
    ),
    RiskCode.BUNDLE_STALE: Advice(
        "전략 번들이 오래되어 오늘 종가를 반영하지 못합니다.",
        "PC에서 오늘 장 마감 후 일일 실행(make run)을 하고 푸시하세요.",
    ),
    RiskCode.NO_PORTFOLIO: Advice(
        "기준 포트폴리오(현금·보유 종목)가 없어 주문을 계산할 수 없습니다.",
        "콕핏 '기준 포트폴리오'에 증권사 잔고를 입력하고 커밋·푸시하세요.",
    ),
    RiskCode.PORTFOLIO_STALE: Advice(
        "기준 포트폴리오가 오래되었습니다.",
        "체결을 티켓으로 기록했는지 확인하고, 필요하면 잔고를 다시 입력하세요.",
    ),
    RiskCode.PORTFOLIO_INCONSISTENT: Advice(
        "포트폴리오나 서버 포지션이 일관되지 않습니다.",
        "증권사 잔고와 비교해 콕핏 '기준 포트폴리오'를 바로잡고 푸시하세요.",
    ),
    RiskCode.TICKETS_FAILED: Advice(
        "최근 체결 기록(티켓) 중 서버가 거절한 것이 있습니다.",
        "콕핏 '포지션과 티켓 결과'에서 거절 사유를 보고 티켓을 새로 기록하세요.",
    ),
    RiskCode.ORDER_PLAN_BLOCKED: Advice(
        "오늘 주문 계획이 차단되었습니다.",
        "라이브 결과의 차단 사유에 적힌 할 일을 먼저 처리하세요.",
    ),
    RiskCode.LAST_CYCLE_FAILED: Advice(
        "서버의 최근 라이브 사이클이 실패했습니다.",
        "콕핏 '오늘'의 서버 실행 결과와 서버 로그를 확인하세요.",
    ),
    RiskCode.RECON_CRITICAL: Advice(
        "전략 의도·서버 계획·실제 체결 사이에 심각한 불일치가 있습니다.",
        "보고서의 정산(reconcile) 항목을 보고 누락된 체결을 티켓으로 기록하세요.",
    ),
    RiskCode.DRILL_FAILED: Advice(
        "최근 드릴(모의 서버 실행)이 실패했습니다.",
        "드릴 보고서의 실패 단계를 고친 뒤 krx drill 을 다시 실행하세요.",
    ),
    RiskCode.DRILL_STALE: Advice(
        "최근 드릴이 오래되었습니다.",
        "PC에서 krx drill 을 실행하고 결과를 커밋·푸시하세요.",
    ),
    RiskCode.NO_DRILL: Advice(
        "드릴(모의 서버 실행) 기록이 없습니다.",
        "PC에서 krx drill 을 한 번 실행하고 결과를 커밋·푸시하세요.",
    ),
}

REASON_ADVICE: dict[CycleReason, Advice] = {
    CycleReason.ORDERS_READY: Advice("주문 계획이 준비되었습니다.", "아래 주문을 확인하세요."),
    CycleReason.NO_ORDERS: Advice(
        "오늘은 목표와 차이가 작아 주문이 없습니다.", "할 일 없음: 보유를 유지하세요."
    ),
    CycleReason.ORDERS_CLIPPED: Advice(
        "안전 한도 때문에 일부 주문이 줄었거나 빠졌습니다.",
        "줄어든 주문을 확인하고, 한도(params.yaml live)가 맞는지 검토하세요.",
    ),
    CycleReason.DELIVERY_FALLBACK: Advice(
        "텔레그램 발송이 실패해 콘솔에만 기록했습니다.",
        "콕핏에서 오늘 주문을 확인하고, 봇 토큰과 네트워크를 점검하세요.",
    ),
    CycleReason.EMERGENCY_STOP: RISK_ADVICE[RiskCode.EMERGENCY_STOP],
    CycleReason.BUNDLE_MISSING: RISK_ADVICE[RiskCode.BUNDLE_MISSING],
    CycleReason.BUNDLE_INVALID: RISK_ADVICE[RiskCode.BUNDLE_INVALID],
    CycleReason.BUNDLE_TAMPERED: Advice(
        "전략 번들의 무결성 해시가 내용과 맞지 않습니다(손으로 고친 흔적).",
        "PC에서 일일 실행(make run)으로 번들을 다시 만들고 푸시하세요; 손으로 고치지 마세요.",
    ),
    CycleReason.BUNDLE_NOT_YET_VALID: Advice(
        "전략 번들이 아직 유효 기간 전입니다.",
        "PC 시계와 번들 기준일을 확인하세요; 다음 거래일에 자동으로 유효해집니다.",
    ),
    CycleReason.BUNDLE_STALE: RISK_ADVICE[RiskCode.BUNDLE_STALE],
    CycleReason.NO_PORTFOLIO: RISK_ADVICE[RiskCode.NO_PORTFOLIO],
    CycleReason.PORTFOLIO_INVALID: Advice(
        "포트폴리오가 유효하지 않습니다(음수 현금 또는 평가액 0).",
        "콕핏 '기준 포트폴리오'에 증권사 잔고를 다시 입력하고 푸시하세요.",
    ),
    CycleReason.POSITIONS_OUT_OF_DATE: Advice(
        "서버 포지션이 기준 포트폴리오보다 오래되었습니다.",
        "서버가 티켓을 처리하도록 기다리거나, 잔고를 다시 입력하세요.",
    ),
    CycleReason.DELIVERY_OUTCOME_UNKNOWN: Advice(
        "오늘 메시지가 텔레그램에 도착했는지 알 수 없습니다(다시 보내지 않습니다).",
        "텔레그램 대화방에서 오늘 메시지를 확인하고, 없으면 콕핏 '오늘'의 주문을 보세요.",
    ),
    CycleReason.PRICE_MISSING: Advice(
        "주문에 필요한 종목의 가격이 번들에 없습니다.",
        "PC에서 시세 수집을 확인하고 일일 실행(make run)을 다시 하세요.",
    ),
}

_UNKNOWN = Advice("알 수 없는 위험 코드입니다.", "콕핏에서 운영 요약을 확인하세요.")


def risk_advice(code: str) -> Advice:
    """The advice for a risk code (a code from a newer server still gets a sentence)."""
    try:
        return RISK_ADVICE[RiskCode(code)]
    except ValueError:
        return Advice(f"{_UNKNOWN.what} ({code})", _UNKNOWN.todo)


def reason_advice(code: str) -> Advice:
    """The advice for a live-cycle reason code."""
    try:
        return REASON_ADVICE[CycleReason(code)]
    except ValueError:
        return Advice(f"{_UNKNOWN.what} ({code})", _UNKNOWN.todo)
