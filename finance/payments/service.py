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

import asyncio
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import structlog

from finance.licences import service as licences
from finance.licences.records import LicenceRecord
from finance.payees import service as payees
from finance.payees.records import PayeeAccountRecord
from finance.payments import gateways, repository
from finance.payments.records import PaymentRecord
from finance.payments.schemas import PaymentOut, PaymentStartIn, StatementRowOut, StatementRunOut
from listings.patents import service as patents
from market import events, jobs, runtime
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, MarketError, NotFound, ValidationFailed, json_params
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
from market.integrations.payments.bank_statement import HEADER_SCAN_ROWS, MatchStatus, RowResult, check_readable
from market.jobs import unit_of_work
from market.kit.message_json import params_from_json, params_to_json
from market.kit.money import Money
from market.kit.words import MsgOut

log = structlog.get_logger("finance.payments")
ORDER = {"awaiting_payer": 0, "processing": 1, "succeeded": 2, "canceled": 2, "refund_due": 3, "refunded": 4}

# What other modules read of payments: through this service, never the repository.
payment_by_id = repository.get
payments_of_licence = repository.for_licence
succeeded_for_licences = repository.succeeded_for_licences


def bank_instructions(reference: str, amount: Money, licensor: str, payee: PayeeAccountRecord | None = None) -> Msg:
    """What to send where: the payee's account name, bank and number, the amount and the reference to quote.
    (A transfer asked for before payee accounts existed names the licensor only.)"""
    if payee is None:
        return Msg("payment.bank_instructions", {"amount": amount, "licensor": licensor, "reference": reference})
    return Msg(
        "payment.transfer_instructions",
        {
            "amount": amount,
            "reference": reference,
            "account_name": payee.account_name,
            "bank_name": payee.bank_name,
            "account_number": payee.account_number,
        },
    )


async def _payee_of(row: PaymentRecord, licence: LicenceRecord) -> PayeeAccountRecord | None:
    """The account a transfer was instructed to (its snapshot), else the licensor's account in force."""
    if row.payee_account is not None:
        return await payees.account_by_id(row.payee_account)
    return await payees.current_account(licence.licensor)


async def _transfer_view(row: PaymentRecord, licence: LicenceRecord) -> dict[str, object]:
    """A bank transfer's instructions (while it waits) and what the desks show of it: licensor, listing, patent,
    the payee account instructed, who confirmed."""
    if row.provider != "bank_transfer":
        return {}
    names = await licences._names(licence.licensor)
    payee = await _payee_of(row, licence)
    patent = await patents.patent_by_id(licence.patent)
    view: dict[str, object] = {
        "licensor": names[licence.licensor],
        "declaration_id": licence.declaration,
        "patent_number": patent.number if patent else "",
        "payee": payees.account_out(payee) if payee else None,
    }
    if row.status == "awaiting_payer":
        amount = Money(row.currency, row.amount_minor)
        view["instructions"] = MsgOut.of(bank_instructions(row.reference, amount, names[licence.licensor], payee))
    return view


async def instructions_of(row: PaymentRecord) -> Msg | None:
    """A waiting bank transfer's instructions (for the e-mail to the payer), else None."""
    licence = await licences.licence_by_id(row.licence)
    if licence is None or row.provider != "bank_transfer" or row.status != "awaiting_payer":
        return None
    names = await licences._names(licence.licensor)
    payee = await _payee_of(row, licence)
    return bank_instructions(row.reference, Money(row.currency, row.amount_minor), names[licence.licensor], payee)


async def payment_out(row: PaymentRecord, *, client_secret: str | None = None) -> PaymentOut:
    licence = await licences.licence_by_id(row.licence)
    assert licence is not None
    gateway = gateways.stripe()
    return PaymentOut.model_validate(
        {
            **dataclasses.asdict(row),
            "licence_id": row.licence,
            "licence_number": licence.number,
            "payer": licence.licensee_name,
            "client_secret": client_secret,
            "test_mode": bool(row.provider == "stripe" and gateway is not None and gateway.config.test_mode),
            **await _transfer_view(row, licence),
        }
    )


async def _licensee_licence(principal: Principal, licence_id: int) -> LicenceRecord:
    row = await licences.party(principal, licence_id)
    if row.licensee != principal.org_id:
        raise Forbidden(Msg("payment.licensee_only"))
    return row


