"""Open-licence declarations: check, publish (one or many), revise as a new version, withdraw. No HTTP here.

- Patent Law Art 50(1): the patentee declares, stating the payment method and standard; Art 50(2): withdrawal does
  not affect licences already granted (nothing here touches them).
- Implementing Regulations Art 85-86: what a declaration states and when none may be made (``eligibility``).
- A published version is never edited in place: a change is a new version, and the old ones stay readable.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime
from typing import Any, Protocol

from listings.declarations import cnipa, eligibility, repository
from listings.declarations.eligibility import DeclaredTerms, Reason
from listings.declarations.records import DeclarationRecord, DeclarationVersionRecord
from listings.declarations.schemas import (
    CnipaOut,
    DeclarationOut,
    DeclareIn,
    DeclareReport,
    DeclareResult,
    ReasonOut,
    TermsIn,
    VersionOut,
    WithdrawIn,
)
from listings.patents import service as patents
from listings.patents.records import PatentRecord
from listings.universities import service as universities
from market import events
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound, ValidationFailed
from market.kit.law import PaymentMode
from market.kit.messages import Bp, Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service

# What other modules read of declarations: through this service, never the repository.
declaration_by_id = repository.get
versions = repository.versions
versions_of = repository.versions_of
versions_by_ids = repository.versions_by_ids
published = repository.published
of_org = repository.for_org  # an organisation's declarations (by status), for other modules' catalogues

ALREADY_DECLARED = Reason("already_declared", "patent_ids", "law.patent.art50")


def declared_terms(terms: TermsIn) -> DeclaredTerms:
    return DeclaredTerms(
        payment_mode=terms.payment_mode,
        currency=terms.currency,
        lump_sum_minor=terms.lump_sum_minor,
        entry_fee_minor=terms.entry_fee_minor,
        royalty_rate_bp=terms.royalty_rate_bp,
        term_years=terms.term_years,
        other_matters=terms.other_matters,
        royalty_base=terms.royalty_base,
    )


class Terms(Protocol):
    """The payment terms a sentence is made of: a declaration's version, or the terms a licence was granted on."""

    @property
    def payment_mode(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def lump_sum_minor(self) -> int | None: ...
    @property
    def entry_fee_minor(self) -> int | None: ...
    @property
    def royalty_rate_bp(self) -> int | None: ...
    @property
    def term_years(self) -> int | None: ...


def plain_terms(version: Terms, expiry_date: date | None) -> list[Msg]:
    """The terms as a manager reads them without a lawyer: how to pay, for how long, and what kind of licence."""
    mode = PaymentMode(version.payment_mode)
    currency = version.currency
    rate = Bp(version.royalty_rate_bp or 0)
    on_profit = "_profit" if getattr(version, "royalty_base", "net_sales") == "profit" else ""
    pay = {
        PaymentMode.lump_sum: (
            Msg("declaration.terms.royalty_free")
            if not version.lump_sum_minor
            else Msg("declaration.terms.lump_sum", {"amount": Money(currency, version.lump_sum_minor)})
        ),
        PaymentMode.running_royalty: Msg(f"declaration.terms.running_royalty{on_profit}", {"rate": rate}),
        PaymentMode.entry_plus_royalty: Msg(
            f"declaration.terms.entry_plus_royalty{on_profit}",
            {"amount": Money(currency, version.entry_fee_minor or 0), "rate": rate},
        ),
    }[mode]
    term = (
        Msg("declaration.terms.years", {"years": version.term_years})
        if version.term_years
        else Msg("declaration.terms.until_expiry", {"expiry_date": expiry_date})
    )
    return [pay, term, Msg("declaration.terms.open_licence")]


def cnipa_out(version: DeclarationVersionRecord) -> CnipaOut:
    """The version's standing with CNIPA: published here and to be filed, or announced (Patent Law Art 50)."""
    published_on = version.published_at.date() if version.published_at else None
    return CnipaOut(
        state=cnipa.state(published_on=published_on, number=version.cnipa_number),
        published_on=published_on,
        number=version.cnipa_number or None,
        announced_on=version.cnipa_announced_on,
        status=MsgOut.of(
            cnipa.status_msg(
                published_on=published_on, number=version.cnipa_number, announced_on=version.cnipa_announced_on
            )
        ),
    )


def version_out(version: DeclarationVersionRecord, expiry_date: date | None) -> VersionOut:
    return VersionOut.model_validate(
        {
            **{f.name: getattr(version, f.name) for f in fields(version)},
            "summary": [MsgOut.of(m) for m in plain_terms(version, expiry_date)],
            "cnipa": cnipa_out(version),
        }
    )


def _version_values(terms: TermsIn, *, user_id: int, published_at: datetime | None) -> dict[str, Any]:
    return {
        "payment_mode": terms.payment_mode.value,
        "currency": terms.currency,
        "lump_sum_minor": terms.lump_sum_minor,
        "entry_fee_minor": terms.entry_fee_minor,
        "royalty_rate_bp": terms.royalty_rate_bp,
        "royalty_base": terms.royalty_base,
        "term_years": terms.term_years,
        "other_matters": terms.other_matters,
        "created_by": user_id,
        "published_at": published_at,
    }


async def _org_name(org_id: int) -> str:
    org = await org_service.org_by_id(org_id)
    return org.name if org else ""


async def _reasons_for(
    patent: PatentRecord, terms: TermsIn, declarant: str, today: date, aliases: tuple[str, ...] | None = None
) -> list[Reason]:
    """``aliases``: the declarant's recorded other names (read here when not given)."""
    licences = await patents.licences_in_force([patent.id], today)
    return eligibility.check(
        patent=patents.facts(patent, licences, pledgee=await patents.pledgee_name(patent)),
        terms=declared_terms(terms),
        declarant=declarant,
        today=today,
        aliases=aliases if aliases is not None else await universities.patentee_names(patent.organisation),
    )


def _actor(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.org_id)


def _terms_audit(terms: TermsIn) -> dict[str, Any]:
    return terms.model_dump(mode="json")


async def declare(*, principal: Principal, data: DeclareIn, dry_run: bool = False) -> DeclareReport:
    """Check every patent on the same terms; publish (or draft) those that pass, refuse the others with all their
    reasons. A refused patent writes nothing. ``dry_run`` only checks."""
    items = [(patent_id, data.terms) for patent_id in data.patent_ids]
    return await declare_each(principal=principal, items=items, publish=data.publish, dry_run=dry_run)


async def declare_each(
    *, principal: Principal, items: list[tuple[int, TermsIn]], publish: bool = True, dry_run: bool = False
) -> DeclareReport:
    """Declare many patents, each on its own terms (its own price): each is checked on its own and published (or
    drafted) or refused with all its reasons; each result carries its terms in plain words. A patent named twice
    counts once, with the first terms given. ``dry_run`` only checks."""
    if publish and not dry_run:
        org_service.require_approved(principal)  # only an approved university publishes
    today = patents.today()
    declarant = await _org_name(principal.org_id)
    ids = [patent_id for patent_id, _ in items]
    rows = {r.id: r for r in await patents.patents_by_ids(ids)}
    foreign = [i for i in ids if i not in rows or rows[i].organisation != principal.org_id]
    if foreign:  # naming another organisation's patent is an error in the request, not a matter of eligibility
        ids_text = ", ".join(map(str, dict.fromkeys(foreign)))
        raise NotFound(
            Msg("patent.not_found", {"ids": ids_text}),
            errors=[FieldError("patent_ids", Msg("patent.not_found", {"ids": ids_text}), code="not_found")],
        )
    terms_of: dict[int, TermsIn] = {}
    for patent_id, terms in items:  # each once, in the order given
        terms_of.setdefault(patent_id, terms)
    aliases = await universities.patentee_names(principal.org_id)  # once for all
    results: list[DeclareResult] = []
    for patent_id, terms in terms_of.items():
        patent = rows[patent_id]
        reasons = await _reasons_for(patent, terms, declarant, today, aliases)
        if await repository.live_for_patent(patent_id) is not None:
            reasons.append(ALREADY_DECLARED)
        summary = [MsgOut.of(m) for m in plain_terms(terms, patent.expiry_date)]
        base = DeclareResult(patent_id=patent_id, number=patent.number, outcome="eligible", terms_summary=summary)
        if reasons:
            results.append(
                base.model_copy(update={"outcome": "refused", "reasons": [ReasonOut.of_reason(r) for r in reasons]})
            )
            continue
        if dry_run:
            results.append(base)
            continue
        declaration_id = await _create(principal, patent, terms, publish=publish)
        results.append(
            base.model_copy(update={"outcome": "published" if publish else "draft", "declaration_id": declaration_id})
        )
    return DeclareReport(
        published=sum(r.outcome == "published" for r in results),
        drafts=sum(r.outcome == "draft" for r in results),
        refused=sum(r.outcome == "refused" for r in results),
        results=results,
    )


async def _create(principal: Principal, patent: PatentRecord, terms: TermsIn, *, publish: bool) -> int:
    now = datetime.now(UTC)
    published_at = now if publish else None
    declaration_id = await repository.create(
        org_id=principal.org_id,
        patent_id=patent.id,
        status="published" if publish else "draft",
        published_at=published_at,
    )
    await repository.add_version(
        declaration_id, {"version": 1, **_version_values(terms, user_id=principal.user_id, published_at=published_at)}
    )
    await record(
        actor=_actor(principal),
        action="listings.declaration_published" if publish else "listings.declaration_drafted",
        entity_type="declaration",
        entity_id=declaration_id,
        after={
            "patent": patent.number,
            "version": 1,
            "status": "published" if publish else "draft",
            "terms": _terms_audit(terms),
            **await _pledgee_consent_audit(patent),
        },
    )
    await _changed(declaration_id)
    if publish:
        await _filing_due(declaration_id, 1, "declaration")
    return declaration_id


async def _pledgee_consent_audit(patent: PatentRecord) -> dict[str, Any]:
    """A pledged patent declared with its pledgee's consent: the consent record it rests on (Implementing
    Regulations Art 86(4)), cited in the declaration's audit event."""
    consent = await patents.current_consent(patent.id, "open_licence") if patent.pledged else None
    if consent is None:
        return {}
    return {
        "pledgee_consent": {
            "consent": consent.id,
            "pledgee_org": consent.pledgee_org,
            "registration_number": consent.registration_number,
            "recorded_at": consent.recorded_at.isoformat(),
            "article": "law.regs.art86.4",
        }
    }


async def _changed(declaration_id: int) -> None:
    """What follows a change of a declaration, in its transaction: the patent register learns the declaration's
    status (its Art 51(3) check reads it there), and ``declaration.changed`` is emitted (the search index follows)."""
    row = await repository.get(declaration_id)
    assert row is not None
    await patents.open_licence_changed(patent_id=row.patent, declaration_id=declaration_id, status=row.status)
    await events.emit("declaration.changed", declaration_id=declaration_id)


async def _filing_due(declaration_id: int, version: int, event: str) -> None:
    """The university is told what to file with CNIPA (Patent Law Art 50): ``declaration.filing_due`` (the
    listings jobs notify its members, with the export to download)."""
    await events.emit("declaration.filing_due", declaration_id=declaration_id, version=version, event=event)


async def _owned(principal: Principal, declaration_id: int) -> DeclarationRecord:
    row = await repository.get(declaration_id)
    if row is None or row.organisation != principal.org_id:
        raise NotFound(Msg("declaration.not_found"))
    return row


def _refusal(reasons: list[Reason]) -> ValidationFailed:
    return ValidationFailed(
        Msg("declaration.refused"),
        errors=[FieldError(r.field, r.msg, code=r.code, article=r.article, params=r.params) for r in reasons],
    )


async def publish(*, principal: Principal, declaration_id: int) -> DeclarationOut:
    """Publish a draft after checking it again (facts may have changed since it was drafted)."""
    org_service.require_approved(principal)  # only an approved university publishes
    row = await _owned(principal, declaration_id)
    if row.status != "draft":
        raise Conflict(Msg("declaration.only_draft_publishes", {"status": Msg(f"declaration.status.{row.status}")}))
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    [draft] = [v for v in await repository.versions(declaration_id) if v.version == row.current_version]
    terms = TermsIn.model_validate({k: getattr(draft, k) for k in TermsIn.model_fields})
    reasons = await _reasons_for(patent, terms, await _org_name(principal.org_id), patents.today())
    if reasons:
        raise _refusal(reasons)
    now = datetime.now(UTC)
    await repository.update(declaration_id, {"status": "published", "published_at": now})
    await repository.update_version(declaration_id, draft.version, {"published_at": now})
    await record(
        actor=_actor(principal),
        action="listings.declaration_published",
        entity_type="declaration",
        entity_id=declaration_id,
        before={"status": "draft"},
        after={"status": "published", "version": draft.version},
    )
    await _changed(declaration_id)
    await _filing_due(declaration_id, draft.version, "declaration")
    return await get(principal=principal, declaration_id=declaration_id)


async def revise(*, principal: Principal, declaration_id: int, terms: TermsIn) -> DeclarationOut:
    """New terms. A draft is changed in place; a published declaration gets a new published version (checked
    again) and the previous one is kept, marked superseded."""
    row = await _owned(principal, declaration_id)
    if row.status == "withdrawn":
        raise Conflict(Msg("declaration.withdrawn_cannot_revise"))
    if row.status == "published":
        org_service.require_approved(principal)  # a new published version is publishing
    if row.status == "draft":
        await repository.update_version(
            declaration_id, row.current_version, _version_values(terms, user_id=principal.user_id, published_at=None)
        )
        await record(
            actor=_actor(principal),
            action="listings.declaration_draft_changed",
            entity_type="declaration",
            entity_id=declaration_id,
            after={"terms": _terms_audit(terms)},
        )
        return await get(principal=principal, declaration_id=declaration_id)
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    reasons = await _reasons_for(patent, terms, await _org_name(principal.org_id), patents.today())
    if reasons:
        raise _refusal(reasons)
    now = datetime.now(UTC)
    new_version = row.current_version + 1
    await repository.update_version(declaration_id, row.current_version, {"superseded_at": now})
    await repository.add_version(
        declaration_id, {"version": new_version, **_version_values(terms, user_id=principal.user_id, published_at=now)}
    )
    await repository.update(declaration_id, {"current_version": new_version})
    await record(
        actor=_actor(principal),
        action="listings.declaration_revised",
        entity_type="declaration",
        entity_id=declaration_id,
        before={"version": row.current_version},
        after={"version": new_version, "terms": _terms_audit(terms)},
    )
    await _changed(declaration_id)
    await _filing_due(declaration_id, new_version, "revision")
    return await get(principal=principal, declaration_id=declaration_id)


async def withdraw(*, principal: Principal, declaration_id: int, data: WithdrawIn) -> DeclarationOut:
    """Withdraw (Patent Law Art 50(2)): announced as withdrawn; licences already granted stay in force."""
    row = await _owned(principal, declaration_id)
    if row.status == "withdrawn":
        raise Conflict(Msg("declaration.already_withdrawn"))
    now = datetime.now(UTC)
    await repository.update(
        declaration_id, {"status": "withdrawn", "withdrawn_at": now, "withdrawal_reason": data.reason}
    )
    await record(
        actor=_actor(principal),
        action="listings.declaration_withdrawn",
        entity_type="declaration",
        entity_id=declaration_id,
        before={"status": row.status},
        after={"status": "withdrawn", "reason": data.reason},
    )
    await _changed(declaration_id)
    if row.status == "published":
        await _filing_due(declaration_id, row.current_version, "withdrawal")
    return await get(principal=principal, declaration_id=declaration_id)


async def _declaration_out(
    row: DeclarationRecord, patent: PatentRecord, versions: list[DeclarationVersionRecord]
) -> DeclarationOut:
    outs = [version_out(v, patent.expiry_date) for v in versions]
    current = next(v for v in outs if v.version == row.current_version)
    return DeclarationOut(
        id=row.id,
        org_id=row.organisation,
        patent_id=patent.id,
        patent_number=patent.number,
        patent_title=patent.title_zh or patent.title_en,
        status=row.status,
        current_version=row.current_version,
        published_at=row.published_at,
        withdrawn_at=row.withdrawn_at,
        withdrawal_reason=row.withdrawal_reason,
        terms=current,
        versions=outs,
        cnipa=current.cnipa if row.status != "draft" else None,
    )


async def get(*, principal: Principal, declaration_id: int) -> DeclarationOut:
    row = await _owned(principal, declaration_id)
    patent = await patents.patent_by_id(row.patent)
    assert patent is not None
    return await _declaration_out(row, patent, await repository.versions(declaration_id))


async def list_mine(
    *, principal: Principal, status: str | None = None, page: int = 1, per_page: int = 50
) -> list[DeclarationOut]:
    rows, _ = await repository.for_org(principal.org_id, status=status, limit=per_page, offset=(page - 1) * per_page)
    patents_by_id = {p.id: p for p in await patents.patents_by_ids([r.patent for r in rows])}
    versions = await repository.versions_of([r.id for r in rows])
    return [await _declaration_out(r, patents_by_id[r.patent], versions[r.id]) for r in rows]


async def count_mine(*, principal: Principal, status: str | None = None) -> int:
    """How many declarations the principal's organisation has (of one status: draft, published, withdrawn)."""
    _, total = await repository.for_org(principal.org_id, status=status, limit=1, offset=0)
    return total


# What listings.declarations.filing (the CNIPA filing use cases) shares with this service.
owned = _owned
org_name = _org_name
changed = _changed


async def eligible_count(*, principal: Principal, limit: int = 10_000) -> int:
    """How many of the organisation's patents (at most ``limit`` read) may be put under an open licence today, on
    acceptable terms: no reason against the patent itself (a university's funnel: patents, eligible, published,
    licensed, income). Those already declared count as eligible when nothing stands against them."""
    rows = await patents.patents_of_org(principal.org_id, limit=limit)
    if not rows:
        return 0
    today = patents.today()
    declarant = await _org_name(principal.org_id)
    aliases = await universities.patentee_names(principal.org_id)
    in_force = await patents.licences_in_force([r.id for r in rows], today)
    count = 0
    for row in rows:
        facts = patents.facts(
            row, [lic for lic in in_force if lic.patent == row.id], pledgee=await patents.pledgee_name(row)
        )
        if not eligibility.patent_reasons(patent=facts, declarant=declarant, today=today, aliases=aliases):
            count += 1
    return count
