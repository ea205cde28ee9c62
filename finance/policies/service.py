"""IP insurance policies: from an accepted application to the policy in force, its changes and its end.

- ``bind``: the SME accepts the accepted terms (the quote still valid): the policy is made in ``awaiting_premium``
  with its number (``PB-2026-000001``) and ``finance.insurance.mark_bound`` moves the application to ``bound``.
- The premium is paid through the payments port: a bank transfer (a reference to quote; the insurer's receiving
  account shown when it has recorded one, and the insurer confirms receipt) or Stripe (a PaymentIntent; its webhook
  events reach us as ``payments.intent_changed``, the payer's test-mode confirmation directly). At most one attempt
  is open per policy and purpose (parallel clicks get the same one). Money received is recorded once, whichever
  path comes first, as a premium entry: what was paid is always summed from the entries.
- Premium received: the policy is in force for its period (``proration.period``) and its schedule is rendered
  (``finance/documents/policy_schedule``), sealed by the platform, and its SHA-256 stored.
- Endorsement: a patent added (it must pass the application's eligibility rules) with the extra premium pro rata for
  the days left; once paid, the patent is covered and a new schedule version is issued.
- Cancellation (the insured or the insurer): the unearned premium refunded pro rata (a refund entry); a refund the
  insurer owes by bank transfer is listed for it to mark paid, a card payment is refunded through Stripe.

Every move is a conditional update on (state, version) in the transaction that writes its audit event.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import structlog

from finance.insurance import service as insurance
from finance.insurance_products import service as products
from finance.payees import service as payees
from finance.payments import gateways
from finance.policies import machine, proration, repository
from finance.policies.records import Book, EndorsementRecord, PaymentProof, PaymentRecord, PolicyRecord
from finance.policies.schemas import (
    AccountOut,
    EndorsementOut,
    EntryOut,
    LineOut,
    PatentOut,
    PaymentOut,
    PolicyOut,
)
from finance.signatures import service as signing
from listings.patents import service as patents
from market import events, jobs, runtime
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg, gettext
from market.integrations.payments import PaymentRequest, PaymentStatus, new_reference
from market.integrations.pdf import render_document_in_thread
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service

log = structlog.get_logger("finance.policies")

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
SCHEDULE = "policy_schedule"
PREMIUM = "premium"
OPEN = frozenset({"awaiting_payer", "processing"})
RECEIVED = frozenset({"succeeded", "refund_due", "refunded"})
LANGUAGES = ("zh", "en")


def now() -> datetime:
    """The policies' clock (tests move it: a period, an endorsement and a cancellation on known days)."""
    return datetime.now(UTC)


def today() -> date:
    return now().date()


def methods() -> list[str]:
    """How a premium may be paid here: by bank transfer always, by card where Stripe is configured."""
    return ["bank_transfer", "card"] if gateways.stripe() is not None else ["bank_transfer"]


# ------------------------------------------------------------------------------------------- reading (others)


async def policy(policy_id: int) -> PolicyRecord:
    """A policy as recorded, with its patents and the premium paid (summed from its entries)."""
    row = await repository.get(policy_id)
    if row is None:
        raise NotFound(Msg("policies.not_found"))
    return row


policy_of_application = repository.for_application


async def premium_paid(policy_id: int) -> Money:
    """Premium received less refunds, from the premium entries."""
    row = await policy(policy_id)
    return Money(row.currency, await repository.paid_minor(policy_id))


async def paid_proof(policy_id: int) -> PaymentProof | None:
    """The premium's payment, as a subsidy claim cites it: when it was received, how much, the reference quoted (a
    bank transfer's) or the provider's id (a card's), and the method. None until the premium is received."""
    for p in await repository.payments_of(policy_id):
        if p.purpose == PREMIUM and p.status in RECEIVED and p.received_at is not None:
            return PaymentProof(
                policy_id=policy_id,
                paid_on=p.received_at.astimezone(UTC).date(),
                amount_minor=p.amount_minor,
                currency=p.currency,
                reference=p.reference or p.provider_id,
                method=p.method,
                payment_id=p.id,
            )
    return None


async def in_force_for(org_id: int) -> list[PolicyRecord]:
    """The policies in force that insure this organisation."""
    return await repository.for_org(org_id, side="insured", states=("in_force",))


async def policies_of(org_id: int, *, side: str | None = None) -> list[PolicyRecord]:
    return await repository.for_org(org_id, side=side)


# --------------------------------------------------------------------------------------------------- access


async def party(principal: Principal, policy_id: int) -> tuple[PolicyRecord, str]:
    """The policy and the caller's side (insured, insurer); anyone else is told it does not exist."""
    row = await repository.get(policy_id)
    if row is None or principal.org_id not in (row.insured, row.insurer):
        raise NotFound(Msg("policies.not_found"))
    return row, "insurer" if principal.org_id == row.insurer else "insured"


async def as_insured(principal: Principal, policy_id: int) -> PolicyRecord:
    row, side = await party(principal, policy_id)
    if side != "insured":
        raise Forbidden(Msg("policies.insured_only"))
    return row


async def as_insurer(principal: Principal, policy_id: int) -> PolicyRecord:
    row, side = await party(principal, policy_id)
    if side != "insurer":
        raise Forbidden(Msg("policies.insurer_only"))
    return row


def _check_version(row: PolicyRecord, version: int | None) -> None:
    if version is not None and version != row.version:
        raise Conflict(Msg("policies.stale"))


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


async def _move(
    row: PolicyRecord, event: str, *, actor: Actor, changes: dict[str, Any] | None = None
) -> PolicyRecord:
    """One move of the machine: checked against the graph, then the conditional update (a stale version or a state
    changed meanwhile: 409), the audit event and ``policies.<event>`` in the same transaction."""
    to_state = machine.next_state(row.state, event)
    if not await repository.move(row.id, state=row.state, version=row.version, to_state=to_state,
                                 changes=changes or {}):
        raise Conflict(Msg("policies.stale"))
    after = {k: v.isoformat() if isinstance(v, date) else v for k, v in (changes or {}).items()}
    await record(
        actor=actor,
        action=f"finance.policy_{event}",
        entity_type="insurance_policy",
        entity_id=row.id,
        org_id=row.insurer,
        before={"state": row.state, "version": row.version},
        after={"state": to_state, "version": row.version + 1, **after},
    )
    fresh = await repository.get(row.id)
    assert fresh is not None
    return fresh


