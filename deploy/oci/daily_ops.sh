#!/usr/bin/env bash
# The server's daily run (cron 09:05 KST, deploy/oci/crontab), the runbook's five steps:
#   1 pull      git pull --rebase from the remote (never a manual merge: paths are disjoint)
#   2 health    the resolver answers GET /api/ops/health (curl)
#   3 ops_summary  dvc repro tickets + ops_summary, validate
#   4 live_cycle   dvc repro live_cycle, validate, `krx live check` (0/2/3)
#     commit    `krx commit --owner SERVER --produced` (valid server artifacts only)
#   5 resolve   the resolver serves the new receipt at the new commit (`krx check`)
# then writes the scheduler record (`krx scheduler finish`, also when a step failed), commits it
# and, with KRX_PUSH=1, pushes (a push race is rebased and retried). The script parses no JSON.
#
# Exit codes (pipeline/errors.py): 0 completed (incl. WARN), 2 blocked (a normal safety block),
# 3 operational fault. A run that cannot take the lock exits 3 and changes nothing.
# Environment: KRX_VENV (default .venv), KRX_REMOTE (origin), KRX_BRANCH (current branch),
# KRX_API_URL (http://127.0.0.1:8000), KRX_PUSH=1 to push, KRX_LOCK_WAIT (30 s),
# KRX_NET_TIMEOUT (60 s per git network call), KRX_ASOF / KRX_NOW to replay a day.
set -euo pipefail
export TZ=Asia/Seoul LC_ALL=C.UTF-8 LANG=C.UTF-8 PYTHONUTF8=1 PYTHONIOENCODING=utf-8
export DVC_NO_ANALYTICS=1 KRX_ROLE=SERVER GIT_TERMINAL_PROMPT=0

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
log() { printf '%s daily_ops.sh: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$*"; }
venv="${KRX_VENV:-.venv}"
[ -x "$venv/bin/python" ] || { log "FAULT: no $venv/bin/python (set KRX_VENV)"; exit 3; }
PATH="$(cd "$venv" && pwd)/bin:$PATH"
export PATH
remote="${KRX_REMOTE:-origin}"
branch="${KRX_BRANCH:-$(git rev-parse --abbrev-ref HEAD)}"
api="${KRX_API_URL:-http://127.0.0.1:8000}"
net_timeout="${KRX_NET_TIMEOUT:-60}"
lock_wait="${KRX_LOCK_WAIT:-30}"
krx() { python -m pipeline.cli "$@"; }

git_dir=$(git rev-parse --absolute-git-dir)
exec 9>"$git_dir/krx-daily-ops.lock"
if ! flock -w "$lock_wait" 9; then
  log "FAULT: another daily_ops.sh is running (lock $git_dir/krx-daily-ops.lock held for" \
    "$lock_wait s): this run changed nothing; the running one writes the scheduler record"
  exit 3
fi

# Leftovers of a run killed mid-way (we hold the lock: nobody else writes this checkout).
in_rebase() { [ -d "$git_dir/rebase-merge" ] || [ -d "$git_dir/rebase-apply" ]; }
if [ -f "$git_dir/index.lock" ]; then
  log "removing a stale $git_dir/index.lock (a killed run)"
  rm -f "$git_dir/index.lock"
fi
if in_rebase; then
  log "aborting a rebase left by a killed run"
  git rebase --abort || true
fi

has_remote=0
git remote get-url "$remote" >/dev/null 2>&1 && has_remote=1
health_ok=1 outputs_valid=1 outputs_commit="" msg=""
started=$EPOCHREALTIME
head_before=$(git rev-parse -q --verify HEAD || true)
head_pulled=$head_before
steps="$git_dir/krx-daily-ops.steps.tsv"
: >"$steps"

record() { # NAME CODE STARTED [SKIPPED]: log the step and append it to the steps file
  log "step $1: exit $2: $msg"
  local line=${msg//[$'\t\n\r']/ }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "${4:-0}" "$3" "$EPOCHREALTIME" "$line" >>"$steps"
}
run_step() { # NAME FUNCTION: errexit is off inside FUNCTION, so each command checks itself
  local t0=$EPOCHREALTIME code=0
  msg=""
  "$2" || code=$?
  case "$code" in 0 | 2 | 3) ;; *) msg="$msg (exit $code)" code=3 ;; esac
  record "$1" "$code" "$t0"
}

step_pull() {
  if [ "$has_remote" != 1 ]; then
    msg="no remote '$remote': working with the local checkout"
    return 0
  fi
  if timeout "$net_timeout" git pull --rebase --autostash -q "$remote" "$branch"; then
    msg="pulled $remote/$branch: HEAD $(git rev-parse --short HEAD)"
    return 0
  fi
  if in_rebase; then git rebase --abort || true; fi
  msg="git pull $remote $branch failed (remote unreachable?): working with the last pulled"
  msg="$msg state $(git rev-parse --short HEAD); the resolver keeps serving it"
  return 3
}

step_health() {
  local err
  if err=$(curl -fsS --max-time 5 -o /dev/null "$api/api/ops/health" 2>&1); then
    msg="resolver answers at $api"
    return 0
  fi
  health_ok=0
  msg="resolver not reachable at $api/api/ops/health (${err:-no answer}): start it"
  msg="$msg (systemctl start krx-ops-api); steps 3-4 still run, step 5 cannot verify"
  return 3
}

