"""Voucher entitlements (服务券 / 创新券): an SME's application, the entitlement it is granted, and the voucher
ledger its spending moves.

The ledger (what other modules call; every function works inside the caller's transaction):
- An entitlement is granted once (a ``grant`` entry). Spending it is ``hold`` (set aside for one use, by a ``ref``
  unique per use: placing the same ref again returns the same hold), then ``capture`` (all or part; the rest
  released) or ``release``. ``expire`` (the nightly job) and ``revoke`` (the issuer, with a reason code) write off
  what is available; neither touches what was captured. ``payout`` records what of a capture was paid to its payee
  (settlement); it does not move the balance.
- The balance is the sum of the entries (``balance``), never a stored figure: available = grant − hold + release −
  expire − revoke; held = hold − release − capture; captured = capture. The entitlement's row keeps a running
  ``available_minor`` moved in the same transaction as each entry, as the database's guard: a hold takes money
  with a conditional update ``available_minor >= amount`` on that row, so of holds placed at once only those that
  fit pass (the row lock on PostgreSQL, the single writer on SQLite), and the entries always sum to the guard.
- Expiry and revocation are checked at the moment of use (``hold`` refuses an expired or revoked entitlement), not
  only by the nightly job. A hold placed before expiry stays capturable after it (the job releases nothing held);
  what is released after expiry or revocation is written off at once.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from finance.desk.reasons import ReasonCode, Severity, register
from finance.voucher_entitlements import repository
from finance.voucher_entitlements.records import Balance, EntitlementRecord, EntryRecord, GrantedTotal, HoldRecord
from market import events
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.money import Money

CHINA = ZoneInfo("Asia/Shanghai")

HOLD_PLACED = "voucher.hold_placed"
HOLD_RELEASED = "voucher.hold_released"
HOLD_CAPTURED = "voucher.hold_captured"
ENTITLEMENT_ISSUED = "voucher.entitlement_issued"
ENTITLEMENT_REVOKED = "voucher.entitlement_revoked"
ENTITLEMENT_EXPIRED = "voucher.entitlement_expired"

REF_MAX = 120

# Why an issuer revokes an entitlement (RULES, vouchers: collusion or a fabricated contract voids the voucher; no
# double public funding of one project).
REVOKE_CODES = (
    "voucher.revoke.collusion",
    "voucher.revoke.fabricated_contract",
    "voucher.revoke.double_funding",
    "voucher.revoke.not_eligible",
)
register(
    ReasonCode("voucher.revoke.collusion", "law.voucher.integrity", Severity.block),
    ReasonCode("voucher.revoke.fabricated_contract", "law.voucher.integrity", Severity.block),
    ReasonCode("voucher.revoke.double_funding", "law.voucher.no_double_funding", Severity.block),
    ReasonCode("voucher.revoke.not_eligible", "law.voucher.programme_terms", Severity.block),
)


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today in China, where programmes' windows and entitlements' days are counted."""
    return now().astimezone(CHINA).date()


# ------------------------------------------------------------------------------------------------ expiry


def add_months(day: date, months: int) -> date:
    """``day`` ``months`` later (the last day of a shorter month: 31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_of(issued_on: date, validity_months: int) -> datetime:
    """An entitlement issued on ``issued_on`` for ``validity_months`` is usable through the day before the same
    date that many months later (China time), and expired from that day's midnight in China."""
    return datetime.combine(add_months(issued_on, validity_months), time(0), tzinfo=CHINA).astimezone(UTC)


def last_usable_day(found: EntitlementRecord) -> date:
    return (found.expires_at.astimezone(CHINA) - timedelta(microseconds=1)).date()


# ------------------------------------------------------------------------------------------------ reading


async def entitlement(entitlement_id: int) -> EntitlementRecord:
    """An entitlement (404 when there is none)."""
    found = await repository.entitlement(entitlement_id)
    if found is None:
        raise _not_found()
    return found


async def balance(entitlement_id: int) -> Balance:
    """The entitlement's balance, summed from its ledger entries now."""
    found = await entitlement(entitlement_id)
    return Balance.of(found.currency, await repository.sums(entitlement_id))


async def balances(entitlement_ids: Sequence[int]) -> dict[int, Balance]:
    rows = await repository.entitlements(ids=list(entitlement_ids))
    sums = await repository.sums_by_entitlement([r.id for r in rows])
    return {r.id: Balance.of(r.currency, sums.get(r.id, {})) for r in rows}