def _event_payload(row: PolicyRecord) -> dict[str, Any]:
    return {
        "policy_id": row.id,
        "number": row.number,
        "application_id": row.application,
        "insured_org": row.insured,
        "insurer_org": row.insurer,
        "kind": row.kind,
        "state": row.state,
    }


# ------------------------------------------------------------------------------------------------------ bind


def _valid_until(quote: Mapping[str, Any]) -> date | None:
    value = quote.get("valid_until")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


async def _application(application_id: int) -> Any:
    try:
        return await insurance.application(application_id)
    except NotFound:
        return None


async def bind(*, principal: Principal, application_id: int, starts_on: date | None = None) -> PolicyOut:
    """The SME binds its accepted application on the accepted terms while the quote is valid: the policy, in
    ``awaiting_premium``, with its number; the application moves to ``bound``. Refused (and nothing written) when
    the application is not the SME's, not accepted, already bound, or its quote has expired."""
    app = await _application(application_id)
    if app is None or app.applicant != principal.org_id:
        raise NotFound(Msg("policies.application_not_found"))
    if await repository.for_application(application_id) is not None:
        raise Conflict(Msg("policies.already_bound"))
    if app.state != "accepted":
        raise Conflict(Msg("policies.not_accepted", {"state": str(app.state)}))
    quote = dict(app.quote or {})
    valid_until = _valid_until(quote)
    day = today()
    if valid_until is not None and day > valid_until:
        expired = Msg("policies.quote_expired", {"valid_until": valid_until})
        raise Conflict(expired, errors=[FieldError("application_id", expired, code="quote_expired")])
    if starts_on is not None and starts_on <= day:
        early = Msg("policies.start_not_future", {"today": day})
        raise ValidationFailed(early, errors=[FieldError("starts_on", early, code="start_not_future")])
    product = await products.version(app.product_version)
    currency = str(getattr(app, "currency", "") or quote.get("currency") or "CNY")
    policy_id = await repository.create(
        values={
            "number": f"pending-{application_id}",
            "application": application_id,
            "insured": app.applicant,
            "insurer": app.insurer,
            "kind": product.kind,
            "product_version": app.product_version,
            "firm_tier": str(getattr(app, "firm_tier", "") or "sme"),
            "state": "awaiting_premium",
            "version": 1,
            "requested_start": starts_on,
            "term_months": int(product.term_months),
            "retroactive_days": int(product.retroactive_days),
            "premium_minor": int(quote.get("premium_minor", 0)),
            "per_claim_limit_minor": int(quote.get("per_claim_limit_minor", 0)),
            "aggregate_limit_minor": int(quote.get("aggregate_limit_minor", 0)),
            "deductible_minor": int(quote.get("deductible_minor", 0)),
            "currency": currency,
            "pledge_application": getattr(app, "pledge_application", None),
            "quote_valid_until": valid_until,
        },
        patents=list(app.patent_ids),
        added_on=day,
    )
    number = f"PB-{day.year}-{policy_id:06d}"
    await repository.set_number(policy_id, number)
    actor = _actor(principal)
    await insurance.mark_bound(application_id, policy_id=policy_id, actor=actor)
    row = await policy(policy_id)
    await record(
        actor=actor,
        action="finance.policy_bound",
        entity_type="insurance_policy",
        entity_id=policy_id,
        org_id=row.insurer,
        after={
            "number": number,
            "application": application_id,
            "premium_minor": row.premium_minor,
            "aggregate_limit_minor": row.aggregate_limit_minor,
            "patents": list(row.patent_ids),
        },
    )
    await events.emit("policies.bound", **_event_payload(row))
    return await view(principal=principal, policy_id=policy_id)


# ---------------------------------------------------------------------------------------------------- paying


async def _due(row: PolicyRecord, purpose: str) -> tuple[Money, EndorsementRecord | None] | None:
    """What ``purpose`` still asks to be paid, or None when nothing is due for it (paid, cancelled, void)."""
    if purpose == PREMIUM:
        if row.state != "awaiting_premium":
            return None
        return Money(row.currency, row.premium_minor), None
    endorsement_id = int(purpose.split(":", 1)[1])
    found = await repository.endorsement(endorsement_id)
    if found is None or found.policy != row.id or found.state != "awaiting_premium" or row.state != "in_force":
        return None
    return Money(found.currency, found.amount_minor), found


async def _open_purpose(row: PolicyRecord) -> str | None:
    """The purpose a payment is asked for now: the premium, or the endorsement awaiting its extra premium."""
    if row.state == "awaiting_premium":
        return PREMIUM
    if row.state == "in_force":
        for e in await repository.endorsements_of(row.id):
            if e.kind == "add_patent" and e.state == "awaiting_premium":
                return f"endorsement:{e.id}"
    return None


async def pay_premium(*, principal: Principal, policy_id: int, method: str) -> PolicyOut:
    """Open the attempt to pay what is due (at most one per policy and purpose: parallel clicks take turns on the
    policy's row and get the attempt the first one opened). ``test_card``: Stripe in test mode, paid with the test
    card at once."""
    await as_insured(principal, policy_id)
    row = await repository.get_for_update(policy_id)  # parallel clicks on one policy take turns from here
    assert row is not None
    purpose = await _open_purpose(row)
    if purpose is None:
        raise Conflict(Msg("policies.nothing_due", {"state": row.state}))
    pay_with = "card" if method == "test_card" else method
    payment, secret = await _open(row, purpose=purpose, method=pay_with, actor=_actor(principal))
    if method == "test_card":
        await _confirm_test_card(payment)
        return await view(principal=principal, policy_id=policy_id)
    return await view(principal=principal, policy_id=policy_id, secrets={payment.id: secret} if secret else None)


