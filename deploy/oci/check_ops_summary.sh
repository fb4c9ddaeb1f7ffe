#!/usr/bin/env bash
# The runbook's 1-minute ops-summary check (seeds/000 §4-E), through the resolver API only:
# no local artifact is read (runbook rule). One summary line; exit 0 for OK, WARN and
# NO_RUN_HISTORY, 2 for BLOCKED or STOPPED, 3 fault (resolver down, no/invalid summary).
# Environment: KRX_API_URL (default http://127.0.0.1:8000), KRX_VENV (default .venv).
set -euo pipefail
export TZ=Asia/Seoul LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONUTF8=1 PYTHONIOENCODING=utf-8
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec "${KRX_VENV:-.venv}/bin/python" -m pipeline.cli check ops-summary \
  --api "${KRX_API_URL:-http://127.0.0.1:8000}"
