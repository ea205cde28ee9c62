"""Taking an open licence (Patent Law Art 51): notice of acceptance, the amount due now, activation on payment.

- The firm accepts the announced terms of the version it read; nothing is negotiated. If the declaration changed
  meanwhile, the request is refused so that the firm reads the new terms.
- The amount due now is the lump sum or the entry fee; a running-royalty-only or royalty-free licence is active at
  once (royalties are reported and paid per period).
- Activation is idempotent: a payment confirmed twice, or events out of order, activate once and render one
  contract. Withdrawing the declaration later never touches a licence (Patent Law Art 50(2)).
"""

from __future__ import annotations

import uuid
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta

from finance.licences import repository
from finance.licences.records import LicenceRecord
from finance.licences.schemas import FilingOut, LicenceOut, LicenceRequestIn
from listings.declarations import service as declarations
from listings.declarations.eligibility import DeclaredTerms
from listings.declarations.service import Terms, plain_terms
from listings.patents import service as patents
from listings.patents.lifetimes import add_years
from market import events, jobs
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg, gettext
from market.kit.law import PaymentMode
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service

FILING_ARTICLE = "law.regs.art15_87"  # Implementing Regulations Art 15, 87 (finance_law.po)
PLEDGE_CONSENT_ARTICLE = "law.civil.art444"  # Civil Code Art 444 (lending.po)
LICENCE_KIND = "licence.kind.open"  # an ordinary licence under an open licence (Patent Law Art 51)
FILING_MONTHS = 3
REPORT_DAYS = 30  # royalties are reported and paid within 30 days after each calendar quarter (our standard term)

# What other modules read of licences: through this service, never the repository.
licence_by_id = repository.get
licence_for_update = repository.get_for_update  # PostgreSQL: locked until the caller's transaction ends
licences_of_org = repository.for_org
active_starting_between = repository.active_starting_between
active_with_royalty = repository.active_with_royalty


