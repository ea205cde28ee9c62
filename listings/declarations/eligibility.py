"""May this patent be put under an open licence on these terms? Every reason that applies, each with its article.

Pure rules over plain facts: no database, no web. The service gathers the facts; the pages and the API show the
reasons. A rule that comes from the law cites it in ``article`` and in both messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from listings.declarations.advertising import find_advertising
from listings.patents.facts import LegalStatus, PatentFacts, Suspension
from listings.patents.lifetimes import add_years
from market.kit.formatting import format_money, format_percent_bp
from market.kit.law import CAP_NOTICE, FIXED_FEE_CAP, ROYALTY_CAP_BP, PatentKind, PaymentMode


@dataclass(frozen=True)
class DeclaredTerms:
    payment_mode: PaymentMode
    currency: str
    lump_sum_minor: int | None
    entry_fee_minor: int | None
    royalty_rate_bp: int | None
    term_years: int | None  # None: until the patent expires
    other_matters: str = ""


@dataclass(frozen=True)
class Reason:
    code: str
    field: str
    article: str
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh


def normalise_name(name: str) -> str:
    """Names compare without spaces and with full-width brackets made half-width: 浙江大学（杭州） == 浙江大学(杭州)."""
    table = str.maketrans({"（": "(", "）": ")", "\u3000": " "})
    return "".join(name.translate(table).split()).casefold()


def is_patentee(org_name: str, patentees: tuple[str, ...]) -> bool:
    wanted = normalise_name(org_name)
    return any(normalise_name(p) == wanted for p in patentees)


def check(*, patent: PatentFacts, terms: DeclaredTerms, declarant: str, today: date) -> list[Reason]:
    """Every reason this declaration may not be published; an empty list means it may."""
    reasons: list[Reason] = []
    reasons += _patent_reasons(patent, declarant, today)
    reasons += _terms_reasons(patent, terms, today)
    return reasons


def _patent_reasons(p: PatentFacts, declarant: str, today: date) -> list[Reason]:
    out: list[Reason] = []
    if p.jurisdiction != "CN":
        out.append(
            Reason(
                "not_chinese_patent",
                "number",
                "专利法第五十条 / Patent Law Art 50",
                "开放许可只适用于中国专利（向国家知识产权局声明，专利法第五十条）。",
                "Only Chinese patents can be put under an open licence: it is declared to CNIPA (Patent Law Art 50).",
            )
        )
    if p.legal_status is not LegalStatus.granted and p.legal_status not in (LegalStatus.lapsed, LegalStatus.expired):
        out.append(
            Reason(
                "not_granted",
                "legal_status",
                "专利法实施细则第八十五条 / Implementing Regulations Art 85",
                "专利尚未授权：开放许可声明应当在公告授予专利权后提出（实施细则第八十五条）。",
                "The patent is not granted: a declaration may only be made after the grant is announced "
                "(Implementing Regulations Art 85).",
            )
        )
    expired = p.legal_status is LegalStatus.expired or (p.expiry_date is not None and p.expiry_date <= today)
    if expired or p.legal_status in (LegalStatus.lapsed, LegalStatus.invalidated):
        out.append(
            Reason(
                "not_in_force",
                "legal_status",
                "专利法第四十二条、实施细则第八十六条 / Patent Law Art 42; Regs Art 86(5)",
                "专利权已终止（期限届满、未缴年费终止或被宣告无效），不能实行开放许可（专利法第四十二条、实施细则第八十六条）。",
                "The patent is no longer in force (expired, lapsed or invalidated) and cannot be open-licensed "
                "(Patent Law Art 42; Implementing Regulations Art 86).",
            )
        )
    if not is_patentee(declarant, p.patentees):
        out.append(
            Reason(
                "not_patentee",
                "patentees",
                "专利法第五十条；实施细则第八十五条 / Patent Law Art 50; Regs Art 85",
                f"声明人“{declarant}”不是登记的专利权人（{'、'.join(p.patentees) or '未登记'}）；"
                "开放许可只能由专利权人声明（专利法第五十条）。",
                f"The declarant “{declarant}” is not the recorded patentee "
                f"({', '.join(p.patentees) or 'none recorded'});"
                " only the patentee may declare an open licence (Patent Law Art 50).",
            )
        )
    if p.kind in (PatentKind.utility_model, PatentKind.design) and not p.evaluation_report_ref.strip():
        kind_zh = "实用新型" if p.kind is PatentKind.utility_model else "外观设计"
        out.append(
            Reason(
                "evaluation_report_missing",
                "evaluation_report_ref",
                "专利法第五十条 / Patent Law Art 50",
                f"{kind_zh}专利提出开放许可声明应当提供专利权评价报告（专利法第五十条）。",
                f"A {p.kind.value.replace('_', ' ')} needs a patent evaluation report for an open licence "
                "(Patent Law Art 50).",
            )
        )
    if p.exclusive_or_sole_open_ended or p.exclusive_or_sole_licence_until is not None:
        until = "（无终止日期）" if p.exclusive_or_sole_open_ended else f"至 {p.exclusive_or_sole_licence_until}"
        until_en = (
            "with no end date" if p.exclusive_or_sole_open_ended else f"until {p.exclusive_or_sole_licence_until}"
        )
        out.append(
            Reason(
                "exclusive_licence_in_force",
                "licences",
                "专利法实施细则第八十六条第（一）项 / Regs Art 86(1)",
                f"专利处于独占或者排他许可有效期限内{until}（实施细则第八十六条第（一）项）。",
                f"An exclusive or sole licence is in force {until_en} (Implementing Regulations Art 86(1)).",
            )
        )
    if p.suspension is not Suspension.none:
        which = (
            "第一百零三条（权属纠纷）" if p.suspension is Suspension.ownership_dispute else "第一百零四条（法院保全）"
        )
        which_en = (
            "Art 103 (ownership dispute)"
            if p.suspension is Suspension.ownership_dispute
            else "Art 104 (court preservation)"
        )
        out.append(
            Reason(
                "proceedings_suspended",
                "suspension",
                "专利法实施细则第八十六条第（二）项 / Regs Art 86(2)",
                f"专利权的有关程序依实施细则{which}中止（实施细则第八十六条第（二）项）。",
                f"Proceedings on the patent are suspended under Implementing Regulations {which_en} "
                "(Implementing Regulations Art 86(2)).",
            )
        )
    if p.annual_fees_paid_through is None or p.annual_fees_paid_through < today:
        paid = f"仅缴至 {p.annual_fees_paid_through}" if p.annual_fees_paid_through else "未登记缴费"
        paid_en = (
            f"paid only until {p.annual_fees_paid_through}" if p.annual_fees_paid_through else "no payment recorded"
        )
        out.append(
            Reason(
                "annual_fees_unpaid",
                "annual_fees_paid_through",
                "专利法实施细则第八十六条第（三）项 / Regs Art 86(3)",
                f"没有按照规定缴纳年费（{paid}；实施细则第八十六条第（三）项）。",
                f"Annual fees are not paid as required ({paid_en}; Implementing Regulations Art 86(3)).",
            )
        )
    if p.pledged and not p.pledgee_consent:
        out.append(
            Reason(
                "pledged_without_consent",
                "pledgee_consent",
                "专利法实施细则第八十六条第（四）项 / Regs Art 86(4)",
                "专利权已质押且未经质权人同意（实施细则第八十六条第（四）项）。",
                "The patent is pledged and the pledgee has not consented (Implementing Regulations Art 86(4)).",
            )
        )
    return out


def _cap(lang: str) -> str:
    return format_money(FIXED_FEE_CAP.minor, FIXED_FEE_CAP.currency, lang)


def _terms_reasons(p: PatentFacts, t: DeclaredTerms, today: date) -> list[Reason]:
    out: list[Reason] = []
    for field, amount in (("lump_sum_minor", t.lump_sum_minor), ("entry_fee_minor", t.entry_fee_minor)):
        if t.currency == FIXED_FEE_CAP.currency and amount is not None and amount > FIXED_FEE_CAP.minor:
            out.append(
                Reason(
                    "fixed_fee_over_cap",
                    field,
                    CAP_NOTICE,
                    f"固定费用 {format_money(amount, t.currency, 'zh')} 超过上限 {_cap('zh')}"
                    "（国家知识产权局2024年开放许可通知）。",
                    f"The fixed fee of {format_money(amount, t.currency, 'en')} exceeds the cap of {_cap('en')} "
                    "(CNIPA notice on open licensing, 2024).",
                )
            )
    if t.royalty_rate_bp is not None and t.royalty_rate_bp > ROYALTY_CAP_BP:
        out.append(
            Reason(
                "royalty_over_cap",
                "royalty_rate_bp",
                CAP_NOTICE,
                f"提成比例 {format_percent_bp(t.royalty_rate_bp)} 超过净销售额的 "
                f"{format_percent_bp(ROYALTY_CAP_BP)}（国家知识产权局2024年开放许可通知）。",
                f"The running royalty of {format_percent_bp(t.royalty_rate_bp)} exceeds "
                f"{format_percent_bp(ROYALTY_CAP_BP)} of net sales (CNIPA notice on open licensing, 2024).",
            )
        )
    found = find_advertising(t.other_matters)
    if found:
        out.append(
            Reason(
                "advertising_language",
                "other_matters",
                "专利法实施细则第八十五条第三款 / Regs Art 85(3)",
                f"声明内容不得出现商业性宣传用语：{'、'.join(found)}（实施细则第八十五条）。",
                f"The declaration may contain no commercial advertising language: {', '.join(found)} "
                "(Implementing Regulations Art 85).",
            )
        )
    if t.term_years is not None and p.expiry_date is not None and add_years(today, t.term_years) > p.expiry_date:
        out.append(
            Reason(
                "term_past_expiry",
                "term_years",
                "专利法第四十二条；实施细则第八十五条 / Patent Law Art 42; Regs Art 85",
                f"许可期限 {t.term_years} 年将超过专利权期限届满日 {p.expiry_date}（专利法第四十二条）；"
                "可选择“至专利权期满”。",
                f"A licence term of {t.term_years} years runs past the patent's expiry on {p.expiry_date} "
                "(Patent Law Art 42); choose “until expiry” instead.",
            )
        )
    return out