async def _open(row: PolicyRecord, *, purpose: str, method: str, actor: Actor) -> tuple[PaymentRecord, str | None]:
    stripe = gateways.stripe()
    if method not in ("bank_transfer", "card") or (method == "card" and stripe is None):
        offered = "bank_transfer, card" if stripe is not None else "bank_transfer"
        refused = Msg("policies.method_not_offered", {"method": method, "choices": offered})
        raise ValidationFailed(refused, errors=[FieldError("method", refused, code="method")])
    due = await _due(row, purpose)
    if due is None:
        raise Conflict(Msg("policies.nothing_due", {"state": row.state}))
    amount, endorsement = due
    for existing in await repository.open_payments(row.id, purpose):
        if existing.method == method:
            return existing, await _secret_of(existing)
        if existing.status != "awaiting_payer" or not await _cancel_attempt(existing, actor):
            raise Conflict(Msg("policies.attempt_processing", {"method": existing.method}))
    attempt = await repository.count_payments(row.id) + 1
    key = f"policy:{row.id}:{purpose}:{attempt}:{method}"
    payee = await payees.current_account(row.insurer) if method == "bank_transfer" else None
    payment_id = await repository.create_payment(
        values={
            "policy": row.id,
            "purpose": purpose,
            "endorsement": endorsement.id if endorsement else None,
            "method": method,
            "provider": "bank_transfer" if method == "bank_transfer" else "stripe",
            "provider_id": "",
            "reference": new_reference(today().year) if method == "bank_transfer" else "",
            "amount_minor": amount.minor,
            "currency": amount.currency,
            "status": "awaiting_payer",
            "idempotency_key": key,
            "open_key": f"{row.id}:{purpose}",
            "payee_account": payee.id if payee else None,
        }
    )
    secret = None
    if method == "card":
        assert stripe is not None
        request = PaymentRequest(
            licence_id=f"policy-{row.id}",
            amount=amount,
            idempotency_key=key,
            description=f"{row.number} {purpose}",
            metadata={"policy_id": str(row.id), "policy_number": row.number, "purpose": purpose},
        )
        started = await stripe.start_payment(request)  # the same key gives the same PaymentIntent again
        created = await repository.payment(payment_id)
        assert created is not None
        status = started.status.value if started.status.value in OPEN else "awaiting_payer"
        await repository.transition_payment(created, status, values={"provider_id": started.provider_id})
        secret = started.client_secret
    await record(
        actor=actor,
        action="finance.premium_payment_started",
        entity_type="insurance_premium_payment",
        entity_id=payment_id,
        org_id=row.insurer,
        after={"policy": row.number, "purpose": purpose, "method": method, "amount_minor": amount.minor},
    )
    if method == "bank_transfer":
        await events.emit("policies.transfer_awaited", **_event_payload(row), payment_id=payment_id)
    fresh = await repository.payment(payment_id)
    assert fresh is not None
    return fresh, secret


async def _secret_of(payment: PaymentRecord) -> str | None:
    gateway = gateways.stripe()
    if payment.provider == "stripe" and payment.provider_id and gateway is not None:
        return (await gateway.retrieve_payment(payment.provider_id)).client_secret
    return None


async def _cancel_attempt(payment: PaymentRecord, actor: Actor) -> bool:
    """Cancel an open attempt (at Stripe too, in a job), once: False if another path changed it first."""
    if not await repository.transition_payment(payment, "canceled"):
        return False
    await record(
        actor=actor,
        action="finance.premium_payment_canceled",
        entity_type="insurance_premium_payment",
        entity_id=payment.id,
        before={"status": payment.status},
        after={"status": "canceled"},
    )
    if payment.provider == "stripe" and payment.provider_id:
        await jobs.enqueue("policies.cancel_provider_payment", payment_id=payment.id)
    return True


async def cancel_at_provider(payment_id: int) -> None:
    payment = await repository.payment(payment_id)
    gateway = gateways.stripe()
    if payment is not None and payment.provider == "stripe" and payment.provider_id and gateway is not None:
        current = await gateway.retrieve_payment(payment.provider_id)
        if current.status in (PaymentStatus.AWAITING_PAYER, PaymentStatus.PROCESSING):
            await gateway.cancel_payment(payment.provider_id)


async def _confirm_test_card(payment: PaymentRecord) -> None:
    gateway = gateways.stripe()
    if payment.provider != "stripe" or gateway is None:
        raise Conflict(Msg("policies.test_mode_stripe_only"))
    await gateway.confirm_test_payment(payment.provider_id)
    await apply_intent(payment.provider_id)


async def pay_in_test_mode(*, principal: Principal, policy_id: int, payment_id: int) -> PolicyOut:
    """Test mode only (a sk_test_ key): confirm the PaymentIntent with Stripe's test card, then take its state."""
    await as_insured(principal, policy_id)
    payment = await repository.payment(payment_id)
    if payment is None or payment.policy != policy_id:
        raise NotFound(Msg("policies.payment_not_found"))
    await _confirm_test_card(payment)
    return await view(principal=principal, policy_id=policy_id)


async def apply_intent(provider_id: str) -> str:
    """Bring a premium's Stripe payment to the provider's state (never backwards), whichever of the webhook and
    the payer's confirmation comes first. Money the provider took is received once. Unknown intents: nothing."""
    gateway = gateways.stripe()
    payment = await repository.payment_by_provider_id(provider_id)
    if gateway is None or payment is None:
        return "unknown payment"
    current = await gateway.retrieve_payment(provider_id)
    if current.status is PaymentStatus.SUCCEEDED:
        return await receive(payment, at=now(), actor=Actor.system())
    state = current.status.value
    if payment.status not in OPEN or state == payment.status:
        return f"already {payment.status}"
    if state == "processing" and payment.status == "awaiting_payer":
        return "processing" if await repository.transition_payment(payment, "processing") else "changed meanwhile"
    if state == "canceled":
        return "canceled" if await repository.transition_payment(payment, "canceled") else "changed meanwhile"
    return f"already {payment.status}"


