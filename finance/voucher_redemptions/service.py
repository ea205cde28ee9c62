"""Spending service vouchers (服务券 / 创新券): the licence checkout, catalogued service orders, the holds and caps
across claims, the integrity checks, and what settlements read. Claims and their review are in ``claims``.

- **Licence checkout.** On a licence waiting for payment whose licensor is a listed provider of the entitlement's
  programme, the SME pays the voucher's share of the amount due (``voucher_programmes.voucher_part`` in
  ``tech_results``: capped per claim, and by what is available; the SME may choose less, never all of it: the
  co-pay is its own). One transaction: the redemption (``held``), the hold on the entitlement (ref
  ``licence:{id}``), the caps across claims, the cover on the licence (``licences.set_voucher_cover``) and the
  open payment attempts repriced (``payments.reprice``): the payment then asks for the rest only, and that
  payment succeeding activates the licence. Cancelling the licence (``licence.cancelled``) or withdrawing the choice
  releases the hold and clears the cover.
- **Catalogued services.** The SME orders (the price as read now, the voucher's part computed and checked), the
  provider confirms (the hold is placed then: every check again at that moment), delivers (the deliverable stored
  with its SHA-256), the SME accepts, the provider files the claim (``claims``). Declined or cancelled: released.
- **Integrity, at the hold and again at approval.** The provider listed on the day
  (``voucher_providers.listed_provider``); the entitlement the firm's own and of the programme
  (``voucher.wrong_programme``); usable at the moment of use (expired or revoked: refused by
  ``voucher_entitlements.hold`` itself, at that moment); the amount above zero and within the voucher's part (the
  per-claim cap); the caps across claims (per period and per firm) as running totals the database decides
  (``reserved + amount <= limit``); related parties (``finance.parties.related``: each finding a blocking reason with
  its code and source). Any refusal writes nothing (one transaction per request).
- **Settlements** read captured, unsettled claims (``captured_unsettled``), put them in one batch at most
  (``mark_settled``, conditional) and aggregate a programme's redemptions in SQL (``claims_for_report``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from finance.desk import service as desk
from finance.desk.machines import next_state
from finance.desk.reasons import Reason, reason
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import DOCX, JPEG, OFD, PDF, PNG, XLSX, Requirement
from finance.licences import service as licences
from finance.licences.records import LicenceRecord
from finance.parties import service as parties
from finance.payments import service as payments
from finance.voucher_entitlements import service as entitlements
from finance.voucher_entitlements.records import EntitlementRecord
from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.records import ProgrammeRecord, ProgrammeTerms, VoucherPart
from finance.voucher_providers import service as providers
from finance.voucher_redemptions import repository, rules
from finance.voucher_redemptions.machine import CLOSED, RedemptionMachine
from finance.voucher_redemptions.records import (
    CapNeed,
    CapRecord,
    CapturedClaim,
    RedemptionRecord,
    ReportRow,
    ShareAlertRecord,
    Upload,
)
from finance.voucher_redemptions.schemas import LicenceVoucherIn, OrderIn
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.message_json import params_to_json
from market.kit.messages import Bp
from market.kit.money import Money
from market.notifications.service import notify_members
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

TECH_RESULTS = "tech_results"  # 科技成果购买: a university's open licences
PROVIDER_REDEEMS = "provider_redeems"  # 通兑
REIMBURSED = "enterprise_reimbursed"  # 通用
PROVIDER_KINDS = (OrgKind.service_provider, OrgKind.university)
DELIVERABLE_KINDS = (OrgKind.service_provider, OrgKind.university)

# What other modules read here (settlements): through this service, never the repository.
redemption_by_id = repository.get
captured_claims = repository.captured_by_ids
share_alerts = repository.alerts


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """The day in China (a provider is listed on a day; a period is a Chinese year)."""
    return desk.today()


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


# ------------------------------------------------------------------------------------------------ errors


def field_problem(field: str, message: Msg, code: str | None = None) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError(field, message, code=code or message.code)])


def refused(reasons: Sequence[Reason]) -> Conflict:
    """A redemption refused for ``reasons``: each beside its field with its code and its source (the article)."""
    errors = [FieldError(r.field or "entitlement_id", r.msg, code=r.code, article=r.source) for r in reasons]
    return Conflict(Msg("voucher_redemption.refused", {"count": len(reasons)}), errors=errors,
                    reasons=[r.code for r in reasons])  # fmt: skip


def not_found() -> NotFound:
    return NotFound(Msg("voucher_redemption.not_found"))


# ------------------------------------------------------------------------------------------------ documents
#
# A claim carries four documents (the programme's redemption documents; RULES: vouchers): the contract, the invoice,
# the proof that the SME paid its own share, and the deliverable. For a licence the platform attaches the contract
# (``finance.contracts``) and the proof of co-pay (the succeeded payment of the remainder, ``finance.payments``) itself;
# for a service the deliverable handed over at delivery is copied into the claim's dossier.

CONTRACT, INVOICE, COPAY, DELIVERABLE = "contract", "invoice", "copay_proof", "deliverable"
DOCUMENT_CODES = (CONTRACT, INVOICE, COPAY, DELIVERABLE)
DOC_TYPES = (PDF, PNG, JPEG, OFD)


def requirement(code: str) -> Requirement:
    types = (*DOC_TYPES, DOCX, XLSX) if code == DELIVERABLE else DOC_TYPES
    return Requirement(code=code, required=True, accepted_types=types,
                       label=Msg(f"voucher_redemption.requirement.{code}"), source=rules.DOCUMENTS)  # fmt: skip


def deliverable_requirement() -> Requirement:
    return requirement(DELIVERABLE)


def checklist(documents: Sequence[str] = DOCUMENT_CODES) -> list[Requirement]:
    """The claim's checklist: the programme's redemption documents (the four by default)."""
    return [requirement(c) for c in DOCUMENT_CODES if c in documents]


# ------------------------------------------------------------------------------------------------ integrity


@dataclass(frozen=True, slots=True)
class Spend:
    """What a hold is about to be placed for, every check passed: the programme at the version in force, the
    entitlement, the provider, the price, the voucher's part and the amount to hold, the cap period."""

    programme: ProgrammeRecord
    entitlement: EntitlementRecord
    sme: int
    provider: int
    category: str
    price: Money
    part: VoucherPart
    amount: Money
    period_key: str
    region: str

    @property
    def terms(self) -> ProgrammeTerms:
        return self.programme.terms


