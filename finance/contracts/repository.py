"""Every query on contract documents."""

from __future__ import annotations

from finance.contracts.records import ContractRecord
from finance.contracts.tables import ContractDocument


async def for_licence(licence_id: int) -> ContractRecord | None:
    row = await ContractDocument.select().where(ContractDocument.licence == licence_id).first()
    return ContractRecord(**row) if row else None


async def create(*, licence: int, template: str, template_version: str, sha256: str, path: str, pages: int) -> int:
    rows = await ContractDocument.insert(
        ContractDocument(
            licence=licence, template=template, template_version=template_version, sha256=sha256, path=path, pages=pages
        )
    ).returning(ContractDocument.id)
    return int(rows[0]["id"])
