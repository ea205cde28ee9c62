"""Every query on payee accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from finance.payees.records import PayeeAccountRecord
from finance.payees.tables import PayeeAccount


async def current(org_id: int) -> PayeeAccountRecord | None:
    row = (
        await PayeeAccount.select()
        .where((PayeeAccount.organisation == org_id) & PayeeAccount.superseded_at.is_null())
        .first()
    )
    return PayeeAccountRecord(**row) if row else None


async def current_of(org_ids: Sequence[int]) -> list[PayeeAccountRecord]:
    if not org_ids:
        return []
    rows = await PayeeAccount.select().where(
        PayeeAccount.organisation.is_in(list(org_ids)) & PayeeAccount.superseded_at.is_null()
    )
    return [PayeeAccountRecord(**r) for r in rows]


async def get(account_id: int) -> PayeeAccountRecord | None:
    row = await PayeeAccount.select().where(PayeeAccount.id == account_id).first()
    return PayeeAccountRecord(**row) if row else None


async def in_force_at(org_id: int, at: datetime) -> PayeeAccountRecord | None:
    row = (
        await PayeeAccount.select()
        .where(
            (PayeeAccount.organisation == org_id)
            & (PayeeAccount.created_at <= at)
            & (PayeeAccount.superseded_at.is_null() | (PayeeAccount.superseded_at > at))
        )
        .order_by(PayeeAccount.id, ascending=False)
        .first()
    )
    return PayeeAccountRecord(**row) if row else None


async def history(org_id: int) -> list[PayeeAccountRecord]:
    rows = (
        await PayeeAccount.select()
        .where(PayeeAccount.organisation == org_id)
        .order_by(PayeeAccount.id, ascending=False)
    )
    return [PayeeAccountRecord(**r) for r in rows]


async def supersede(account_id: int, *, at: datetime) -> bool:
    """Close the account in force, conditionally: of two racers, one wins (the other's insert then meets the
    partial unique index and answers 409)."""
    rows = (
        await PayeeAccount.update({PayeeAccount.superseded_at: at})
        .where((PayeeAccount.id == account_id) & PayeeAccount.superseded_at.is_null())
        .returning(PayeeAccount.id)
    )
    return bool(rows)


async def create(
    *, org_id: int, account_name: str, bank_name: str, account_number: str, recorded_by: int | None, at: datetime
) -> int:
    rows = await PayeeAccount.insert(
        PayeeAccount(
            organisation=org_id,
            account_name=account_name,
            bank_name=bank_name,
            account_number=account_number,
            recorded_by=recorded_by,
            created_at=at,
        )
    ).returning(PayeeAccount.id)
    return int(rows[0]["id"])