async def _entitlement_of(sme: int, entitlement_id: int) -> EntitlementRecord:
    try:
        found = await entitlements.entitlement(entitlement_id)
    except NotFound:
        found = None
    if found is None or found.holder != sme:
        missing = Msg("voucher_redemption.entitlement_not_found")
        raise NotFound(missing, errors=[FieldError("entitlement_id", missing, code=missing.code)])
    return found


async def related_reasons(sme: int, provider: int) -> list[Reason]:
    """``finance.parties.related`` as blocking desk reasons, each with its finding's code and source."""
    return [replace(Reason.of(f), field="provider") for f in await parties.related(sme, provider)]


async def integrity(
    *, entitlement: EntitlementRecord, programme_id: int | None, provider: int, category: str, mode: str,
    on: date,
) -> tuple[ProgrammeRecord, list[Reason]]:
    """The programme of the entitlement (at the version in force) and every reason the firm may not spend it with
    ``provider`` in ``category`` on ``on``: a voucher of another programme, the wrong mode, a category the programme
    does not cover, a provider not listed that day, related parties."""
    reasons: list[Reason] = []
    if programme_id is not None and entitlement.programme != programme_id:
        reasons.append(reason(rules.WRONG_PROGRAMME, field="entitlement_id"))
    prog = await programmes.programme(entitlement.programme)
    if prog.terms.mode != mode:
        reasons.append(reason(rules.MODE_MISMATCH, field="entitlement_id", mode=Msg(f"voucher.mode.{mode}")))
    if prog.terms.category(category) is None:
        reasons.append(reason(rules.CATEGORY_NOT_COVERED, field="entitlement_id",
                              category=Msg(f"voucher.category.{category}")))  # fmt: skip
    if await providers.listed_provider(prog.id, provider, on=on) is None:
        reasons.append(reason(rules.PROVIDER_NOT_LISTED, field="provider", on=on))
    reasons.extend(await related_reasons(entitlement.holder, provider))
    return prog, reasons


def _chosen(part: VoucherPart, available: int, amount_minor: int | None, terms: ProgrammeTerms) -> Money:
    """The amount to hold: the voucher's part (capped by what is available), or the firm's smaller choice."""
    cur = part.amount.currency
    most = min(part.amount.minor, available)
    if terms.value_kind == "face_value" and terms.face_value_minor:
        most -= most % terms.face_value_minor  # whole vouchers only
    if amount_minor is None:
        if most <= 0:
            raise field_problem("amount_minor", Msg("voucher_redemption.nothing_available",
                                                    {"available": Money(cur, available)}))  # fmt: skip
        return Money(cur, most)
    if amount_minor <= 0:
        raise field_problem("amount_minor", Msg("voucher_redemption.amount_not_positive"))
    if amount_minor > part.amount.minor:
        raise field_problem("amount_minor", Msg("voucher_redemption.above_voucher_part",
                                                {"amount": Money(cur, amount_minor), "most": part.amount}))
    if terms.value_kind == "face_value" and terms.face_value_minor and amount_minor % terms.face_value_minor:
        raise field_problem("amount_minor", Msg("voucher_redemption.whole_vouchers",
                                                {"face": Money(cur, terms.face_value_minor)}))  # fmt: skip
    return Money(cur, amount_minor)