def today() -> date:
    return datetime.now(UTC).date()


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def quarter_end(day: date) -> date:
    month = ((day.month - 1) // 3 + 1) * 3
    return date(day.year, month, monthrange(day.year, month)[1])


def filing_deadline(starts_on: date) -> date:
    """Implementing Regulations Art 15: filed within 3 months of the contract taking effect."""
    return add_months(starts_on, FILING_MONTHS)


def amount_due_now(version: Terms) -> int:
    if version.payment_mode == "lump_sum":
        return int(version.lump_sum_minor or 0)
    if version.payment_mode == "entry_plus_royalty":
        return int(version.entry_fee_minor or 0)
    return 0


async def _names(*org_ids: int) -> dict[int, str]:
    out = {}
    for org_id in org_ids:
        org = await org_service.org_by_id(org_id)
        out[org_id] = org.name if org else ""
    return out


async def licence_out(row: LicenceRecord) -> LicenceOut:
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    names = await _names(row.licensor)
    version = DeclaredTerms(
        payment_mode=PaymentMode(row.payment_mode),
        currency=row.currency,
        lump_sum_minor=row.lump_sum_minor,
        entry_fee_minor=row.entry_fee_minor,
        royalty_rate_bp=row.royalty_rate_bp,
        term_years=row.term_years,
        royalty_base=row.royalty_base,
    )
    return LicenceOut(
        id=row.id,
        number=row.number,
        declaration_id=row.declaration,
        declaration_version=row.declaration_version,
        patent_id=row.patent,
        patent_number=patent.number,
        patent_title=patent.title_zh or patent.title_en,
        licensor_org_id=row.licensor,
        licensor_name=names[row.licensor],
        licensee_org_id=row.licensee,
        licensee_name=row.licensee_name,
        status=row.status,
        payment_mode=row.payment_mode,
        currency=row.currency,
        lump_sum_minor=row.lump_sum_minor,
        entry_fee_minor=row.entry_fee_minor,
        royalty_rate_bp=row.royalty_rate_bp,
        royalty_base=row.royalty_base,
        term_years=row.term_years,
        amount_due_minor=row.amount_due_minor,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        first_report_due=row.first_report_due,
        filing_deadline=filing_deadline(row.starts_on) if row.starts_on else None,
        activated_at=row.activated_at,
        created_at=row.created_at,
        terms=[MsgOut.of(m) for m in plain_terms(version, patent.expiry_date)],
        contract_ready=bool(row.contract_sha256),
        voucher_cover_minor=row.voucher_cover_minor,
        amount_to_pay_minor=row.amount_to_pay_minor,
    )


async def party(principal: Principal, licence_id: int) -> LicenceRecord:
    """The licence if the principal's organisation is one of its two parties; anyone else is told it is not there."""
    row = await repository.get(licence_id)
    if row is None or principal.org_id not in (row.licensor, row.licensee):
        raise NotFound(Msg("licence.not_found"))
    return row


async def request_licence(*, principal: Principal, data: LicenceRequestIn) -> LicenceOut:
    """Accept the announced terms (Patent Law Art 51). Active at once when nothing is due now. Both parties must be
    approved organisations: a pending or suspended university is not paid, a pending SME takes no licence."""
    org_service.require_approved(principal)
    declaration = await declarations.declaration_by_id(data.declaration_id)
    if declaration is None or declaration.status != "published":
        raise NotFound(Msg("licence.declaration_not_open"))
    await org_service.require_org_approved(declaration.organisation)
    if declaration.organisation == principal.org_id:
        raise Forbidden(Msg("licence.own_patent"))
    if declaration.current_version != data.declaration_version:
        changed = Msg("licence.terms_changed", {"version": int(declaration.current_version)})
        raise Conflict(changed, errors=[FieldError("declaration_version", changed, code="stale_terms")])
    if await repository.live_for(data.declaration_id, principal.org_id) is not None:
        raise Conflict(Msg("licence.already_held"))
    patent = await patents.patent_by_id(declaration.patent)
    if patent is not None and patent.pledged and not await _pledgee_consented(patent.id, patent.pledgee_consent):
        # Civil Code Art 444: a pledged patent is licensed only with the pledgee's recorded consent
        refusal = Msg("licence.pledged_without_consent", {"number": patent.number})
        raise Conflict(
            refusal,
            errors=[
                FieldError("declaration_id", refusal, code="pledged_without_consent", article=PLEDGE_CONSENT_ARTICLE)
            ],
        )
    [version] = [
        v for v in await declarations.versions(data.declaration_id) if v.version == declaration.current_version
    ]
    org = await org_service.org_by_id(principal.org_id)
    assert org is not None
    due = amount_due_now(version)
    licence_id = await repository.create(
        number=f"pending-{uuid.uuid4().hex[:20]}",
        declaration=declaration.id,
        declaration_version=version.version,
        declaration_version_id=version.id,
        patent=declaration.patent,
        licensor=declaration.organisation,
        licensee=principal.org_id,
        requested_by=principal.user_id,
        status="pending_payment",
        payment_mode=version.payment_mode,
        currency=version.currency,
        lump_sum_minor=version.lump_sum_minor,
        entry_fee_minor=version.entry_fee_minor,
        royalty_rate_bp=version.royalty_rate_bp,
        royalty_base=version.royalty_base,
        term_years=version.term_years,
        amount_due_minor=due,
        licensee_name=org.name,
        licensee_credit_code=data.licensee_credit_code,
        licensee_address=data.licensee_address,
    )
    number = f"OL-LC-{today().year}-{licence_id:06d}"
    await repository.set_number(licence_id, number)
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.licence_requested",
        entity_type="licence",
        entity_id=licence_id,
        after={
            "number": number,
            "declaration": declaration.id,
            "version": version.version,
            "amount_due_minor": due,
        },
    )
    await jobs.enqueue("finance.licence_notify", licence_id=licence_id, event="requested")
    await events.emit("licence.requested", licence_id=licence_id, patent_id=declaration.patent)  # a pledgee is told
    if due == 0:
        await activate(
            licence_id=licence_id, paid_at=datetime.now(UTC), actor=Actor(principal.user_id, principal.org_id)
        )
    row = await repository.get(licence_id)
    assert row is not None
    return await licence_out(row)


async def _pledgee_consented(patent_id: int, consent_fact: bool) -> bool:
    """The pledgee's recorded consent to licensing the pledged patent (Civil Code Art 444), or to its open-licence
    declaration, under which this licence is taken; for a pledge recorded outside the platform, its consent fact."""
    for scope in ("licence", "open_licence"):
        if await patents.current_consent(patent_id, scope) is not None:
            return True
    row = await patents.patent_by_id(patent_id)
    return row is not None and row.pledgee_org is None and consent_fact