async def ledger(entitlement_id: int) -> list[EntryRecord]:
    """The entitlement's entries, oldest first."""
    return await repository.entries(entitlement_id)


async def holds(entitlement_id: int) -> list[HoldRecord]:
    return await repository.holds_of(entitlement_id)


async def get_hold(hold_id: int) -> HoldRecord:
    found = await repository.hold(hold_id)
    if found is None:
        raise NotFound(Msg("voucher.hold_not_found"))
    return found


async def hold_of_ref(ref: str) -> HoldRecord | None:
    return await repository.hold_by_ref(ref)


async def usable(org_id: int, *, programme_id: int | None = None, on: datetime) -> list[EntitlementRecord]:
    """The firm's entitlements it may spend at ``on``: active, not expired, something available (newest first)."""
    rows = await repository.entitlements(holder=org_id, programme=programme_id, status="active")
    return [r for r in rows if not r.expired(on) and r.available_minor > 0]


async def entitlements_of(org_id: int) -> list[EntitlementRecord]:
    return await repository.entitlements(holder=org_id)


async def granted_by_holder(programme_id: int) -> list[GrantedTotal]:
    """What a programme granted per holder (one SQL aggregate; ``finance.voucher_settlements``' report)."""
    return await repository.granted_by_holder(programme_id)


async def entitlements_of_issuer(issuer_id: int, *, programme_id: int | None = None) -> list[EntitlementRecord]:
    return await repository.entitlements(issuer=issuer_id, programme=programme_id)


# ------------------------------------------------------------------------------------------------ the ledger


def _not_found() -> NotFound:
    missing = Msg("voucher.entitlement_not_found")
    return NotFound(missing, errors=[FieldError("entitlement_id", missing, code="voucher.entitlement_not_found")])


def _refused(problem: Msg, field: str = "entitlement_id", **extra: Any) -> Conflict:
    return Conflict(problem, errors=[FieldError(field, problem, code=problem.code)], **extra)


def _unusable(found: EntitlementRecord, at: datetime) -> Conflict | None:
    """Why the entitlement cannot be spent at ``at`` (revoked, expired), or None."""
    if found.revoked:
        return _refused(Msg("voucher.entitlement_revoked", {"reason": Msg(f"reason.{found.revoked_reason}")}))
    if found.expired(at):
        return _refused(Msg("voucher.entitlement_expired", {"day": last_usable_day(found)}))
    return None


async def issue(
    *,
    holder: int,
    issuer: int,
    programme_id: int,
    programme_version: int,
    amount: Money,
    issued_on: date,
    validity_months: int,
    actor: Actor,
    application_id: int | None = None,
    vouchers: int | None = None,
    face_value_minor: int | None = None,
) -> EntitlementRecord:
    """Issue an entitlement of ``amount`` (face-value mode: ``vouchers`` × ``face_value_minor``) with its ``grant``
    entry. Caps and the programme's budget are the caller's (the approval reserves them first); the application's
    approval is the only public way here, tests use it directly."""
    if amount.minor <= 0:
        raise ValidationFailed(Msg("voucher.amount_not_positive"),
                               errors=[FieldError("amount_minor", Msg("voucher.amount_not_positive"))])  # fmt: skip
    if validity_months <= 0:
        raise ValueError("validity_months must be positive")
    at = now()
    entitlement_id = await repository.insert_entitlement({
        "application": application_id, "programme": programme_id, "programme_version": programme_version,
        "holder": holder, "issuer": issuer, "currency": amount.currency, "granted_minor": amount.minor,
        "vouchers": vouchers, "face_value_minor": face_value_minor, "issued_on": issued_on,
        "expires_at": expiry_of(issued_on, validity_months), "created_by": actor.user_id, "created_at": at,
    })  # fmt: skip
    await repository.insert_entry(entitlement_id=entitlement_id, kind="grant", amount_minor=amount.minor,
                                  currency=amount.currency, hold=None, ref=f"application:{application_id or ''}",
                                  by=actor.user_id, at=at)  # fmt: skip
    made = await entitlement(entitlement_id)
    await record(actor=actor, action="finance.voucher_entitlement_issued", entity_type="voucher_entitlement",
                 entity_id=entitlement_id, org_id=issuer,
                 after={"holder": holder, "programme": programme_id, "programme_version": programme_version,
                        "granted_minor": amount.minor, "currency": amount.currency, "vouchers": vouchers,
                        "face_value_minor": face_value_minor, "issued_on": issued_on.isoformat(),
                        "expires_at": made.expires_at.isoformat(), "application": application_id})  # fmt: skip
    await events.emit(ENTITLEMENT_ISSUED, entitlement_id=entitlement_id, holder_org=holder, issuer_org=issuer,
                      programme_id=programme_id, programme_version=programme_version, granted_minor=amount.minor,
                      currency=amount.currency, expires_at=made.expires_at.isoformat(),
                      application_id=application_id)  # fmt: skip
    return made


