"""May this patent be put under an open licence on these terms? Every reason that applies, each with its article.

Pure rules over plain facts: no database, no web. The service gathers the facts; the pages and the API show the
reasons. A reason is a code with parameters and the article it comes from (a catalogue code, ``law.*``): the words
are in the catalogues (``listings.po`` for ``declaration.<code>``, ``law.po`` for the articles), never here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date

from listings.declarations.advertising import findings
from listings.patents.facts import LegalStatus, PatentFacts, Suspension
from listings.patents.lifetimes import add_years
from listings.universities.names import matches, normalise_name
from market.kit.law import CAP_NOTICE, FIXED_FEE_CAP, PROFIT_SHARE_CAP_BP, ROYALTY_CAP_BP, PatentKind, PaymentMode
from market.kit.messages import Bp, Msg, Param
from market.kit.money import Money

__all__ = ["DeclaredTerms", "Reason", "check", "is_patentee", "normalise_name", "patent_reasons"]

ADVERTISING_ARTICLE = "law.regs.art85.3+ads.art9.3"
"""Implementing Regulations Art 85(3) read with the Advertising Law Art 9(3) (``law.po``, ``truthful.po``)."""


@dataclass(frozen=True)
class DeclaredTerms:
    payment_mode: PaymentMode
    currency: str
    lump_sum_minor: int | None
    entry_fee_minor: int | None
    royalty_rate_bp: int | None
    term_years: int | None  # None: until the patent expires
    other_matters: str = ""
    royalty_base: str = "net_sales"  # or "profit" (2024 CNIPA notice: at most 40% of profit)


@dataclass(frozen=True)
class Reason:
    """Why a declaration may not be made: ``code`` (stable for clients), the ``field`` it concerns, the ``article``
    it comes from (a catalogue code) and the ``params`` its message needs; the message is ``declaration.<code>``."""

    code: str
    field: str
    article: str
    params: Mapping[str, Param] = dc_field(default_factory=dict)

    @property
    def msg(self) -> Msg:
        return Msg(f"declaration.{self.code}", self.params)


def is_patentee(org_name: str, patentees: tuple[str, ...], aliases: tuple[str, ...] = ()) -> bool:
    """The declarant is a patentee under its own name or one of its recorded aliases (a former or formal name)."""
    return matches((org_name, *aliases), patentees)


def check(
    *, patent: PatentFacts, terms: DeclaredTerms, declarant: str, today: date, aliases: tuple[str, ...] = ()
) -> list[Reason]:
    """Every reason this declaration may not be published; an empty list means it may. ``aliases``: the other names
    the declarant has recorded, with evidence, as its own (``listings.universities``)."""
    reasons: list[Reason] = []
    reasons += _patent_reasons(patent, declarant, today, aliases)
    reasons += _date_reasons(patent, today)
    reasons += _terms_reasons(patent, terms, today)
    return reasons


def patent_reasons(*, patent: PatentFacts, declarant: str, today: date, aliases: tuple[str, ...] = ()) -> list[Reason]:
    """The reasons against the patent itself (its status, patentee, dates, licences, proceedings, pledge), whatever
    the terms: an empty list means the patent may be put under an open licence on acceptable terms."""
    return _patent_reasons(patent, declarant, today, aliases) + _date_reasons(patent, today)


def _patent_reasons(p: PatentFacts, declarant: str, today: date, aliases: tuple[str, ...]) -> list[Reason]:
    out: list[Reason] = []
    if p.jurisdiction != "CN":
        out.append(Reason("not_chinese_patent", "number", "law.patent.art50", {"jurisdiction": p.jurisdiction}))
    if p.legal_status is not LegalStatus.granted and p.legal_status not in (LegalStatus.lapsed, LegalStatus.expired):
        out.append(Reason("not_granted", "legal_status", "law.regs.art85", {"status": p.legal_status.value}))
    expired = p.legal_status is LegalStatus.expired or (p.expiry_date is not None and p.expiry_date <= today)
    if expired or p.legal_status in (LegalStatus.lapsed, LegalStatus.invalidated):
        out.append(
            Reason("not_in_force", "legal_status", "law.patent.art42+regs.art86.5", {"expiry_date": p.expiry_date})
        )
    if not is_patentee(declarant, p.patentees, aliases):
        out.append(
            Reason(
                "not_patentee",
                "patentees",
                "law.patent.art50+regs.art85",
                {"declarant": declarant, "patentees": p.patentees or None},
            )
        )
    if p.kind in (PatentKind.utility_model, PatentKind.design) and not p.evaluation_report_ref.strip():
        out.append(
            Reason(
                "evaluation_report_missing",
                "evaluation_report_ref",
                "law.patent.art50",
                {"kind": Msg(f"patent.kind.{p.kind.value}")},
            )
        )
    if p.exclusive_or_sole_open_ended or p.exclusive_or_sole_licence_until is not None:
        until = (
            Msg("declaration.until_no_end")
            if p.exclusive_or_sole_open_ended
            else Msg("declaration.until_date", {"date": p.exclusive_or_sole_licence_until})
        )
        out.append(Reason("exclusive_licence_in_force", "licences", "law.regs.art86.1", {"until": until}))
    if p.suspension is not Suspension.none:
        which = "law.regs.art103" if p.suspension is Suspension.ownership_dispute else "law.regs.art104"
        out.append(Reason("proceedings_suspended", "suspension", "law.regs.art86.2", {"under": Msg(which)}))
    if p.annual_fees_paid_through is None or p.annual_fees_paid_through < today:
        paid = (
            Msg("declaration.fees_paid_until", {"date": p.annual_fees_paid_through})
            if p.annual_fees_paid_through
            else Msg("declaration.fees_none_recorded")
        )
        out.append(Reason("annual_fees_unpaid", "annual_fees_paid_through", "law.regs.art86.3", {"paid": paid}))
    if p.pledged and not p.pledgee_consent:
        if p.pledge_registration_number:  # registered through the platform: the pledgee records its consent here
            params = {"pledgee": p.pledgee or "—", "registration_number": p.pledge_registration_number}
            out.append(Reason("pledged_without_recorded_consent", "pledgee_consent", "law.regs.art86.4", params))
        else:
            out.append(Reason("pledged_without_consent", "pledgee_consent", "law.regs.art86.4"))
    return out


def _date_reasons(p: PatentFacts, today: date) -> list[Reason]:
    """The register's dates must hang together before anything is declared on them: none in the future (a grant
    still to come is no grant, Implementing Regulations Art 85), the grant after the filing, and an expiry that can
    be computed from the filing date (Patent Law Art 42), or the declaration could state no licence term."""
    out: list[Reason] = []
    for field, day, article in (
        ("filing_date", p.filing_date, "law.patent.art42+regs.art85"),
        ("publication_date", p.publication_date, "law.regs.art85"),
        ("grant_date", p.grant_date, "law.regs.art85"),
    ):
        if day is not None and day > today:
            out.append(Reason(f"{field}_in_future", field, article, {"date": day}))
    if p.grant_date is not None and p.filing_date is not None and p.grant_date <= p.filing_date:
        out.append(
            Reason(
                "grant_not_after_filing",
                "grant_date",
                "law.regs.art85",
                {"grant_date": p.grant_date, "filing_date": p.filing_date},
            )
        )
    if p.expiry_date is None and p.jurisdiction == "CN":
        out.append(Reason("expiry_unknown", "filing_date", "law.patent.art42+regs.art85"))
    return out


def _terms_reasons(p: PatentFacts, t: DeclaredTerms, today: date) -> list[Reason]:
    out: list[Reason] = []
    for field, amount in (("lump_sum_minor", t.lump_sum_minor), ("entry_fee_minor", t.entry_fee_minor)):
        if t.currency == FIXED_FEE_CAP.currency and amount is not None and amount > FIXED_FEE_CAP.minor:
            out.append(
                Reason(
                    "fixed_fee_over_cap",
                    field,
                    CAP_NOTICE,
                    {"amount": Money(t.currency, amount), "cap": FIXED_FEE_CAP},
                )
            )
    if t.royalty_base == "profit":
        if t.royalty_rate_bp is not None and t.royalty_rate_bp > PROFIT_SHARE_CAP_BP:
            out.append(
                Reason(
                    "profit_share_over_cap",
                    "royalty_rate_bp",
                    CAP_NOTICE,
                    {"rate": Bp(t.royalty_rate_bp), "cap": Bp(PROFIT_SHARE_CAP_BP)},
                )
            )
    elif t.royalty_rate_bp is not None and t.royalty_rate_bp > ROYALTY_CAP_BP:
        out.append(
            Reason(
                "royalty_over_cap",
                "royalty_rate_bp",
                CAP_NOTICE,
                {"rate": Bp(t.royalty_rate_bp), "cap": Bp(ROYALTY_CAP_BP)},
            )
        )
    found = findings(t.other_matters)
    if found:
        out.append(
            Reason(
                "advertising_language",
                "other_matters",
                ADVERTISING_ARTICLE,
                {"terms": tuple(f.term for f in found)},
            )
        )
    if t.term_years is not None and p.expiry_date is not None and add_years(today, t.term_years) > p.expiry_date:
        out.append(
            Reason(
                "term_past_expiry",
                "term_years",
                "law.patent.art42+regs.art85",
                {"years": t.term_years, "expiry_date": p.expiry_date},
            )
        )
    return out
