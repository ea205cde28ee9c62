"""Paying for a licence (or a royalty invoice) behind one port, and confirming payments exactly once.

- Stripe: a PaymentIntent per attempt, idempotency key per attempt; its webhook events are verified, stored once by
  (provider, event id) and processed in a job that re-reads the PaymentIntent, so duplicates and out-of-order
  events converge on the provider's current state; a state never goes back from succeeded.
- Bank transfer (对公转账): a reference with a check character to quote; a platform admin confirms receipt or a bank
  statement file is matched against the open references (never by amount alone).
- A succeeded initial payment activates the licence (Patent Law Art 51); a succeeded royalty payment settles its
  report. Both are idempotent.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import structlog

from finance.licences import service as licences
from finance.licences.records import LicenceRecord
from finance.payments import gateways, repository
from finance.payments.records import PaymentRecord
from finance.payments.schemas import PaymentOut, PaymentStartIn, StatementReportOut, StatementRowOut
from market import events, jobs, runtime
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed, json_params
from market.i18n import Msg, render
from market.integrations.payments import (
    Payment,
    PaymentEvent,
    PaymentRequest,
    PaymentStatus,
    StatementError,
    match_statement_file,
    platform_fee,
)
from market.kit.money import Money
from market.kit.words import MsgOut

log = structlog.get_logger("finance.payments")
ORDER = {"awaiting_payer": 0, "processing": 1, "succeeded": 2, "canceled": 2, "refund_due": 3, "refunded": 4}

# What other modules read of payments: through this service, never the repository.
payment_by_id = repository.get
payments_of_licence = repository.for_licence
succeeded_for_licences = repository.succeeded_for_licences


def bank_instructions(reference: str, amount: Money, licensor: str) -> Msg:
    return Msg("payment.bank_instructions", {"amount": amount, "licensor": licensor, "reference": reference})


async def payment_out(row: PaymentRecord, *, client_secret: str | None = None) -> PaymentOut:
    instructions: MsgOut | None = None
    licence = await licences.licence_by_id(row.licence)
    assert licence is not None
    if row.provider == "bank_transfer" and row.status == "awaiting_payer":
        names = await licences._names(licence.licensor)
        instructions = MsgOut.of(
            bank_instructions(row.reference, Money(row.currency, row.amount_minor), names[licence.licensor])
        )
    gateway = gateways.stripe()
    return PaymentOut.model_validate(
        {
            **dataclasses.asdict(row),
            "licence_id": row.licence,
            "licence_number": licence.number,
            "payer": licence.licensee_name,
            "client_secret": client_secret,
            "test_mode": bool(row.provider == "stripe" and gateway is not None and gateway.config.test_mode),
            "instructions": instructions,
        }
    )


async def _licensee_licence(principal: Principal, licence_id: int) -> LicenceRecord:
    row = await licences.party(principal, licence_id)
    if row.licensee != principal.org_id:
        raise Forbidden(Msg("payment.licensee_only"))
    return row


async def start(*, principal: Principal, licence_id: int, data: PaymentStartIn) -> PaymentOut:
    """Open a payment of the amount due now on a licence waiting for payment."""
    licence = await _licensee_licence(principal, licence_id)
    if licence.status != "pending_payment":
        raise Conflict(Msg("payment.nothing_due", {"status": str(licence.status)}))
    amount = Money(licence.currency, licence.amount_due_minor)
    return await _open(
        licence,
        amount=amount,
        method=data.method,
        purpose="initial",
        royalty_report=None,
        actor=Actor(principal.user_id, principal.org_id),
    )


async def _answer(existing: PaymentRecord) -> PaymentOut:
    """The open attempt again (a repeated or concurrent click): never a second charge."""
    secret = None
    gateway = gateways.stripe()
    if existing.provider == "stripe" and existing.provider_id and gateway is not None:
        secret = (await gateway.retrieve_payment(existing.provider_id)).client_secret
    return await payment_out(existing, client_secret=secret)


async def _open(
    licence: LicenceRecord, *, amount: Money, method: str, purpose: str, royalty_report: int | None, actor: Actor
) -> PaymentOut:
    """Open one attempt to pay (at most one is open per licence's amount due and per royalty report: a partial
    unique index). Parallel clicks take turns on the licence's row (PostgreSQL) and the later ones get the attempt
    the first opened; the row is written before the provider is asked, under its idempotency key, so a
    PaymentIntent is created once. A click with another method replaces an attempt nobody has paid yet."""
    if method not in gateways.methods():
        refused = Msg("payment.method_not_offered", {"method": method, "choices": ", ".join(gateways.methods())})
        raise ValidationFailed(refused, errors=[FieldError("method", refused, code="method")])
    await licences.licence_for_update(licence.id)  # parallel clicks on one licence take turns from here
    if not await _is_due(licence.id, purpose, royalty_report):
        raise Conflict(Msg("payment.paid_another_way"))
    for existing in await repository.open_for(licence.id, purpose, royalty_report):
        if existing.method == method:
            return await _answer(existing)
        if existing.status != "awaiting_payer" or not await _cancel_attempt(existing, actor):
            raise Conflict(Msg("payment.attempt_processing", {"method": existing.method}))
    attempt = await repository.count_for(licence.id) + 1
    key = f"licence:{licence.id}:{purpose}:{royalty_report or 0}:{attempt}:{method}"
    request = PaymentRequest(
        licence_id=str(licence.id),
        amount=amount,
        idempotency_key=key,
        description=f"{licence.number} {purpose}",
        metadata={"licence_id": str(licence.id), "licence_number": licence.number, "purpose": purpose},
    )
    stripe = gateways.stripe()
    if method == "bank_transfer":
        started: Payment | None = await gateways.bank_transfer().start_payment(request)  # a reference: local
    else:
        assert stripe is not None  # methods() offers Stripe's methods only with a gateway
        started = None  # asked below, once the attempt is ours
    payment_id = await repository.create(
        licence=licence.id,
        purpose=purpose,
        royalty_report=royalty_report,
        method=method,
        provider=started.provider if started else "stripe",
        provider_id=started.provider_id if started else "",
        reference=(started.reference or "") if started else "",
        amount_minor=amount.minor,
        currency=amount.currency,
        platform_fee_minor=started.platform_fee.minor if started else 0,
        status=started.status.value if started else "awaiting_payer",
        idempotency_key=key,
    )
    if payment_id is None:  # a concurrent request opened one first (where rows are not locked)
        raise Conflict(Msg("payment.attempt_in_progress"))
    row = await repository.get(payment_id)
    assert row is not None
    if started is None and stripe is not None:
        # The row is written (and commits with the request); the same key gives the same PaymentIntent again.
        started = await stripe.start_payment(request)
        values = repository.started(provider_id=started.provider_id, platform_fee_minor=started.platform_fee.minor)
        changed = await repository.transition(row, started.status.value, values=values)
        assert changed  # our own row, not committed yet: nobody else can have changed it
    assert started is not None
    await record(
        actor=actor,
        action="finance.payment_started",
        entity_type="payment",
        entity_id=payment_id,
        org_id=licence.licensee,
        after={"licence": licence.number, "method": method, "amount_minor": amount.minor, "purpose": purpose},
    )
    row = await repository.get(payment_id)
    assert row is not None
    return await payment_out(row, client_secret=started.client_secret)


async def _cancel_attempt(payment: PaymentRecord, actor: Actor) -> bool:
    """Cancel an open attempt (at Stripe too, in a job), once: False if another path changed it first."""
    if not await repository.transition(payment, "canceled"):
        return False
    await record(
        actor=actor,
        action="finance.payment_canceled",
        entity_type="payment",
        entity_id=payment.id,
        before={"status": payment.status},
        after={"status": "canceled"},
    )
    if payment.provider == "stripe" and payment.provider_id:
        await jobs.enqueue("finance.cancel_provider_payment", payment_id=payment.id)
    return True


async def _is_due(licence_id: int, purpose: str, royalty_report: int | None) -> bool:
    if purpose == "initial":
        licence = await licences.licence_by_id(licence_id)
        return licence is not None and licence.status == "pending_payment"
    # A royalty invoice is settled by a payment only (``finance.royalties`` marks it paid on ``payment.settled``):
    # it is still due while none of its payments has succeeded.
    return royalty_report is not None and not any(
        p.status == "succeeded" and p.royalty_report == royalty_report for p in await repository.for_licence(licence_id)
    )


async def _still_due(payment: PaymentRecord) -> bool:
    """Is what this payment pays for still unpaid? (A licence may be paid by another method meanwhile.)"""
    return await _is_due(payment.licence, payment.purpose, payment.royalty_report)


RECEIVED = frozenset({"succeeded", "refund_due", "refunded"})
OPEN = frozenset({"awaiting_payer", "processing"})


async def receive(payment: PaymentRecord, *, at: datetime, actor: Actor) -> str:
    """Money arrived for this payment (a webhook, a poll, a confirmation or a statement says so). Recorded once,
    whichever path comes first: ``succeeded`` (the licence activated or the royalty settled), or ``refund_due`` when
    what it pays for was paid already or the licence is no longer due (the money is kept on the refund list, never
    lost). ``already`` when another path received it first. An attempt canceled here (replaced by another method)
    still pays what is due if nothing else has."""
    for _ in range(5):  # a conditional update lost to a change that was not a receipt: read again and retry
        if payment.status in RECEIVED:
            return "already"
        outcome = await _receive_once(payment, at=at, actor=actor)
        if outcome is not None:
            return outcome
        fresh = await repository.get(payment.id)
        assert fresh is not None
        payment = fresh
    raise Conflict(Msg("payment.changed_meanwhile"))


async def _receive_once(payment: PaymentRecord, *, at: datetime, actor: Actor) -> str | None:
    licence = await licences.licence_for_update(payment.licence)  # the licence first, as ``_open``: no deadlock
    assert licence is not None
    if not await _still_due(payment):
        values = repository.received(at=at, confirmed_by=actor.user_id)
        if not await repository.transition(payment, "refund_due", values=values):
            return None
        await record(
            actor=actor,
            action="finance.payment_refund_due",
            entity_type="payment",
            entity_id=payment.id,
            org_id=licence.licensor,
            before={"status": payment.status},
            after={"status": "refund_due", "amount_minor": payment.amount_minor, "currency": payment.currency},
        )
        log.warning("payment.refund_due", payment_id=payment.id, licence_id=payment.licence)
        return "refund_due"
    fee_bp = _fee_bp()
    fee = platform_fee(Money(payment.currency, payment.amount_minor), fee_bp)
    values = repository.received(at=at, confirmed_by=actor.user_id, platform_fee_minor=fee.minor)
    if not await repository.transition(payment, "succeeded", values=values):
        return None
    await _close_other_attempts(payment, actor)
    await record(
        actor=actor,
        action="finance.payment_succeeded",
        entity_type="payment",
        entity_id=payment.id,
        org_id=licence.licensor,
        before={"status": payment.status},
        after={"status": "succeeded", "amount_minor": payment.amount_minor, "platform_fee_minor": fee.minor},
    )
    if payment.purpose == "initial":
        await licences.activate(licence_id=payment.licence, paid_at=at, actor=actor)
    # The royalty report is marked paid (finance.royalties), and the money goes to the ledger, on this event.
    await events.emit(
        "payment.settled",
        payment_id=payment.id,
        licence_id=payment.licence,
        royalty_report_id=payment.royalty_report,
        platform_fee_bp=fee_bp,
    )
    await jobs.enqueue("finance.payment_notify", payment_id=payment.id)
    return "succeeded"


async def succeed(payment: PaymentRecord, *, at: datetime, actor: Actor) -> bool:
    """Money arrived (see ``receive``): True if this call recorded it as succeeded."""
    return await receive(payment, at=at, actor=actor) == "succeeded"


async def _close_other_attempts(payment: PaymentRecord, actor: Actor) -> None:
    """The other open attempts to pay the same thing are no longer needed: cancel them (at Stripe too, in a job).
    Money that still arrives for one of them is received as ``refund_due``."""
    for other in await repository.open_for(payment.licence, payment.purpose, payment.royalty_report):
        if other.id != payment.id:
            await _cancel_attempt(other, actor)


async def licence_cancelled(*, licence_id: int) -> None:
    """A licence request was cancelled: its open attempts to pay close (money still sent is ``refund_due``)."""
    for attempt in await repository.open_for(licence_id, "initial"):
        await _cancel_attempt(attempt, Actor.system())


async def cancel_at_provider(payment_id: int) -> None:
    payment = await repository.get(payment_id)
    gateway = gateways.stripe()
    if payment is not None and payment.provider == "stripe" and gateway is not None:
        current = await gateway.retrieve_payment(payment.provider_id)
        if current.status in (PaymentStatus.AWAITING_PAYER, PaymentStatus.PROCESSING):
            await gateway.cancel_payment(payment.provider_id)


def _fee_bp() -> int:
    return runtime.current().settings.platform_fee_bp


async def apply_provider_state(provider_id: str) -> str:
    """Bring a Stripe payment to the provider's current state (never backwards), once whichever of the webhook, the
    poll and the payer's confirmation comes first. Money the provider took is never dropped: a payment we had
    canceled that succeeded at Stripe is received (``receive``). Returns what was done."""
    gateway = gateways.stripe()
    payment = await repository.by_provider_id("stripe", provider_id)
    if gateway is None or payment is None:
        return "unknown payment"
    current = await gateway.retrieve_payment(provider_id)
    state = current.status.value
    if current.status is PaymentStatus.SUCCEEDED:
        outcome = await receive(payment, at=datetime.now(UTC), actor=Actor.system())
        return f"already {payment.status}" if outcome == "already" else outcome
    if payment.status not in OPEN or state == payment.status or ORDER[state] < ORDER[payment.status]:
        return f"already {payment.status}"
    if not await repository.transition(payment, state):
        return "changed meanwhile"
    return state


async def pay_in_test_mode(*, principal: Principal, payment_id: int, licence_id: int) -> PaymentOut:
    """Test mode only (a sk_test_ key): confirm the PaymentIntent with Stripe's test card, then take its state."""
    payment = await repository.get(payment_id)
    if payment is None or payment.licence != licence_id:
        raise NotFound(Msg("payment.not_found"))
    await _licensee_licence(principal, licence_id)
    gateway = gateways.stripe()
    if payment.provider != "stripe" or gateway is None:
        raise Conflict(Msg("payment.test_mode_stripe_only"))
    await gateway.confirm_test_payment(payment.provider_id)
    await apply_provider_state(payment.provider_id)
    fresh = await repository.get(payment_id)
    assert fresh is not None
    return await payment_out(fresh)


