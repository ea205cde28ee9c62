"""Every query on pledge registrations, their patents, documents and signatures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from finance.registrations.records import DocumentRecord, RegistrationRecord
from finance.registrations.tables import PledgeDocument, PledgeRegistration, PledgeRegistrationPatent


def _registration(row: dict[str, Any]) -> RegistrationRecord:
    return RegistrationRecord(**{**row, "pure_ip": bool(row["pure_ip"])})


async def get(registration_id: int) -> RegistrationRecord | None:
    row = await PledgeRegistration.select().where(PledgeRegistration.id == registration_id).first()
    return _registration(row) if row else None


async def for_application(application_id: int) -> RegistrationRecord | None:
    row = await PledgeRegistration.select().where(PledgeRegistration.application == application_id).first()
    return _registration(row) if row else None


async def for_org(org_id: int, *, limit: int = 200) -> list[RegistrationRecord]:
    rows = (
        await PledgeRegistration.select()
        .where((PledgeRegistration.pledgor == org_id) | (PledgeRegistration.pledgee == org_id))
        .order_by(PledgeRegistration.id, ascending=False)
        .limit(limit)
    )
    return [_registration(r) for r in rows]


async def in_states(states: Sequence[str]) -> list[RegistrationRecord]:
    rows = await PledgeRegistration.select().where(PledgeRegistration.state.is_in(list(states)))
    return [_registration(r) for r in rows]


async def create(*, values: dict[str, Any], patents: Sequence[int]) -> int:
    rows = await PledgeRegistration.insert(PledgeRegistration(**values)).returning(PledgeRegistration.id)
    registration_id = int(rows[0]["id"])
    if patents:
        await PledgeRegistrationPatent.insert(
            *[
                PledgeRegistrationPatent(registration=registration_id, patent=p, natural_key=f"{registration_id}:{p}")
                for p in patents
            ]
        )
    return registration_id


async def set_reference(registration_id: int, reference: str) -> None:
    await PledgeRegistration.update({PledgeRegistration.reference: reference}).where(
        PledgeRegistration.id == registration_id
    )


async def move(registration_id: int, *, state: str, version: int, to_state: str, changes: dict[str, Any]) -> bool:
    """The conditional update: only from ``state`` at ``version`` (to ``version + 1``). False if it lost."""
    values = {**changes, "state": to_state, "version": version + 1, "updated_at": datetime.now(UTC)}
    rows = (
        await PledgeRegistration.update({getattr(PledgeRegistration, k): v for k, v in values.items()})
        .where(
            (PledgeRegistration.id == registration_id)
            & (PledgeRegistration.state == state)
            & (PledgeRegistration.version == version)
        )
        .returning(PledgeRegistration.id)
    )
    return bool(rows)


async def patents_of(registration_id: int) -> list[int]:
    rows = (
        await PledgeRegistrationPatent.select(PledgeRegistrationPatent.patent)
        .where(PledgeRegistrationPatent.registration == registration_id)
        .order_by(PledgeRegistrationPatent.id)
    )
    return [int(r["patent"]) for r in rows]


async def registrations_of_patent(patent_id: int) -> list[RegistrationRecord]:
    ids = await PledgeRegistrationPatent.select(PledgeRegistrationPatent.registration).where(
        PledgeRegistrationPatent.patent == patent_id
    )
    if not ids:
        return []
    rows = await PledgeRegistration.select().where(PledgeRegistration.id.is_in([int(r["registration"]) for r in ids]))
    return [_registration(r) for r in rows]


async def documents(registration_id: int) -> list[DocumentRecord]:
    rows = (
        await PledgeDocument.select()
        .where(PledgeDocument.registration == registration_id)
        .order_by(PledgeDocument.id)
    )
    return [DocumentRecord(**r) for r in rows]


async def document(document_id: int) -> DocumentRecord | None:
    row = await PledgeDocument.select().where(PledgeDocument.id == document_id).first()
    return DocumentRecord(**row) if row else None


async def add_document(*, values: dict[str, Any]) -> int:
    key = f"{values['registration']}:{values['kind']}"
    rows = await PledgeDocument.insert(PledgeDocument(**values, natural_key=key)).returning(PledgeDocument.id)
    return int(rows[0]["id"])
