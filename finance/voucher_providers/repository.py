"""Every query on voucher providers, objections and catalogued services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from finance.voucher_providers.records import ObjectionRecord, ProviderRecord, ServiceRecord
from finance.voucher_providers.tables import VoucherObjection, VoucherProvider, VoucherService

# ---------------------------------------------------------------------------------------------- providers


def _provider(row: Mapping[str, Any]) -> ProviderRecord:
    return ProviderRecord(
        id=int(row["id"]),
        case=row["case"],
        programme=int(row["programme"]),
        programme_version=int(row["programme_version"]),
        org=int(row["org"]),
        issuer=int(row["issuer"]),
        org_kind=str(row["org_kind"]),
        statement=str(row["statement"]),
        notice_days=int(row["notice_days"]),
        notice_from=row["notice_from"],
        notice_ends_on=row["notice_ends_on"],
        listed_on=row["listed_on"],
        suspended_on=row["suspended_on"],
        delisted_on=row["delisted_on"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def live_key(programme_id: int, org_id: int) -> str:
    return f"{programme_id}:{org_id}"


async def provider(provider_id: int) -> ProviderRecord | None:
    row = await VoucherProvider.select().where(VoucherProvider.id == provider_id).first()
    return _provider(row) if row else None


async def live(programme_id: int, org_id: int) -> ProviderRecord | None:
    """The organisation's live row in the programme (applied, in review, notice, listed, suspended, delisted)."""
    key = live_key(programme_id, org_id)
    row = await VoucherProvider.select().where(VoucherProvider.natural_key == key).first()
    return _provider(row) if row else None


async def providers(
    *, programme: int | None = None, org: int | None = None, issuer: int | None = None,
    ids: Sequence[int] | None = None,
) -> list[ProviderRecord]:
    query = VoucherProvider.select().order_by(VoucherProvider.id, ascending=False)
    if programme is not None:
        query = query.where(VoucherProvider.programme == programme)
    if org is not None:
        query = query.where(VoucherProvider.org == org)
    if issuer is not None:
        query = query.where(VoucherProvider.issuer == issuer)
    if ids is not None:
        if not ids:
            return []
        query = query.where(VoucherProvider.id.is_in(list(ids)))
    return [_provider(r) for r in await query]


async def notice_ended(*, on: date) -> list[ProviderRecord]:
    """Rows whose notice ended by ``on`` and which are not listed yet (the job lists those without objections)."""
    rows = await VoucherProvider.select().where(
        VoucherProvider.notice_ends_on.is_not_null()
        & (VoucherProvider.notice_ends_on <= on)
        & VoucherProvider.listed_on.is_null()
        & VoucherProvider.delisted_on.is_null()
    ).order_by(VoucherProvider.id)
    return [_provider(r) for r in rows]


async def insert_provider(values: Mapping[str, Any]) -> int:
    """One live row per (programme, organisation): a second is a unique violation (409), also when filed at once."""
    key = live_key(int(values["programme"]), int(values["org"]))
    rows = await VoucherProvider.insert(VoucherProvider(natural_key=key, **values)).returning(VoucherProvider.id)
    return int(rows[0]["id"])


async def set_case(provider_id: int, case_id: int) -> None:
    await VoucherProvider.update({VoucherProvider.case: case_id}).where(VoucherProvider.id == provider_id)


async def free_key(provider_id: int, *, at: datetime) -> None:
    """A refused application lets the organisation apply again: its key moves aside (the row is kept)."""
    await VoucherProvider.update(
        {VoucherProvider.natural_key: f"{provider_id}:refused", VoucherProvider.updated_at: at}
    ).where(VoucherProvider.id == provider_id)


async def set_days(provider_id: int, values: Mapping[str, Any], *, at: datetime) -> None:
    columns = {getattr(VoucherProvider, k): v for k, v in values.items()}
    await VoucherProvider.update({**columns, VoucherProvider.updated_at: at}).where(VoucherProvider.id == provider_id)


async def mark_listed(provider_id: int, *, on: date, at: datetime) -> bool:
    """listed_on := on, once (of the job and a moment of use at once, one writes it)."""
    rows = (
        await VoucherProvider.update({VoucherProvider.listed_on: on, VoucherProvider.updated_at: at})
        .where((VoucherProvider.id == provider_id) & VoucherProvider.listed_on.is_null())
        .returning(VoucherProvider.id)
    )
    return bool(rows)


# --------------------------------------------------------------------------------------------- objections


