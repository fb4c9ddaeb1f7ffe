"""Domain types that say KRX facts (STYLE §10)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

#: A KRX short code: always a 6-character string ("069500"), never an int.
Ticker = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{6}$")]
#: An amount in Korean won; always an integer.
KRW = Annotated[int, Field(description="Amount in KRW (integer won)")]
#: A share count; always an integer.
Shares = Annotated[int, Field(description="Number of shares (integer)")]
#: A hex SHA-256 digest.
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
#: A git commit id (full hex).
CommitSha = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
#: A fraction in [0, 1] (weights, exposure).
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
