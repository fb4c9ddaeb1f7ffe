"""Response models of the resolver, in one file (STYLE §12).

Every route answers one envelope (DESIGN §6)::

    {status, schema, asof, commit, ref, path, row_count, rows[], error{code,message}|null}

plus resolver fields (``name``, ``valid``, ``validation_errors``, ``blob``, ``committed_at``,
``next_cursor``, ``base_commit``, ``base_ref``). For an artifact, ``rows[0]`` is its content, so the
runbook's ``rows[0].result`` works unchanged. The routes render bytes themselves (cached per
commit); these models document the shape in OpenAPI and are what the tests validate against.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    OK = "ok"  # served; for an artifact: it validated against its schema
    INVALID = "invalid"  # served, but the artifact failed validation (see validation_errors)
    NO_DATA = "no_data"  # nothing yet: not registered, not committed at this ref, no commits
    ERROR = "error"  # the request failed (4xx/5xx); see error


class ErrorCode(StrEnum):
    # 200 no_data
    NOT_REGISTERED = "NOT_REGISTERED"  # the route's artifact is not in the registry (yet)
    ARTIFACT_ABSENT = "ARTIFACT_ABSENT"  # registered, but no file at this ref
    NO_COMMITS = "NO_COMMITS"  # the served branch has no commits
    # 400
    BAD_REQUEST = "BAD_REQUEST"  # a query parameter has the wrong type or range
    BAD_REF = "BAD_REF"  # the ref is not allowed by the ref grammar
    AMBIGUOUS_REF = "AMBIGUOUS_REF"  # an abbreviated sha matches several objects
    BAD_KEY = "BAD_KEY"  # a collection key is malformed
    KEY_REQUIRED = "KEY_REQUIRED"  # a collection artifact needs ?key=
    KEY_NOT_ALLOWED = "KEY_NOT_ALLOWED"  # a single-file artifact takes no key
    BAD_CURSOR = "BAD_CURSOR"  # a history cursor is malformed or from another walk
    # 404 / 405 / 414 / 431 / 500
    UNKNOWN_ARTIFACT = "UNKNOWN_ARTIFACT"
    UNKNOWN_REF = "UNKNOWN_REF"
    NOT_FOUND = "NOT_FOUND"  # no such route
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # the API is read-only
    URI_TOO_LONG = "URI_TOO_LONG"  # 414: path + query beyond ops_api.limits.MAX_TARGET
    HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"  # 431: header block beyond ops_api.limits
    INTERNAL = "INTERNAL"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ErrorBody(_Model):
    code: ErrorCode
    message: str = Field(description="What went wrong and what to do about it")
    hint: str | None = Field(None, description="The CLI command that does a write, if any")


class Problem(_Model):
    pointer: str = Field(description="JSON pointer into the artifact")
    message: str


RowT = TypeVar("RowT")


class Envelope(_Model, Generic[RowT]):
    """The one response shape of every route."""

    status: Status
    schema_: str | None = Field(
        alias="schema", description="Schema id the artifact claims ('<name>/v<N>')"
    )
    asof: str | None = Field(description="KRX trading date the artifact describes")
    commit: str | None = Field(description="Commit the answer was read at (40 hex)")
    ref: str | None = Field(description="The ref asked for (the served branch for latest)")
    path: str | None = Field(description="Repo-relative path of the artifact")
    row_count: int = Field(ge=0)
    rows: list[RowT]
    error: ErrorBody | None
    name: str | None = Field(None, description="Registered artifact name")
    valid: bool | None = Field(None, description="Whether the artifact passed validation")
    validation_errors: list[Problem] = Field(default_factory=list)
    blob: str | None = Field(None, description="Git blob id of the artifact's bytes")
    committed_at: str | None = Field(None, description="Commit time (ISO 8601, with offset)")
    next_cursor: str | None = Field(None, description="History: pass as ?cursor= for more")
    base_commit: str | None = Field(None, description="Diff: the commit of ?from=")
    base_ref: str | None = Field(None, description="Diff: the ref asked for in ?from=")
    truncated: bool | None = Field(None, description="Diff: more changes than listed")


ArtifactRow = dict[str, Any]


class CatalogRow(_Model):
    name: str
    schema_: str = Field(alias="schema")
    version: int
    path: str = Field(description="Repo-relative path; '{key}' marks a collection")
    collection: bool
    owner: str = Field(description="PC or SERVER: the only machine that writes it")
    kind: str = Field(description="json, parquet, csv or text")
    stage: str = Field(description="The stage that writes it (krx stage <stage>)")
    description: str
    url: str = Field(description="Where to read it")


class KeyRow(_Model):
    key: str
    path: str


class VersionRow(_Model):
    commit: str
    blob: str | None = Field(description="Blob id; null when this commit deleted the file")
    committed_at: str
    subject: str = Field(description="First line of the commit message")


class Change(_Model):
    op: str = Field(description="add, remove or replace")
    pointer: str = Field(description="JSON pointer of the changed value")
    old: Any = Field(None, description="Value at ?from= (absent for add)")
    new: Any = Field(None, description="Value at ?to= (absent for remove)")


class RepoState(_Model):
    branch: str = Field(description="The branch the API serves")
    commit: str | None = Field(description="Its head commit (null if it has none)")
    head_branch: str | None = Field(description="The checkout's HEAD branch (null if detached)")
    head_commit: str | None
    dirty: bool | None = Field(description="Tracked files differ from HEAD (uncommitted changes)")
    dirty_count: int
    dirty_paths: list[str] = Field(description="The first few uncommitted paths")


class StageAge(_Model):
    stage: str
    artifact: str | None = Field(description="Its newest artifact at the served commit")
    asof: str | None
    age_trading_days: int | None = Field(description="KRX trading days from asof to today")
    reason: str | None = Field(description="Why the age is null")


class DailyOps(_Model):
    exit_code: int | None = Field(description="0 completed, 2 blocked, 3 operational fault")
    asof: str | None
    reason: str | None = Field(description="Why exit_code is null")
    late: bool = Field(
        description="True when the newest KRX session whose 09:05 run is due has no run"
    )
    sessions_missed: int = Field(description="Due sessions after the last run without a run")
    message: str = Field(description="One line for the operator (Korean): is the server alive")


class HealthRow(_Model):
    today: str = Field(description="Today in Asia/Seoul")
    repo: RepoState
    stages: list[StageAge]
    daily_ops: DailyOps
    read_only: bool = True