async def check_spend(
    *, sme: int, entitlement_id: int, programme_id: int | None, provider: int, category: str, price: Money,
    amount_minor: int | None, mode: str, at: datetime,
) -> Spend:
    """Every check before a hold, nothing written: the entitlement the firm's own and usable now (expiry and
    revocation at this moment), the integrity reasons (all of them, in one refusal), the amount within the voucher's
    part and what is available. The caps across claims are decided by the database when the hold is placed."""
    found = await _entitlement_of(sme, entitlement_id)
    if found.revoked or found.expired(at):
        code = "voucher_redemption.entitlement_revoked" if found.revoked else "voucher_redemption.entitlement_expired"
        problem = Msg(code, {"expired_at": found.expires_at.date()})
        raise Conflict(problem, errors=[FieldError("entitlement_id", problem, code=code, article=rules.TERMS)])
    day = today()  # the desk's day: a provider is listed on a day (China)
    prog, reasons = await integrity(entitlement=found, programme_id=programme_id, provider=provider,
                                    category=category, mode=mode, on=day)  # fmt: skip
    if reasons:
        raise refused(reasons)
    if found.currency != price.currency:
        raise field_problem("entitlement_id", Msg("voucher_redemption.currency_mismatch",
                                                  {"currency": found.currency}))  # fmt: skip
    part = programmes.voucher_part(prog.terms, category, price.minor)
    balance = await entitlements.balance(found.id)
    amount = _chosen(part, balance.available_minor, amount_minor, prog.terms)
    org = await org_service.org_by_id(sme)
    return Spend(programme=prog, entitlement=found, sme=sme, provider=provider, category=category, price=price,
                 part=part, amount=amount, period_key=programmes.period_key(prog.terms, day),
                 region=str(getattr(org, "region", "") or "") if org else "")  # fmt: skip


# ------------------------------------------------------------------------------------------------ caps


def cap_needs(spend: Spend) -> list[CapNeed]:
    t = spend.terms
    return rules.cap_needs(programme_id=spend.programme.id, org_id=spend.sme, period_key=spend.period_key,
                           per_period_minor=t.per_period_minor, per_firm_minor=t.per_firm_minor)  # fmt: skip


async def reserve_caps(needs: Sequence[CapNeed], amount: Money) -> None:
    """Add ``amount`` to every running total in ``needs``, each with a conditional update the database decides; the
    first that does not fit is a 409 naming the cap (the caller's transaction then writes nothing)."""
    at = now()
    for need in sorted(needs, key=lambda n: n.key):
        await repository.ensure_cap(need, amount.currency, at)
        if not await repository.reserve(need.key, amount_minor=amount.minor, limit_minor=need.limit_minor):
            found = (await repository.caps([need.key]))[need.key]
            left = Money(amount.currency, max(0, need.limit_minor - found.reserved_minor))
            problem = reason(f"voucher_redemption.cap_reached.{need.scope}", field="amount_minor",
                             limit=Money(amount.currency, need.limit_minor), left=left)  # fmt: skip
            raise refused([problem])


async def release_caps(found: RedemptionRecord, amount_minor: int) -> None:
    for key in sorted(found.caps):
        if amount_minor > 0:
            await repository.release(key, amount_minor=amount_minor)


async def capture_caps(found: RedemptionRecord, captured_minor: int) -> None:
    """The captured part of each running total; what was held and not captured is given back."""
    for key in sorted(found.caps):
        if found.voucher_minor > captured_minor:
            await repository.release(key, amount_minor=found.voucher_minor - captured_minor)
        if captured_minor > 0 and not await repository.capture(key, amount_minor=captured_minor):
            raise Conflict(Msg("voucher_redemption.changed_meanwhile"))


async def caps_of_firm(org_id: int) -> list[CapRecord]:
    return await repository.caps_of_org(org_id)


# ------------------------------------------------------------------------------------------------ moves