async def confirm_premium_received(*, principal: Principal, payment_id: int) -> PolicyOut:
    """The insurer confirms that a bank transfer quoting the payment's reference arrived. Another organisation's
    transfer is a 404, as if it did not exist; one received already is a 409."""
    payment = await repository.payment(payment_id)
    row = await repository.get(payment.policy) if payment is not None else None
    if payment is None or row is None or row.insurer != principal.org_id or payment.provider != "bank_transfer":
        raise NotFound(Msg("policies.payment_not_found"))
    if payment.status not in ("awaiting_payer", "canceled"):  # a canceled attempt's money still counts
        raise Conflict(Msg("policies.transfer_not_awaiting", {"status": payment.status}))
    outcome = await receive(payment, at=now(), actor=_actor(principal))
    if outcome == "already":
        raise Conflict(Msg("policies.transfer_not_awaiting", {"status": "succeeded"}))
    return await view(principal=principal, policy_id=row.id)


async def receive(payment: PaymentRecord, *, at: datetime, actor: Actor) -> str:
    """Money arrived for this payment: recorded once, whichever path comes first. ``succeeded`` (a premium entry;
    the policy in force, or the endorsement effective), ``refund_due`` when what it paid for is no longer due (the
    money stays on the insurer's refund list, never lost), ``already`` when another path received it first."""
    row = await repository.get_for_update(payment.policy)  # the policy first, as ``_open``: no deadlock
    assert row is not None
    fresh = await repository.payment(payment.id)
    assert fresh is not None
    if fresh.status in RECEIVED:
        return "already"
    due = await _due(row, fresh.purpose)
    if due is None:
        if not await repository.transition_payment(fresh, "refund_due", values={"received_at": at,
                                                                                   "confirmed_by": actor.user_id}):
            return "already"
        await record(
            actor=actor,
            action="finance.premium_refund_due",
            entity_type="insurance_premium_payment",
            entity_id=fresh.id,
            org_id=row.insurer,
            before={"status": fresh.status},
            after={"status": "refund_due", "amount_minor": fresh.amount_minor},
        )
        return "refund_due"
    if not await repository.transition_payment(fresh, "succeeded", values={"received_at": at,
                                                                            "confirmed_by": actor.user_id}):
        return "already"
    for other in await repository.open_payments(row.id, fresh.purpose):
        if other.id != fresh.id:
            await _cancel_attempt(other, actor)
    paid_on = at.astimezone(UTC).date()
    await repository.add_entry(
        values={
            "policy": row.id,
            "insurer": row.insurer,
            "natural_key": f"payment:{fresh.id}",
            "kind": "premium",
            "amount_minor": fresh.amount_minor,
            "currency": fresh.currency,
            "occurred_on": paid_on,
            "month": paid_on.strftime("%Y-%m"),
            "method": fresh.method,
            "reference": fresh.reference or fresh.provider_id,
            "payment": fresh.id,
            "endorsement": fresh.endorsement,
            "recorded_by": actor.user_id,
        }
    )
    await record(
        actor=actor,
        action="finance.premium_received",
        entity_type="insurance_premium_payment",
        entity_id=fresh.id,
        org_id=row.insurer,
        before={"status": fresh.status},
        after={"status": "succeeded", "amount_minor": fresh.amount_minor, "purpose": fresh.purpose},
    )
    if fresh.purpose == PREMIUM:
        await _start_cover(row, paid_on=paid_on, actor=actor)
    else:
        _, endorsement = due
        assert endorsement is not None
        await _endorsement_effective(row, endorsement, actor=actor)
    return "succeeded"


async def _start_cover(row: PolicyRecord, *, paid_on: date, actor: Actor) -> None:
    span = proration.period(
        paid_on=paid_on,
        term_months=row.term_months,
        retroactive_days=row.retroactive_days,
        requested_start=row.requested_start,
    )
    fresh = await _move(
        row,
        "premium_received",
        actor=actor,
        changes={"starts_on": span.starts_on, "ends_on": span.ends_on, "retroactive_date": span.retroactive_date},
    )
    fresh = await issue_schedule(fresh, actor=actor)
    await events.emit("policies.in_force", **_event_payload(fresh), starts_on=span.starts_on.isoformat(),
                      ends_on=span.ends_on.isoformat())


# ------------------------------------------------------------------------------------------------- schedule


async def _party(org_id: int) -> dict[str, Any]:
    org = await org_service.org_by_id(org_id)
    if org is None:
        return {"name": str(org_id), "credit_code": None, "address": None}
    return {"name": org.name, "credit_code": org.credit_code or None, "address": org.address or None}


async def _patent_rows(ids: tuple[int, ...]) -> list[dict[str, Any]]:
    out = []
    for patent_id in ids:
        p = await patents.patent_by_id(patent_id)
        if p is None:
            continue
        out.append(
            {
                "id": p.id,
                "number": p.number,
                "kind": p.kind,
                "title_zh": p.title_zh or p.title_en,
                "title_en": p.title_en or p.title_zh,
                "expires_on": p.expiry_date.isoformat() if p.expiry_date else None,
            }
        )
    return out


def _money(minor: int, currency: str) -> dict[str, Any]:
    return {"minor": int(minor), "currency": currency}


LABELS = (
    "title", "number", "version", "insured", "insurer", "product", "kind", "wording", "territory", "period",
    "retroactive", "premium", "per_claim", "aggregate", "deductible", "patents", "patent_number", "patent_title",
    "patent_expiry", "endorsements", "conditions", "seal", "issued",
)  # fmt: skip


def schedule_languages(kind: str) -> list[dict[str, Any]]:
    """The schedule's fixed words in each language, from the catalogues (``policies.schedule.*``)."""
    out = []
    for lang in LANGUAGES:
        words = {key: gettext(lang, f"policies.schedule.{key}") for key in LABELS}
        words["kind_name"] = gettext(lang, f"policies.kind.{kind}")
        out.append({"lang": lang, **words})
    return out


