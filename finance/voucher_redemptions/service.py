"""Spending service vouchers (服务券 / 创新券): what every way of spending shares — the integrity checks, the hold and
the caps across claims, the redemption's moves, the claim's documents — and what settlements read. The licence
checkout is ``checkout``, catalogued service orders ``orders``, claims and their review ``claims``.

- **Integrity, at the hold and again at approval.** The provider listed on the day
  (``voucher_providers.listed_provider``); the entitlement the firm's own and of the programme
  (``voucher.wrong_programme``); usable at the moment of use (expired or revoked: refused here and by
  ``voucher_entitlements.hold`` itself, at that moment, whatever the nightly job did); the amount above zero and within
  the voucher's part (the per-claim cap); the caps across claims (per period and per firm) as running totals the
  database decides (``reserved + amount <= limit``); related parties (``finance.parties.related``: each finding a
  blocking reason with its code and source). Every reason is said at once; any refusal writes nothing (one
  transaction per request).
- **Settlements** read captured, unsettled claims (``captured_unsettled``), put them in one batch at most
  (``mark_settled``, conditional; ``unmark_settled`` carries a failed line over) and aggregate a programme's
  redemptions in SQL (``claims_for_report``).
- **Outsized share**: after each capture, a provider above ``rules.SHARE_ALERT_BP`` of the programme's captured total
  in the period (from ``rules.SHARE_ALERT_MIN_CLAIMS`` claims) is reported to the issuer's members once per
  (programme, provider, period).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from finance.desk import service as desk
from finance.desk.machines import next_state
from finance.desk.reasons import Reason, reason
from finance.dossiers.checklist import DOCX, JPEG, OFD, PDF, PNG, XLSX, Requirement
from finance.parties import service as parties
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
    CapturedGroup,
    RedemptionRecord,
    ReportRow,
    ShareAlertRecord,
)
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound, ValidationFailed
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


def expect_version(found: RedemptionRecord, expected_version: int | None) -> None:
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


def new_values(spend: Spend, *, source: str, status: str, payee: int, hold_ref: str, title: str, created_by: int | None,
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


# ------------------------------------------------------------------------------------------------ access


async def catalogued(service_id: int) -> Any:
    try:
        found = await providers.service(service_id)
    except NotFound:
        found = None
    if found is None or not found.active:
        missing = Msg("voucher_redemption.service_not_found")
        raise NotFound(missing, errors=[FieldError("service_id", missing, code=missing.code)])
    return found


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


async def captured_by(programme_id: int) -> dict[str, list[CapturedGroup]]:
    """The programme's captured claims by category, by region and by provider: how many and how much (one SQL
    statement; ``finance.voucher_settlements``' report)."""
    return await repository.captured_by(programme_id)


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