async def move(found: RedemptionRecord, event: str, actor: Actor, **values: Any) -> RedemptionRecord:
    """Move the redemption by ``event`` (the machine's graph) with a conditional update on (status, version): of two
    acting at once, one; the other is a 409."""
    to = next_state(RedemptionMachine, found.status, event)
    at = now()
    if to in CLOSED:
        values.setdefault("closed_at", at)
        values["live_key"] = None
    if not await repository.move(found.id, from_status=found.status, version=found.version, to_status=to,
                                 values=values, at=at):  # fmt: skip
        raise Conflict(Msg("voucher_redemption.changed_meanwhile"), status=found.status, version=found.version)
    await record(actor=actor, action=f"finance.voucher_redemption_{event}", entity_type="voucher_redemption",
                 entity_id=found.id, org_id=found.issuer,
                 before={"status": found.status, "version": found.version},
                 after={"status": to, **{k: v for k, v in values.items() if k in AUDITED}})  # fmt: skip
    fresh = await repository.get(found.id)
    assert fresh is not None
    return fresh


AUDITED = ("hold", "captured_minor", "case", "refusal", "voucher_minor")


def _expect(found: RedemptionRecord, expected_version: int | None) -> None:
    if expected_version is not None and found.version != expected_version:
        raise Conflict(Msg("voucher_redemption.changed_meanwhile"), status=found.status, version=found.version)


def _lines_json(part: VoucherPart) -> list[dict[str, Any]]:
    return [{"code": m.code, "params": params_to_json(m.params)} for m in part.lines]


async def place_hold(
    found: RedemptionRecord, spend: Spend, actor: Actor, *, event: str | None = None
) -> RedemptionRecord:
    """The hold on the entitlement (ref: the redemption's) and the caps across claims, recorded on the redemption
    (moved by ``event`` when given: an order confirmed). Expiry and revocation are the entitlements' to refuse at
    this moment; the balance is decided by the database there, the caps here."""
    at = now()
    held = await entitlements.hold(entitlement_id=spend.entitlement.id, amount_minor=spend.amount.minor,
                                   ref=found.hold_ref, on=at, actor=actor, for_org=spend.sme)  # fmt: skip
    needs = cap_needs(spend)
    await reserve_caps(needs, spend.amount)
    values: dict[str, Any] = {"hold": held.id, "caps": [n.key for n in needs], "held_at": at,
                              "voucher_minor": spend.amount.minor, "period_key": spend.period_key,
                              "programme_version": spend.programme.version, "lines": _lines_json(spend.part),
                              "share_bp": spend.part.share_bp}  # fmt: skip
    if event is not None:
        return await move(found, event, actor, **values)
    if not await repository.set_fields(found.id, version=found.version, values=values, at=at):
        raise Conflict(Msg("voucher_redemption.changed_meanwhile"))
    fresh = await repository.get(found.id)
    assert fresh is not None
    return fresh


async def release_hold(found: RedemptionRecord, actor: Actor) -> None:
    """Give the hold back and the caps with it (idempotent on the entitlements' side)."""
    if found.hold is not None:
        await entitlements.release(hold_id=found.hold, actor=actor)
        await release_caps(found, found.voucher_minor)


def _values(spend: Spend, *, source: str, status: str, payee: int, hold_ref: str, title: str, created_by: int | None,
            licence: int | None = None, service: int | None = None, live_key: str | None = None) -> dict[str, Any]:
    at = now()
    return {
        "source": source, "programme": spend.programme.id, "programme_version": spend.programme.version,
        "entitlement": spend.entitlement.id, "hold_ref": hold_ref, "sme": spend.sme, "provider": spend.provider,
        "payee": payee, "issuer": spend.programme.issuer, "category": spend.category, "licence": licence,
        "service": service, "live_key": live_key, "title": title[:300], "price_minor": spend.price.minor,
        "currency": spend.price.currency, "share_bp": spend.part.share_bp, "voucher_minor": spend.amount.minor,
        "lines": _lines_json(spend.part), "region": spend.region, "period_key": spend.period_key, "status": status,
        "version": 0, "created_by": created_by, "created_at": at, "updated_at": at,
    }  # fmt: skip


# ------------------------------------------------------------------------------------------------ licences


def licence_key(licence_id: int) -> str:
    return f"licence:{licence_id}"


async def _licensee_licence(principal: Principal, licence_id: int) -> LicenceRecord:
    row = await licences.party(principal, licence_id)
    if row.licensee != principal.org_id:
        raise Forbidden(Msg("voucher_redemption.licensee_only"))
    return row


