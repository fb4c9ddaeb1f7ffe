"""Every enumerated state of the system, in one module (DESIGN §7: one name per state)."""

from __future__ import annotations

from enum import StrEnum


class Owner(StrEnum):
    """Which machine may write an artifact path."""

    PC = "PC"
    SERVER = "SERVER"


class ArtifactKind(StrEnum):
    JSON = "json"
    PARQUET = "parquet"
    CSV = "csv"
    TEXT = "text"


class DayState(StrEnum):
    """The strategy's state for one trading day (DESIGN §4)."""

    BULL = "BULL"
    BEAR = "BEAR"
    CHOP = "CHOP"
    WARMUP = "WARMUP"


class Regime(StrEnum):
    """The locked regime underneath the chop filter."""

    BULL = "BULL"
    BEAR = "BEAR"
    WARMUP = "WARMUP"


class InstrumentType(StrEnum):
    ETF = "ETF"
    STOCK = "STOCK"


class PriceSource(StrEnum):
    SAMPLE = "sample"
    CSV = "csv"
    PYKRX = "pykrx"
    FDR = "fdr"


class ExecutionGate(StrEnum):
    MOCK_ONLY = "MOCK_ONLY"
    DRY_RUN = "DRY_RUN"
    REAL_ENABLED = "REAL_ENABLED"


class Severity(StrEnum):
    CRITICAL = "CRITICAL"
    WARN = "WARN"
    INFO = "INFO"


class OverallStatus(StrEnum):
    OK = "OK"
    WARN = "WARN"
    BLOCKED = "BLOCKED"
    STOPPED = "STOPPED"
    NO_RUN_HISTORY = "NO_RUN_HISTORY"


class ExitCode(StrEnum):
    """Names of the process exit codes; the numbers live in pipeline.errors."""

    OK = "OK"
    BLOCKED = "BLOCKED"
    FAULT = "FAULT"


class SchedulerStepResult(StrEnum):
    """Result of one ``daily_ops.sh`` step (exit codes: OK 0, BLOCKED 2, FAULT 3, SKIPPED 0)."""

    OK = "OK"
    BLOCKED = "BLOCKED"
    FAULT = "FAULT"
    SKIPPED = "SKIPPED"


class PushState(StrEnum):
    """What ``daily_ops.sh`` did with the remote after committing its run."""

    DISABLED = "DISABLED"  # KRX_PUSH is not 1
    NO_REMOTE = "NO_REMOTE"  # the checkout has no such remote
    PUSHING = "PUSHING"  # committed before the push; seen on the remote it means it landed
    FAILED = "FAILED"  # the push failed after its retries: these commits are local only


# --- server side (DESIGN §5) -------------------------------------------------------------------


class SafetyFileState(StrEnum):
    """How a safety file was read; anything but OK means the safest value was used."""

    OK = "OK"
    MISSING = "MISSING"
    CORRUPT = "CORRUPT"


class RiskCode(StrEnum):
    """Codes of ``ops_summary.top_risks`` (the rule table lives in pipeline.core.ops)."""

    EMERGENCY_STOP = "EMERGENCY_STOP"
    SAFETY_FILE_INVALID = "SAFETY_FILE_INVALID"
    GATE_MOCK_ONLY = "GATE_MOCK_ONLY"
    BUNDLE_MISSING = "BUNDLE_MISSING"
    BUNDLE_INVALID = "BUNDLE_INVALID"
    BUNDLE_STALE = "BUNDLE_STALE"
    NO_PORTFOLIO = "NO_PORTFOLIO"
    PORTFOLIO_STALE = "PORTFOLIO_STALE"
    PORTFOLIO_INCONSISTENT = "PORTFOLIO_INCONSISTENT"
    TICKETS_FAILED = "TICKETS_FAILED"
    ORDER_PLAN_BLOCKED = "ORDER_PLAN_BLOCKED"
    LAST_CYCLE_FAILED = "LAST_CYCLE_FAILED"
    RECON_CRITICAL = "RECON_CRITICAL"
    DRILL_FAILED = "DRILL_FAILED"
    DRILL_STALE = "DRILL_STALE"
    NO_DRILL = "NO_DRILL"


class BundleStatus(StrEnum):
    """Verdict on the strategy bundle for one session."""

    VALID = "VALID"
    MISSING = "MISSING"
    INVALID = "INVALID"  # unreadable or fails its schema
    TAMPERED = "TAMPERED"  # integrity_sha256 does not match the content
    NOT_YET_VALID = "NOT_YET_VALID"  # session is before valid_from
    LATE = "LATE"  # computed before the last known close, within live.max_bundle_lag_sessions
    STALE = "STALE"  # lag beyond the parameter, or past its window: exits only, no buys