def schedule_context(
    *,
    row: PolicyRecord,
    version: int,
    insured: dict[str, Any],
    insurer: dict[str, Any],
    product: dict[str, Any],
    patent_rows: list[dict[str, Any]],
    endorsements: list[dict[str, Any]],
    conditions: list[str],
    issued_on: date,
) -> dict[str, Any]:
    """The plain values of ``finance/documents/policy_schedule`` (the shape of its ``sample.yaml``). Pure."""
    assert row.starts_on is not None
    assert row.ends_on is not None
    return {
        "policy": {
            "number": row.number,
            "schedule_version": version,
            "kind": row.kind,
            "starts_on": row.starts_on.isoformat(),
            "ends_on": row.ends_on.isoformat(),
            "retroactive_date": row.retroactive_date.isoformat() if row.retroactive_date else None,
            "premium": _money(row.premium_minor, row.currency),
            "per_claim_limit": _money(row.per_claim_limit_minor, row.currency),
            "aggregate_limit": _money(row.aggregate_limit_minor, row.currency),
            "deductible": _money(row.deductible_minor, row.currency),
            "issued_on": issued_on.isoformat(),
        },
        "insured": insured,
        "insurer": insurer,
        "product": product,
        "patents": patent_rows,
        "endorsements": endorsements,
        "conditions": conditions,
        "languages": schedule_languages(row.kind),
    }


async def issue_schedule(row: PolicyRecord, *, actor: Actor) -> PolicyRecord:
    """Render the schedule's next version, seal it, store it with its SHA-256 (also in the audit trail)."""
    version = row.schedule_version + 1
    product = await products.version(row.product_version)
    app = await _application(row.application)
    endorsements = []
    for e in await repository.endorsements_of(row.id):
        if e.state != "effective":
            continue
        added = await _patent_rows((e.patent,)) if e.patent is not None else []
        endorsements.append({"seq": e.seq, "kind": e.kind, "effective_on": e.effective_on.isoformat(),
                             "amount": _money(e.amount_minor, e.currency),
                             "patent": added[0]["number"] if added else None})
    context = schedule_context(
        row=row,
        version=version,
        insured=await _party(row.insured),
        insurer=await _party(row.insurer),
        product={
            "name_zh": product.name_zh,
            "name_en": product.name_en,
            "wording_version": str(product.wording_version),
            "territory": str(product.territory),
            "version": int(product.version),
        },
        patent_rows=await _patent_rows(row.patent_ids),
        endorsements=endorsements,
        conditions=[str(c) for c in (getattr(app, "conditions", ()) or ())],
        issued_on=today(),
    )
    rendered = await render_document_in_thread(DOCUMENTS / SCHEDULE, context)
    pdf = await signing.seal(rendered.pdf, reason=f"{SCHEDULE} {row.number} v{version}")
    sha256 = hashlib.sha256(pdf).hexdigest()
    path = runtime.current().settings.data_dir / "policies" / f"{row.number}-schedule-v{version}-{sha256[:12]}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(path.write_bytes, pdf)
    fresh = await repository.get(row.id)
    assert fresh is not None
    changes = {
        "schedule_version": version,
        "schedule_sha256": sha256,
        "schedule_path": str(path),
        "schedule_template_version": rendered.version,
    }
    if not await repository.move(fresh.id, state=fresh.state, version=fresh.version, to_state=fresh.state,
                                 changes=changes):
        raise Conflict(Msg("policies.stale"))
    await record(
        actor=actor,
        action="finance.policy_schedule_issued",
        entity_type="insurance_policy",
        entity_id=row.id,
        org_id=row.insurer,
        after={"number": row.number, "schedule_version": version, "sha256": sha256,
               "template_version": rendered.version, "pages": rendered.pages},
    )
    done = await repository.get(row.id)
    assert done is not None
    return done


async def schedule_pdf(*, principal: Principal, policy_id: int) -> tuple[str, bytes]:
    """The current schedule for the insured and the insurer only, checked against its recorded SHA-256."""
    row, _ = await party(principal, policy_id)
    return await _schedule_of(row)


async def schedule_document(policy_id: int) -> tuple[str, bytes, str]:
    """The current schedule as stored (file name, bytes, SHA-256), checked against its recorded SHA-256: for the
    modules above that file it elsewhere (a guarantee policy into its pledge case's dossier). No access check."""
    row = await policy(policy_id)
    name, data = await _schedule_of(row)
    return name, data, row.schedule_sha256


async def _schedule_of(row: PolicyRecord) -> tuple[str, bytes]:
    if not row.schedule_path:
        raise NotFound(Msg("policies.schedule_not_issued"))
    data = await asyncio.to_thread(Path(row.schedule_path).read_bytes)
    if hashlib.sha256(data).hexdigest() != row.schedule_sha256:
        raise Conflict(Msg("policies.hash_mismatch"))
    return f"{row.number}-schedule-v{row.schedule_version}.pdf", data


# -------------------------------------------------------------------------------------------- endorsements