async def choose_for_licence(*, principal: Principal, licence_id: int, data: LicenceVoucherIn) -> RedemptionRecord:
    """The licence checkout's voucher choice (see the module's docstring). The same choice again returns the
    redemption made (idempotent); another while one is held is a 409 (withdraw it first)."""
    org_service.require_approved(principal)
    licence = await _licensee_licence(principal, licence_id)
    if licence.status != "pending_payment" or licence.amount_due_minor <= 0:
        raise Conflict(Msg("voucher_redemption.licence_not_pending"))
    live = await repository.live_by_key(licence_key(licence_id))
    if live is not None:
        if live.entitlement == data.entitlement_id and data.amount_minor in (None, live.voucher_minor):
            return live
        raise Conflict(Msg("voucher_redemption.licence_has_voucher", {"amount": live.voucher}))
    due = Money(licence.currency, licence.amount_due_minor)
    spend = await check_spend(sme=principal.org_id, entitlement_id=data.entitlement_id, programme_id=None,
                              provider=licence.licensor, category=TECH_RESULTS, price=due,
                              amount_minor=data.amount_minor, mode=PROVIDER_REDEEMS, at=now())  # fmt: skip
    if spend.amount.minor >= due.minor:  # the programme's co-pay: the firm pays a part itself
        raise field_problem("amount_minor", Msg("voucher_redemption.copay_required", {"amount": due}))
    earlier = await repository.count_for_licence(licence_id)
    ref = licence_key(licence_id) if earlier == 0 else f"{licence_key(licence_id)}:{earlier + 1}"
    actor = actor_of(principal)
    redemption_id = await repository.insert(_values(
        spend, source="licence", status="held", payee=licence.licensor, hold_ref=ref, title=licence.number,
        created_by=principal.user_id, licence=licence_id, live_key=licence_key(licence_id),
    ))  # fmt: skip
    made = await repository.get(redemption_id)
    assert made is not None
    made = await place_hold(made, spend, actor)
    await payments.reprice(licence_id=licence_id, actor=actor)  # an open attempt of the full amount is canceled
    await licences.set_voucher_cover(licence_id, spend.amount.minor, actor)
    await record(actor=actor, action="finance.voucher_licence_chosen", entity_type="voucher_redemption",
                 entity_id=redemption_id, org_id=principal.org_id,
                 after={"licence": licence.number, "entitlement": spend.entitlement.id, "hold": made.hold,
                        "voucher_minor": spend.amount.minor, "amount_due_minor": due.minor,
                        "programme": spend.programme.id, "programme_version": spend.programme.version})  # fmt: skip
    await notify_members(org_id=licence.licensor, kind="voucher",
                         message=Msg("voucher_redemption.notice.licence_voucher",
                                     {"number": licence.number, "amount": spend.amount}),
                         dedupe_key=f"voucher-licence:{redemption_id}")  # fmt: skip
    return made


async def withdraw_for_licence(*, principal: Principal, licence_id: int) -> RedemptionRecord:
    """The firm withdraws its voucher choice while the licence waits for payment: the hold released, the cover
    cleared (the payment then asks for the whole amount due)."""
    licence = await _licensee_licence(principal, licence_id)
    live = await repository.live_by_key(licence_key(licence_id))
    if live is None:
        raise NotFound(Msg("voucher_redemption.licence_no_voucher"))
    if licence.status != "pending_payment" or live.status != "held":
        raise Conflict(Msg("voucher_redemption.licence_not_pending"))
    actor = actor_of(principal)
    closed = await _close_licence_redemption(live, actor, event="cancel", why="withdrawn")
    await payments.reprice(licence_id=licence_id, actor=actor)
    await licences.set_voucher_cover(licence_id, 0, actor)
    return closed


async def _close_licence_redemption(found: RedemptionRecord, actor: Actor, *, event: str, why: str) -> RedemptionRecord:
    await release_hold(found, actor)
    return await move(found, event, actor, refusal=[f"voucher_redemption.closed.{why}"])


async def licence_cancelled(*, licence_id: int) -> bool:
    """``licence.cancelled``: a held voucher share of the licence is released and its cover cleared. Safe to run
    twice (the second finds nothing live). True if this call released one."""
    live = await repository.live_by_key(licence_key(licence_id))
    if live is None or live.status != "held":
        return False
    actor = Actor.system()
    await _close_licence_redemption(live, actor, event="cancel", why="licence_cancelled")
    await licences.set_voucher_cover(licence_id, 0, actor)
    await notify_members(org_id=live.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.released", {"title": live.title,
                                                                             "amount": live.voucher}),
                         dedupe_key=f"voucher-released:{live.id}")  # fmt: skip
    return True


