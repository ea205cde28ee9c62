"""Every query on insurance claims, their costs, payments and guarantee attachments."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from finance.insurance_claims.records import ClaimRecord, CostRecord, GuaranteeRecord, PaymentRecord
from finance.insurance_claims.tables import (
    InsuranceClaim,
    InsuranceClaimCost,
    InsuranceClaimPayment,
    InsuranceGuarantee,
)


def _json(value: Any, empty: Any) -> Any:
    if isinstance(value, str):
        value = json.loads(value or "null")
    return value if value is not None else empty


def _claim(row: Mapping[str, Any]) -> ClaimRecord:
    values = dict(row)
    values["assessment"] = _json(values["assessment"], {})
    values["denial_reasons"] = tuple(_json(values["denial_reasons"], []))
    return ClaimRecord(**values)


def _cost(row: Mapping[str, Any]) -> CostRecord:
    values = dict(row)
    values["pre_approved"] = bool(values["pre_approved"])
    return CostRecord(**values)


async def create(values: Mapping[str, Any]) -> int:
    rows = await InsuranceClaim.insert(InsuranceClaim(**values)).returning(InsuranceClaim.id)
    return int(rows[0]["id"])


async def set_case(claim_id: int, case_id: int) -> None:
    await InsuranceClaim.update({InsuranceClaim.case: case_id}).where(InsuranceClaim.id == claim_id)


async def get(claim_id: int) -> ClaimRecord | None:
    row = await InsuranceClaim.select().where(InsuranceClaim.id == claim_id).first()
    return _claim(row) if row else None


async def by_ids(ids: Sequence[int]) -> dict[int, ClaimRecord]:
    if not ids:
        return {}
    rows = await InsuranceClaim.select().where(InsuranceClaim.id.is_in(list(ids)))
    return {int(r["id"]): _claim(r) for r in rows}


async def for_loan(loan_id: int) -> ClaimRecord | None:
    row = await InsuranceClaim.select().where(InsuranceClaim.loan == loan_id).first()
    return _claim(row) if row else None


async def for_insured(org_id: int, *, limit: int = 200) -> list[ClaimRecord]:
    rows = (
        await InsuranceClaim.select()
        .where(InsuranceClaim.insured == org_id)
        .order_by(InsuranceClaim.id, ascending=False)
        .limit(limit)
    )
    return [_claim(r) for r in rows]


async def for_insurer(org_id: int, *, limit: int = 500) -> list[ClaimRecord]:
    rows = (
        await InsuranceClaim.select()
        .where(InsuranceClaim.insurer == org_id)
        .order_by(InsuranceClaim.id, ascending=False)
        .limit(limit)
    )
    return [_claim(r) for r in rows]


async def for_policy(policy_id: int) -> list[ClaimRecord]:
    rows = await InsuranceClaim.select().where(InsuranceClaim.policy == policy_id).order_by(InsuranceClaim.id)
    return [_claim(r) for r in rows]


async def earlier_on_record(*, patent_id: int, counterparty: str, before: date, insured: int) -> list[ClaimRecord]:
    """Claims of the insured on the same patent and counterparty, first made before ``before`` (any policy)."""
    rows = await InsuranceClaim.select().where(
        (InsuranceClaim.patent == patent_id)
        & (InsuranceClaim.insured == insured)
        & (InsuranceClaim.counterparty == counterparty)
        & (InsuranceClaim.first_claim_on < before)
    )
    return [_claim(r) for r in rows]


async def lock_policy_claims(policy_id: int) -> None:
    """Lock the policy's claims until the caller's transaction ends (PostgreSQL), so two payments on one policy
    read what the other paid; SQLite has one writer."""
    if isinstance(InsuranceClaim._meta.db, PostgresEngine):
        await InsuranceClaim.raw(
            "SELECT id FROM finance_insurance_claim WHERE policy = {} ORDER BY id FOR UPDATE", policy_id
        )


async def set_acceptance(claim_id: int, *, number: str, on: date) -> None:
    await InsuranceClaim.update(
        {
            InsuranceClaim.acceptance_number: number,
            InsuranceClaim.accepted_on: on,
            InsuranceClaim.updated_at: datetime.now(UTC),
        }
    ).where(InsuranceClaim.id == claim_id)


async def set_assessment(claim_id: int, *, assessment: Mapping[str, Any], amount_minor: int) -> None:
    await InsuranceClaim.update(
        {
            InsuranceClaim.assessment: json.dumps(dict(assessment), ensure_ascii=False, default=str),
            InsuranceClaim.assessed_minor: amount_minor,
            InsuranceClaim.updated_at: datetime.now(UTC),
        }
    ).where(InsuranceClaim.id == claim_id)


async def set_denial(claim_id: int, reasons: Sequence[Mapping[str, Any]]) -> None:
    await InsuranceClaim.update(
        {
            InsuranceClaim.denial_reasons: json.dumps(list(reasons), ensure_ascii=False, default=str),
            InsuranceClaim.updated_at: datetime.now(UTC),
        }
    ).where(InsuranceClaim.id == claim_id)


# ------------------------------------------------------------------------------------------------ costs


async def add_cost(values: Mapping[str, Any]) -> int:
    rows = await InsuranceClaimCost.insert(InsuranceClaimCost(**values)).returning(InsuranceClaimCost.id)
    return int(rows[0]["id"])


async def set_cost_document(cost_id: int, *, document: int, sha256: str) -> None:
    await InsuranceClaimCost.update(
        {InsuranceClaimCost.document: document, InsuranceClaimCost.sha256: sha256}
    ).where(InsuranceClaimCost.id == cost_id)


async def cost(cost_id: int) -> CostRecord | None:
    row = await InsuranceClaimCost.select().where(InsuranceClaimCost.id == cost_id).first()
    return _cost(row) if row else None


async def costs_of(claim_id: int) -> list[CostRecord]:
    rows = await InsuranceClaimCost.select().where(InsuranceClaimCost.claim == claim_id).order_by(InsuranceClaimCost.id)
    return [_cost(r) for r in rows]


async def pre_approve(cost_id: int, *, by: int | None, at: datetime) -> bool:
    """Once: True if this call approved it (a conditional update on ``pre_approved = false``)."""
    rows = (
        await InsuranceClaimCost.update(
            {
                InsuranceClaimCost.pre_approved: True,
                InsuranceClaimCost.pre_approved_by: by,
                InsuranceClaimCost.pre_approved_at: at,
            }
        )
        .where((InsuranceClaimCost.id == cost_id) & (InsuranceClaimCost.pre_approved == False))  # noqa: E712
        .returning(InsuranceClaimCost.id)
    )
    return bool(rows)


# ------------------------------------------------------------------------------------------------ payments


async def add_payment(values: Mapping[str, Any]) -> int:
    rows = await InsuranceClaimPayment.insert(InsuranceClaimPayment(**values)).returning(InsuranceClaimPayment.id)
    return int(rows[0]["id"])


async def payment_of(claim_id: int) -> PaymentRecord | None:
    row = await InsuranceClaimPayment.select().where(InsuranceClaimPayment.claim == claim_id).first()
    return PaymentRecord(**row) if row else None


async def paid_on_policy(policy_id: int, *, excluding_claim: int | None = None) -> int:
    """What the policy has paid, in minor units: the sum of its claims' payment entries."""
    query = InsuranceClaimPayment.select(InsuranceClaimPayment.amount_minor).where(
        InsuranceClaimPayment.policy == policy_id
    )
    if excluding_claim is not None:
        query = query.where(InsuranceClaimPayment.claim != excluding_claim)
    return sum(int(r["amount_minor"]) for r in await query)


