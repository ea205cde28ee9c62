"""Every query on payments and provider events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from finance.payments.tables import LicencePayment, PaymentEvent


async def create(values: dict[str, Any]) -> int:
    rows = await LicencePayment.insert(LicencePayment(**values)).returning(LicencePayment.id)
    return int(rows[0]["id"])


async def get(payment_id: int) -> dict[str, Any] | None:
    return await LicencePayment.select().where(LicencePayment.id == payment_id).first()


async def by_provider_id(provider: str, provider_id: str) -> dict[str, Any] | None:
    return (
        await LicencePayment.select()
        .where((LicencePayment.provider == provider) & (LicencePayment.provider_id == provider_id))
        .first()
    )


async def update(payment_id: int, values: dict[str, Any]) -> None:
    await LicencePayment.update({getattr(LicencePayment, k): v for k, v in values.items()}).where(
        LicencePayment.id == payment_id
    )


async def for_licence(licence_id: int) -> list[dict[str, Any]]:
    return await LicencePayment.select().where(LicencePayment.licence == licence_id).order_by(LicencePayment.id)


async def open_for(licence_id: int, purpose: str, royalty_report: int | None = None) -> list[dict[str, Any]]:
    where = (
        (LicencePayment.licence == licence_id)
        & (LicencePayment.purpose == purpose)
        & LicencePayment.status.is_in(["awaiting_payer", "processing"])
    )
    if royalty_report is not None:
        where = where & (LicencePayment.royalty_report == royalty_report)
    return await LicencePayment.select().where(where).order_by(LicencePayment.id)


async def count_for(licence_id: int) -> int:
    return int(await LicencePayment.count().where(LicencePayment.licence == licence_id))


async def open_bank_references() -> list[dict[str, Any]]:
    return await LicencePayment.select().where(
        (LicencePayment.provider == "bank_transfer") & (LicencePayment.status == "awaiting_payer")
    )


async def succeeded_for_licences(licence_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not licence_ids:
        return []
    return (
        await LicencePayment.select()
        .where(LicencePayment.licence.is_in(list(licence_ids)) & (LicencePayment.status == "succeeded"))
        .order_by(LicencePayment.succeeded_at)
    )


async def store_event(
    *, provider: str, event_id: str, type_: str, object_id: str, payload: dict[str, Any]
) -> int | None:
    """Store an event once; None if it was already stored (a repeated delivery)."""
    existing = (
        await PaymentEvent.select(PaymentEvent.id)
        .where((PaymentEvent.provider == provider) & (PaymentEvent.event_id == event_id))
        .first()
    )
    if existing is not None:
        await PaymentEvent.update({PaymentEvent.deliveries: PaymentEvent.deliveries + 1}).where(
            PaymentEvent.id == existing["id"]
        )
        return None
    rows = await PaymentEvent.insert(
        PaymentEvent(provider=provider, event_id=event_id, type=type_, object_id=object_id, payload=payload)
    ).returning(PaymentEvent.id)
    return int(rows[0]["id"])


async def get_event(event_row_id: int) -> dict[str, Any] | None:
    return await PaymentEvent.select().where(PaymentEvent.id == event_row_id).output(load_json=True).first()


async def mark_event(event_row_id: int, *, at: datetime, result: str) -> None:
    await PaymentEvent.update({PaymentEvent.processed_at: at, PaymentEvent.result: result[:200]}).where(
        PaymentEvent.id == event_row_id
    )