async def licence_activated(*, licence_id: int) -> None:
    """``licence.activated``: the remainder is paid; the university is told it may file the voucher's claim."""
    live = await repository.live_by_key(licence_key(licence_id))
    if live is None or live.status != "held":
        return
    await notify_members(org_id=live.provider, kind="voucher",
                         message=Msg("voucher_redemption.notice.claim_ready", {"title": live.title,
                                                                                "amount": live.voucher}),
                         dedupe_key=f"voucher-claim-ready:{live.id}")  # fmt: skip


async def licence_voucher(*, principal: Principal, licence_id: int) -> RedemptionRecord | None:
    """The licence's live voucher share (or its last one), for either party."""
    await licences.party(principal, licence_id)
    live = await repository.live_by_key(licence_key(licence_id))
    if live is not None:
        return live
    rows = await repository.listed(licence=licence_id, limit=1)
    return rows[0] if rows else None


async def licence_options(*, principal: Principal, licence_id: int) -> list[tuple[EntitlementRecord, VoucherPart]]:
    """The firm's entitlements usable now on this licence (a programme that lists the licensor as provider and
    covers ``tech_results``), each with the voucher's part of the amount due, for the checkout's choice."""
    licence = await _licensee_licence(principal, licence_id)
    if licence.status != "pending_payment" or licence.amount_due_minor <= 0:
        return []
    out = []
    for ent in await entitlements.usable(principal.org_id, on=now()):
        prog = await programmes.programme(ent.programme)
        if prog.terms.mode != PROVIDER_REDEEMS or prog.terms.category(TECH_RESULTS) is None:
            continue
        if await providers.listed_provider(prog.id, licence.licensor, on=today()) is None:
            continue
        out.append((ent, programmes.voucher_part(prog.terms, TECH_RESULTS, licence.amount_due_minor)))
    return out


# ------------------------------------------------------------------------------------------------ service orders


async def _catalogued(service_id: int) -> Any:
    try:
        found = await providers.service(service_id)
    except NotFound:
        found = None
    if found is None or not found.active:
        missing = Msg("voucher_redemption.service_not_found")
        raise NotFound(missing, errors=[FieldError("service_id", missing, code=missing.code)])
    return found


async def order(*, principal: Principal, data: OrderIn) -> RedemptionRecord:
    """The SME orders a catalogued service (provider-redeems programmes): every check now (nothing is held until
    the provider confirms, and everything is checked again then)."""
    org_service.require_approved(principal)
    if principal.org_kind is not OrgKind.sme:
        raise Forbidden(Msg("voucher_redemption.sme_only"))
    item = await _catalogued(data.service_id)
    price = Money(item.currency, item.price_minor * data.quantity)
    spend = await check_spend(sme=principal.org_id, entitlement_id=data.entitlement_id, programme_id=item.programme,
                              provider=item.org, category=item.category, price=price,
                              amount_minor=data.amount_minor, mode=PROVIDER_REDEEMS, at=now())  # fmt: skip
    title = item.title_zh if data.quantity == 1 else f"{item.title_zh} × {data.quantity}"
    redemption_id = await repository.insert(_values(
        spend, source="service", status="ordered", payee=item.org, hold_ref="", title=title,
        created_by=principal.user_id, service=item.id,
    ))  # fmt: skip
    made = await repository.get(redemption_id)
    assert made is not None
    ref = f"order:{redemption_id}"
    if not await repository.set_fields(redemption_id, version=made.version, values={"hold_ref": ref}, at=now()):
        raise Conflict(Msg("voucher_redemption.changed_meanwhile"))
    await record(actor=actor_of(principal), action="finance.voucher_order_placed", entity_type="voucher_redemption",
                 entity_id=redemption_id, org_id=principal.org_id,
                 after={"service": item.id, "price_minor": price.minor, "voucher_minor": spend.amount.minor,
                        "programme": spend.programme.id, "entitlement": spend.entitlement.id})  # fmt: skip
    await notify_members(org_id=item.org, kind="voucher",
                         message=Msg("voucher_redemption.notice.ordered", {"title": title, "amount": price}),
                         dedupe_key=f"voucher-ordered:{redemption_id}")  # fmt: skip
    fresh = await repository.get(redemption_id)
    assert fresh is not None
    return fresh


async def of_provider(principal: Principal, redemption_id: int) -> RedemptionRecord:
    found = await repository.get(redemption_id)
    if found is None or found.provider != principal.org_id:
        raise not_found()
    return found


