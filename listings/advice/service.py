"""From a stored patent (or facts given directly) to a pricing suggestion, and a price checked against it.

``pricing`` is the calculation; this module gathers its inputs: the patent's kind, IPC codes, remaining life,
claims and encumbrances, and, as comparables, the terms of open licences concluded on the platform in the same
technology field (Patent Law Art 51: the licences granted under declarations).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pricing
from listings.advice.records import ConcludedTermsRecord
from listings.advice.schemas import (
    BandOut,
    FactorOut,
    NoteOut,
    PriceCheckOut,
    SuggestFactsIn,
    SuggestionOut,
)
from listings.declarations import service as declarations
from listings.declarations.records import DeclarationVersionRecord
from listings.declarations.schemas import TermsIn
from listings.patents import service as patents
from listings.patents.lifetimes import remaining_years
from listings.patents.records import PatentRecord
from market.accounts.principal import Principal
from market.errors import FieldError, MarketError, ValidationFailed
from market.kit.law import PatentKind, PaymentMode
from market.kit.messages import Msg
from market.kit.money import Money
from market.kit.words import MsgOut

# Claims not recorded: the middle tier (no widening, no narrowing), said so in a note.
NEUTRAL_CLAIMS = pricing.DEFAULT_PARAMS.narrow_claims_max + 1
OPERATOR_TABLE = "pricing/royalty_statistics.csv"  # under the data directory, written by `market pricing import`


def engine_for(data_dir: str) -> pricing.Engine:
    """The operator's imported royalty table when there is one, else the shipped starting default. A table
    imported while the app runs is picked up at the next suggestion (the cache is keyed by the file's mtime)."""
    imported = Path(data_dir) / OPERATOR_TABLE
    return _engine(str(imported) if imported.exists() else "", imported.stat().st_mtime_ns if imported.exists() else 0)


@lru_cache(maxsize=4)
def _engine(path: str, mtime_ns: int) -> pricing.Engine:
    return pricing.engine_from_files(royalty_path=Path(path) if path else None)


def _band(low: Decimal, mid: Decimal, high: Decimal, scale: int) -> BandOut:
    return BandOut(low=int(low * scale), mid=int(mid * scale), high=int(high * scale))


def _money_band(band: pricing.MoneyBand | None) -> BandOut | None:
    return None if band is None else BandOut(low=band.low.minor, mid=band.mid.minor, high=band.high.minor)


def suggestion_out(s: pricing.Suggestion, extra_notes: list[NoteOut]) -> SuggestionOut:
    rr, epr = s.running_royalty, s.entry_plus_royalty.running_royalty
    out = SuggestionOut(
        currency="CNY",
        industry_zh=s.industry.name_zh,
        industry_en=s.industry.name_en,
        fields_zh=[f.name_zh for f in s.fields],
        fields_en=[f.name_en for f in s.fields],
        running_royalty_bp=_band(rr.low, rr.mid, rr.high, 100),
        profit_share_bp=(
            _band(s.profit_share.low, s.profit_share.mid, s.profit_share.high, 100) if s.profit_share else None
        ),
        entry_fee_minor=_money_band(s.entry_plus_royalty.entry_fee),
        entry_royalty_bp=_band(epr.low, epr.mid, epr.high, 100),
        lump_sum_minor=_money_band(s.lump_sum),
        annual_royalty_minor=_money_band(s.annual_royalty),
        term_years=str(s.term_years),
        discount_rate_pct=str(s.discount_rate),
        confidence=s.confidence.value,
        sample_size=s.sample_size,
        comparables_used=s.comparables_used,
        capped=s.capped,
        data_is_official=s.data_is_official,
        factors=[
            FactorOut(key=f.key, value=f.value, source=f.source, code=f.message.code, params=dict(f.message.params))
            for f in s.factors
        ],
        notes=[note_out(n) for n in s.notes] + extra_notes,
    )
    out.attach(s)
    return out


def note_out(note: pricing.Note) -> NoteOut:
    return NoteOut(code=note.code, params=dict(note.params), citation=note.citation)


def _claims(count: int | None) -> tuple[int, list[NoteOut]]:
    if count:
        return count, []
    return NEUTRAL_CLAIMS, [NoteOut(code="claims_unknown")]


def _pricing_facts(
    *,
    kind: str,
    ipc_codes: list[str],
    years: Decimal,
    claims: int,
    exclusive: bool,
    pledged: bool,
    pledgee_consents: bool = False,
) -> pricing.PatentFacts:
    if years <= 0:
        raise ValidationFailed(
            Msg("advice.no_remaining_term"),
            errors=[FieldError("remaining_years", Msg("advice.no_remaining_term"), article="law.patent.art42")],
        )
    try:
        return pricing.PatentFacts(
            kind=PatentKind(kind),
            ipc_codes=tuple(ipc_codes),
            remaining_years=years,
            claims_count=claims,
            encumbrances=pricing.Encumbrances(
                exclusive_or_sole_licence=exclusive, pledged=pledged, pledgee_consents=pledgee_consents
            ),
        )
    except ValueError as exc:  # the library's reason is for developers (it stays on the exception's cause)
        refused = Msg("advice.facts_invalid")
        raise ValidationFailed(refused, errors=[FieldError("facts", refused, article="law.patent.art42")]) from exc


def main_field(ipc_codes: list[str], engine: pricing.Engine) -> int | None:
    """The WIPO field of the first IPC code that has one (the main classification decides)."""
    return next((m.fields[0] for m in engine.field_matches(ipc_codes) if m.fields), None)


async def concluded_open_licence_terms(limit: int = 5000) -> list[ConcludedTermsRecord]:
    """The evidence: each open licence granted on the platform with the declared terms it was granted on and its
    patent's IPC (from the patents' and the declarations' services)."""
    licences = await patents.open_licences(limit)
    if not licences:
        return []
    versions = {v.id: v for v in await declarations.versions_by_ids([lic.declaration_version for lic in licences])}
    ipc = {p.id: p.ipc_codes for p in await patents.patents_by_ids([lic.patent for lic in licences])}
    out = []
    for lic in licences:
        version = versions.get(lic.declaration_version)
        if version is not None:
            out.append(
                ConcludedTermsRecord(
                    reference=lic.reference,
                    ipc_codes=ipc.get(lic.patent, []),
                    payment_mode=version.payment_mode,
                    currency=version.currency,
                    lump_sum_minor=version.lump_sum_minor,
                    entry_fee_minor=version.entry_fee_minor,
                    royalty_rate_bp=version.royalty_rate_bp,
                    term_years=version.term_years,
                )
            )
    return out


async def comparables_for(
    ipc_codes: list[str], *, engine: pricing.Engine, evidence: list[ConcludedTermsRecord] | None = None
) -> list[pricing.Comparable]:
    """Terms of open licences concluded on the platform whose patent is in the same technology field."""
    field = main_field(ipc_codes, engine)
    if field is None:
        return []
    return [
        _comparable(row, field)
        for row in (evidence if evidence is not None else await concluded_open_licence_terms())
        if main_field(row.ipc_codes or [], engine) == field
    ]


def _comparable(row: ConcludedTermsRecord, field: int) -> pricing.Comparable:
    rate = Decimal(row.royalty_rate_bp) / 100 if row.royalty_rate_bp is not None else None
    mode = PaymentMode(row.payment_mode)
    return pricing.Comparable(
        field=field,
        mode=mode,
        rate_percent=rate,
        lump_sum=Money("CNY", int(row.lump_sum_minor or 0)) if mode is PaymentMode.lump_sum else None,
        entry_fee=Money("CNY", int(row.entry_fee_minor)) if row.entry_fee_minor is not None else None,
        reference=f"licence {row.reference}",
    )


async def suggest_for_patent(
    *,
    principal: Principal,
    patent_id: int,
    data_dir: Path,
    expected_annual_net_sales_minor: int | None = None,
    term_years: int | None = None,
) -> SuggestionOut:
    row = await patents.owned(principal, patent_id)
    return await suggest_for_row(
        row, data_dir=data_dir, expected_annual_net_sales_minor=expected_annual_net_sales_minor, term_years=term_years
    )


async def suggest_each(
    *,
    principal: Principal,
    patent_ids: list[int],
    data_dir: Path,
    expected_annual_net_sales_minor: int | None = None,
    term_years: int | None = None,
) -> dict[int, SuggestionOut | None]:
    """A suggestion for each of the principal's patents (a bulk declaration prices each on its own): the evidence is
    read once for all; a patent that cannot be priced gets None."""
    evidence = await concluded_open_licence_terms()
    rows = {r.id: r for r in await patents.patents_by_ids(patent_ids) if r.organisation == principal.org_id}
    out: dict[int, SuggestionOut | None] = {}
    for patent_id in patent_ids:
        row = rows.get(patent_id)
        try:
            out[patent_id] = (
                await suggest_for_row(
                    row,
                    data_dir=data_dir,
                    expected_annual_net_sales_minor=expected_annual_net_sales_minor,
                    term_years=term_years,
                    evidence=evidence,
                )
                if row is not None
                else None
            )
        except MarketError:
            out[patent_id] = None
    return out


async def suggest_for_row(
    row: PatentRecord,
    *,
    data_dir: Path,
    expected_annual_net_sales_minor: int | None = None,
    term_years: int | None = None,
    evidence: list[ConcludedTermsRecord] | None = None,
) -> SuggestionOut:
    engine = engine_for(str(data_dir))
    claims, notes = _claims(row.claims_count)
    years = remaining_years(row.expiry_date, patents.today())
    facts = _pricing_facts(
        kind=row.kind,
        ipc_codes=row.ipc_codes,
        years=years,
        claims=claims,
        exclusive=False,
        pledged=bool(row.pledged),
        pledgee_consents=bool(row.pledgee_consent),
    )
    licensee = (
        pricing.LicenseeFacts(Money("CNY", expected_annual_net_sales_minor))
        if expected_annual_net_sales_minor
        else None
    )
    comparables = await comparables_for(row.ipc_codes, engine=engine, evidence=evidence)
    suggestion = engine.suggest(facts, licensee, comparables=comparables, licence_term_years=term_years)
    return suggestion_out(suggestion, notes)


async def suggest_for_facts(*, data: SuggestFactsIn, data_dir: Path) -> SuggestionOut:
    engine = engine_for(str(data_dir))
    claims, notes = _claims(data.claims_count)
    facts = _pricing_facts(
        kind=data.kind.value,
        ipc_codes=data.ipc_codes,
        years=Decimal(data.remaining_years),
        claims=claims,
        exclusive=data.exclusive_or_sole_licence,
        pledged=data.pledged,
    )
    licensee = (
        pricing.LicenseeFacts(Money("CNY", data.expected_annual_net_sales_minor))
        if data.expected_annual_net_sales_minor
        else None
    )
    comparables = await comparables_for(data.ipc_codes, engine=engine)
    return suggestion_out(
        engine.suggest(facts, licensee, comparables=comparables, licence_term_years=data.term_years), notes
    )


def offer_of(terms: TermsIn) -> pricing.Offer:
    mode = PaymentMode(terms.payment_mode.value)
    rate = Decimal(terms.royalty_rate_bp) / 100 if terms.royalty_rate_bp is not None else None
    amount_minor = terms.lump_sum_minor if mode is PaymentMode.lump_sum else terms.entry_fee_minor
    amount = Money(terms.currency, amount_minor) if amount_minor is not None else None
    return pricing.Offer(mode=mode, rate_percent=rate, amount=amount)


def check_offer(suggestion: SuggestionOut, terms: TermsIn) -> PriceCheckOut:
    """Where the declared price lies against the suggestion (a warning for the university, a badge for firms)."""
    source = suggestion.source()
    check = pricing.within_band(source, offer_of(terms))
    return PriceCheckOut(
        position=check.position.value,
        over_legal_cap=check.over_legal_cap,
        messages=[MsgOut.of(m) for m in check.messages],
    )


async def price_checks(
    listings: list[tuple[PatentRecord, DeclarationVersionRecord]], *, data_dir: Path
) -> list[PriceCheckOut | None]:
    """The badge of each (patent, declaration version): its price against the suggested band, None where that
    cannot be told. The platform's licences (the comparables) are read once for the whole page."""
    evidence = await concluded_open_licence_terms() if listings else []
    out: list[PriceCheckOut | None] = []
    for patent, version in listings:
        try:
            suggestion = await suggest_for_row(
                patent, data_dir=data_dir, term_years=version.term_years, evidence=evidence
            )
            terms = TermsIn.model_validate({k: getattr(version, k) for k in TermsIn.model_fields})
            out.append(check_offer(suggestion, terms))
        except (MarketError, ValueError):
            out.append(None)
    return out
