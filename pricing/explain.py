"""The explanation: every factor and note the engine attaches to a suggestion, as codes with parameters.

Kept apart from the arithmetic in ``engine.py`` so that each reads on its own. The words are in ``pricing.po``
(``pricing.factor.*``, ``pricing.note.*``): they cite the article or notice behind each rule (Patent Law, its
Implementing Regulations, the 2024 CNIPA open-licence notice) and name the source of each figure; platform
parameters say that they are the platform's choice. ``source`` names a data file or parameter (data, not words).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from market.kit.law import CAP_CITATION, FIXED_FEE_CAP, PatentKind
from market.kit.messages import Msg, Param
from market.kit.money import Money
from pricing import caps
from pricing.fields import CONCORDANCE_SOURCE, FieldMatch
from pricing.params import ONE, PricingParams, format_cny, format_percent
from pricing.royalty_data import RoyaltyRow
from pricing.schemas import Factor, Note, PatentFacts, to_decimal

# The basis of each kind's factor (words in pricing.po: pricing.factor.kind_basis.<kind>) and its source.
CURRENCY = "CNY"
KIND_SOURCES = {
    PatentKind.invention: "platform reference",
    PatentKind.utility_model: "shared/domain/cn_ip_finance_and_open_license_policy_params.json: "
    "pledge_lending_parameters.bank_ltv_example_bocom (tertiary)",
    PatentKind.design: "platform parameter",
}


def kind_factor(kind: PatentKind, value: Decimal) -> Factor:
    """The patent-kind factor with its basis: the examined invention is the reference."""
    return Factor(
        key="patent_kind",
        value=f"x{value}",
        source=KIND_SOURCES[kind],
        message=Msg(
            "pricing.factor.patent_kind",
            {
                "kind": Msg(f"pricing.kind.{kind.value}"),
                "value": value,
                "basis": Msg(f"pricing.factor.kind_basis.{kind.value}"),
            },
        ),
        multiplier=value,
    )


def claims_factor(claims: int, p: PricingParams) -> Factor:
    """The claims-breadth factor with its tier."""
    value = p.claims_factor(claims)
    if claims <= p.narrow_claims_max:
        tier = Msg("pricing.claims_tier.at_most", {"n": p.narrow_claims_max})
    elif claims >= p.broad_claims_min:
        tier = Msg("pricing.claims_tier.or_more", {"n": p.broad_claims_min})
    else:
        tier = Msg("pricing.claims_tier.between", {"low": p.narrow_claims_max + 1, "high": p.broad_claims_min - 1})
    return Factor(
        key="claims_breadth",
        value=f"{claims} claims, x{value}",
        source="platform parameter (docs/pricing.md)",
        message=Msg("pricing.factor.claims_breadth", {"claims": claims, "tier": tier, "value": value}),
        multiplier=value,
    )


def term_of(remaining: Decimal, requested: Decimal | int | str | None) -> tuple[Decimal, Factor, Note | None]:
    """The licence term: as requested, never beyond the patent's remaining life."""
    wanted = None if requested is None else to_decimal(requested, "licence_term_years")
    if wanted is not None and wanted <= 0:
        raise ValueError("licence_term_years must be above 0")
    # Keyed on the digits, not the value: 10 and 10.0 are equal but must keep their own spelling in the text.
    key = (remaining.as_tuple(), None if wanted is None else wanted.as_tuple())
    explained = _TERMS.get(key)
    if explained is None:
        explained = _term_explained(remaining, wanted)
        if len(_TERMS) < 10_000:
            _TERMS[key] = explained
    return explained


_TERMS: dict[tuple[object, object], tuple[Decimal, Factor, Note | None]] = {}


def _term_explained(remaining: Decimal, wanted: Decimal | None) -> tuple[Decimal, Factor, Note | None]:
    note = None
    if wanted is None:
        term = remaining
    else:
        term = min(wanted, remaining)
        if wanted > remaining:
            note = Note(
                code="term_limited_to_patent_life",
                params={"wanted": wanted, "remaining": remaining},
                citation="law.patent.art42",
            )
    factor = Factor(
        key="remaining_life",
        value=f"remaining {remaining} years, term {term} years",
        source="patent facts; Patent Law Art 42 (terms of 20/10/15 years)",  # words: data
        message=Msg("pricing.factor.remaining_life", {"remaining": remaining, "term": term}),
    )
    return term, factor, note



