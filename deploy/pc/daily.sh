#!/usr/bin/env bash
# The PC's daily run after the close: a thin wrapper over `krx daily pc` (pipeline/flows/daily_pc.py
# owns the lock, pull, dvc repro, validate, the pathspec commit and the push).
#
# Environment: KRX_VENV (default .venv), KRX_REMOTE (default origin), KRX_BRANCH (default: the
# current branch), KRX_PUSH=0 to keep the commit local, KRX_ASOF to replay a day.
# Exit codes: 0 done, 2 blocked (an invalid PC artifact: nothing committed), 3 fault. Nothing else.
set -uo pipefail
export TZ=Asia/Seoul LC_ALL=C.UTF-8 PYTHONUTF8=1 DVC_NO_ANALYTICS=1

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 3
venv="${KRX_VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  echo "daily.sh: FAULT: no virtualenv at $venv (make venv, or set KRX_VENV)" >&2
  exit 3
fi
export PATH="$(cd "$venv" && pwd)/bin:$PATH"

python -m pipeline.cli daily pc
code=$?
case "$code" in
  0 | 2 | 3) exit "$code" ;;
  *) echo "daily.sh: FAULT: krx daily pc exited $code" >&2; exit 3 ;;
esac
