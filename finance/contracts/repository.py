"""Every query on contract documents."""

from __future__ import annotations

from typing import Any

from finance.contracts.tables import ContractDocument


async def for_licence(licence_id: int) -> dict[str, Any] | None:
    return await ContractDocument.select().where(ContractDocument.licence == licence_id).first()


async def create(values: dict[str, Any]) -> int:
    rows = await ContractDocument.insert(ContractDocument(**values)).returning(ContractDocument.id)
    return int(rows[0]["id"])
