#!/usr/bin/env bash
# The server's daily run (09:05 KST): a thin wrapper over `krx daily server`
# (pipeline/flows/daily_server.py owns the lock, the steps, git, the record and the exit code).
# Exit codes: 0 completed (incl. WARN), 2 blocked (a normal safety block), 3 operational fault —
# nothing else (a missing venv is 3). Environment: KRX_VENV (default .venv), KRX_REMOTE (origin),
# KRX_BRANCH (the checked-out branch), KRX_PUSH (default: push when a remote exists; 0 = never),
# KRX_API_URL (http://127.0.0.1:8000), KRX_LOCK_WAIT (30 s), KRX_NET_TIMEOUT (60 s per git
# network call), KRX_ASOF / KRX_NOW to replay a day. Arguments are passed to the command.
set -euo pipefail
export TZ=Asia/Seoul LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONUTF8=1 PYTHONIOENCODING=utf-8
export DVC_NO_ANALYTICS=1 KRX_ROLE=SERVER GIT_TERMINAL_PROMPT=0
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 3
venv="${KRX_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  printf '%s daily_ops.sh: FAULT: no %s/bin/python (set KRX_VENV)\n' "$(date -Iseconds)" "$venv"
  exit 3
fi
PATH="$(cd "$venv" && pwd)/bin:$PATH"
export PATH
exec python -m pipeline.cli daily server "$@"