async def endorse_add_patent(
    *, principal: Principal, policy_id: int, patent_id: int, version: int, on: date | None = None
) -> PolicyOut:
    """Add a patent to a policy in force: it must pass the application's eligibility rules; the extra annual
    premium (the product's table for one patent more) is charged pro rata for the days left, and once paid the
    patent is covered and a new schedule issued. Nothing is written when refused."""
    row = await as_insured(principal, policy_id)
    if row.state != "in_force":
        raise Conflict(Msg("policies.not_in_force", {"state": row.state}))
    _check_version(row, version)
    if patent_id in row.patent_ids:
        already = Msg("policies.patent_already_covered")
        raise ValidationFailed(already, errors=[FieldError("patent_id", already, code="already_covered")])
    if await _open_purpose(row) is not None:
        raise Conflict(Msg("policies.endorsement_open"))
    results = await insurance.eligibility(
        principal=principal, product_version_id=row.product_version, patent_ids=[patent_id]
    )
    blocked = [r for r in results if not r.ok]
    if blocked or not results:
        errors = [
            FieldError("patent_id", reason.msg, code=reason.code, article=reason.source)
            for r in blocked for reason in r.reasons if str(reason.severity) == "block"
        ] or [FieldError("patent_id", Msg("policies.patent_not_eligible"), code="not_eligible")]
        raise ValidationFailed(Msg("policies.patent_not_eligible"), errors=errors)
    assert row.starts_on is not None
    assert row.ends_on is not None
    product = await products.version(row.product_version)
    try:
        before = products.compute_quote(product, patents=len(row.patent_ids), firm_tier=row.firm_tier)
        after = products.compute_quote(product, patents=len(row.patent_ids) + 1, firm_tier=row.firm_tier)
    except products.QuoteError as exc:
        beyond = Msg("policies.beyond_table", {"patents": len(row.patent_ids) + 1})
        raise ValidationFailed(beyond, errors=[FieldError("patent_id", beyond, code="beyond_table")]) from exc
    delta = after.premium - before.premium
    effective = max(on or today(), row.starts_on)
    if effective > row.ends_on:
        over = Msg("policies.period_ended")
        raise ValidationFailed(over, errors=[FieldError("on", over, code="period_ended")])
    pro = proration.endorsement_premium(
        annual_delta=delta, effective_on=effective, starts_on=row.starts_on, ends_on=row.ends_on
    )
    actor = _actor(principal)
    fresh = await _move(row, "endorse", actor=actor)
    seq = len(await repository.endorsements_of(row.id)) + 1
    endorsement_id = await repository.add_endorsement(
        values={
            "policy": row.id,
            "seq": seq,
            "kind": "add_patent",
            "patent": patent_id,
            "effective_on": pro.effective_on,
            "days": pro.days,
            "days_in_period": pro.days_in_period,
            "annual_delta_minor": delta.minor,
            "amount_minor": pro.amount.minor,
            "currency": row.currency,
            "state": "awaiting_premium",
            "lines": [
                *_lines(pro.lines),
                {"code": "policies.line.limits_after", "params": {
                    "per_claim_minor": (after.per_claim_limit - before.per_claim_limit).minor,
                    "aggregate_minor": (after.aggregate_limit - before.aggregate_limit).minor}},
            ],
            "requested_by": "insured",
            "made_by": principal.user_id,
        }
    )
    await record(
        actor=actor,
        action="finance.policy_endorsement_requested",
        entity_type="insurance_policy",
        entity_id=row.id,
        org_id=row.insurer,
        after={"endorsement": endorsement_id, "patent": patent_id, "annual_delta_minor": delta.minor,
               "amount_minor": pro.amount.minor, "days": pro.days, "days_in_period": pro.days_in_period},
    )
    if pro.amount.minor == 0:
        found = await repository.endorsement(endorsement_id)
        assert found is not None
        await _endorsement_effective(fresh, found, actor=actor)
    return await view(principal=principal, policy_id=policy_id)