async def hold(
    *, entitlement_id: int, amount_minor: int, ref: str, on: datetime, actor: Actor, for_org: int | None = None
) -> HoldRecord:
    """Set ``amount_minor`` of the entitlement aside for one use (``ref``: "licence:12", "order:7"). Spent for the
    firm ``for_org`` (default: the actor's organisation, so a provider confirming an order passes the SME's id).

    Refused, and nothing written: an entitlement of another firm (404 ``voucher.entitlement_not_found``), revoked
    (409 ``voucher.entitlement_revoked``), expired at ``on`` (409 ``voucher.entitlement_expired``), an amount of
    zero or less (422 ``voucher.amount_not_positive``), more than is available (409 ``voucher.insufficient_balance``,
    decided by the database under concurrency). The same ``ref`` again returns the first hold as it is now (released
    or captured included: a new use needs a new ref); a ref already used on another entitlement or for another
    amount is a 409 ``voucher.hold_ref_taken``."""
    firm = for_org if for_org is not None else actor.org_id
    ref = ref.strip()
    if not ref or len(ref) > REF_MAX:
        problem = Msg("voucher.hold_ref_invalid")
        raise ValidationFailed(problem, errors=[FieldError("ref", problem, code=problem.code)])
    found = await repository.entitlement(entitlement_id)
    if found is None or firm is None or found.holder != firm:
        raise _not_found()
    earlier = await repository.hold_by_ref(ref)
    if earlier is not None:
        if earlier.entitlement != entitlement_id or earlier.amount_minor != amount_minor:
            raise _refused(Msg("voucher.hold_ref_taken", {"ref": ref}), field="ref")
        return earlier
    if amount_minor <= 0:
        problem = Msg("voucher.amount_not_positive")
        raise ValidationFailed(problem, errors=[FieldError("amount_minor", problem, code=problem.code)])
    refused = _unusable(found, on)
    if refused is not None:
        raise refused
    if not await repository.take(entitlement_id, holder=found.holder, amount_minor=amount_minor):
        now_found = await entitlement(entitlement_id)
        refused = _unusable(now_found, on)
        if refused is not None:
            raise refused
        problem = Msg("voucher.insufficient_balance", {"amount": Money(found.currency, amount_minor),
                                                        "available": Money(found.currency, now_found.available_minor)})
        raise _refused(problem, field="amount_minor", available_minor=now_found.available_minor)  # fmt: skip
    hold_id = await repository.insert_hold(entitlement_id=entitlement_id, ref=ref, amount_minor=amount_minor,
                                           by=actor.user_id, at=on)  # fmt: skip
    await repository.insert_entry(entitlement_id=entitlement_id, kind="hold", amount_minor=amount_minor,
                                  currency=found.currency, hold=hold_id, ref=ref, by=actor.user_id, at=on)  # fmt: skip
    await events.emit(HOLD_PLACED, entitlement_id=entitlement_id, hold_id=hold_id, ref=ref, amount_minor=amount_minor,
                      currency=found.currency, holder_org=found.holder, programme_id=found.programme)  # fmt: skip
    return await get_hold(hold_id)


async def _return(found: EntitlementRecord, held: HoldRecord, amount_minor: int, actor: Actor, at: datetime) -> None:
    """Give ``amount_minor`` of a hold back to what is available (a ``release`` entry); when the entitlement can no
    longer be spent (revoked, or expired), write it off at once (a ``revoke`` or ``expire`` entry)."""
    if amount_minor <= 0:
        return
    await repository.give_back(found.id, amount_minor=amount_minor)
    await repository.insert_entry(entitlement_id=found.id, kind="release", amount_minor=amount_minor,
                                  currency=found.currency, hold=held.id, ref=held.ref, by=actor.user_id, at=at)
    if found.revoked or found.expired(at):
        kind = "revoke" if found.revoked else "expire"
        if await repository.write_off(found.id, amount_minor=amount_minor):
            await repository.insert_entry(entitlement_id=found.id, kind=kind, amount_minor=amount_minor,
                                          currency=found.currency, hold=held.id,
                                          ref=found.revoked_reason if found.revoked else "expired",
                                          by=actor.user_id, at=at)  # fmt: skip


