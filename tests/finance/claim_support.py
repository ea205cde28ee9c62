"""Insurance claim test factories: an enforcement policy in force whose period began 60 days ago, a claim notified on
it, costs with invoices, and the desk's moves as the insurer makes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from finance.insurance_claims import service as claims
from finance.insurance_claims.schemas import ClaimNoticeIn, CostIn, MoveIn
from finance.policies import service as policies
from finance.policies.records import PolicyRecord
from market.accounts.principal import Principal
from market.jobs import unit_of_work
from tests.finance.insurance_support import SME_NAME, accepted_application, insurer, sme
from tests.finance.policy_support import Made, in_force_policy

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
COUNTERPARTY = "深圳某电子有限公司"  # words: data
CASE_NUMBER = "(2026)京73民初1234号"  # words: data


@dataclass
class Covered:
    made: Made
    policy: PolicyRecord

    @property
    def insured(self) -> Principal:
        return self.made.insured

    @property
    def insurer(self) -> Principal:
        return self.made.underwriter

    @property
    def start(self) -> date:
        assert self.policy.starts_on is not None
        return self.policy.starts_on

    def day(self, n: int) -> date:
        return self.start + timedelta(days=n)


async def covered(suffix: str = "") -> Covered:
    """An enforcement policy in force, paid 61 days ago: its period began 60 days ago (``suffix``: other parties)."""
    accepted = None
    if suffix:
        accepted = await accepted_application(
            await sme(f"{SME_NAME}{suffix}"), await insurer(f"人保财险（测试）{suffix}")  # words: data
        )
    made = await in_force_policy(accepted, paid_at=date.today() - timedelta(days=61))
    return Covered(made=made, policy=await policies.policy(made.policy_id))


def notice(c: Covered, **changes: Any) -> ClaimNoticeIn:
    fields: dict[str, Any] = {
        "patent_id": c.policy.patent_ids[0],
        "counterparty": COUNTERPARTY,
        "forum": "court",
        "event_on": c.day(5),
        "first_claim_on": c.day(10),
    }
    return ClaimNoticeIn(**{**fields, **changes})


async def notified(c: Covered, **changes: Any) -> Any:
    async with unit_of_work():
        return await claims.notify_claim(principal=c.insured, policy_id=c.policy.id, data=notice(c, **changes))


async def cost(c: Covered, claim_id: int, kind: str, yuan: int, on: date, invoice: str = "INV") -> Any:
    async with unit_of_work():
        return await claims.add_cost(
            principal=c.insured,
            claim_id=claim_id,
            data=CostIn(kind=kind, amount_minor=yuan * 100, incurred_on=on, invoice_number=invoice),  # type: ignore[arg-type]
            filename="invoice.pdf",
            content_type="application/pdf",
            content=PDF,
        )


async def version(principal: Principal, claim_id: int) -> int:
    return (await claims.get(principal=principal, claim_id=claim_id)).version


async def reviewed(c: Covered, claim_id: int) -> Any:
    async with unit_of_work():
        return await claims.start_review(
            principal=c.insurer, claim_id=claim_id, data=MoveIn(expected_version=await version(c.insurer, claim_id))
        )


async def pre_approve(c: Covered, claim_id: int, cost_id: int) -> Any:
    async with unit_of_work():
        return await claims.pre_approve(
            principal=c.insurer, claim_id=claim_id, cost_id=cost_id,
            data=MoveIn(expected_version=await version(c.insurer, claim_id)),
        )  # fmt: skip