async def of_sme(principal: Principal, redemption_id: int) -> RedemptionRecord:
    found = await repository.get(redemption_id)
    if found is None or found.sme != principal.org_id:
        raise not_found()
    return found


async def visible(principal: Principal, redemption_id: int) -> RedemptionRecord:
    """The redemption for the SME, the provider or the programme's issuer; anyone else: not found."""
    found = await repository.get(redemption_id)
    if found is None or principal.org_id not in (found.sme, found.provider, found.issuer):
        raise not_found()
    return found


async def confirm(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    """The provider confirms an order: every check again at this moment (listed today, related parties, the
    entitlement usable now, the caps), then the hold."""
    found = await of_provider(principal, redemption_id)
    _expect(found, expected_version)
    if found.status != "ordered":
        raise Conflict(Msg("voucher_redemption.not_ordered"))
    spend = await check_spend(sme=found.sme, entitlement_id=found.entitlement, programme_id=found.programme,
                              provider=found.provider, category=found.category, price=found.price,
                              amount_minor=found.voucher_minor, mode=PROVIDER_REDEEMS, at=now())  # fmt: skip
    held = await place_hold(found, spend, actor_of(principal), event="confirm")
    await notify_members(org_id=found.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.confirmed", {"title": found.title,
                                                                              "amount": held.voucher}),
                         dedupe_key=f"voucher-confirmed:{found.id}")  # fmt: skip
    return held


