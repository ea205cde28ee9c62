"""Every query on licences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from piccolo.engine.postgres import PostgresEngine

from finance.licences.records import LicenceRecord
from finance.licences.tables import Licence


async def create(
    *,
    number: str,
    declaration: int,
    declaration_version: int,
    declaration_version_id: int,
    patent: int,
    licensor: int,
    licensee: int,
    payment_mode: str,
    licensee_name: str,
    requested_by: int | None = None,
    status: str = "pending_payment",
    currency: str = "CNY",
    lump_sum_minor: int | None = None,
    entry_fee_minor: int | None = None,
    royalty_rate_bp: int | None = None,
    royalty_base: str = "net_sales",
    term_years: int | None = None,
    amount_due_minor: int = 0,
    licensee_credit_code: str = "",
    licensee_address: str = "",
    starts_on: date | None = None,
) -> int:
    rows = await Licence.insert(
        Licence(
            number=number,
            declaration=declaration,
            declaration_version=declaration_version,
            declaration_version_id=declaration_version_id,
            patent=patent,
            licensor=licensor,
            licensee=licensee,
            requested_by=requested_by,
            status=status,
            payment_mode=payment_mode,
            currency=currency,
            lump_sum_minor=lump_sum_minor,
            entry_fee_minor=entry_fee_minor,
            royalty_rate_bp=royalty_rate_bp,
            royalty_base=royalty_base,
            term_years=term_years,
            amount_due_minor=amount_due_minor,
            licensee_name=licensee_name,
            licensee_credit_code=licensee_credit_code,
            licensee_address=licensee_address,
            starts_on=starts_on,
        )
    ).returning(Licence.id)
    return int(rows[0]["id"])


async def get(licence_id: int) -> LicenceRecord | None:
    row = await Licence.select().where(Licence.id == licence_id).first()
    return LicenceRecord(**row) if row else None


async def get_for_update(licence_id: int) -> LicenceRecord | None:
    """The licence inside the caller's transaction (PostgreSQL: locked, so two activations serialise)."""
    if isinstance(Licence._meta.db, PostgresEngine):
        rows = await Licence.raw("SELECT * FROM finance_licence WHERE id = {} FOR UPDATE", licence_id)
        return LicenceRecord(**rows[0]) if rows else None
    return await get(licence_id)


async def set_number(licence_id: int, number: str) -> None:
    await Licence.update({Licence.number: number, Licence.updated_at: datetime.now(UTC)}).where(
        Licence.id == licence_id
    )


async def mark_active(
    licence_id: int, *, starts_on: date, ends_on: date | None, activated_at: datetime, first_report_due: date | None
) -> None:
    await Licence.update(
        {
            Licence.status: "active",
            Licence.starts_on: starts_on,
            Licence.ends_on: ends_on,
            Licence.activated_at: activated_at,
            Licence.first_report_due: first_report_due,
            Licence.updated_at: datetime.now(UTC),
        }
    ).where(Licence.id == licence_id)


async def set_contract_sha256(licence_id: int, sha256: str) -> None:
    await Licence.update({Licence.contract_sha256: sha256, Licence.updated_at: datetime.now(UTC)}).where(
        Licence.id == licence_id
    )


async def set_voucher_cover(licence_id: int, minor: int) -> None:
    await Licence.update({Licence.voucher_cover_minor: minor, Licence.updated_at: datetime.now(UTC)}).where(
        Licence.id == licence_id
    )


async def mark_cancelled(licence_id: int, at: datetime) -> None:
    await Licence.update(
        {Licence.status: "cancelled", Licence.cancelled_at: at, Licence.updated_at: datetime.now(UTC)}
    ).where(Licence.id == licence_id)


async def live_for(declaration_id: int, licensee_org_id: int) -> LicenceRecord | None:
    row = (
        await Licence.select()
        .where(
            (Licence.declaration == declaration_id)
            & (Licence.licensee == licensee_org_id)
            & Licence.status.is_in(["pending_payment", "active"])
        )
        .first()
    )
    return LicenceRecord(**row) if row else None


async def for_org(org_id: int, *, side: str, limit: int = 200) -> list[LicenceRecord]:
    column = Licence.licensor if side == "licensor" else Licence.licensee
    rows = await Licence.select().where(column == org_id).order_by(Licence.id, ascending=False).limit(limit)
    return [LicenceRecord(**r) for r in rows]


async def active_starting_between(start: date, end: date) -> list[LicenceRecord]:
    rows = await Licence.select().where(
        (Licence.status == "active") & (Licence.starts_on >= start) & (Licence.starts_on <= end)
    )
    return [LicenceRecord(**r) for r in rows]


async def active_with_royalty() -> list[LicenceRecord]:
    rows = await Licence.select().where((Licence.status == "active") & Licence.royalty_rate_bp.is_not_null())
    return [LicenceRecord(**r) for r in rows]


async def count_this_year(year: int) -> int:
    return int(await Licence.count().where(Licence.number.like(f"OL-LC-{year}-%")))


async def by_ids(ids: Sequence[int]) -> dict[int, LicenceRecord]:
    if not ids:
        return {}
    return {r["id"]: LicenceRecord(**r) for r in await Licence.select().where(Licence.id.is_in(list(ids)))}