class OrderSide(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class OrderReason(StrEnum):
    """Why an order line exists."""

    REBALANCE = "REBALANCE"
    STOP_LOSS = "STOP_LOSS"
    TRACK_STRATEGY = "TRACK_STRATEGY"  # between rebalances: back to what the strategy holds


class OrderAdjustment(StrEnum):
    """What the guardrails did to an order line."""

    NONE = "NONE"
    CLIPPED_ORDER_NOTIONAL = "CLIPPED_ORDER_NOTIONAL"
    CLIPPED_TOTAL_NOTIONAL = "CLIPPED_TOTAL_NOTIONAL"
    CLIPPED_CASH_FLOOR = "CLIPPED_CASH_FLOOR"
    DROPPED_BELOW_MIN = "DROPPED_BELOW_MIN"


class PlanStatus(StrEnum):
    READY = "READY"  # orders as intended
    CLIPPED = "CLIPPED"  # orders, some reduced or dropped by guardrails
    EMPTY = "EMPTY"  # nothing to trade today
    BLOCKED = "BLOCKED"  # no plan could be made (see the receipt's reason)


class CycleResult(StrEnum):
    """Did the live cycle run correctly (OK) or hit a fault a human must fix (FAILED)."""

    OK = "OK"
    FAILED = "FAILED"


class CycleDecision(StrEnum):
    COMPLETED = "COMPLETED"
    PARTIAL = "PARTIAL"
    BLOCKED = "BLOCKED"


class CycleReason(StrEnum):
    """ENUM reason of a live-cycle receipt (details go in the plan and delivery record)."""

    ORDERS_READY = "ORDERS_READY"
    NO_ORDERS = "NO_ORDERS"
    ORDERS_CLIPPED = "ORDERS_CLIPPED"
    DELIVERY_FALLBACK = "DELIVERY_FALLBACK"
    EMERGENCY_STOP = "EMERGENCY_STOP"
    BUNDLE_MISSING = "BUNDLE_MISSING"
    BUNDLE_INVALID = "BUNDLE_INVALID"
    BUNDLE_TAMPERED = "BUNDLE_TAMPERED"
    BUNDLE_NOT_YET_VALID = "BUNDLE_NOT_YET_VALID"
    BUNDLE_STALE = "BUNDLE_STALE"
    NO_PORTFOLIO = "NO_PORTFOLIO"
    PORTFOLIO_INVALID = "PORTFOLIO_INVALID"
    POSITIONS_OUT_OF_DATE = "POSITIONS_OUT_OF_DATE"
    PRICE_MISSING = "PRICE_MISSING"
    DELIVERY_OUTCOME_UNKNOWN = "DELIVERY_OUTCOME_UNKNOWN"  # sent maybe: never resent, check


class DeliveryChannel(StrEnum):
    """Where a message went: ``delivery_actual`` of DESIGN §5."""

    CONSOLE_SIMULATED = "CONSOLE_SIMULATED"
    TELEGRAM = "TELEGRAM"


class DeliveryStatus(StrEnum):
    SENT = "SENT"  # accepted by Telegram
    SIMULATED = "SIMULATED"  # printed to the console only (the default)
    FALLBACK = "FALLBACK"  # a real send was attempted and failed; printed to the console
    DUPLICATE_SKIPPED = "DUPLICATE_SKIPPED"  # already sent for this plan and day
    OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"  # an earlier send may have arrived: never resent


class SendOutcome(StrEnum):
    """What the send ledger knows about one message (key: session + plan id or reason)."""

    PENDING = "PENDING"  # intent recorded, outcome not (yet): after a crash, read as UNKNOWN
    SENT = "SENT"  # Telegram accepted it
    NOT_SENT = "NOT_SENT"  # Telegram refused it or it never left: may be sent again
    UNKNOWN = "UNKNOWN"  # timeout or no answer after the request left: never resent


class SendError(StrEnum):
    """Why one Telegram attempt failed (never the raw exception text: it may hold the token)."""

    TIMEOUT = "TIMEOUT"  # no answer in time after the request left (it may have arrived)
    NO_ANSWER = "NO_ANSWER"  # connection lost after the request left (it may have arrived)
    CONNECT = "CONNECT"
    RATE_LIMITED = "RATE_LIMITED"
    SERVER_ERROR = "SERVER_ERROR"
    CLIENT_ERROR = "CLIENT_ERROR"
    BAD_RESPONSE = "BAD_RESPONSE"


class TicketKind(StrEnum):
    EXECUTION = "EXECUTION"  # a manual execution record of fills for a plan
    ACK = "ACK"  # the operator acknowledges a plan (saw it; no fills recorded)


class TicketStatus(StrEnum):
    DONE = "DONE"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


class TicketReason(StrEnum):
    APPLIED = "APPLIED"  # fills applied to the server's positions
    ACKNOWLEDGED = "ACKNOWLEDGED"
    BAD_FILE_NAME = "BAD_FILE_NAME"  # the file name is not '<ticket id>.json' in the folder
    NOT_JSON = "NOT_JSON"  # not UTF-8 JSON, or NaN/Infinity/nesting too deep (not sane JSON)
    MALFORMED = "MALFORMED"  # fails the ticket schema (incl. numbers out of range)
    ID_MISMATCH = "ID_MISMATCH"  # ticket_id differs from the file name
    PLAN_NOT_FOUND = "PLAN_NOT_FOUND"
    PLAN_MISMATCH = "PLAN_MISMATCH"  # plan id found but its day or content differs
    TICKER_NOT_IN_PLAN = "TICKER_NOT_IN_PLAN"
    SIDE_MISMATCH = "SIDE_MISMATCH"
    QUANTITY_EXCEEDS_PLAN = "QUANTITY_EXCEEDS_PLAN"
    OVERSELL = "OVERSELL"  # sells more shares than the positions hold
    PRICE_IMPLAUSIBLE = "PRICE_IMPLAUSIBLE"
    FILL_DATE_INVALID = "FILL_DATE_INVALID"
    PLAN_EXPIRED = "PLAN_EXPIRED"
    DUPLICATE = "DUPLICATE"  # same content as an already processed ticket


class DayGate(StrEnum):
    """What the strategy allowed on a session (from the previous close's day state)."""

    PASS = "PASS"
    CHOP_BLOCK = "CHOP_BLOCK"
    BEAR_BLOCK = "BEAR_BLOCK"
    WARMUP = "WARMUP"
    NO_DATA = "NO_DATA"


class ReconStatus(StrEnum):
    """Reconcile badge: BOOTSTRAP until the server has history, then by the worst issue."""

    BOOTSTRAP = "BOOTSTRAP"
    GREEN = "GREEN"
    AMBER = "AMBER"
    CRITICAL = "CRITICAL"


class ReconCode(StrEnum):
    """Integrity findings of reconcile (severity in pipeline.core.reconcile.SEVERITY)."""

    EXECUTION_ON_BLOCKED_DAY = "EXECUTION_ON_BLOCKED_DAY"
    EXECUTION_WITHOUT_PLAN = "EXECUTION_WITHOUT_PLAN"
    RECEIPT_FAILED = "RECEIPT_FAILED"
    QUANTITY_MISMATCH = "QUANTITY_MISMATCH"
    PLAN_WITHOUT_EXECUTION = "PLAN_WITHOUT_EXECUTION"
    BACKTEST_LIVE_DIVERGENCE = "BACKTEST_LIVE_DIVERGENCE"
    MISSING_RECEIPT = "MISSING_RECEIPT"
    PLAN_REVISED = "PLAN_REVISED"


# --- tuning (DESIGN §4) -----------------------------------------------------------------------


class GuardFailure(StrEnum):
    """Why a sweep candidate fails the out-of-sample guard of ``krx sweep promote``."""

    OOS_SHARPE_UNDEFINED = "OOS_SHARPE_UNDEFINED"
    OOS_SHARPE_LOW = "OOS_SHARPE_LOW"
    DEFLATED_SHARPE_LOW = "DEFLATED_SHARPE_LOW"
    SHARPE_GAP_HIGH = "SHARPE_GAP_HIGH"
    TOO_FEW_OOS_DAYS = "TOO_FEW_OOS_DAYS"
    NOT_BETTER_THAN_BASELINE = "NOT_BETTER_THAN_BASELINE"


# --- drill (DESIGN §5 Drill, ``krx drill``) ---------------------------------------------------


class DrillStep(StrEnum):
    """The steps of a drill, in the order they run (server loop order)."""

    SCRATCH = "scratch"  # clone HEAD into a scratch copy, force MOCK_ONLY + console delivery
    BUNDLE = "bundle"  # strategy bundle check for the session
    TICKETS = "tickets"  # server/dvc.yaml stage
    OPS_SUMMARY = "ops_summary"  # server/dvc.yaml stage
    LIVE_CYCLE = "live_cycle"  # server/dvc.yaml stage; the message must stay on the console
    VALIDATE = "validate"  # krx validate --all on the scratch copy (what daily_ops does)
    RESOLVER = "resolver"  # serve the scratch copy on loopback, resolve the new receipt


class StepResult(StrEnum):
    PASS = "PASS"
    WARN = "WARN"  # works, but something needs attention (or a normal safety block)
    FAIL = "FAIL"  # the server loop would fault here
    SKIPPED = "SKIPPED"  # not run: an earlier step failed


class DrillResult(StrEnum):
    """Overall drill result (rule in pipeline.core.drill): FAIL > BLOCKED > WARN > PASS."""

    PASS = "PASS"
    WARN = "WARN"
    BLOCKED = "BLOCKED"  # the loop works but today's cycle would stop at a safety block
    FAIL = "FAIL"


class DrillReason(StrEnum):
    """ENUM reason of one drill step (details go in the step's ``detail`` text)."""

    OK = "OK"
    NO_COMMITS = "NO_COMMITS"
    SCRATCH_FAILED = "SCRATCH_FAILED"
    PREVIOUS_STEP_FAILED = "PREVIOUS_STEP_FAILED"
    BUNDLE_MISSING = "BUNDLE_MISSING"
    BUNDLE_INVALID = "BUNDLE_INVALID"
    BUNDLE_TAMPERED = "BUNDLE_TAMPERED"
    BUNDLE_NOT_YET_VALID = "BUNDLE_NOT_YET_VALID"
    BUNDLE_STALE = "BUNDLE_STALE"
    STAGE_MISSING = "STAGE_MISSING"  # not declared in server/dvc.yaml
    STAGE_CRASHED = "STAGE_CRASHED"  # unexpected exit code or no artifact written
    TICKETS_REJECTED = "TICKETS_REJECTED"
    NO_RUN_HISTORY = "NO_RUN_HISTORY"
    OPS_WARN = "OPS_WARN"
    OPS_BLOCKED = "OPS_BLOCKED"
    OPS_STOPPED = "OPS_STOPPED"
    CYCLE_PARTIAL = "CYCLE_PARTIAL"
    CYCLE_BLOCKED = "CYCLE_BLOCKED"  # a normal safety block (exit 2)
    CYCLE_FAILED = "CYCLE_FAILED"  # a fault a human must fix (exit 3)
    MESSAGE_NOT_SIMULATED = "MESSAGE_NOT_SIMULATED"  # delivery was not console-only
    ARTIFACT_INVALID = "ARTIFACT_INVALID"  # a SERVER-owned artifact fails validation
    INPUT_INVALID = "INPUT_INVALID"  # only PC-owned artifacts fail validation (the PC fixes them)
    RESOLVER_START_FAILED = "RESOLVER_START_FAILED"
    RESOLVER_ERROR = "RESOLVER_ERROR"  # an error envelope, a non-200 or an invalid artifact
    RESOLVER_MISMATCH = "RESOLVER_MISMATCH"  # served content differs from what was written


# --- the daily runs (``krx daily server``; order in pipeline.core.server_steps) -------------


class ServerStep(StrEnum):
    """A step of the server's daily run (the scheduler record's step names)."""

    PULL = "pull"  # git fetch + fast-forward (or rebase of unpushed local commits only)
    HEALTH = "health"  # the resolver answers GET /api/ops/health
    OPS_SUMMARY = "ops_summary"  # dvc repro tickets + ops_summary; validate every JSON artifact
    LIVE_CYCLE = "live_cycle"  # dvc repro live_cycle; validate; the receipt's exit code
    COMMIT = "commit"  # commit the SERVER-owned outputs (pathspec, never the index as is)
    RESOLVE = "resolve"  # the resolver serves the new receipt at the new commit
    PUSH = "push"  # after the record's commit; recorded only when it failed


class PullAction(StrEnum):
    """How a pull brings the remote's branch into the checkout."""

    NOTHING = "nothing"  # HEAD already contains the remote's branch (we are ahead or equal)
    FAST_FORWARD = "fast_forward"  # HEAD is behind: move it, keep the index as it is
    REBASE = "rebase"  # both moved: replay our unpushed commits on top of the remote's


class Repair(StrEnum):
    """A repair of what a killed run left in the checkout."""

    REMOVE_LOCKS = "remove_locks"
    ABORT_REBASE = "abort_rebase"
    ABORT_MERGE = "abort_merge"
    ATTACH_BRANCH = "attach_branch"
    REMOVE_DVC_RWLOCK = "remove_dvc_rwlock"