async def _settling(hold_id: int) -> tuple[HoldRecord, EntitlementRecord]:
    """The hold and its entitlement, the entitlement's row taken first (the order every writer takes them in)."""
    held = await get_hold(hold_id)
    await repository.lock(held.entitlement)
    return await get_hold(hold_id), await entitlement(held.entitlement)


async def release(*, hold_id: int, actor: Actor) -> None:
    """Give the whole hold back (a cancelled order or licence, a refused claim). Idempotent: releasing a released
    hold does nothing; a captured one is a 409 (``voucher.hold_captured``)."""
    held, found = await _settling(hold_id)
    if held.status == "released":
        return
    if held.status == "captured":
        raise Conflict(Msg("voucher.hold_captured", {"ref": held.ref}))
    at = now()
    if not await repository.settle_hold(hold_id, to="released", captured_minor=0, at=at):
        return  # released meanwhile (the entitlement's row lock makes this the rarest of cases)
    await _return(found, held, held.amount_minor, actor, at)
    await events.emit(HOLD_RELEASED, entitlement_id=found.id, hold_id=hold_id, ref=held.ref,
                      amount_minor=held.amount_minor, currency=found.currency, holder_org=found.holder)  # fmt: skip


async def capture(*, hold_id: int, amount_minor: int | None = None, actor: Actor) -> None:
    """Spend the hold: ``amount_minor`` of it (all when None; at most what is held), the rest released. Idempotent:
    capturing a captured hold again does nothing (a different amount: 409 ``voucher.hold_captured``); a released
    hold is a 409 (``voucher.hold_released``), as is a hold of a revoked entitlement (revocation at the moment of
    use). An entitlement that expired after the hold was placed is still captured: the hold was placed in time."""
    held, found = await _settling(hold_id)
    amount = held.amount_minor if amount_minor is None else amount_minor
    if held.status == "captured":
        if amount != held.captured_minor:
            raise Conflict(Msg("voucher.hold_captured", {"ref": held.ref}))
        return
    if found.revoked:
        raise _refused(Msg("voucher.entitlement_revoked", {"reason": Msg(f"reason.{found.revoked_reason}")}))
    if held.status == "released":
        raise Conflict(Msg("voucher.hold_released", {"ref": held.ref}))
    if amount <= 0 or amount > held.amount_minor:
        problem = Msg("voucher.capture_above_hold", {"amount": Money(found.currency, amount), "held": held.amount})
        raise ValidationFailed(problem, errors=[FieldError("amount_minor", problem, code=problem.code)])
    at = now()
    if not await repository.settle_hold(hold_id, to="captured", captured_minor=amount, at=at):
        raise Conflict(Msg("voucher.hold_settled_meanwhile", {"ref": held.ref}))
    await repository.insert_entry(entitlement_id=found.id, kind="capture", amount_minor=amount,
                                  currency=found.currency, hold=hold_id, ref=held.ref, by=actor.user_id, at=at)
    await _return(found, held, held.amount_minor - amount, actor, at)
    await events.emit(HOLD_CAPTURED, entitlement_id=found.id, hold_id=hold_id, ref=held.ref, amount_minor=amount,
                      released_minor=held.amount_minor - amount, currency=found.currency, holder_org=found.holder,
                      programme_id=found.programme)  # fmt: skip


