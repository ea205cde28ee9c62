"""Every query on policies, their patents, premium payments, endorsements and premium entries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from finance.policies.records import EndorsementRecord, EntryRecord, PaymentRecord, PolicyRecord
from finance.policies.tables import Endorsement, InsurancePolicy, InsurancePolicyPatent, PremiumEntry, PremiumPayment

# ------------------------------------------------------------------------------------------------- policies


async def _policy(row: dict[str, Any]) -> PolicyRecord:
    patents = await patents_of(int(row["id"]))
    paid = await paid_minor(int(row["id"]))
    return PolicyRecord(**row, patent_ids=tuple(patents), premium_paid_minor=paid)


async def get(policy_id: int) -> PolicyRecord | None:
    row = await InsurancePolicy.select().where(InsurancePolicy.id == policy_id).first()
    return await _policy(row) if row else None


async def get_for_update(policy_id: int) -> PolicyRecord | None:
    """The policy inside the caller's transaction (PostgreSQL: locked, so parallel clicks on it take turns)."""
    if isinstance(InsurancePolicy._meta.db, PostgresEngine):
        rows = await InsurancePolicy.raw("SELECT * FROM finance_insurance_policy WHERE id = {} FOR UPDATE", policy_id)
        return await _policy(rows[0]) if rows else None
    return await get(policy_id)


async def for_application(application_id: int) -> PolicyRecord | None:
    row = await InsurancePolicy.select().where(InsurancePolicy.application == application_id).first()
    return await _policy(row) if row else None


async def for_org(org_id: int, *, side: str | None = None, states: Sequence[str] = (), limit: int = 500) -> (
    list[PolicyRecord]
):
    where: Any
    if side == "insured":
        where = InsurancePolicy.insured == org_id
    elif side == "insurer":
        where = InsurancePolicy.insurer == org_id
    else:
        where = (InsurancePolicy.insured == org_id) | (InsurancePolicy.insurer == org_id)
    if states:
        where = where & InsurancePolicy.state.is_in(list(states))
    rows = await InsurancePolicy.select().where(where).order_by(InsurancePolicy.id, ascending=False).limit(limit)
    return [await _policy(r) for r in rows]


async def in_force_ending_before(day: date) -> list[int]:
    rows = await InsurancePolicy.select(InsurancePolicy.id).where(
        (InsurancePolicy.state == "in_force") & (InsurancePolicy.ends_on < day)
    )
    return [int(r["id"]) for r in rows]


async def create(*, values: dict[str, Any], patents: Sequence[int], added_on: date) -> int:
    rows = await InsurancePolicy.insert(InsurancePolicy(**values)).returning(InsurancePolicy.id)
    policy_id = int(rows[0]["id"])
    for patent in patents:
        await add_patent(policy_id, patent, endorsement=None, added_on=added_on)
    return policy_id


async def set_number(policy_id: int, number: str) -> None:
    await InsurancePolicy.update({InsurancePolicy.number: number}).where(InsurancePolicy.id == policy_id)


async def move(policy_id: int, *, state: str, version: int, to_state: str, changes: dict[str, Any]) -> bool:
    """The conditional update: only from ``state`` at ``version`` (to ``version + 1``). False if it lost."""
    values = {**changes, "state": to_state, "version": version + 1, "updated_at": datetime.now(UTC)}
    rows = (
        await InsurancePolicy.update({getattr(InsurancePolicy, k): v for k, v in values.items()})
        .where(
            (InsurancePolicy.id == policy_id)
            & (InsurancePolicy.state == state)
            & (InsurancePolicy.version == version)
        )
        .returning(InsurancePolicy.id)
    )
    return bool(rows)


async def patents_of(policy_id: int) -> list[int]:
    rows = (
        await InsurancePolicyPatent.select(InsurancePolicyPatent.patent)
        .where(InsurancePolicyPatent.policy == policy_id)
        .order_by(InsurancePolicyPatent.id)
    )
    return [int(r["patent"]) for r in rows]


async def add_patent(policy_id: int, patent_id: int, *, endorsement: int | None, added_on: date) -> None:
    await InsurancePolicyPatent.insert(
        InsurancePolicyPatent(
            policy=policy_id,
            patent=patent_id,
            natural_key=f"{policy_id}:{patent_id}",
            endorsement=endorsement,
            added_on=added_on,
        )
    )


# -------------------------------------------------------------------------------------------------- payments


def _payment(row: dict[str, Any]) -> PaymentRecord:
    return PaymentRecord(**row)


async def payment(payment_id: int) -> PaymentRecord | None:
    row = await PremiumPayment.select().where(PremiumPayment.id == payment_id).first()
    return _payment(row) if row else None


async def payment_by_provider_id(provider_id: str) -> PaymentRecord | None:
    row = await PremiumPayment.select().where(
        (PremiumPayment.provider == "stripe") & (PremiumPayment.provider_id == provider_id)
    ).first()
    return _payment(row) if row else None


async def payments_of(policy_id: int) -> list[PaymentRecord]:
    rows = await PremiumPayment.select().where(PremiumPayment.policy == policy_id).order_by(PremiumPayment.id)
    return [_payment(r) for r in rows]


