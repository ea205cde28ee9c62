"""The pydantic bases: ``Schema`` for input (unknown fields are refused), ``Out`` for output (built from rows); the
strict field types every money and rate field of the API uses (``MinorUnits``, ``BasisPoints``)."""

from __future__ import annotations

from typing import Annotated, Any

from annotated_types import Ge
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Strict
from pydantic_core import PydanticKnownError


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, from_attributes=True)


MAX_MINOR = 2**63 - 1
"""The largest amount a money column holds (BIGINT), in minor units."""
WHOLE_BP = 10_000
"""100% in basis points."""


def _at_most(limit: int) -> AfterValidator:
    """An upper bound that a field's own ``le=`` may narrow (an ``annotated_types.Le`` here would override it)."""

    def check(value: int) -> int:
        if value > limit:
            raise PydanticKnownError("less_than_equal", {"le": limit})
        return value

    return AfterValidator(check)


def _integer_only(value: Any) -> Any:
    """A JSON integer and nothing else, whatever strictness the caller validates with (Litestar validates request
    bodies with ``strict=False``, which overrides a field's ``Strict()``): no float, no string, no boolean."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticKnownError("int_type")
    return value


INTEGER_ONLY = BeforeValidator(_integer_only)

MinorUnits = Annotated[int, Strict(), INTEGER_ONLY, Ge(0), _at_most(MAX_MINOR)]
"""A money field of the API: an integer of minor units and nothing else. Strict, so ``100000.0``, ``"100000"`` and
``true`` are refused (``validation.int_type``) instead of being read as 100000 fen or 1 fen. Narrow it at the
field: ``entry_fee_minor: MinorUnits | None = Field(default=None, gt=0)``."""

BasisPoints = Annotated[int, Strict(), INTEGER_ONLY, Ge(0), _at_most(WHOLE_BP)]
"""A rate field of the API, in basis points, as strict as :data:`MinorUnits` (``true`` is not 1 bp)."""
