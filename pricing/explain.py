"""The explanation: every factor and note the engine attaches to a suggestion, in Chinese and English.

Kept apart from the arithmetic in ``engine.py`` so that each reads on its own. Texts cite the article or notice
behind each rule (Patent Law, its Implementing Regulations, the 2024 CNIPA open-licence notice) and name the
source of each figure; platform parameters say that they are the platform's choice.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from market.kit.law import CAP_CITATION, CAP_INSTRUMENT_EN, CAP_INSTRUMENT_ZH, FIXED_FEE_CAP, PatentKind
from pricing import caps
from pricing.fields import CONCORDANCE_SOURCE, FieldMatch
from pricing.params import ONE, PricingParams, format_cny, format_percent
from pricing.royalty_data import RoyaltyRow
from pricing.schemas import Factor, Note, PatentFacts, to_decimal

KIND_NAMES = {
    PatentKind.invention: ("发明专利", "invention patent"),
    PatentKind.utility_model: ("实用新型专利", "utility model"),
    PatentKind.design: ("外观设计专利", "design patent"),
}



def kind_factor(kind: PatentKind, value: Decimal) -> Factor:
    """The patent-kind factor with its basis: the examined invention is the reference."""
    zh, en = KIND_NAMES[kind]
    basis = {
        PatentKind.invention: ("发明专利经实质审查，作为基准", "an examined invention is the reference",
                               "platform reference"),
        PatentKind.utility_model: (
            "实用新型未经实质审查、保护期10年（专利法第四十二条）；系数取自一家银行质押率示例：实用新型15%、发明25%，15/25=0.60",
            "utility models are granted without substantive examination and last 10 years (Patent Law Art 42); "
            "factor from one bank's loan-to-value example, 15% for utility models vs 25% for inventions "
            "(15/25 = 0.60)",
            "shared/domain/cn_ip_finance_and_open_license_policy_params.json: "
            "pledge_lending_parameters.bank_ltv_example_bocom (tertiary)",
        ),
        PatentKind.design: (
            "外观设计未经实质审查（平台假设，与实用新型相同）",
            "designs are granted without substantive examination (platform assumption, as utility models)",
            "platform parameter",
        ),
    }[kind]
    return Factor(
        key="patent_kind",
        value=f"x{value}",
        source=basis[2],
        text_zh=f"专利类型：{zh}，系数 ×{value}。{basis[0]}。",
        text_en=f"Patent kind: {en}, factor x{value}: {basis[1]}.",
        multiplier=value,
    )


def claims_factor(claims: int, p: PricingParams) -> Factor:
    """The claims-breadth factor with its tier."""
    value = p.claims_factor(claims)
    if claims <= p.narrow_claims_max:
        tier_zh, tier_en = f"不超过{p.narrow_claims_max}项", f"at most {p.narrow_claims_max}"
    elif claims >= p.broad_claims_min:
        tier_zh, tier_en = f"{p.broad_claims_min}项及以上", f"{p.broad_claims_min} or more"
    else:
        tier_zh = f"{p.narrow_claims_max + 1}至{p.broad_claims_min - 1}项"
        tier_en = f"{p.narrow_claims_max + 1} to {p.broad_claims_min - 1}"
    return Factor(
        key="claims_breadth",
        value=f"{claims} claims, x{value}",
        source="platform parameter (docs/pricing.md)",
        text_zh=(
            f"权利要求：{claims}项（{tier_zh}），系数 ×{value}；"
            "权利要求越多，保护范围和退守余地通常越大（平台参数）。"
        ),
        text_en=(
            f"Claims breadth: {claims} claims ({tier_en}), factor x{value}; more claims usually give more scope "
            "and fallback positions (platform parameter)."
        ),
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
                text_zh=f"许可期限{wanted}年超过专利剩余保护期{remaining}年，按{remaining}年计算（专利权期满终止，专利法第四十二条）。",
                text_en=(
                    f"The licence term of {wanted} years exceeds the patent's remaining life of {remaining} years; "
                    f"{remaining} years are used (the patent ends at expiry, Patent Law Art 42)."
                ),
                citation="专利法第四十二条 / Patent Law Art 42",
            )
    factor = Factor(
        key="remaining_life",
        value=f"remaining {remaining} years, term {term} years",
        source="patent facts; Patent Law Art 42 (terms of 20/10/15 years)",
        text_zh=f"剩余保护期：{remaining}年；许可期限按{term}年计（不超过剩余保护期）。",
        text_en=f"Remaining life: {remaining} years; the licence term counted is {term} years (never beyond it).",
    )
    return term, factor, note



def field_notes(
    patent: PatentFacts, matches: tuple[FieldMatch, ...], main_field: int | None, fell_back: bool
) -> list[Note]:
    """Notes on how the IPC codes were read and which industry applies."""
    notes: list[Note] = []
    bad = [m.code for m in matches if not m.valid]
    if bad:
        notes.append(Note(
            code="ipc_not_understood",
            text_zh=f"无法识别的IPC分类号：{'、'.join(bad)}。",
            text_en=f"IPC codes not understood: {', '.join(bad)}.",
        ))
    approx = [m.display for m in matches if m.approximate]
    if approx:
        notes.append(Note(
            code="ipc_field_approximate",
            text_zh=f"对照表未列出{'、'.join(approx)}所在的组，按该小类多数组所属的技术领域近似处理。",
            text_en=f"The concordance does not list the group of {', '.join(approx)}; the field most groups of its "
            "subclass belong to is used.",
            citation=CONCORDANCE_SOURCE,
        ))
    if main_field is None:
        if patent.kind is PatentKind.design and not patent.ipc_codes:
            zh, en = "外观设计采用洛迦诺分类而非IPC", "designs are classified under Locarno, not IPC"
        else:
            zh, en = "IPC分类号未能对应到技术领域", "no IPC code maps to a technology field"
        notes.append(Note(
            code="field_unknown",
            text_zh=f"{zh}，采用跨行业分布。",
            text_en=f"{en[0].upper()}{en[1:]}: the cross-industry distribution is used.",
            citation=CONCORDANCE_SOURCE,
        ))
    elif fell_back:
        notes.append(Note(
            code="industry_fallback",
            text_zh=f"技术领域{main_field}对应的行业在许可费数据中没有提成率分布，采用跨行业分布。",
            text_en=f"The industry of field {main_field} has no rate distribution in the royalty data; the "
            "cross-industry distribution is used.",
        ))
    return notes


def encumbrance_notes(patent: PatentFacts) -> list[Note]:
    """Encumbrances do not move the price; they bar or qualify the declaration, which the user must know."""
    e = patent.encumbrances
    notes: list[Note] = []
    art86 = "专利法实施细则第八十六条 / Implementing Regulations of the Patent Law Art 86"
    if e.exclusive_or_sole_licence:
        notes.append(Note(
            code="exclusive_licence_bars_declaration",
            text_zh="已有独占或排他许可合同有效期内，不得提出开放许可声明（专利法实施细则第八十六条）。",
            text_en="No open-licence declaration may be made while an exclusive or sole licence is in force "
            "(Implementing Regulations Art 86).",
            citation=art86,
        ))
    if e.pledged and not e.pledgee_consents:
        notes.append(Note(
            code="pledge_needs_consent",
            text_zh="专利权已质押，未经质权人同意不得提出开放许可声明（专利法实施细则第八十六条）。",
            text_en="The patent is pledged: an open-licence declaration needs the pledgee's consent "
            "(Implementing Regulations Art 86).",
            citation=art86,
        ))
    if e.non_exclusive_licences:
        notes.append(Note(
            code="existing_ordinary_licences",
            text_zh=f"已有{e.non_exclusive_licences}项普通许可；开放许可期间仍可另行给予普通许可（专利法第五十一条），"
            "其条款如在平台达成可作为可比许可。",
            text_en=f"{e.non_exclusive_licences} ordinary licence(s) exist; ordinary licences may still be granted "
            "during an open licence (Patent Law Art 51), and their terms, if concluded here, count as comparables.",
            citation="专利法第五十一条 / Patent Law Art 51",
        ))
    return notes


def industry_factor(row: RoyaltyRow) -> Factor:
    n_zh = f"样本量{row.sample_size}" if row.sample_size else "来源未给出样本量"
    n_en = f"sample size {row.sample_size}" if row.sample_size else "sample size not stated by the source"
    p25, median, p75 = (format_percent(r) for r in (row.rate_p25, row.rate_median, row.rate_p75))
    quantiles = f"p25 {p25}, median {median}, p75 {p75}"
    return Factor(
        key="industry_distribution",
        value=f"{row.industry_code}: {quantiles}",
        source=f"{row.source} [{row.reliability.value}]" + (f"; {row.derivation}" if row.derivation else ""),
        text_zh=(
            f"行业提成率分布：{row.industry_name_zh}（分类 {row.classification}，代码 {row.industry_code}）：p25 "
            f"{p25}、中位数 {median}、p75 {p75}（占净销售额），{n_zh}。"
        ),
        text_en=(
            f"Industry distribution: {row.industry_name_en} (classification {row.classification}, code "
            f"{row.industry_code}): {quantiles} of net sales, {n_en}."
        ),
    )


def supporting_factor(row: RoyaltyRow) -> Factor:
    n = f"n={row.sample_size}" if row.sample_size else "n not stated"
    median = format_percent(row.rate_median)
    return Factor(
        key="supporting_evidence",
        value=f"median {median} ({n}, {row.year or 'n.d.'})",
        source=f"{row.source} [{row.reliability.value}]",
        text_zh=(
            f"佐证：同一行业另一来源的提成率中位数为{median}（{n}，{row.year or '未注明年份'}），"
            "仅供参考，未参与计算。"
        ),
        text_en=f"Supporting evidence: another source gives a median of {median} for this industry "
        f"({n}, {row.year or 'n.d.'}); shown for reference, not used in the calculation.",
    )


def context_factor(row: RoyaltyRow) -> Factor:
    def pct(v: Decimal | None) -> str:
        return format_percent(v)

    mean = f"{format_cny(row.lump_mean.minor)}" if row.lump_mean else "—"
    return Factor(
        key="payment_mode_context",
        value=(f"{row.year}: lump/fixed {pct(row.share_lump_sum)}, running {pct(row.share_running_royalty)}, "
               f"free {pct(row.share_free)}, n={row.sample_size}"),
        source=f"{row.source} [{row.reliability.value}]",
        text_zh=(
            f"背景：{row.year}年{row.industry_name_zh}中，固定金额合同占{pct(row.share_lump_sum)}（平均{mean}，"
            f"为均值且含大额合同，不作为建议），提成合同占{pct(row.share_running_royalty)}，"
            f"免费许可占{pct(row.share_free)}（合同{row.sample_size}份）。"
        ),
        text_en=(
            f"Context: in {row.year}, of {row.sample_size} contracts in {row.industry_name_en}, "
            f"{pct(row.share_lump_sum)} used fixed amounts (mean {mean}: a mean inflated by large contracts, not a "
            f"suggestion), {pct(row.share_running_royalty)} running royalties and {pct(row.share_free)} were free."
        ),
    )


def open_licence_factor(value: Decimal) -> Factor:
    return Factor(
        key="open_licence_non_exclusive",
        value=f"x{value}",
        source="Patent Law Art 50-51; platform parameter",
        text_zh=(
            f"开放许可为普通（非独占）许可：任何单位或个人均可获得（专利法第五十、五十一条），开放许可期间不得给予独占或排他许可，"
            f"被许可人得不到独占性，而公开费率数据混合了独占与非独占许可，故乘以 ×{value}（平台参数）。"
        ),
        text_en=(
            f"Non-exclusive open licence: anyone may take it (Patent Law Art 50-51) and no exclusive or sole licence "
            f"may be granted while it stands, so no licensee buys exclusivity, whereas the published rates mix "
            f"exclusive and non-exclusive deals: factor x{value} (platform parameter)."
        ),
        multiplier=value,
    )


def no_comparables_factor(given: int, in_field: int, lumps: int, main_field: int | None) -> Factor:
    return Factor(
        key="comparables",
        value=f"k=0 rate comparables ({in_field} in field of {given} given)",
        source="platform: concluded open licences in the same technology field",
        text_zh=(
            f"平台可比许可：提供{given}项，其中{in_field}项属同一技术领域（{main_field or '未知'}），"
            f"没有可用于调整提成率区间的提成许可" + (f"；一次性付费许可{lumps}项。" if lumps else "。")
        ),
        text_en=(
            f"Platform comparables: {given} given, {in_field} in the same field "
            f"({main_field or 'unknown'}); none with a running royalty to adjust the band"
            + (f"; {lumps} lump-sum licence(s)." if lumps else ".")
        ),
    )


def discount_factor(term: Decimal, d: Decimal, factor: Decimal, annual_mid: int, present_mid: int) -> Factor:
    pct = format_percent(d * 100)
    return Factor(
        key="discount_rate",
        value=f"d={pct}, a({term})={factor}",
        source="platform parameter (docs/pricing.md)",
        text_zh=(
            f"折现：年折现率{pct}（平台参数），年金系数 a({term}) = {factor}；一次性付费 = 年提成额 × 年金系数，"
            f"中值 = {format_cny(annual_mid)} × {factor} = {format_cny(present_mid)}（封顶前）。"
        ),
        text_en=(
            f"Discounting: {pct} a year (platform parameter), annuity factor a({term}) = {factor}; lump sum = "
            f"annual royalty x annuity factor, middle = {format_cny(annual_mid)} x {factor} = "
            f"{format_cny(present_mid)} (before caps)."
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
        text_zh=f"入门费加提成：入门费为提成现值的{pct}，同时提成率降为{rest}（平台参数）。",
        text_en=f"Entry fee plus royalty: the entry fee is {pct} of the royalties' present value and the running "
        f"royalty is reduced to {rest} of the band (platform parameter).",
    )


@lru_cache(maxsize=2)
def caps_factor(applied: bool) -> Factor:
    state_zh, state_en = ("已封顶", "applied") if applied else ("未触及", "not reached")
    return Factor(
        key="legal_caps",
        value=f"running <= {format_percent(caps.MAX_RUNNING_ROYALTY_PERCENT)} of net sales; fixed <= "
        f"{format_cny(FIXED_FEE_CAP.minor)}; {state_en}",
        source=CAP_CITATION,
        text_zh=f"法定上限（{CAP_INSTRUMENT_ZH}）：提成不高于净销售额的20%，固定费用不高于2000万元；{state_zh}。",
        text_en=f"Legal caps ({CAP_INSTRUMENT_EN}): running royalty at most 20% of net sales, fixed fees at "
        f"most CNY 20,000,000; {state_en}.",
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
        text_zh=(
            f"平台可比许可：提供的{given}项平台已达成许可中，{in_field}项属同一技术领域"
            f"（{main_field}），其中{k}项提成许可用于调整区间（提成率中位数{format_percent(median)}，"
            f"权重 w = {k}/({k}+{credibility}) = {weight:.4f}；"
            f"区间中点 = (1-w)×{format_percent(mid)} + w×{format_percent(median)}，区间半宽乘以 1-w/2）。"
        ),
        text_en=(
            f"Platform comparables: of {given} concluded licences given, {in_field} are in "
            f"field {main_field}; {k} running-royalty licences were used (median {format_percent(median)}, "
            f"weight w = {k}/({k}+{credibility}) = {weight:.4f}; new middle = "
            f"(1-w) x {format_percent(mid)} + w x {format_percent(median)}, half-widths times 1-w/2)."
        ),
    )


def lump_comparables_factor(n: int, low: int, mid: int, high: int) -> Factor:
    return Factor(
        key="lump_sum_comparables",
        value=f"n={n}, min {format_cny(low)}, median {format_cny(mid)}, max {format_cny(high)}",
        source="platform: concluded lump-sum open licences in the same technology field",
        text_zh=f"无销售额数据：一次性付费区间取自本领域{n}项平台一次性付费许可（最低、中位数、最高）。",
        text_en=f"No sales given: the lump-sum band is the lowest, median and highest of {n} platform lump-sum "
        "licences in the same field.",
    )


NEEDS_SALES_NOTE = Note(
    code="needs_sales_for_fixed_fees",
    text_zh="一次性付费和入门费需要被许可人的预计年净销售额才能计算；提成率不受影响。",
    text_en="The lump sum and the entry fee need the licensee's expected annual net sales; the rates do not.",
)

NEEDS_SALES_FOR_ENTRY_NOTE = Note(
    code="needs_sales_for_entry_fee",
    text_zh="入门费需要被许可人的预计年净销售额才能计算。",
    text_en="The entry fee needs the licensee's expected annual net sales.",
)