async def receive_webhook(*, payload: bytes, signature: str | None) -> tuple[int | None, PaymentEvent]:
    """Verify a Stripe webhook and store its event once. Returns the stored row's id (None for a repeat)."""
    gateway = gateways.stripe()
    if gateway is None:
        raise NotFound(Msg("payment.stripe_not_configured"))
    event = gateway.parse_webhook(payload, signature)  # WebhookSignatureInvalid (400) on a bad signature

    row_id = await repository.store_event(
        provider="stripe",
        event_id=event.id,
        type_=event.type,
        object_id=event.object_id or "",
        payload=json.loads(payload),
    )
    if row_id is not None:
        await jobs.enqueue("finance.process_payment_event", event_row_id=row_id)
    return row_id, event


async def process_event(event_row_id: int) -> str:
    event = await repository.get_event(event_row_id)
    if event is None or event.processed_at is not None:
        return "nothing to do"
    result = "ignored"
    if event.type.startswith("payment_intent.") and event.object_id:
        result = await apply_provider_state(event.object_id)
    await repository.mark_event(event_row_id, at=datetime.now(UTC), result=result)
    log.info("payment_event.processed", event_id=event.event_id, event_type=event.type, result=result)
    return result


async def confirm_bank_transfer(*, principal: Principal, payment_id: int) -> PaymentOut:
    """A platform admin confirms that a bank transfer arrived."""
    payment = await repository.get(payment_id)
    if payment is None or payment.provider != "bank_transfer":
        raise NotFound(Msg("payment.transfer_not_found"))
    if payment.status not in ("awaiting_payer", "canceled"):  # a canceled transfer's money is still received
        raise Conflict(Msg("payment.transfer_not_awaiting", {"status": str(payment.status)}))
    outcome = await receive(payment, at=datetime.now(UTC), actor=Actor(principal.user_id, principal.org_id))
    fresh = await repository.get(payment_id)
    assert fresh is not None
    if outcome == "already":  # another confirmation (or the statement) received it first: a duplicate
        raise Conflict(Msg("payment.transfer_not_awaiting", {"status": str(fresh.status)}))
    return await payment_out(fresh)