async def activate(*, licence_id: int, paid_at: datetime, actor: Actor) -> bool:
    """Make a pending licence active from the moment its payment is confirmed. True if this call activated it;
    False if it was already active (a repeated or late event): nothing happens twice."""
    row = await repository.get_for_update(licence_id)
    if row is None or row.status != "pending_payment":
        return False
    starts_on = paid_at.date()
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    ends_on = add_years(starts_on, row.term_years) if row.term_years else patent.expiry_date
    if ends_on is not None and patent.expiry_date is not None:
        ends_on = min(ends_on, patent.expiry_date)
    first_report = quarter_end(starts_on) + timedelta(days=REPORT_DAYS) if row.royalty_rate_bp else None
    await repository.mark_active(
        licence_id, starts_on=starts_on, ends_on=ends_on, activated_at=paid_at, first_report_due=first_report
    )
    await patents.record_open_licence(
        patent_id=row.patent,
        licensee_name=row.licensee_name,
        starts_on=starts_on,
        ends_on=ends_on,
        reference=row.number,
        declaration_version_id=row.declaration_version_id,
    )
    await record(
        actor=actor,
        action="finance.licence_activated",
        entity_type="licence",
        entity_id=licence_id,
        org_id=row.licensor,
        before={"status": "pending_payment"},
        after={
            "status": "active",
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    await events.emit("licence.activated", licence_id=licence_id)  # the contract is rendered (finance.contracts)
    await jobs.enqueue("finance.licence_notify", licence_id=licence_id, event="activated")
    return True


async def cancel(*, principal: Principal, licence_id: int) -> LicenceOut:
    row = await party(principal, licence_id)
    if row.licensee != principal.org_id:
        raise Forbidden(Msg("licence.cancel_licensee_only"))
    if row.status != "pending_payment":
        raise Conflict(Msg("licence.cancel_not_pending"))
    await repository.mark_cancelled(licence_id, datetime.now(UTC))
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.licence_cancelled",
        entity_type="licence",
        entity_id=licence_id,
        before={"status": "pending_payment"},
        after={"status": "cancelled"},
    )
    await events.emit("licence.cancelled", licence_id=licence_id)  # its open payment attempts close (payments)
    fresh = await repository.get(licence_id)
    assert fresh is not None
    return await licence_out(fresh)


async def get(*, principal: Principal, licence_id: int) -> LicenceOut:
    return await licence_out(await party(principal, licence_id))


async def list_mine(*, principal: Principal) -> list[LicenceOut]:
    side = "licensor" if principal.org_kind.value == "university" else "licensee"
    return [await licence_out(r) for r in await repository.for_org(principal.org_id, side=side)]


async def filing(*, principal: Principal, licence_id: int, lang: str) -> FilingOut:
    """What either party files with CNIPA within 3 months (Implementing Regulations Art 15, 87)."""
    row = await party(principal, licence_id)
    if row.status != "active" or row.starts_on is None:
        raise Conflict(Msg("licence.filing_not_active"))
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    out = await licence_out(row)
    return FilingOut(
        licence_number=row.number,
        deadline=filing_deadline(row.starts_on),
        article=FILING_ARTICLE,
        article_text=gettext(lang, FILING_ARTICLE),
        licensor_name=out.licensor_name,
        licensee_name=row.licensee_name,
        licensee_credit_code=row.licensee_credit_code,
        licensee_address=row.licensee_address,
        licence_kind=LICENCE_KIND,
        licence_kind_text=gettext(lang, LICENCE_KIND),
        patent_number=patent.number,
        patent_title=out.patent_title,
        filing_date=patent.filing_date,
        grant_date=patent.grant_date,
        term_start=row.starts_on,
        term_end=row.ends_on,
        royalty=out.terms,
        contract_sha256=row.contract_sha256 or None,
    )


async def set_voucher_cover(licence_id: int, minor: int, actor: Actor) -> LicenceRecord:
    """Record what a service voucher pays of a licence's amount due (``finance.voucher_redemptions``, which holds
    that much on the licensee's entitlement in the same transaction); 0 clears it. Only while the licence waits
    for its payment (locked on PostgreSQL, as activation locks it), and never the whole amount: the licensee pays
    its own share (a programme's co-pay), so ``0 <= minor < amount due``. The payment then asks for the rest. A
    cover is cleared (0) whenever its hold is released: the licence cancelled, or paid in full after all."""
    row = await repository.get_for_update(licence_id)
    if row is None:
        raise NotFound(Msg("licence.not_found"))
    if row.status != "pending_payment" and minor != 0:
        raise Conflict(Msg("licence.voucher_not_pending"))  # once paid or cancelled, a cover may only be cleared
    if minor < 0 or (minor > 0 and minor >= row.amount_due_minor):
        refused = Msg("licence.voucher_cover_invalid", {"amount": Money(row.currency, row.amount_due_minor)})
        raise ValidationFailed(refused, errors=[FieldError("amount_minor", refused, code="cover_invalid")])
    if minor != row.voucher_cover_minor:
        await repository.set_voucher_cover(licence_id, minor)
        await record(
            actor=actor,
            action="finance.licence_voucher_cover",
            entity_type="licence",
            entity_id=licence_id,
            org_id=row.licensee,
            before={"voucher_cover_minor": row.voucher_cover_minor},
            after={"voucher_cover_minor": minor},
        )
    fresh = await repository.get(licence_id)
    assert fresh is not None
    return fresh


async def contract_issued(*, licence_id: int, sha256: str) -> None:
    """Told by ``finance.contracts`` in the transaction that stores the licence's contract: the licence shows it
    as ready, and its filing quotes the hash."""
    await repository.set_contract_sha256(licence_id, sha256)
