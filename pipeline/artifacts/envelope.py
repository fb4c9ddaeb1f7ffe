"""The envelope every JSON artifact carries (DESIGN §3).

Artifact fields sit beside the envelope at the top level, so the runbook's
``rows[0].result`` works unchanged when the resolver wraps the artifact.
"""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from pipeline.types import CommitSha, Sha256


class Model(BaseModel):
    """Base of every artifact model: strict about unknown keys, immutable.

    ``defer_build``: a model's validator is built when it is first used, not when its module
    is imported: a stage process imports every artifact model (through the registry) and uses
    a few (about 0.1 s less per process, measured on the server's stages).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


class Producer(Model):
    stage: str = Field(description="The stage or command that wrote the artifact")
    host: str = Field(description="Role of the machine that wrote it: PC or SERVER")
    code_sha: str | None = Field(
        description="Git commit of the code that ran (null outside a git checkout)"
    )


class InputRef(Model):
    path: str = Field(description="Repo-relative path of an input")
    sha256: Sha256 | None = Field(description="SHA-256 of the input's bytes; null if absent")
    commit: CommitSha | None = Field(None, description="Commit the input was read at, if any")


class Envelope(Model):
    """Fields common to every JSON artifact; subclasses pin ``schema`` with a Literal."""

    schema_id: str = Field(alias="schema", description="Schema id '<name>/v<N>'")
    asof: dt.date = Field(description="KRX trading date the artifact describes")
    generated_at: AwareDatetime = Field(description="When it was written (Asia/Seoul)")
    producer: Producer
    params_sha256: Sha256 | None = Field(
        None, description="SHA-256 of the params sections the content depends on"
    )
    inputs: tuple[InputRef, ...] = Field((), description="What the artifact was computed from")