async def open_payments(policy_id: int, purpose: str | None = None) -> list[PaymentRecord]:
    where = (PremiumPayment.policy == policy_id) & PremiumPayment.status.is_in(["awaiting_payer", "processing"])
    if purpose is not None:
        where = where & (PremiumPayment.purpose == purpose)
    rows = await PremiumPayment.select().where(where).order_by(PremiumPayment.id)
    return [_payment(r) for r in rows]


async def count_payments(policy_id: int) -> int:
    return int(await PremiumPayment.count().where(PremiumPayment.policy == policy_id))


async def create_payment(*, values: dict[str, Any]) -> int:
    rows = await PremiumPayment.insert(PremiumPayment(**values)).returning(PremiumPayment.id)
    return int(rows[0]["id"])


async def transition_payment(payment: PaymentRecord, to_status: str, *, values: dict[str, Any] | None = None) -> (
    bool
):
    """From the status as read to ``to_status``, once: False if another path changed it first. A closed attempt
    gives up its ``open_key`` (another may be opened)."""
    changes: dict[str, Any] = {**(values or {}), "status": to_status, "updated_at": datetime.now(UTC)}
    if to_status not in ("awaiting_payer", "processing"):
        changes["open_key"] = None
    rows = (
        await PremiumPayment.update({getattr(PremiumPayment, k): v for k, v in changes.items()})
        .where((PremiumPayment.id == payment.id) & (PremiumPayment.status == payment.status))
        .returning(PremiumPayment.id)
    )
    return bool(rows)


async def payments_with_status(insurer_policy_ids: Sequence[int], statuses: Sequence[str], *, provider: str = "") -> (
    list[PaymentRecord]
):
    if not insurer_policy_ids:
        return []
    where = PremiumPayment.policy.is_in(list(insurer_policy_ids)) & PremiumPayment.status.is_in(list(statuses))
    if provider:
        where = where & (PremiumPayment.provider == provider)
    rows = await PremiumPayment.select().where(where).order_by(PremiumPayment.id)
    return [_payment(r) for r in rows]


# ---------------------------------------------------------------------------------------------- endorsements


def _endorsement(row: dict[str, Any]) -> EndorsementRecord:
    lines = json.loads(row["lines"]) if isinstance(row["lines"], str) else row["lines"]
    return EndorsementRecord(**{**row, "lines": lines})


async def endorsement(endorsement_id: int) -> EndorsementRecord | None:
    row = await Endorsement.select().where(Endorsement.id == endorsement_id).first()
    return _endorsement(row) if row else None


async def endorsements_of(policy_id: int) -> list[EndorsementRecord]:
    rows = await Endorsement.select().where(Endorsement.policy == policy_id).order_by(Endorsement.seq)
    return [_endorsement(r) for r in rows]


async def add_endorsement(*, values: dict[str, Any]) -> int:
    stored = {**values, "lines": json.dumps(values.get("lines", []), ensure_ascii=False, default=str)}
    stored["natural_key"] = f"{values['policy']}:{values['seq']}"
    rows = await Endorsement.insert(Endorsement(**stored)).returning(Endorsement.id)
    return int(rows[0]["id"])


async def settle_endorsement(endorsement: EndorsementRecord, to_state: str, *, values: dict[str, Any]) -> bool:
    changes = {**values, "state": to_state}
    rows = (
        await Endorsement.update({getattr(Endorsement, k): v for k, v in changes.items()})
        .where((Endorsement.id == endorsement.id) & (Endorsement.state == endorsement.state))
        .returning(Endorsement.id)
    )
    return bool(rows)


async def endorsements_in_state(policy_ids: Sequence[int], states: Sequence[str]) -> list[EndorsementRecord]:
    if not policy_ids:
        return []
    rows = (
        await Endorsement.select()
        .where(Endorsement.policy.is_in(list(policy_ids)) & Endorsement.state.is_in(list(states)))
        .order_by(Endorsement.id)
    )
    return [_endorsement(r) for r in rows]


# --------------------------------------------------------------------------------------------------- entries


async def add_entry(*, values: dict[str, Any]) -> int:
    rows = await PremiumEntry.insert(PremiumEntry(**values)).returning(PremiumEntry.id)
    return int(rows[0]["id"])


async def entry_exists(natural_key: str) -> bool:
    return bool(await PremiumEntry.exists().where(PremiumEntry.natural_key == natural_key))


async def entries_of(policy_id: int) -> list[EntryRecord]:
    rows = await PremiumEntry.select().where(PremiumEntry.policy == policy_id).order_by(PremiumEntry.id)
    return [EntryRecord(**r) for r in rows]


async def entries_of_insurer(insurer_id: int) -> list[EntryRecord]:
    rows = await PremiumEntry.select().where(PremiumEntry.insurer == insurer_id).order_by(PremiumEntry.id)
    return [EntryRecord(**r) for r in rows]


async def paid_minor(policy_id: int) -> int:
    """Premium received less refunds, summed from the entries (never stored)."""
    rows = await PremiumEntry.select(PremiumEntry.kind, PremiumEntry.amount_minor).where(
        PremiumEntry.policy == policy_id
    )
    return sum(int(r["amount_minor"]) * (1 if r["kind"] == "premium" else -1) for r in rows)
