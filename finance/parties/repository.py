"""Every query on related-party facts and shareholders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from finance.parties.records import PartyFactsRecord, ShareholderRecord
from finance.parties.tables import PartyFacts, PartyShareholder

F, S = PartyFacts, PartyShareholder
FACT_COLUMNS = (
    F.id,
    F.organisation,
    F.version,
    F.legal_rep_name,
    F.legal_rep_name_key,
    F.legal_rep_id_hash,
    F.legal_rep_id_last4,
    F.phone,
    F.phone_key,
    F.address,
    F.address_key,
    F.parent_credit_code,
    F.recorded_by,
    F.recorded_at,
    F.superseded_at,
)


def _facts(row: dict[str, Any]) -> PartyFactsRecord:
    return PartyFactsRecord(**row)


async def current(org_id: int) -> PartyFactsRecord | None:
    row = await F.select(*FACT_COLUMNS).where((F.organisation == org_id) & F.superseded_at.is_null()).first()
    return _facts(row) if row else None


async def current_of(org_ids: Sequence[int]) -> dict[int, PartyFactsRecord]:
    if not org_ids:
        return {}
    rows = await F.select(*FACT_COLUMNS).where(F.organisation.is_in(list(org_ids)) & F.superseded_at.is_null())
    return {int(r["organisation"]): _facts(r) for r in rows}


async def get(facts_id: int) -> PartyFactsRecord | None:
    row = await F.select(*FACT_COLUMNS).where(F.id == facts_id).first()
    return _facts(row) if row else None


async def history(org_id: int) -> list[PartyFactsRecord]:
    rows = await F.select(*FACT_COLUMNS).where(F.organisation == org_id).order_by(F.version, ascending=False)
    return [_facts(r) for r in rows]


async def shareholders_of(facts_ids: Sequence[int]) -> list[ShareholderRecord]:
    if not facts_ids:
        return []
    rows = await S.select().where(S.facts.is_in(list(facts_ids))).order_by(S.facts).order_by(S.position)
    return [ShareholderRecord(**r) for r in rows]


async def supersede(facts_id: int, *, version: int, at: datetime) -> bool:
    """Close the version in force, conditionally: of two owners saving at once, one wins."""
    rows = (
        await F.update({F.superseded_at: at, F.live_key: None})
        .where((F.id == facts_id) & (F.version == version) & F.superseded_at.is_null())
        .returning(F.id)
    )
    return bool(rows)


async def create(
    *,
    org_id: int,
    version: int,
    values: dict[str, Any],
    shareholders: Sequence[dict[str, Any]],
    recorded_by: int | None,
    at: datetime,
) -> int:
    """A new version in force with its shareholders. The unique ``natural_key`` ("org:version") and ``live_key``
    ("org") make a racing twin fail (a 409)."""
    rows = await F.insert(
        F(
            organisation=org_id,
            version=version,
            natural_key=f"{org_id}:{version}",
            live_key=str(org_id),
            recorded_by=recorded_by,
            recorded_at=at,
            **values,
        )
    ).returning(F.id)
    facts_id = int(rows[0]["id"])
    if shareholders:
        await S.insert(
            *[S(facts=facts_id, organisation=org_id, position=i, **holder) for i, holder in enumerate(shareholders)]
        )
    return facts_id
