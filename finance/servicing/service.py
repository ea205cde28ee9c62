"""Servicing a registered pledge loan: the bank records the disbursement and each repayment (entries, insert only;
the balance is derived from them, never stored), the release falls due when the principal is repaid, and a default
declared makes the claim on a risk-compensation pool (an immutable decision with the snapshot it was computed
from). Every entry is a conditional update of the loan's version: two recorded at once never both pass (409)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from finance.loan_products import service as loan_products
from finance.loan_products.records import PoolRecord
from finance.registrations import service as registrations
from finance.servicing import claims, repository
from finance.servicing.claims import PoolTerms
from finance.servicing.records import EntryRecord, LoanRecord
from finance.servicing.schemas import ClaimOut, DefaultIn, EntryIn, EntryOut, LoanOut
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from market.i18n import Msg
from market.kit.money import Money

IP_SHARE_SCOPE = ("IP share", "知识产权部分")  # words: data (a pool's scope as the shared data states it)

loan_by_id = repository.get
loan_of_registration = repository.for_registration


async def open_loan(*, registration_id: int) -> LoanRecord | None:
    """A registered pledge gets its loan to service, once (``registrations.moved`` to ``registered``)."""
    existing = await repository.for_registration(registration_id)
    if existing is not None:
        return existing
    registration = await registrations.registration_by_id(registration_id)
    if registration is None or registration.state != "registered":
        return None
    loan_id = await repository.create(
        values={
            "registration": registration.id,
            "lender": registration.pledgee,
            "borrower": registration.pledgor,
            "principal_minor": registration.amount_minor,
            "currency": registration.currency,
            "pure_ip": registration.pure_ip,
            "state": "awaiting_disbursement",
            "version": 1,
        }
    )
    return await repository.get(loan_id)


def totals(entries: list[EntryRecord]) -> tuple[int, int, int]:
    """(disbursed, principal repaid, interest paid) in minor units: the balance is disbursed - repaid."""
    disbursed = sum(e.principal_minor for e in entries if e.kind == "disbursement")
    repaid = sum(e.principal_minor for e in entries if e.kind == "repayment")
    interest = sum(e.interest_minor for e in entries if e.kind == "repayment")
    return disbursed, repaid, interest


async def outstanding(loan_id: int) -> Money | None:
    """The loan's outstanding principal (disbursed - repaid, from its entries), for other modules (an insurer's
    guarantee claim on default); None if there is no such loan."""
    row = await repository.get(loan_id)
    if row is None:
        return None
    disbursed, repaid, _ = totals(await repository.entries(row.id))
    return Money(row.currency, disbursed - repaid)


async def party(principal: Principal, loan_id: int) -> LoanRecord:
    row = await repository.get(loan_id)
    if row is None or principal.org_id not in (row.lender, row.borrower):
        raise NotFound(Msg("loan.not_found"))
    return row


async def as_lender(principal: Principal, loan_id: int) -> LoanRecord:
    row = await party(principal, loan_id)
    if row.lender != principal.org_id:
        raise Forbidden(Msg("loan.lender_only"))
    return row


def _check_version(row: LoanRecord, version: int | None) -> None:
    if version is not None and version != row.version:
        raise Conflict(Msg("loan.stale"))


async def _append(
    row: LoanRecord, *, kind: str, data: EntryIn, actor: Actor, changes: dict[str, object]
) -> LoanRecord:
    """The entry and the loan's version bump in one transaction: a lost race is a 409 and writes nothing."""
    if not await repository.bump(row.id, version=row.version, changes=changes):
        raise Conflict(Msg("loan.stale"))
    await repository.add_entry(
        values={
            "loan": row.id,
            "seq": row.version,
            "kind": kind,
            "principal_minor": data.principal_minor,
            "interest_minor": data.interest_minor,
            "currency": row.currency,
            "occurred_on": data.occurred_on,
            "reference": data.reference,
            "recorded_by": actor.user_id,
        }
    )
    await record(
        actor=actor,
        action=f"finance.loan_{kind}",
        entity_type="loan",
        entity_id=row.id,
        org_id=row.lender,
        before={"state": row.state, "version": row.version},
        after={
            "principal_minor": data.principal_minor,
            "interest_minor": data.interest_minor,
            "occurred_on": data.occurred_on.isoformat(),
            "reference": data.reference,
            **{k: v.isoformat() if isinstance(v, date) else v for k, v in changes.items()},
        },
    )
    await events.emit(
        f"servicing.{kind}_recorded", loan_id=row.id, registration_id=row.registration, lender_org=row.lender
    )
    fresh = await repository.get(row.id)
    assert fresh is not None
    return fresh