async def payout(*, hold_id: int, amount_minor: int, ref: str, actor: Actor) -> None:
    """Record that ``amount_minor`` of a captured hold was paid to its payee (a settlement batch's line, ``ref``):
    a ``payout`` entry, never more than was captured (409 ``voucher.payout_above_captured``). The balance does not
    move (the money was spent at capture); the entry says where it went."""
    held, found = await _settling(hold_id)
    if amount_minor <= 0:
        problem = Msg("voucher.amount_not_positive")
        raise ValidationFailed(problem, errors=[FieldError("amount_minor", problem, code=problem.code)])
    if not await repository.pay_out(hold_id, amount_minor=amount_minor):
        problem = Msg("voucher.payout_above_captured", {"amount": Money(found.currency, amount_minor),
                                                         "captured": Money(found.currency, held.captured_minor),
                                                         "paid": Money(found.currency, held.paid_minor)})
        raise Conflict(problem, errors=[FieldError("amount_minor", problem, code=problem.code)])  # fmt: skip
    await repository.insert_entry(entitlement_id=found.id, kind="payout", amount_minor=amount_minor,
                                  currency=found.currency, hold=hold_id, ref=ref, by=actor.user_id, at=now())


async def revoke(*, entitlement_id: int, reason_code: str, actor: Actor, text: str = "") -> EntitlementRecord:
    """The issuer revokes an entitlement (collusion, a fabricated contract, double funding, not eligible): what is
    available and what is held but not captured is written off (``release`` then ``revoke`` entries); what was
    captured stays captured (it was spent; recovering it is the issuer's business outside the ledger). A second
    revocation is a 409. Issuers only (the system acts for them in jobs)."""
    if reason_code not in REVOKE_CODES:
        problem = Msg("voucher.revoke_reason_unknown", {"code": reason_code})
        raise ValidationFailed(problem, errors=[FieldError("reason", problem, code="unknown")])
    found = await entitlement(entitlement_id)
    if actor.org_id is not None and actor.org_id != found.issuer:
        raise Forbidden(Msg("voucher.issuer_only"))
    at = now()
    if not await repository.set_revoked(entitlement_id, reason=reason_code, by=actor.user_id, at=at):
        raise Conflict(Msg("voucher.entitlement_revoked", {"reason": Msg(f"reason.{found.revoked_reason}")}))
    revoked = await entitlement(entitlement_id)
    for held in await repository.holds_of(entitlement_id, status="held"):
        if await repository.settle_hold(held.id, to="released", captured_minor=0, at=at):
            await _return(revoked, held, held.amount_minor, actor, at)
    left = (await entitlement(entitlement_id)).available_minor
    if left > 0 and await repository.write_off(entitlement_id, amount_minor=left):
        await repository.insert_entry(entitlement_id=entitlement_id, kind="revoke", amount_minor=left,
                                      currency=found.currency, hold=None, ref=reason_code, by=actor.user_id, at=at)
    await record(actor=actor, action="finance.voucher_entitlement_revoked", entity_type="voucher_entitlement",
                 entity_id=entitlement_id, org_id=found.issuer, before={"status": found.status},
                 after={"status": "revoked", "reason": reason_code, "text": text,
                        "written_off_minor": left})  # fmt: skip
    await events.emit(ENTITLEMENT_REVOKED, entitlement_id=entitlement_id, holder_org=found.holder,
                      issuer_org=found.issuer, programme_id=found.programme, reason=reason_code)  # fmt: skip
    return await entitlement(entitlement_id)


@dataclass(frozen=True, slots=True)
class ExpiryRun:
    entitlements: int
    written_off_minor: int


async def expire_due(*, at: datetime | None = None) -> ExpiryRun:
    """The nightly job's work: an ``expire`` entry for what is still available on each entitlement past its expiry
    (holds are left as they are: placed in time, they may still be captured; released later, written off then).
    Safe to run twice: the second run finds nothing available."""
    moment = at or now()
    count = total = 0
    for found in await repository.expired_with_balance(at=moment):
        await repository.lock(found.id)
        left = (await entitlement(found.id)).available_minor
        if left <= 0 or not await repository.write_off(found.id, amount_minor=left):
            continue
        await repository.insert_entry(entitlement_id=found.id, kind="expire", amount_minor=left,
                                      currency=found.currency, hold=None, ref="expired", by=None, at=moment)
        await record(actor=Actor.system(), action="finance.voucher_entitlement_expired",
                     entity_type="voucher_entitlement", entity_id=found.id, org_id=found.issuer,
                     after={"written_off_minor": left, "expires_at": found.expires_at.isoformat()})  # fmt: skip
        await events.emit(ENTITLEMENT_EXPIRED, entitlement_id=found.id, holder_org=found.holder,
                          issuer_org=found.issuer, programme_id=found.programme, written_off_minor=left)
        count += 1
        total += left
    return ExpiryRun(count, total)
