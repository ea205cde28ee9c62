"""The pydantic bases: ``Schema`` for input (unknown fields are refused), ``Out`` for output (built from rows)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, from_attributes=True)
