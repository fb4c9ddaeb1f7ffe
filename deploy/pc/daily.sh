#!/usr/bin/env bash
# The PC's daily loop: pull -> dvc repro -> validate -> commit (only if something changed)
# -> pull --rebase -> push (retried on a push race). Running it twice changes nothing.
#
# Environment: KRX_REMOTE (default origin), KRX_BRANCH (default: current branch),
# KRX_VENV (default .venv), KRX_PUSH=0 to skip pushing, KRX_ASOF to replay a day.
# Exit codes: 0 done, 1 invalid artifacts (nothing committed), 3 operational fault.
set -euo pipefail
export TZ=Asia/Seoul LC_ALL=C.UTF-8 PYTHONUTF8=1 DVC_NO_ANALYTICS=1

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
venv="${KRX_VENV:-.venv}"
export PATH="$(cd "$venv" && pwd)/bin:$PATH"
remote="${KRX_REMOTE:-origin}"
branch="${KRX_BRANCH:-$(git rev-parse --abbrev-ref HEAD)}"
krx() { python -m pipeline.cli "$@"; }
log() { printf '%s daily.sh: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$*"; }
fault() { log "FAULT: $*"; exit 3; }

exec 9>"$(git rev-parse --git-dir)/krx-daily.lock"
flock -w 60 9 || fault "another daily.sh is running (lock held for 60 s)"

has_remote=0
git remote get-url "$remote" >/dev/null 2>&1 && has_remote=1

if [ "$has_remote" = 1 ]; then
  log "pull $remote/$branch"
  git pull --rebase --autostash -q "$remote" "$branch" || fault "git pull failed"
fi

log "dvc repro"
dvc repro || fault "dvc repro failed"

log "validate"
if ! krx validate --all -q; then
  log "INVALID artifacts: nothing committed"
  exit 1
fi

committed=$(krx commit --owner PC --produced) || fault "git commit failed"
log "commit: $committed"

if [ "$has_remote" = 1 ] && [ "${KRX_PUSH:-1}" = 1 ]; then
  for attempt in 1 2 3 4 5; do
    if git push -q "$remote" "HEAD:$branch"; then
      log "pushed to $remote/$branch"
      exit 0
    fi
    log "push rejected (attempt $attempt): pull --rebase and retry"
    git pull --rebase -q "$remote" "$branch" || fault "git pull --rebase failed after a push race"
    sleep "$attempt"
  done
  fault "push failed after 5 attempts"
fi
exit 0