def _lines(lines: tuple[proration.Line, ...]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        params = {k: v.isoformat() if isinstance(v, date) else v for k, v in line.label.params.items()}
        item: dict[str, Any] = {"code": line.label.code, "params": params}
        if line.amount is not None:
            item["amount_minor"] = line.amount.minor
            item["currency"] = line.amount.currency
        out.append(item)
    return out


async def _endorsement_effective(row: PolicyRecord, endorsement: EndorsementRecord, *, actor: Actor) -> None:
    """The extra premium received: the patent covered, the premium and limits as the table gives for one more
    patent, a new schedule version."""
    if not await repository.settle_endorsement(endorsement, "effective", values={"settled_at": now()}):
        return
    assert endorsement.patent is not None
    await repository.add_patent(row.id, endorsement.patent, endorsement=endorsement.id,
                                added_on=endorsement.effective_on)
    limits: dict[str, Any] = next(
        (line["params"] for line in endorsement.lines if line.get("code") == "policies.line.limits_after"), {}
    )
    fresh = await _move(
        row,
        "endorse",
        actor=actor,
        changes={
            "premium_minor": row.premium_minor + endorsement.annual_delta_minor,
            "per_claim_limit_minor": row.per_claim_limit_minor + int(limits.get("per_claim_minor", 0)),
            "aggregate_limit_minor": row.aggregate_limit_minor + int(limits.get("aggregate_minor", 0)),
        },
    )
    fresh = await issue_schedule(fresh, actor=actor)
    await events.emit("policies.endorsed", **_event_payload(fresh), endorsement_id=endorsement.id,
                      patent_id=endorsement.patent)


# -------------------------------------------------------------------------------------------- cancellation


async def cancel(*, principal: Principal, policy_id: int, on: date, version: int) -> PolicyOut:
    """Cancel with effect from ``on`` (the insured or the insurer, after the page's confirmation step): before the
    premium is received nothing is refunded and the open attempts close; in force, the unearned premium is
    refunded pro rata (a refund entry, rounded down to the fen)."""
    row, side = await party(principal, policy_id)
    if row.state not in ("awaiting_premium", "in_force"):
        raise Conflict(Msg("policies.not_cancellable", {"state": row.state}))
    _check_version(row, version)
    day = today()
    if on < day:
        past = Msg("policies.cancel_in_past", {"today": day})
        raise ValidationFailed(past, errors=[FieldError("on", past, code="in_past")])
    if row.ends_on is not None and on > row.ends_on:
        late = Msg("policies.cancel_after_end", {"ends": row.ends_on})
        raise ValidationFailed(late, errors=[FieldError("on", late, code="after_end")])
    actor = _actor(principal)
    for attempt in await repository.open_payments(row.id):
        await _cancel_attempt(attempt, actor)
    for e in await repository.endorsements_of(row.id):
        if e.state == "awaiting_premium":
            await repository.settle_endorsement(e, "void", values={"settled_at": now()})
    refund: proration.ProRata | None = None
    if row.state == "in_force":
        assert row.starts_on is not None
        assert row.ends_on is not None
        paid = Money(row.currency, await repository.paid_minor(row.id))
        refund = proration.cancellation_refund(
            annual_premium=Money(row.currency, row.premium_minor), paid=paid, effective_on=on,
            starts_on=row.starts_on, ends_on=row.ends_on,
        )
        seq = len(await repository.endorsements_of(row.id)) + 1
        endorsement_id = await repository.add_endorsement(
            values={
                "policy": row.id,
                "seq": seq,
                "kind": "cancellation",
                "patent": None,
                "effective_on": on,
                "days": refund.days,
                "days_in_period": refund.days_in_period,
                "annual_delta_minor": 0,
                "amount_minor": refund.amount.minor,
                "currency": row.currency,
                "state": "refund_due" if refund.amount.minor > 0 else "no_refund",
                "lines": _lines(refund.lines),
                "requested_by": side,
                "made_by": principal.user_id,
            }
        )
        if refund.amount.minor > 0:
            await repository.add_entry(
                values={
                    "policy": row.id,
                    "insurer": row.insurer,
                    "natural_key": f"refund:{endorsement_id}",
                    "kind": "refund",
                    "amount_minor": refund.amount.minor,
                    "currency": row.currency,
                    "occurred_on": day,
                    "month": day.strftime("%Y-%m"),
                    "method": "",
                    "reference": row.number,
                    "endorsement": endorsement_id,
                    "recorded_by": principal.user_id,
                }
            )
            await jobs.enqueue("policies.refund_at_provider", endorsement_id=endorsement_id)
    fresh = await _move(row, "cancel", actor=actor, changes={"cancelled_on": on, "cancelled_by": side})
    await events.emit("policies.cancelled", **_event_payload(fresh), cancelled_on=on.isoformat(), by=side,
                      refund_minor=refund.amount.minor if refund else 0)
    return await view(principal=principal, policy_id=policy_id)


async def refund_at_provider(endorsement_id: int) -> str:
    """A cancellation's refund, when the premium was paid by card: refunded through Stripe on the premium's
    PaymentIntent (its idempotency key: once), then marked refunded. A transfer's stays for the insurer."""
    found = await repository.endorsement(endorsement_id)
    gateway = gateways.stripe()
    if found is None or found.state != "refund_due" or gateway is None:
        return "nothing to do"
    card = [p for p in await repository.payments_of(found.policy)
            if p.purpose == PREMIUM and p.status == "succeeded" and p.provider == "stripe"]
    if not card or card[0].amount_minor < found.amount_minor:
        return "by transfer"
    refund = await gateway.refund(
        card[0].provider_id, idempotency_key=f"policy-refund:{found.id}", amount=Money(found.currency,
                                                                                        found.amount_minor)
    )
    await repository.settle_endorsement(
        found, "refunded", values={"settled_at": now(), "refund_reference": refund.provider_id}
    )
    await record(
        actor=Actor.system(),
        action="finance.policy_refunded",
        entity_type="insurance_policy",
        entity_id=found.policy,
        after={"endorsement": found.id, "amount_minor": found.amount_minor, "refund": refund.provider_id},
    )
    return "refunded"


async def refunds_owed(*, principal: Principal) -> list[EndorsementOut]:
    """The insurer's refunds still to pay by bank transfer (cancellations whose refund is due)."""
    mine = [p.id for p in await repository.for_org(principal.org_id, side="insurer", limit=100_000)]
    return [endorsement_out(e) for e in await repository.endorsements_in_state(mine, ["refund_due"])]


async def mark_refund_paid(*, principal: Principal, endorsement_id: int, reference: str = "") -> PolicyOut:
    """The insurer paid a cancellation's refund (by bank transfer): ``refunded``, once."""
    found = await repository.endorsement(endorsement_id)
    row = await repository.get(found.policy) if found is not None else None
    if found is None or row is None or row.insurer != principal.org_id or found.kind != "cancellation":
        raise NotFound(Msg("policies.refund_not_found"))
    if found.state != "refund_due" or not await repository.settle_endorsement(
        found, "refunded", values={"settled_at": now(), "settled_by": principal.user_id,
                                   "refund_reference": reference}
    ):
        raise Conflict(Msg("policies.refund_not_due", {"state": found.state}))
    await record(
        actor=_actor(principal),
        action="finance.policy_refunded",
        entity_type="insurance_policy",
        entity_id=row.id,
        org_id=row.insurer,
        after={"endorsement": found.id, "amount_minor": found.amount_minor, "reference": reference},
    )
    await events.emit("policies.refunded", **_event_payload(row), endorsement_id=found.id,
                      amount_minor=found.amount_minor)
    return await view(principal=principal, policy_id=row.id)


async def transfers_awaited(*, principal: Principal) -> list[tuple[PolicyRecord, PaymentRecord]]:
    """Bank transfers the insurer is waiting for (to confirm on receipt), oldest first."""
    mine = {p.id: p for p in await repository.for_org(principal.org_id, side="insurer", limit=100_000)}
    waiting = await repository.payments_with_status(list(mine), ["awaiting_payer"], provider="bank_transfer")
    return [(mine[p.policy], p) for p in waiting]


# ------------------------------------------------------------------------------------------------- expiry


async def expire_ended(*, on: date) -> int:
    """Daily: policies in force whose period ended before ``on`` expire (each once)."""
    done = 0
    for policy_id in await repository.in_force_ending_before(on):
        row = await repository.get(policy_id)
        if row is None or row.state != "in_force":
            continue
        fresh = await _move(row, "expire", actor=Actor.system())
        await events.emit("policies.expired", **_event_payload(fresh))
        done += 1
    return done


# ---------------------------------------------------------------------------------------------------- book


async def book(
    *,
    insurer_org: int,
    claims_by_state: Mapping[str, int] | None = None,
    claims_paid_minor: int = 0,
    on: date | None = None,
    currency: str = "CNY",
) -> Book:
    """The insurer's book: policies by state, premium written by month (received less refunded), limits in force
    (aggregate limits, by kind), premium earned to date (pro rata of the net premium over each period), and the
    claims figures the claims module passes in (this module sits below it): by state, and the loss ratio = claims
    paid / premium earned, in basis points."""
    day = on or today()
    rows = await repository.for_org(insurer_org, side="insurer", limit=1_000_000)
    by_state = Counter(r.state for r in rows)
    months: dict[str, int] = {}
    month_entries: Counter[str] = Counter()
    for e in await repository.entries_of_insurer(insurer_org):
        if e.currency == currency:
            months[e.month] = months.get(e.month, 0) + (e.amount_minor if e.kind == "premium" else -e.amount_minor)
            month_entries[e.month] += 1
    premium_by_state: dict[str, int] = {}
    for r in rows:
        if r.currency == currency:
            premium_by_state[r.state] = premium_by_state.get(r.state, 0) + r.premium_minor
    in_force = [r for r in rows if r.state == "in_force" and r.currency == currency]
    by_kind: dict[str, int] = {}
    for r in in_force:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + r.aggregate_limit_minor
    earned = 0
    for r in rows:
        if r.currency != currency or r.starts_on is None or r.ends_on is None:
            continue
        paid = Money(currency, r.premium_paid_minor)
        if r.state in ("cancelled", "expired"):
            earned += paid.minor
        else:
            earned += proration.earned(paid=paid, starts_on=r.starts_on, ends_on=r.ends_on, on=day).minor
    ratio = claims_paid_minor * 10_000 // earned if earned > 0 else None
    return Book(
        insurer=insurer_org,
        on=day,
        currency=currency,
        policies_by_state={s: by_state.get(s, 0) for s in machine.STATES},
        premium_written_by_month=sorted(months.items()),
        limits_in_force_minor=sum(by_kind.values()),
        limits_in_force_by_kind=by_kind,
        premium_earned_minor=earned,
        claims_by_state=dict(claims_by_state or {}),
        claims_paid_minor=claims_paid_minor,
        loss_ratio_bp=ratio,
        premium_by_state=premium_by_state,
        entries_by_month=dict(month_entries),
        in_force_by_kind=dict(Counter(r.kind for r in in_force)),
    )


# ---------------------------------------------------------------------------------------------------- views


async def _names(*org_ids: int) -> dict[int, str]:
    out = {}
    for org_id in org_ids:
        org = await org_service.org_by_id(org_id)
        out[org_id] = org.name if org else str(org_id)
    return out


def transfer_instructions(payment: PaymentRecord, insurer: str, account: AccountOut | None) -> Msg:
    amount = Money(payment.currency, payment.amount_minor)
    if account is None:
        return Msg("policies.transfer_instructions_no_account",
                   {"amount": amount, "insurer": insurer, "reference": payment.reference})
    return Msg(
        "policies.transfer_instructions",
        {"amount": amount, "reference": payment.reference, "account_name": account.account_name,
         "bank_name": account.bank_name, "account_number": account.account_number},
    )


async def payment_out(payment: PaymentRecord, *, insurer: str, secret: str | None = None) -> PaymentOut:
    account = None
    if payment.payee_account is not None:
        found = await payees.account_by_id(payment.payee_account)
        if found is not None:
            account = AccountOut(account_name=found.account_name, bank_name=found.bank_name,
                                 account_number=found.account_number)
    gateway = gateways.stripe()
    instructions = None
    if payment.provider == "bank_transfer" and payment.status == "awaiting_payer":
        instructions = MsgOut.of(transfer_instructions(payment, insurer, account))
    return PaymentOut(
        id=payment.id,
        purpose=payment.purpose,
        endorsement_id=payment.endorsement,
        method=payment.method,
        provider=payment.provider,
        provider_id=payment.provider_id,
        reference=payment.reference,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        status=payment.status,
        received_at=payment.received_at,
        created_at=payment.created_at,
        payee=account,
        instructions=instructions,
        client_secret=secret,
        test_mode=bool(payment.provider == "stripe" and gateway is not None and gateway.config.test_mode),
    )


def endorsement_out(e: EndorsementRecord) -> EndorsementOut:
    return EndorsementOut(
        id=e.id,
        policy_id=e.policy,
        seq=e.seq,
        kind=e.kind,
        patent_id=e.patent,
        effective_on=e.effective_on,
        days=e.days,
        days_in_period=e.days_in_period,
        annual_delta_minor=e.annual_delta_minor,
        amount_minor=e.amount_minor,
        currency=e.currency,
        state=e.state,
        requested_by=e.requested_by,
        lines=[
            LineOut(label=MsgOut(code=str(line["code"]), params=dict(line.get("params") or {})),
                    amount_minor=line.get("amount_minor"), currency=line.get("currency"))
            for line in e.lines
        ],
        refund_reference=e.refund_reference,
        settled_at=e.settled_at,
        created_at=e.created_at,
    )


async def view(*, principal: Principal, policy_id: int, secrets: Mapping[int, str] | None = None) -> PolicyOut:
    row, side = await party(principal, policy_id)
    names = await _names(row.insured, row.insurer)
    payments = await repository.payments_of(row.id)
    endorsements = await repository.endorsements_of(row.id)
    due = 0
    purpose = await _open_purpose(row)
    if purpose is not None:
        found = await _due(row, purpose)
        due = found[0].minor if found else 0
    return PolicyOut(
        id=row.id,
        number=row.number,
        application_id=row.application,
        insured_org_id=row.insured,
        insured_name=names[row.insured],
        insurer_org_id=row.insurer,
        insurer_name=names[row.insurer],
        kind=row.kind,
        product_version_id=row.product_version,
        state=row.state,
        version=row.version,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        retroactive_date=row.retroactive_date,
        requested_start=row.requested_start,
        term_months=row.term_months,
        premium_minor=row.premium_minor,
        per_claim_limit_minor=row.per_claim_limit_minor,
        aggregate_limit_minor=row.aggregate_limit_minor,
        deductible_minor=row.deductible_minor,
        currency=row.currency,
        premium_paid_minor=row.premium_paid_minor,
        premium_due_minor=due,
        schedule_version=row.schedule_version,
        schedule_sha256=row.schedule_sha256,
        quote_valid_until=row.quote_valid_until,
        cancelled_on=row.cancelled_on,
        cancelled_by=row.cancelled_by,
        pledge_application_id=row.pledge_application,
        patents=[
            PatentOut(id=p["id"], number=p["number"], title=p["title_zh"] or "")
            for p in await _patent_rows(row.patent_ids)
        ],
        payments=[
            await payment_out(p, insurer=names[row.insurer], secret=(secrets or {}).get(p.id))
            for p in payments
        ],
        endorsements=[endorsement_out(e) for e in endorsements],
        entries=[
            EntryOut(kind=e.kind, amount_minor=e.amount_minor, currency=e.currency, occurred_on=e.occurred_on,
                     method=e.method, reference=e.reference)
            for e in await repository.entries_of(row.id)
        ],
        role=side,
    )


async def mine(*, principal: Principal) -> list[PolicyOut]:
    return [await view(principal=principal, policy_id=r.id) for r in await repository.for_org(principal.org_id)]