validate_outputs() { # WHEN: server artifacts must be valid to be committed
  if ! krx validate --all --owner SERVER -q; then
    outputs_valid=0
    msg="server artifacts invalid after $1 (errors above): they will not be committed"
    return 3
  fi
}

step_ops_summary() {
  if ! dvc repro --no-run-cache server/dvc.yaml:ops_summary; then
    msg="dvc repro tickets + ops_summary failed (see the log above)"
    return 3
  fi
  if ! krx validate --all -q; then
    validate_outputs ops_summary 2>/dev/null || return 3
    msg="an upstream (PC) artifact is invalid (errors above): fix it on the PC and push;"
    msg="$msg the server stages fail closed on it"
    return 3
  fi
  msg="tickets and ops_summary reproduced; every artifact is valid"
}

step_live_cycle() {
  local code=0
  if ! dvc repro --no-run-cache --single-item server/dvc.yaml:live_cycle; then
    msg="dvc repro live_cycle failed (see the log above)"
    return 3
  fi
  validate_outputs live_cycle || return 3
  msg=$(krx live check --asof "$asof") || code=$?
  return "$code"
}

step_commit() {
  local out
  if [ "$outputs_valid" != 1 ]; then
    msg="server artifacts invalid: nothing committed; the resolver keeps serving"
    msg="$msg $(git rev-parse --short HEAD)"
    return 3
  fi
  if ! out=$(krx commit --owner SERVER --produced); then
    msg="git commit of the server artifacts failed: $out"
    return 3
  fi
  [ "$out" = "nothing changed" ] || outputs_commit=$(git rev-parse HEAD)
  msg="$out"
}

step_resolve() {
  local out code=0
  if [ "$health_ok" != 1 ]; then
    msg="resolver was not reachable in step 2: the new receipt is not verified"
    return 3
  fi
  out=$(krx check live-cycle ops-summary --api "$api" --asof "$asof" \
    --commit "$(git rev-parse HEAD)" --served-only) || code=$?
  msg=${out//$'\n'/ | }
  return "$code"
}

run_step pull step_pull
head_pulled=$(git rev-parse -q --verify HEAD || true)
run_step health step_health
if ! today=$(krx scheduler today); then
  log "FAULT: cannot read the clock or the KRX calendar"
  today="unknown closed"
fi
read -r asof session <<<"$today"
log "asof $asof ($session) on $branch at $(git rev-parse --short HEAD)"
if [ "$session" = session ]; then
  run_step ops_summary step_ops_summary
  run_step live_cycle step_live_cycle
  run_step commit step_commit
  run_step resolve step_resolve
else
  msg="$asof is not a KRX trading day: the server stages have nothing to do"
  [ "$asof" != unknown ] || msg="the as-of date is unknown (see above)"
  code=0
  [ "$asof" != unknown ] || code=3
  for name in ops_summary live_cycle commit resolve; do
    t0=$EPOCHREALTIME
    record "$name" "$code" "$t0" "$((1 - code / 3))"
  done
fi

# The record of this run is committed last, on top of the run's artifacts, so what the
# resolver (and the remote) shows is always a finished run. It is written before the push:
# PUSHING there means "this commit was being pushed"; a failed push rewrites it as FAILED.
push_state=DISABLED
if [ "${KRX_PUSH:-0}" = 1 ]; then
  push_state=NO_REMOTE
  [ "$has_remote" = 1 ] && push_state=PUSHING
fi
finish() { # PUSH_STATE [--commit]: write the scheduler record; sets code (the run's exit code)
  code=0
  krx scheduler finish --steps "$steps" --started "$started" --push "$1" --remote "$remote" \
    --branch "$branch" --head-before "$head_before" --head-pulled "$head_pulled" \
    --outputs-commit "$outputs_commit" "${@:2}" || code=$?
  case "$code" in 0 | 2 | 3) ;; *) log "FAULT: the scheduler record was not written" && code=3 ;; esac
}
finish "$push_state" --commit

if [ "$push_state" = PUSHING ]; then
  pushed=0 t0=$EPOCHREALTIME
  for attempt in 1 2 3 4 5; do
    if timeout "$net_timeout" git push -q "$remote" "HEAD:$branch"; then
      pushed=1
      log "pushed to $remote/$branch"
      break
    fi
    log "push rejected (attempt $attempt): pull --rebase and retry"
    if ! timeout "$net_timeout" git pull --rebase -q "$remote" "$branch"; then
      if in_rebase; then git rebase --abort || true; fi
      break
    fi
    # The rebase gave this run's commits new ids: the record names the rebased outputs commit.
    [ -z "$outputs_commit" ] || outputs_commit=$(git rev-parse HEAD~1)
    finish PUSHING
    git add reports/ops/scheduler_record.json && git commit -q --amend --no-edit
    sleep "$attempt"
  done
  if [ "$pushed" != 1 ]; then
    msg="git push to $remote/$branch failed: the commits stay local; the next run pushes them"
    record push 3 "$t0"
    # The record commit was never pushed: amend it so the checkout holds one record per run.
    finish FAILED
    git add reports/ops/scheduler_record.json && git commit -q --amend --no-edit
  fi
fi
log "done: exit $code"
exit "$code"
