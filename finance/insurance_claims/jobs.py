"""Insurance claim reactions: a defaulted pledge loan opens the bank's claim on its guarantee policy (once per loan),
and each claim's move goes to both parties' webhooks as ``insurance.claim.<state>``. Safe to run twice: the claim
is unique per loan, and a webhook delivery's id is the domain event's."""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from finance.insurance_claims import service
from market.events import on
from market.webhooks import service as webhooks


@on("servicing.defaulted")
async def loan_defaulted(*, loan_id: int, **_: Any) -> None:
    await service.open_guarantee_claim(loan_id=loan_id)


@on(service.MOVED_EVENT)
async def claim_moved_to_webhooks(
    *, claim_id: int, to_state: str, insured_org: int, insurer_org: int, reference: str = "", policy_id: int = 0,
    kind: str = "", **_: Any,
) -> None:
    payload: dict[str, JsonValue] = {
        "claim_id": claim_id, "reference": reference, "state": to_state, "policy_id": policy_id, "kind": kind,
        "insured_org": insured_org, "insurer_org": insurer_org,
    }  # fmt: skip
    for org in dict.fromkeys((insured_org, insurer_org)):
        await webhooks.publish(org, f"insurance.claim.{to_state}", None, payload)