async def start(*, principal: Principal, licence_id: int, data: PaymentStartIn) -> PaymentOut:
    """Open a payment of the amount due now on a licence waiting for payment, less what a service voucher covers
    (``voucher_cover_minor``, held on the licensee's entitlement by ``finance.voucher_redemptions``): the licensee
    pays the rest, and that payment succeeding activates the licence."""
    licence = await _licensee_licence(principal, licence_id)
    if licence.status != "pending_payment":
        raise Conflict(Msg("payment.nothing_due", {"status": str(licence.status)}))
    amount = Money(licence.currency, licence.amount_to_pay_minor)
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
        if existing.method == method and existing.amount_minor == amount.minor:
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
    payee = await payees.require_for_transfer(licence.licensor) if method == "bank_transfer" else None
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
        payee_account=payee.id if payee else None,
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
    if payee is not None:  # the instructions, to the payer's members (in the app, and by e-mail)
        await jobs.enqueue("finance.transfer_notify", payment_id=payment_id)
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
        values = repository.received(at=at, confirmed_by=actor.user_id, confirmed_by_org=actor.org_id)
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
    values = repository.received(
        at=at, confirmed_by=actor.user_id, confirmed_by_org=actor.org_id, platform_fee_minor=fee.minor
    )
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


async def reprice(*, licence_id: int, actor: Actor) -> None:
    """What the licensee pays itself is about to change (a voucher's cover set or cleared): the open attempts to pay
    the amount due that nobody has paid yet are canceled, so the next attempt asks for the new amount. One already
    processing (the payer is paying) refuses the change: 409."""
    for attempt in await repository.open_for(licence_id, "initial"):
        if attempt.status != "awaiting_payer" or not await _cancel_attempt(attempt, actor):
            raise Conflict(Msg("payment.attempt_processing", {"method": attempt.method}))


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
        if result == "unknown payment":  # not a licence payment: its owner (e.g. finance.policies) reacts
            await events.emit("payments.intent_changed", provider_id=event.object_id)
    await repository.mark_event(event_row_id, at=datetime.now(UTC), result=result)
    log.info("payment_event.processed", event_id=event.event_id, event_type=event.type, result=result)
    return result


async def confirm_bank_transfer(*, principal: Principal, payment_id: int) -> PaymentOut:
    """A platform admin confirms that a bank transfer arrived."""
    payment = await repository.get(payment_id)
    if payment is None or payment.provider != "bank_transfer":
        raise NotFound(Msg("payment.transfer_not_found"))
    return await _confirm_transfer(payment, Actor(principal.user_id, principal.org_id))


async def confirm_receipt(*, principal: Principal, payment_id: int) -> PaymentOut:
    """The university whose account receives the money confirms that a transfer arrived. Another organisation's
    transfer is a 404, as if it did not exist."""
    payment = await repository.get(payment_id)
    licence = await licences.licence_by_id(payment.licence) if payment is not None else None
    if payment is None or payment.provider != "bank_transfer" or licence is None:
        raise NotFound(Msg("payment.transfer_not_found"))
    if licence.licensor != principal.org_id:
        raise NotFound(Msg("payment.transfer_not_found"))
    return await _confirm_transfer(payment, Actor(principal.user_id, principal.org_id))


async def _confirm_transfer(payment: PaymentRecord, actor: Actor) -> PaymentOut:
    outcome = await receive_transfer(payment.id, actor)
    fresh = await repository.get(payment.id)
    assert fresh is not None
    if outcome == "not_awaiting":
        raise Conflict(Msg("payment.transfer_not_awaiting", {"status": str(fresh.status)}))
    if outcome == "paid_another_way":
        raise Conflict(Msg("payment.paid_another_way"))
    return await payment_out(fresh)


async def receive_transfer(payment_id: int, actor: Actor) -> str:
    """The one path by which a bank transfer is confirmed (an admin, the payee university, a matched statement):
    ``confirmed``; ``refund_due`` (it paid something no longer due: the money is kept on the refund list); or
    ``not_awaiting`` (received already, by a racing confirmation too: ``receive`` records it once)."""
    payment = await repository.get(payment_id)
    if payment is None or payment.status not in ("awaiting_payer", "canceled"):  # a canceled one's money counts
        return "not_awaiting"
    outcome = await receive(payment, at=datetime.now(UTC), actor=actor)
    return {"succeeded": "confirmed", "refund_due": "refund_due"}.get(outcome, "not_awaiting")


async def for_licence(*, principal: Principal, licence_id: int) -> list[PaymentOut]:
    await licences.party(principal, licence_id)
    return [await payment_out(r) for r in await repository.for_licence(licence_id)]