def field_notes(
    patent: PatentFacts, matches: tuple[FieldMatch, ...], main_field: int | None, fell_back: bool
) -> list[Note]:
    """Notes on how the IPC codes were read and which industry applies."""
    notes: list[Note] = []
    bad = [m.code for m in matches if not m.valid]
    if bad:
        notes.append(Note(code="ipc_not_understood", params={"codes": tuple(bad)}))
    approx = [m.display for m in matches if m.approximate]
    if approx:
        notes.append(
            Note(code="ipc_field_approximate", params={"codes": tuple(approx)}, citation=CONCORDANCE_SOURCE)
        )
    if main_field is None:
        why = "design_locarno" if patent.kind is PatentKind.design and not patent.ipc_codes else "no_ipc_field"
        notes.append(
            Note(code="field_unknown", params={"why": Msg(f"pricing.note.{why}")}, citation=CONCORDANCE_SOURCE)
        )
    elif fell_back:
        notes.append(Note(code="industry_fallback", params={"field": main_field}))
    return notes


def encumbrance_notes(patent: PatentFacts) -> list[Note]:
    """Encumbrances do not move the price; they bar or qualify the declaration, which the user must know."""
    e = patent.encumbrances
    notes: list[Note] = []
    if e.exclusive_or_sole_licence:
        notes.append(Note(code="exclusive_licence_bars_declaration", citation="law.regs.art86.1"))
    if e.pledged and not e.pledgee_consents:
        notes.append(Note(code="pledge_needs_consent", citation="law.regs.art86.4"))
    if e.non_exclusive_licences:
        notes.append(
            Note(
                code="existing_ordinary_licences",
                params={"n": e.non_exclusive_licences},
                citation="law.patent.art51",
            )
        )
    return notes


def industry_factor(row: RoyaltyRow) -> Factor:
    quantiles = f"p25 {row.rate_p25}%, median {row.rate_median}%, p75 {row.rate_p75}%"
    return Factor(
        key="industry_distribution",
        value=f"{row.industry_code}: {quantiles}",
        source=f"{row.source} [{row.reliability.value}]" + (f"; {row.derivation}" if row.derivation else ""),
        message=Msg(
            "pricing.factor.industry_distribution",
            {
                "industry_zh": row.industry_name_zh,
                "industry_en": row.industry_name_en,
                "classification": row.classification,
                "industry_code": row.industry_code,
                "p25": row.rate_p25,
                "median": row.rate_median,
                "p75": row.rate_p75,
                "sample": _sample(row.sample_size),
            },
        ),
    )


def _sample(size: int | None) -> Msg:
    return Msg("pricing.sample_size", {"n": size}) if size else Msg("pricing.sample_size_not_stated")


def supporting_factor(row: RoyaltyRow) -> Factor:
    n = f"n={row.sample_size}" if row.sample_size else "n not stated"
    median = format_percent(row.rate_median)
    return Factor(
        key="supporting_evidence",
        value=f"median {median} ({n}, {row.year or 'n.d.'})",
        source=f"{row.source} [{row.reliability.value}]",
        message=Msg(
            "pricing.factor.supporting_evidence",
            {
                "median": row.rate_median,
                "n": row.sample_size if row.sample_size else Msg("pricing.not_stated"),
                "year": row.year or Msg("pricing.year_not_stated"),
            },
        ),
    )


def context_factor(row: RoyaltyRow) -> Factor:
    def pct(v: Decimal | None) -> str:
        return format_percent(v)

    return Factor(
        key="payment_mode_context",
        value=(f"{row.year}: lump/fixed {pct(row.share_lump_sum)}, running {pct(row.share_running_royalty)}, "
               f"free {pct(row.share_free)}, n={row.sample_size}"),
        source=f"{row.source} [{row.reliability.value}]",
        message=Msg(
            "pricing.factor.payment_mode_context",
            {
                "year": row.year,
                "industry_zh": row.industry_name_zh,
                "industry_en": row.industry_name_en,
                "lump": pct(row.share_lump_sum),
                "mean": row.lump_mean,
                "running": pct(row.share_running_royalty),
                "free": pct(row.share_free),
                "n": row.sample_size,
            },
        ),
    )


def open_licence_factor(value: Decimal) -> Factor:
    return Factor(
        key="open_licence_non_exclusive",
        value=f"x{value}",
        source="Patent Law Art 50-51; platform parameter",  # words: data
        message=Msg("pricing.factor.open_licence_non_exclusive", {"value": value}),
        multiplier=value,
    )