async def record_disbursement(*, principal: Principal, loan_id: int, data: EntryIn) -> LoanOut:
    row = await as_lender(principal, loan_id)
    _check_version(row, data.version)
    if row.state not in ("awaiting_disbursement", "running"):
        raise Conflict(Msg("loan.not_running"))
    disbursed, _, _ = totals(await repository.entries(row.id))
    if data.principal_minor <= 0 or disbursed + data.principal_minor > row.principal_minor:
        over = Msg("loan.disbursement_over_principal", {"left": row.principal_minor - disbursed})
        raise ValidationFailed(over, errors=[FieldError("principal_minor", over, code="over_principal")])
    changes: dict[str, object] = {"state": "running"}
    if row.disbursed_on is None:
        changes["disbursed_on"] = data.occurred_on
    await _append(row, kind="disbursement", data=data, actor=Actor(principal.user_id, principal.org_id),
                  changes=changes)
    return await view(principal=principal, loan_id=loan_id)


async def record_repayment(*, principal: Principal, loan_id: int, data: EntryIn) -> LoanOut:
    """A repayment (principal and interest). When the principal is repaid in full the loan is repaid and the
    release (注销) of its pledge falls due."""
    row = await as_lender(principal, loan_id)
    _check_version(row, data.version)
    if row.state != "running":
        raise Conflict(Msg("loan.not_running"))
    disbursed, repaid, _ = totals(await repository.entries(row.id))
    balance = disbursed - repaid
    if data.principal_minor > balance:
        over = Msg("loan.repayment_over_balance", {"balance": balance})
        raise ValidationFailed(over, errors=[FieldError("principal_minor", over, code="over_balance")])
    if data.principal_minor == 0 and data.interest_minor == 0:
        empty = Msg("loan.repayment_empty")
        raise ValidationFailed(empty, errors=[FieldError("principal_minor", empty, code="empty")])
    paid_off = data.principal_minor == balance and disbursed == row.principal_minor
    actor = Actor(principal.user_id, principal.org_id)
    await _append(row, kind="repayment", data=data, actor=actor, changes={"state": "repaid"} if paid_off else {})
    if paid_off:
        await registrations.release_due(registration_id=row.registration, actor=actor)
        await events.emit("servicing.repaid", loan_id=row.id, registration_id=row.registration, lender_org=row.lender)
    return await view(principal=principal, loan_id=loan_id)


def terms_of(pool: PoolRecord) -> PoolTerms:
    """A bank products' pool as the claim reads it: its loss split (the rest stays with the bank), caps, and whether
    it covers pure IP pledges only or the IP share of a mixed one (its scope says so: Haikou)."""
    ip_share = any(words in pool.scope for words in IP_SHARE_SCOPE)
    return PoolTerms(
        key=pool.code,
        name_zh=pool.name_zh,
        name_en=pool.name_en,
        shares_bp=tuple((party, int(bp)) for party, bp in pool.loss_split_bp.items()),
        cap_first_year=pool.cap_first_year,
        cap_later=pool.cap_later,
        pure_ip_only=pool.pure_ip_only and not ip_share,
        ip_share_only=ip_share,
        source=pool.source,
    )


async def pool_choices() -> list[PoolTerms]:
    return [terms_of(p) for p in await loan_products.pools()]


async def pool_terms(code: str) -> PoolTerms:
    """A risk-compensation pool by its code (``pool-weihai``), from the bank products' pools."""
    for pool in await loan_products.pools():
        if pool.code == code:
            return terms_of(pool)
    unknown = Msg("loan.unknown_pool", {"pool": code})
    raise ValidationFailed(unknown, errors=[FieldError("pool", unknown, code="unknown_pool")])