async def pending_transfers() -> list[PaymentOut]:
    """Every bank transfer waiting for its money (the platform admin's desk), oldest first."""
    return [await payment_out(r) for r in sorted(await repository.open_bank_references(), key=lambda p: p.id)]


async def pending_transfers_to(*, principal: Principal) -> list[PaymentOut]:
    """The bank transfers waiting to arrive in this university's account."""
    mine = await licences.licences_of_org(principal.org_id, side="licensor", limit=10_000)
    return [await payment_out(r) for r in await repository.open_bank_for_licences([lic.id for lic in mine])]


async def transfer_to_confirm(*, principal: Principal, payment_id: int) -> PaymentOut:
    """One waiting transfer, for the confirmation step: the university's own, or any for a platform admin."""
    payment = await repository.get(payment_id)
    licence = await licences.licence_by_id(payment.licence) if payment is not None else None
    if payment is None or licence is None or payment.provider != "bank_transfer":
        raise NotFound(Msg("payment.transfer_not_found"))
    if principal.org_kind.value != "platform_admin" and licence.licensor != principal.org_id:
        raise NotFound(Msg("payment.transfer_not_found"))
    return await payment_out(payment)


# -- bank statements: uploaded, then matched in a job ------------------------------------------------------------

STATEMENT_BODY_CAP = 64 * 1024 * 1024  # the transport's cap on an upload; the configured limits refuse before
STATEMENT_BATCH = 1000  # rows whose verdicts (and confirmations) are written per transaction; progress after each


class StatementTooLarge(MarketError):
    status = 413
    code = "payload-too-large"
    title = "problem.payload-too-large"


def statement_limits() -> tuple[int, int]:
    """(bytes, rows): the largest statement file accepted (settings ``statement_max_bytes``, ``statement_max_rows``)."""
    settings = runtime.current().settings
    return settings.statement_max_bytes, settings.statement_max_rows


