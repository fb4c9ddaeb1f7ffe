#!/usr/bin/env bash
# The runbook's 1-minute live-cycle check (seeds/000 §4-D), through the resolver API only:
# no local artifact is read (runbook rule). One summary line; exit 0 completed (incl. WARN),
# 2 blocked (a normal safety block), 3 fault (resolver down, no/invalid receipt, or a receipt
# that is not today's KRX session's: the previous session's before 09:05 and on holidays).
# Environment: KRX_API_URL (default http://127.0.0.1:8000), KRX_VENV (default .venv).
set -euo pipefail
export TZ=Asia/Seoul LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONUTF8=1 PYTHONIOENCODING=utf-8
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec "${KRX_VENV:-.venv}/bin/python" -m pipeline.cli check live-cycle \
  --api "${KRX_API_URL:-http://127.0.0.1:8000}"
