"""Each eligibility rule refuses with its article; a patent that breaks several gets every reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from listings.declarations.eligibility import DeclaredTerms, LegalStatus, PatentFacts, Suspension, check
from market.i18n import gettext, render
from market.kit.law import PatentKind, PaymentMode

TODAY = date(2026, 11, 22)
UNIVERSITY = "浙江大学"

GOOD_PATENT = PatentFacts(
    number="CN108982325B", jurisdiction="CN", kind=PatentKind.invention, legal_status=LegalStatus.granted,
    expiry_date=date(2038, 7, 30), patentees=("浙江大学",), annual_fees_paid_through=date(2027, 7, 29),
)
GOOD_TERMS = DeclaredTerms(
    payment_mode=PaymentMode.entry_plus_royalty, currency="CNY", lump_sum_minor=None, entry_fee_minor=5_000_000,
    royalty_rate_bp=300, term_years=5, other_matters="许可范围：中国大陆。",
)


def codes(patent: PatentFacts = GOOD_PATENT, terms: DeclaredTerms = GOOD_TERMS, declarant: str = UNIVERSITY) -> dict:
    return {r.code: r for r in check(patent=patent, terms=terms, declarant=declarant, today=TODAY)}


def test_a_good_declaration_passes() -> None:
    assert codes() == {}


def test_full_width_brackets_and_spaces_do_not_make_another_patentee() -> None:
    patent = replace(GOOD_PATENT, patentees=("浙江大学（杭州）",))
    assert codes(patent, declarant="浙江大学 (杭州)") == {}


CASES = [
    ("not_granted", dict(legal_status=LegalStatus.pending), {}, "实施细则第八十五条"),
    ("not_in_force", dict(legal_status=LegalStatus.lapsed), {}, "专利法第四十二条"),
    ("not_in_force", dict(expiry_date=date(2026, 11, 1)), {}, "专利法第四十二条"),
    ("not_patentee", dict(patentees=("清华大学",)), {}, "专利法第五十条"),
    ("not_chinese_patent", dict(jurisdiction="US", number="US-8271025-B2"), {}, "专利法第五十条"),
    ("evaluation_report_missing", dict(kind=PatentKind.utility_model, expiry_date=date(2032, 1, 1)), {},
     "专利法第五十条"),
    ("evaluation_report_missing", dict(kind=PatentKind.design, expiry_date=date(2032, 1, 1)), {}, "专利法第五十条"),
    ("exclusive_licence_in_force", dict(exclusive_or_sole_licence_until=date(2028, 1, 1)), {}, "第八十六条第（一）项"),
    ("exclusive_licence_in_force", dict(exclusive_or_sole_open_ended=True), {}, "第八十六条第（一）项"),
    ("proceedings_suspended", dict(suspension=Suspension.ownership_dispute), {}, "第八十六条第（二）项"),
    ("proceedings_suspended", dict(suspension=Suspension.court_preservation), {}, "第八十六条第（二）项"),
    ("annual_fees_unpaid", dict(annual_fees_paid_through=date(2026, 7, 29)), {}, "第八十六条第（三）项"),
    ("annual_fees_unpaid", dict(annual_fees_paid_through=None), {}, "第八十六条第（三）项"),
    ("pledged_without_consent", dict(pledged=True), {}, "第八十六条第（四）项"),
    ("fixed_fee_over_cap", {}, dict(entry_fee_minor=2_000_000_001), "2024"),
    ("fixed_fee_over_cap", {}, dict(payment_mode=PaymentMode.lump_sum, lump_sum_minor=2_500_000_000,
                                    entry_fee_minor=None, royalty_rate_bp=None), "2024"),
    ("royalty_over_cap", {}, dict(royalty_rate_bp=2001), "2024"),
    ("advertising_language", {}, dict(other_matters="本技术国际领先，性能最佳"), "第八十五条"),
    ("advertising_language", {}, dict(other_matters="A world-leading, best-in-class sensor"), "第八十五条"),
    ("term_past_expiry", {}, dict(term_years=15), "专利法第四十二条"),
]


@pytest.mark.parametrize(("code", "patent_change", "terms_change", "article"), CASES)
def test_each_rule_refuses_and_cites_its_article(code: str, patent_change: dict, terms_change: dict,
                                                 article: str) -> None:
    found = codes(replace(GOOD_PATENT, **patent_change), replace(GOOD_TERMS, **terms_change))
    assert code in found, found
    reason = found[code]
    assert reason.article.startswith("law.") and article in gettext("zh", reason.article)
    # the article is in what the user reads, in both languages
    zh, en = render(reason.msg, "zh"), render(reason.msg, "en")
    assert ("第" in zh or "通知" in zh) and ("Art" in en or "notice" in en)
    assert "%(" not in zh + en, "every parameter is filled"


def test_the_caps_are_inclusive_limits() -> None:
    at_cap = replace(GOOD_TERMS, entry_fee_minor=2_000_000_000, royalty_rate_bp=2000)
    assert codes(terms=at_cap) == {}


def test_pledged_with_consent_and_a_utility_model_with_its_report_pass() -> None:
    patent = replace(GOOD_PATENT, pledged=True, pledgee_consent=True, kind=PatentKind.utility_model,
                     expiry_date=date(2032, 12, 2), evaluation_report_ref="PJ-2023-0001")
    assert codes(patent) == {}


def test_advertising_words_only_match_whole_english_words() -> None:
    assert codes(terms=replace(GOOD_TERMS, other_matters="Bestow rights on the licensee; no warranty.")) == {}


def test_a_patent_breaking_several_rules_gets_every_reason() -> None:
    patent = replace(
        GOOD_PATENT, kind=PatentKind.utility_model, legal_status=LegalStatus.pending, expiry_date=date(2030, 1, 1),
        patentees=("某公司",), annual_fees_paid_through=None, pledged=True, suspension=Suspension.court_preservation,
        exclusive_or_sole_licence_until=date(2027, 1, 1),
    )
    terms = replace(GOOD_TERMS, royalty_rate_bp=2500, entry_fee_minor=3_000_000_000, term_years=10,
                    other_matters="行业领先的顶级技术")
    assert set(codes(patent, terms)) == {
        "not_granted", "not_patentee", "evaluation_report_missing", "exclusive_licence_in_force",
        "proceedings_suspended", "annual_fees_unpaid", "pledged_without_consent", "fixed_fee_over_cap",
        "royalty_over_cap", "advertising_language", "term_past_expiry",
    }