def _too_large(code: str, max_bytes: int, max_rows: int) -> StatementTooLarge:
    limits = {"mb": max_bytes // (1024 * 1024), "rows": max_rows}
    refused = Msg(code, limits)
    return StatementTooLarge(refused, errors=[FieldError("file", refused, code="too_large")])


async def queue_statement(*, principal: Principal, filename: str, content: bytes) -> StatementRunOut:
    """Store an uploaded statement and queue its matching (a job), so that a large file holds no request. Files
    over the size or row limit are refused before anything is stored."""
    if not content:
        required = Msg("payment.statement_file_required")
        raise ValidationFailed(required, errors=[FieldError("file", required, code="required")])
    max_bytes, max_rows = statement_limits()
    if len(content) > max_bytes:
        raise _too_large("payment.statement_too_large", max_bytes, max_rows)
    if content.count(b"\n") > max_rows + HEADER_SCAN_ROWS:  # every row is a line: counted without parsing
        raise _too_large("payment.statement_too_many_rows", max_bytes, max_rows)
    try:
        check_readable(content)  # not text, or no header row: said now, not after the job
    except StatementError as exc:
        raise ValidationFailed(
            Msg("payment.statement_unreadable"), errors=[FieldError("file", exc.message, code="statement")]
        ) from exc
    safe = "".join(c for c in Path(filename).name if c.isalnum() or c in "._-")[-80:] or "statement.csv"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = runtime.current().settings.data_dir / "statements" / f"{stamp}-{safe}"
    target.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(target.write_bytes, content)
    run_id = await repository.create_statement_run(
        uploaded_by=principal.user_id,
        organisation=principal.org_id,
        filename=Path(filename).name[:255] or safe,
        stored_path=str(target),
        size_bytes=len(content),
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.statement_uploaded",
        entity_type="bank_statement_run",
        entity_id=run_id,
        after={"file": Path(filename).name, "bytes": len(content)},
    )
    await jobs.enqueue("finance.match_statement", run_id=run_id)
    return await statement_run(run_id=run_id)


async def statement_run(*, run_id: int) -> StatementRunOut:
    run = await repository.statement_run(run_id)
    if run is None:
        raise NotFound(Msg("payment.statement_not_found"))
    return StatementRunOut.model_validate(run)


async def statement_runs() -> list[StatementRunOut]:
    return [StatementRunOut.model_validate(r) for r in await repository.statement_runs()]


async def statement_lines(
    *, run_id: int, lang: str, offset: int = 0, limit: int = 200, statuses: list[str] | None = None
) -> list[StatementRowOut]:
    await statement_run(run_id=run_id)
    out = []
    for line in await repository.statement_lines(run_id, offset=offset, limit=limit, statuses=statuses):
        params = params_from_json(line.detail_params)
        out.append(
            StatementRowOut(
                row=line.row,
                status=line.status,
                detail=render(Msg(line.detail_code, params), lang),
                detail_code=line.detail_code,
                detail_params=json_params(params, lang),
                reference=line.reference or None,
                payer=line.payer,
                payment_id=line.payment,
                amount_minor=line.amount_minor,
                currency=line.currency,
            )
        )
    return out


async def match_statement_run(run_id: int, *, batch: int | None = None) -> None:
    """The job: read the stored file, match every row against the open references (a dict lookup per row, so linear
    in the file), then write the verdicts and confirm the matched transfers a batch per transaction, storing the
    progress after each. Safe to run twice: a run that stopped goes on from the last batch written."""
    run = await repository.statement_run(run_id)
    if run is None or run.status in ("done", "failed"):
        return
    data = await asyncio.to_thread(Path(run.stored_path).read_bytes)
    open_rows = {r.reference: r for r in await repository.open_bank_references()}
    expected = {ref: Money(r.currency, r.amount_minor) for ref, r in open_rows.items()}
    try:
        report = await asyncio.to_thread(match_statement_file, data, expected)
    except StatementError as exc:
        async with unit_of_work():
            values = {"status": "failed", "error_code": exc.message.code, "finished_at": datetime.now(UTC)}
            await repository.update_statement_run(run_id, values)
        return
    rows = report.rows
    _, max_rows = statement_limits()
    if len(rows) > max_rows:
        async with unit_of_work():
            values = {"status": "failed", "error_code": "payment.statement_too_many_rows"}
            await repository.update_statement_run(run_id, {**values, "finished_at": datetime.now(UTC)})
        return
    unknown = [r.reference for r in rows if r.status is MatchStatus.UNKNOWN_REFERENCE and r.reference]
    async with unit_of_work():
        closed = await repository.bank_statuses(unknown)
        await repository.update_statement_run(run_id, {"status": "running", "total_rows": len(rows)})
    actor = Actor(run.uploaded_by, run.organisation)
    batch = batch or STATEMENT_BATCH
    tally = {"confirmed": run.confirmed, "needs_review": run.needs_review}
    for start in range(run.processed_rows, len(rows), batch):
        chunk = rows[start : start + batch]
        async with unit_of_work():
            lines = [await _verdict(row, open_rows, closed, actor, tally) for row in chunk]
            await repository.add_statement_lines(run_id, lines)
            await repository.update_statement_run(run_id, {"processed_rows": start + len(chunk), **tally})
    async with unit_of_work():
        await repository.update_statement_run(run_id, {"status": "done", "finished_at": datetime.now(UTC)})
        await record(
            actor=actor,
            action="finance.statement_matched",
            entity_type="bank_statement_run",
            entity_id=run_id,
            after={"file": run.filename, "rows": len(rows), **tally},
        )


async def _verdict(
    row: RowResult, open_rows: dict[str, PaymentRecord], closed: dict[str, str], actor: Actor, tally: dict[str, int]
) -> dict[str, object]:
    """One row's line of the report; a matched row is confirmed through ``receive_transfer`` (exactly once)."""
    status, detail = row.status, row.detail
    payment = open_rows.get(row.reference or "")
    if status is MatchStatus.MATCHED and payment is not None:
        outcome = await receive_transfer(payment.id, actor)
        if outcome == "confirmed":
            tally["confirmed"] += 1
        else:
            status = MatchStatus.ALREADY_CONFIRMED
            detail = Msg(f"bank_statement.{outcome}", {"reference": payment.reference})
    elif status is MatchStatus.UNKNOWN_REFERENCE and closed.get(row.reference or "") in ("succeeded", "refund_due"):
        status = MatchStatus.ALREADY_CONFIRMED
        detail = Msg("bank_statement.not_awaiting", {"reference": row.reference or ""})
    if status not in (MatchStatus.MATCHED, MatchStatus.SKIPPED):
        tally["needs_review"] += 1
    return {
        "row": row.row,
        "status": status.value,
        "reference": (row.reference or "")[:20],
        "payer": row.payer[:200],
        "amount_minor": row.received.minor if row.received else None,
        "currency": row.received.currency if row.received else "",
        "detail_code": detail.code,
        "detail_params": params_to_json(detail.params),
        "payment": payment.id if payment is not None else None,
    }


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