def _objection(row: Mapping[str, Any]) -> ObjectionRecord:
    return ObjectionRecord(
        id=int(row["id"]),
        provider=int(row["provider"]),
        lodged_by=row["lodged_by"],
        lodged_by_org=row["lodged_by_org"],
        text=str(row["text"]),
        status=str(row["status"]),
        lodged_at=row["lodged_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_text=str(row["decision_text"]),
    )


async def objections(provider_id: int) -> list[ObjectionRecord]:
    rows = await VoucherObjection.select().where(VoucherObjection.provider == provider_id).order_by(VoucherObjection.id)
    return [_objection(r) for r in rows]


async def objection(objection_id: int) -> ObjectionRecord | None:
    row = await VoucherObjection.select().where(VoucherObjection.id == objection_id).first()
    return _objection(row) if row else None


async def insert_objection(*, provider_id: int, by: int | None, by_org: int | None, text: str, at: datetime) -> int:
    rows = await VoucherObjection.insert(
        VoucherObjection(provider=provider_id, lodged_by=by, lodged_by_org=by_org, text=text, status="open",
                         lodged_at=at)
    ).returning(VoucherObjection.id)  # fmt: skip
    return int(rows[0]["id"])


async def decide_objection(objection_id: int, *, status: str, by: int | None, text: str, at: datetime) -> bool:
    """Once: only while the objection is open."""
    rows = (
        await VoucherObjection.update(
            {VoucherObjection.status: status, VoucherObjection.decided_by: by, VoucherObjection.decided_at: at,
             VoucherObjection.decision_text: text}
        )
        .where((VoucherObjection.id == objection_id) & (VoucherObjection.status == "open"))
        .returning(VoucherObjection.id)
    )  # fmt: skip
    return bool(rows)


# ----------------------------------------------------------------------------------------------- services


def _service(row: Mapping[str, Any]) -> ServiceRecord:
    return ServiceRecord(
        id=int(row["id"]),
        provider=int(row["provider"]),
        programme=int(row["programme"]),
        org=int(row["org"]),
        category=str(row["category"]),
        title_zh=str(row["title_zh"]),
        title_en=str(row["title_en"]),
        description_zh=str(row["description_zh"]),
        description_en=str(row["description_en"]),
        unit=str(row["unit"]),
        price_minor=int(row["price_minor"]),
        currency=str(row["currency"]),
        status=str(row["status"]),
        supersedes=row["supersedes"],
        declaration=row["declaration"],
        declaration_version=row["declaration_version"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def service(service_id: int) -> ServiceRecord | None:
    row = await VoucherService.select().where(VoucherService.id == service_id).first()
    return _service(row) if row else None


async def services(
    *, provider: int | None = None, programme: int | None = None, providers: Sequence[int] | None = None,
    statuses: Sequence[str] = ("active",), category: str | None = None, declaration: int | None = None,
) -> list[ServiceRecord]:
    query = VoucherService.select().order_by(VoucherService.id)
    if provider is not None:
        query = query.where(VoucherService.provider == provider)
    if providers is not None:
        if not providers:
            return []
        query = query.where(VoucherService.provider.is_in(list(providers)))
    if programme is not None:
        query = query.where(VoucherService.programme == programme)
    if statuses:
        query = query.where(VoucherService.status.is_in(list(statuses)))
    if category is not None:
        query = query.where(VoucherService.category == category)
    if declaration is not None:
        query = query.where(VoucherService.declaration == declaration)
    return [_service(r) for r in await query]


async def insert_service(values: Mapping[str, Any]) -> int:
    rows = await VoucherService.insert(VoucherService(**values)).returning(VoucherService.id)
    return int(rows[0]["id"])


async def insert_licence_service(values: Mapping[str, Any]) -> int | None:
    """An open licence's service, once per (provider, declaration, version): None when it is there already."""
    rows = await VoucherService.insert(VoucherService(**values)).on_conflict(
        target=VoucherService.natural_key, action="DO NOTHING"
    ).returning(VoucherService.id)
    return int(rows[0]["id"]) if rows else None


async def set_service_status(service_id: int, *, from_status: str, to: str, at: datetime) -> bool:
    """Conditional on the status (of two edits of one service at once, one wins)."""
    rows = (
        await VoucherService.update({VoucherService.status: to, VoucherService.updated_at: at})
        .where((VoucherService.id == service_id) & (VoucherService.status == from_status))
        .returning(VoucherService.id)
    )
    return bool(rows)