async def match_statement(*, principal: Principal, data: bytes, lang: str) -> StatementReportOut:
    """Match a bank statement against the open references; confirm each matched transfer, report every row."""
    open_rows = {r.reference: r for r in await repository.open_bank_references()}
    try:
        report = match_statement_file(data, {ref: Money(r.currency, r.amount_minor) for ref, r in open_rows.items()})
    except StatementError as exc:
        raise ValidationFailed(
            Msg("payment.statement_unreadable"), errors=[FieldError("file", exc.message, code="statement")]
        ) from exc
    actor = Actor(principal.user_id, principal.org_id)
    confirmed = 0
    out = []
    for row in report.rows:
        payment = open_rows.get(row.reference or "")
        if row.reference in report.matched and payment is not None:
            confirmed += int(await succeed(payment, at=datetime.now(UTC), actor=actor))
        out.append(
            StatementRowOut(
                row=row.row,
                status=row.status.value,
                detail=render(row.detail, lang),
                detail_code=row.detail.code,
                detail_params=json_params(row.detail.params, lang),
                reference=row.reference,
                payer=row.payer,
                payment_id=payment.id if payment else None,
            )
        )
    return StatementReportOut(confirmed=confirmed, needs_review=len(report.needs_review), rows=out)


async def for_licence(*, principal: Principal, licence_id: int) -> list[PaymentOut]:
    await licences.party(principal, licence_id)
    return [await payment_out(r) for r in await repository.for_licence(licence_id)]


async def pending_transfers() -> list[PaymentOut]:
    return [await payment_out(r) for r in await repository.open_bank_references()]


async def refunds_due() -> list[PaymentOut]:
    """The refund list: money received for something no longer due (paid twice, or after a cancellation)."""
    return [await payment_out(r) for r in await repository.refunds_due()]


async def mark_refunded(*, principal: Principal, payment_id: int) -> PaymentOut:
    """A platform admin gave the money of a ``refund_due`` payment back: ``refunded``, once."""
    payment = await repository.get(payment_id)
    if payment is None or payment.status not in ("refund_due", "refunded"):  # not on the refund list
        raise NotFound(Msg("payment.refund_not_found"))
    if payment.status != "refund_due" or not await repository.transition(payment, "refunded"):
        raise Conflict(Msg("payment.not_refund_due", {"status": str(payment.status)}))
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.payment_refunded",
        entity_type="payment",
        entity_id=payment.id,
        before={"status": "refund_due"},
        after={"status": "refunded", "amount_minor": payment.amount_minor, "currency": payment.currency},
    )
    fresh = await repository.get(payment_id)
    assert fresh is not None
    return await payment_out(fresh)