async def paid_by_insurer(insurer_org: int) -> int:
    claims = await InsuranceClaim.select(InsuranceClaim.id).where(InsuranceClaim.insurer == insurer_org)
    ids = [int(r["id"]) for r in claims]
    if not ids:
        return 0
    rows = await InsuranceClaimPayment.select(InsuranceClaimPayment.amount_minor).where(
        InsuranceClaimPayment.claim.is_in(ids)
    )
    return sum(int(r["amount_minor"]) for r in rows)


# ------------------------------------------------------------------------------------------------ guarantees


async def attach(*, policy: int, pledge_application: int, document: int | None, by: int | None) -> int:
    rows = await InsuranceGuarantee.insert(
        InsuranceGuarantee(policy=policy, pledge_application=pledge_application, document=document, attached_by=by)
    ).returning(InsuranceGuarantee.id)
    return int(rows[0]["id"])


async def set_guarantee_document(guarantee_id: int, document: int) -> None:
    await InsuranceGuarantee.update({InsuranceGuarantee.document: document}).where(
        InsuranceGuarantee.id == guarantee_id
    )


async def guarantee_of_application(pledge_application: int) -> GuaranteeRecord | None:
    row = await InsuranceGuarantee.select().where(InsuranceGuarantee.pledge_application == pledge_application).first()
    return GuaranteeRecord(**row) if row else None


async def guarantee_of_policy(policy: int) -> GuaranteeRecord | None:
    row = await InsuranceGuarantee.select().where(InsuranceGuarantee.policy == policy).first()
    return GuaranteeRecord(**row) if row else None