def no_comparables_factor(given: int, in_field: int, lumps: int, main_field: int | None) -> Factor:
    field: Param = main_field or Msg("pricing.field_unknown")
    return Factor(
        key="comparables",
        value=f"k=0 rate comparables ({in_field} in field of {given} given)",
        source="platform: concluded open licences in the same technology field",
        message=(
            Msg("pricing.factor.no_comparables_with_lumps", {"given": given, "in_field": in_field, "field": field,
                                                             "lumps": lumps})
            if lumps
            else Msg("pricing.factor.no_comparables", {"given": given, "in_field": in_field, "field": field})
        ),
    )


def discount_factor(term: Decimal, d: Decimal, factor: Decimal, annual_mid: int, present_mid: int) -> Factor:
    pct = format_percent(d * 100)
    return Factor(
        key="discount_rate",
        value=f"d={pct}, a({term})={factor}",
        source="platform parameter (docs/pricing.md)",
        message=Msg(
            "pricing.factor.discount_rate",
            {
                "rate": pct,
                "term": term,
                "factor": factor,
                "annual": Money(CURRENCY, annual_mid),
                "present": Money(CURRENCY, present_mid),
            },
        ),
    )


@lru_cache(maxsize=16)
def entry_factor(share: Decimal) -> Factor:
    pct = format_percent(share * 100)
    rest = format_percent((ONE - share) * 100)
    return Factor(
        key="entry_share",
        value=f"s={pct}",
        source="platform parameter (docs/pricing.md)",
        message=Msg("pricing.factor.entry_share", {"share": pct, "rest": rest}),
    )


@lru_cache(maxsize=2)
def profit_share_factor(rate: Decimal, share: Decimal, capped: bool) -> Factor:
    """How the share of profit is suggested: the net-sales rate times ``PROFIT_SHARE_FACTOR``, at most 40%."""
    return Factor(
        key="profit_share",
        value=f"{rate}% of net sales x {caps.PROFIT_SHARE_FACTOR} = {share}% of profit"
        f"{' (capped at ' + str(caps.MAX_PROFIT_SHARE_PERCENT) + '%)' if capped else ''}",
        source=CAP_CITATION,
        message=Msg(
            "pricing.factor.profit_share",
            {
                "rate": f"{rate}%",
                "factor": str(caps.PROFIT_SHARE_FACTOR),
                "share": f"{share}%",
                "cap": f"{caps.MAX_PROFIT_SHARE_PERCENT}%",
                "state": Msg("pricing.cap_applied" if capped else "pricing.cap_not_reached"),
            },
        ),
        multiplier=caps.PROFIT_SHARE_FACTOR,
    )


def caps_factor(applied: bool) -> Factor:
    state = "applied" if applied else "not reached"
    return Factor(
        key="legal_caps",
        value=f"running <= {caps.MAX_RUNNING_ROYALTY_PERCENT}% of net sales; fixed <= "
        f"{format_cny(FIXED_FEE_CAP.minor)}; {state}",
        source=CAP_CITATION,
        message=Msg(
            "pricing.factor.legal_caps",
            {
                "notice": Msg(CAP_CITATION),
                "rate": f"{caps.MAX_RUNNING_ROYALTY_PERCENT}%",
                "amount": FIXED_FEE_CAP,
                "state": Msg("pricing.cap_applied" if applied else "pricing.cap_not_reached"),
            },
        ),
    )


def comparables_factor(
    *, k: int, given: int, in_field: int, median: Decimal, weight: Decimal, credibility: int, mid: Decimal,
    main_field: int | None,
) -> Factor:
    """How the platform comparables moved and narrowed the band, and how many were used."""
    return Factor(
        key="comparables",
        value=f"k={k}, median {format_percent(median)}, w={weight:.4f}",
        source="platform: concluded open licences in the same technology field",
        message=Msg(
            "pricing.factor.comparables",
            {
                "given": given,
                "in_field": in_field,
                "field": main_field,
                "k": k,
                "median": format_percent(median),
                "credibility": credibility,
                "weight": f"{weight:.4f}",
                "mid": format_percent(mid),
            },
        ),
    )


def lump_comparables_factor(n: int, low: int, mid: int, high: int) -> Factor:
    return Factor(
        key="lump_sum_comparables",
        value=f"n={n}, min {format_cny(low)}, median {format_cny(mid)}, max {format_cny(high)}",
        source="platform: concluded lump-sum open licences in the same technology field",
        message=Msg("pricing.factor.lump_sum_comparables", {"n": n}),
    )


NEEDS_SALES_NOTE = Note(code="needs_sales_for_fixed_fees")
NEEDS_SALES_FOR_ENTRY_NOTE = Note(code="needs_sales_for_entry_fee")