async def decline(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    found = await of_provider(principal, redemption_id)
    _expect(found, expected_version)
    declined = await move(found, "decline", actor_of(principal))
    await notify_members(org_id=found.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.declined", {"title": found.title}),
                         dedupe_key=f"voucher-declined:{found.id}")  # fmt: skip
    return declined


async def cancel(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    """The SME or the provider cancels an order not yet delivered and accepted: the hold (if any) released. A
    licence's voucher share is withdrawn on the licence instead."""
    found = await visible(principal, redemption_id)
    if principal.org_id not in (found.sme, found.provider) or found.source != "service":
        raise Forbidden(Msg("voucher_redemption.cancel_not_allowed"))
    _expect(found, expected_version)
    if found.status not in ("ordered", "held", "delivered"):
        raise Conflict(Msg("voucher_redemption.cancel_not_allowed"))
    await release_hold(found, actor_of(principal))
    closed = await move(found, "cancel", actor_of(principal), refusal=["voucher_redemption.closed.cancelled"])
    other = found.provider if principal.org_id == found.sme else found.sme
    await notify_members(org_id=other, kind="voucher",
                         message=Msg("voucher_redemption.notice.cancelled", {"title": found.title}),
                         dedupe_key=f"voucher-cancelled:{found.id}")  # fmt: skip
    return closed


async def deliver(
    *, principal: Principal, redemption_id: int, expected_version: int, deliverable: Upload | None
) -> RedemptionRecord:
    """The provider hands over the deliverable: checked by its bytes, stored with its SHA-256; the SME then accepts."""
    found = await of_provider(principal, redemption_id)
    _expect(found, expected_version)
    if found.status != "held" or found.source != "service":
        raise Conflict(Msg("voucher_redemption.not_held"))
    if deliverable is None:
        raise field_problem("deliverable", Msg("voucher_redemption.deliverable_required"), "required")
    await store_deliverable(found, deliverable, actor_of(principal))
    delivered = await move(found, "deliver", actor_of(principal), delivered_at=now())
    await notify_members(org_id=found.sme, kind="voucher",
                         message=Msg("voucher_redemption.notice.delivered", {"title": found.title}),
                         dedupe_key=f"voucher-delivered:{found.id}")  # fmt: skip
    return delivered


async def store_deliverable(found: RedemptionRecord, document: Upload, actor: Actor) -> str:
    """Check a deliverable by its bytes (``finance.dossiers``) and store it with its SHA-256 (returned)."""
    requirement = deliverable_requirement()
    sniffed = dossiers.check_document(requirement, document.content, None, on=today(), limit=dossiers.max_bytes())
    sha = hashlib.sha256(document.content).hexdigest()
    await repository.put_deliverable(redemption_id=found.id, filename=dossiers.clean_filename(
        document.filename, sniffed), content_type=sniffed, content=document.content, sha256=sha, by=actor.user_id,
        at=now())  # fmt: skip
    return sha


async def accept(*, principal: Principal, redemption_id: int, expected_version: int) -> RedemptionRecord:
    found = await of_sme(principal, redemption_id)
    _expect(found, expected_version)
    accepted = await move(found, "accept", actor_of(principal), accepted_at=now())
    await notify_members(org_id=found.provider, kind="voucher",
                         message=Msg("voucher_redemption.notice.accepted", {"title": found.title}),
                         dedupe_key=f"voucher-accepted:{found.id}")  # fmt: skip
    return accepted


async def usable_for(*, principal: Principal) -> list[tuple[EntitlementRecord, ProgrammeRecord]]:
    """The firm's entitlements usable now, each with its programme (for the order form)."""
    return [(e, await programmes.programme(e.programme)) for e in await entitlements.usable(principal.org_id, on=now())]


async def of_org(*, principal: Principal) -> list[RedemptionRecord]:
    """The firm's redemptions; a provider's; an issuer's (its programmes')."""
    if principal.org_kind is OrgKind.voucher_issuer:
        return await repository.listed(issuer=principal.org_id)
    if principal.org_kind in PROVIDER_KINDS:
        return await repository.listed(provider=principal.org_id)
    return await repository.listed(sme=principal.org_id)


# ------------------------------------------------------------------------------------------------ settlements


def _end_of(day: date) -> datetime:
    """The first moment after ``day`` in China."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=desk.CHINA)


async def captured_unsettled(programme_id: int, *, up_to: date) -> list[CapturedClaim]:
    """The programme's claims captured up to ``up_to`` (China day, included) and in no settlement batch yet: who is
    paid (the provider; the SME in the reimbursed mode), how much, when, and what reports group them by."""
    return await repository.captured_unsettled(programme_id, before=_end_of(up_to))


async def mark_settled(claim_ids: Sequence[int], batch_id: int, actor: Actor) -> None:
    """Put captured claims into settlement batch ``batch_id``, all or none: a claim already in a batch (or not
    captured) is a 409 naming it, and the caller's transaction writes nothing (a claim is in one batch at most)."""
    wanted = sorted(set(claim_ids))
    done = await repository.mark_settled(wanted, batch_id=batch_id, at=now())
    if sorted(done) != wanted:
        left = [i for i in wanted if i not in set(done)]
        raise Conflict(Msg("voucher_redemption.already_settled", {"ids": ", ".join(str(i) for i in left)}),
                       claim_ids=left)  # fmt: skip
    await record(actor=actor, action="finance.voucher_claims_settled", entity_type="voucher_batch",
                 entity_id=batch_id, after={"claims": wanted})  # fmt: skip


async def unmark_settled(claim_ids: Sequence[int], batch_id: int, actor: Actor) -> list[int]:
    """Take claims out of ``batch_id`` again (lines the bank did not pay): the next batch carries them."""
    done = await repository.unmark_settled(sorted(set(claim_ids)), batch_id=batch_id, at=now())
    if done:
        await record(actor=actor, action="finance.voucher_claims_unsettled", entity_type="voucher_batch",
                     entity_id=batch_id, after={"claims": done})  # fmt: skip
    return done


async def claims_for_report(programme_id: int) -> list[ReportRow]:
    """The programme's redemptions grouped by category, region, provider and status: counts, the voucher's part
    held or asked, captured and settled (one SQL aggregate; fast at 100,000 redemptions)."""
    return await repository.report(programme_id)


# ------------------------------------------------------------------------------------------------ share alerts


async def check_share(found: RedemptionRecord) -> ShareAlertRecord | None:
    """After a capture: is the provider's captured share of the programme's period above the threshold? Raised
    once per (programme, provider, period), the issuer's members told."""
    by_provider = await repository.captured_by_provider(found.programme, found.period_key)
    hit = rules.outsized(by_provider, found.provider)
    if hit is None:
        return None
    mine, total, share = hit
    alert_id = await repository.insert_alert({"programme": found.programme, "provider": found.provider,
                                              "period_key": found.period_key, "provider_minor": mine,
                                              "programme_minor": total, "share_bp": share,
                                              "threshold_bp": rules.SHARE_ALERT_BP})  # fmt: skip
    if alert_id is None:
        return None
    org = await org_service.org_by_id(found.provider)
    await notify_members(org_id=found.issuer, kind="voucher",
                         message=Msg("voucher_redemption.notice.outsized_share",
                                     {"provider": org.name if org else str(found.provider), "share": Bp(share),
                                      "period": found.period_key, "threshold": Bp(rules.SHARE_ALERT_BP)}),
                         dedupe_key=f"voucher-share:{alert_id}")  # fmt: skip
    await events.emit("voucher.share_alert", alert_id=alert_id, programme_id=found.programme,
                      provider_org=found.provider, issuer_org=found.issuer, share_bp=share)  # fmt: skip
    return next((a for a in await repository.alerts(found.programme) if a.id == alert_id), None)