async def declare_default(*, principal: Principal, loan_id: int, data: DefaultIn) -> LoanOut:
    """The bank declares the loan in default: the outstanding principal is the loss, and the claim on the pool is
    computed from the pool's shares and caps and recorded with its snapshot (immutable; once per loan)."""
    row = await as_lender(principal, loan_id)
    _check_version(row, data.version)
    if row.state != "running":
        raise Conflict(Msg("loan.not_running"))
    pool = await pool_terms(data.pool)
    entries = await repository.entries(row.id)
    disbursed, repaid, interest = totals(entries)
    loss = Money(row.currency, disbursed - repaid)
    assert row.disbursed_on is not None  # running loans have been disbursed
    claim = claims.compute(
        loss=loss,
        pool=pool,
        pure_ip=row.pure_ip,
        disbursed_on=row.disbursed_on,
        defaulted_on=data.on,
        ip_share_bp=data.ip_share_bp,
    )
    if not await repository.bump(row.id, version=row.version, changes={"state": "defaulted", "defaulted_on": data.on}):
        raise Conflict(Msg("loan.stale"))
    snapshot = {
        "loan": {
            "id": row.id,
            "registration": row.registration,
            "principal_minor": row.principal_minor,
            "currency": row.currency,
            "pure_ip": row.pure_ip,
            "disbursed_on": row.disbursed_on.isoformat(),
            "version": row.version,
        },
        "balance": {"disbursed_minor": disbursed, "repaid_minor": repaid, "interest_paid_minor": interest},
        "defaulted_on": data.on.isoformat(),
        "ip_share_bp": data.ip_share_bp,
        "pool": {
            "key": pool.key,
            "name_zh": pool.name_zh,
            "name_en": pool.name_en,
            "shares_bp": [list(s) for s in pool.shares_bp],
            "payers": list(pool.payers),
            "cap_first_year_minor": pool.cap_first_year.minor if pool.cap_first_year else None,
            "cap_later_minor": pool.cap_later.minor if pool.cap_later else None,
            "pure_ip_only": pool.pure_ip_only,
            "ip_share_only": pool.ip_share_only,
            "source": pool.source,
        },
        "base_minor": claim.base.minor,
        "cap_minor": claim.cap.minor if claim.cap else None,
        "capped": claim.capped,
    }
    await repository.add_claim(
        values={
            "loan": row.id,
            "pool": pool.key,
            "outcome": claim.outcome,
            "amount_minor": claim.amount.minor,
            "currency": row.currency,
            "reasons": list(claim.reasons),
            "lines": [
                {**asdict(line), "amount": {"minor": line.amount.minor, "currency": line.amount.currency}}
                for line in claim.lines
            ],
            "snapshot": snapshot,
            "text": data.text,
            "decided_by": principal.user_id,
        }
    )
    registration = await registrations.registration_by_id(row.registration)
    if registration is not None:
        await registrations.decide_on_case(
            registration,
            kind="pool_claim",
            outcome=claim.outcome,
            actor=Actor(principal.user_id, principal.org_id),
            role="lender",
            snapshot=snapshot,
            amount=claim.amount,
        )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.loan_defaulted",
        entity_type="loan",
        entity_id=row.id,
        org_id=row.lender,
        before={"state": row.state, "version": row.version},
        after={"state": "defaulted", "pool": pool.key, "claim_minor": claim.amount.minor, "outcome": claim.outcome},
    )
    await events.emit(
        "servicing.defaulted", loan_id=row.id, registration_id=row.registration, lender_org=row.lender
    )
    return await view(principal=principal, loan_id=loan_id)


async def mine(*, principal: Principal) -> list[LoanOut]:
    return [await view(principal=principal, loan_id=r.id) for r in await repository.for_org(principal.org_id)]


async def view(*, principal: Principal, loan_id: int) -> LoanOut:
    row = await party(principal, loan_id)
    entries = await repository.entries(row.id)
    disbursed, repaid, interest = totals(entries)
    claim = await repository.claim(row.id)
    return LoanOut(
        id=row.id,
        registration_id=row.registration,
        lender_org_id=row.lender,
        borrower_org_id=row.borrower,
        principal_minor=row.principal_minor,
        currency=row.currency,
        pure_ip=row.pure_ip,
        state=row.state,
        version=row.version,
        disbursed_minor=disbursed,
        repaid_minor=repaid,
        interest_paid_minor=interest,
        balance_minor=disbursed - repaid,
        disbursed_on=row.disbursed_on,
        defaulted_on=row.defaulted_on,
        entries=[EntryOut.model_validate(e) for e in entries],
        claim=ClaimOut.model_validate(claim) if claim else None,
    )
