"""The pre-check of a patent pledge loan, pure: what CNIPA would refuse to register, what the bank's product does not
accept, and what conflicts with the licences on the patent. Each finding is a coded ``Reason`` with its source (a
``law.*`` catalogue code, or the product's terms) and a severity: ``block`` stops the application, ``acknowledge``
lets it go on once the applicant has acknowledged it (recorded), ``warn`` is shown.

The 12 refusal grounds of 专利权质押登记办法 (国家知识产权局公告第461号, 2021; quoted in
``shared/domain/cn_ip_finance_and_open_license_policy_params.json``, ``pledge_registration.refusal_grounds``), codes
``pledge.ground.01`` .. ``12``:

01 the pledgor is not the patentee on the register    07 the contract lacks the terms of Art 8 (``check_contract``)
02 lapsed or invalidated                              08 co-owned without every co-owner's consent
03 not granted                                        09 already pledged and the pledge in force
04 annual fees not paid                               10 a utility model with a same-day invention application
05 suspended (ownership dispute) or preserved (court) 11 an invalidation request started
06 the debt's term runs past the patent's expiry      12 any other ground (here: not a Chinese patent; status unknown)

10 and 11 do not refuse when the parties, told, still agree: severity ``acknowledge``. 07 is checked on the
generated contract (``check_contract``), not before. Grounds 08, 10 and 11 rest on what only the applicant can
declare (``Declared``): co-owners' written consent, a same-day invention application, an invalidation request.

The product's floors (codes ``pledge.floor.*``, source ``lending.source.product``): the kind accepted, the minimum
remaining term per kind, the maximum amount and term, and amount <= loan-to-value x value. A debt term past the
expiry is ground 06 (and the product cannot waive it).

Conflicts (``pledge.conflict.*``): a declared open licence (the bank's consent to it must be recorded:
Implementing Regulations Art 86(4)), an exclusive or sole licence in force, and other licences granted (once
pledged, no transfer or licence without the pledgee's consent: Civil Code Art 444).

Reasons are the desk's (``finance.desk.reasons``: ReasonCode, Reason, Severity, register, reason), re-exported
here.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from finance.desk.reasons import REGISTRY
from finance.desk.reasons import Reason as Reason
from finance.desk.reasons import ReasonCode as ReasonCode
from finance.desk.reasons import Severity as Severity
from finance.desk.reasons import reason as reason
from finance.desk.reasons import register as register
from finance.loan_products.records import ProductRecord
from listings.patents.facts import LegalStatus, PatentFacts, Suspension
from listings.patents.records import RecordedLicenceRecord
from market.kit.law import PatentKind
from market.kit.messages import Msg, Param
from market.kit.money import Money
from market.kit.names import name_key

# ---------------------------------------------------------------------------------------------------- reasons
# The desk's registry (finance.desk.reasons); its names re-exported here, where the pledge rules' callers look.

def registered() -> dict[str, ReasonCode]:
    """The codes these rules registered: the grounds, the floors, the conflicts."""
    return {code: REGISTRY[code] for code in RULE_CODES}


# ------------------------------------------------------------------------------------------------ the codes

REG461 = "law.pledge.reg461"
ART8 = "law.pledge.reg461.art8"
CIVIL_444 = "law.civil.art444"
REGS_86_4 = "law.regs.art86.4"
PRODUCT_TERMS = "lending.source.product"

ACKNOWLEDGED_GROUNDS = frozenset({10, 11})
GROUNDS = {n: f"pledge.ground.{n:02d}" for n in range(1, 13)}
GROUND_SOURCES = {n: f"{REG461}.ground{n:02d}" for n in range(1, 13)}

FLOOR_KIND = "pledge.floor.kind"
FLOOR_REMAINING = "pledge.floor.remaining_term"
FLOOR_MAX_AMOUNT = "pledge.floor.max_amount"
FLOOR_MAX_TERM = "pledge.floor.max_term"
FLOOR_LTV = "pledge.floor.ltv"
FLOOR_NO_VALUATION = "pledge.floor.valuation_missing"
FLOORS = (FLOOR_KIND, FLOOR_REMAINING, FLOOR_MAX_AMOUNT, FLOOR_MAX_TERM, FLOOR_LTV, FLOOR_NO_VALUATION)

CONFLICT_OPEN_LICENCE = "pledge.conflict.open_licence"
CONFLICT_EXCLUSIVE = "pledge.conflict.exclusive_licence"
CONFLICT_LICENCES = "pledge.conflict.licences"
RULE_CODES = (*GROUNDS.values(), *FLOORS, CONFLICT_OPEN_LICENCE, CONFLICT_EXCLUSIVE, CONFLICT_LICENCES)

register(
    *(
        ReasonCode(
            GROUNDS[n],
            GROUND_SOURCES[n],
            Severity.acknowledge if n in ACKNOWLEDGED_GROUNDS else Severity.block,
        )
        for n in range(1, 13)
    ),
    *(ReasonCode(code, PRODUCT_TERMS, Severity.block) for code in FLOORS),
    ReasonCode(CONFLICT_OPEN_LICENCE, REGS_86_4, Severity.acknowledge),
    ReasonCode(CONFLICT_EXCLUSIVE, CIVIL_444, Severity.acknowledge),
    ReasonCode(CONFLICT_LICENCES, CIVIL_444, Severity.warn),
)


def ground(n: int, **params: Param) -> Reason:
    rc = REGISTRY[GROUNDS[n]]
    return Reason(code=rc.code, source=rc.source, severity=rc.severity, params=params)


# ------------------------------------------------------------------------------------------------- inputs

EXCLUSIVE_KINDS = frozenset({"exclusive", "sole"})
BP = 10_000


@dataclass(frozen=True, slots=True)
class Declared:
    """What only the applicant can say about the patent (the register does not hold it): the co-owners who have
    consented in writing (names), a same-day invention application for this utility model (Patent Law Art 9), an
    invalidation request started against it."""

    co_owner_consents: tuple[str, ...] = ()
    same_day_invention: bool = False
    invalidation_requested: bool = False


NOTHING_DECLARED = Declared()


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def remaining_years(expiry: date | None, today: date) -> int | None:
    """Whole years left until ``expiry`` (None when unknown)."""
    if expiry is None:
        return None
    years = expiry.year - today.year - ((expiry.month, expiry.day) < (today.month, today.day))
    return max(years, 0)


def _same_name(name: str, names: Iterable[str]) -> bool:
    key = name_key(name)
    return bool(key) and any(name_key(n) == key for n in names)


# ---------------------------------------------------------------------------------------- the 12 grounds


def grounds(
    *,
    patent: PatentFacts,
    applicant_name: str,
    aliases: Sequence[str] = (),
    term_months: int | None,
    today: date,
    declared: Declared = NOTHING_DECLARED,
) -> list[Reason]:
    """CNIPA's refusal grounds that can be read before the contract exists (all but 07), for one patent."""
    out: list[Reason] = []
    mine = (applicant_name, *aliases)
    patentees = tuple(patent.patentees)
    if not any(_same_name(n, patentees) for n in mine):
        out.append(ground(1, applicant=applicant_name, patentees=patentees))
    status = patent.legal_status
    ended = status in (LegalStatus.lapsed, LegalStatus.invalidated, LegalStatus.expired) or (
        patent.expiry_date is not None and patent.expiry_date <= today
    )
    if ended:
        out.append(ground(2, status=Msg(f"ui.legal_{status.value}"), expiry=patent.expiry_date))
    elif status is LegalStatus.pending:
        out.append(ground(3))
    if status is LegalStatus.granted and not ended:
        paid = patent.annual_fees_paid_through
        if paid is None or paid < today:
            out.append(ground(4, paid_through=paid))
    if patent.suspension is not Suspension.none:
        article = "law.regs.art103" if patent.suspension is Suspension.ownership_dispute else "law.regs.art104"
        out.append(ground(5, article=Msg(article)))
    if term_months is not None and patent.expiry_date is not None and not ended:
        ends = add_months(today, term_months)
        if ends > patent.expiry_date:
            out.append(replace(ground(6, debt_ends=ends, expiry=patent.expiry_date), field="term_months"))
    if len(patentees) > 1:
        others = [p for p in patentees if not any(name_key(p) == name_key(n) for n in mine)]
        missing = tuple(p for p in others if not _same_name(p, declared.co_owner_consents))
        if missing:
            out.append(ground(8, owners=missing))
    if patent.pledged:
        out.append(ground(9))
    if declared.same_day_invention and patent.kind is PatentKind.utility_model:
        out.append(ground(10))
    if declared.invalidation_requested:
        out.append(ground(11))
    if patent.jurisdiction.upper() != "CN":
        out.append(ground(12, what=Msg("lending.ground12.not_cn", {"jurisdiction": patent.jurisdiction})))
    elif status is LegalStatus.unknown:
        out.append(ground(12, what=Msg("lending.ground12.status_unknown")))
    return out


# ---------------------------------------------------------------------------------- ground 07: the contract

# The pledge contract's terms that registration checks (专利权质押登记办法 Art 8: the parties, the secured debt, the
# debtor's term, the patents with number, title, filing and grant dates, the scope of the security). The 2021
# article's text was not retrieved (see the shared data's reliability note): this list follows the design's
# contract (PLEDGE_DESIGN.md, H6) and the 1996 measures' list, whose first items these are.
CONTRACT_TERMS: tuple[str, ...] = (
    "pledgor",
    "pledgor_address",
    "pledgee",
    "pledgee_address",
    "secured_debt_kind",
    "secured_debt_amount",
    "debt_term",
    "patents",
    "security_scope",
)
PATENT_TERMS: tuple[str, ...] = ("number", "title", "filing_date", "grant_date")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str | tuple | list | dict) and len(value) == 0)


def check_contract(terms: Mapping[str, object]) -> list[Reason]:
    """Ground 07 on a generated pledge contract: each required term that is missing or empty, one reason each
    (``term``: the term's name, a catalogue code ``lending.contract_term.<name>``); each patent needs its number,
    title, filing and grant dates."""
    out: list[Reason] = []
    for name in CONTRACT_TERMS:
        if _blank(terms.get(name)):
            out.append(replace(ground(7, term=Msg(f"lending.contract_term.{name}")), field=name))
    patents = terms.get("patents")
    if isinstance(patents, list | tuple):
        for i, item in enumerate(patents):
            values = item if isinstance(item, Mapping) else {}
            for name in PATENT_TERMS:
                if _blank(values.get(name)):
                    reason_ = ground(7, term=Msg(f"lending.contract_term.patent_{name}"), number=str(i + 1))
                    out.append(replace(reason_, field=f"patents.{i}.{name}"))
    return out


# ----------------------------------------------------------------------------------------------- conflicts


def conflicts(
    *, patent: PatentFacts, open_licence: bool, licences: Sequence[RecordedLicenceRecord], today: date
) -> list[Reason]:
    """The licences on the patent: a declared open licence, an exclusive or sole licence in force, others."""
    out: list[Reason] = []
    if open_licence:
        out.append(reason(CONFLICT_OPEN_LICENCE))
    in_force = [lic for lic in licences if lic.starts_on <= today and (lic.ends_on is None or lic.ends_on >= today)]
    exclusive = [lic for lic in in_force if lic.kind in EXCLUSIVE_KINDS]
    if exclusive or (
        not licences
        and (
            patent.exclusive_or_sole_open_ended
            or (patent.exclusive_or_sole_licence_until is not None and patent.exclusive_or_sole_licence_until >= today)
        )
    ):
        names = tuple(lic.licensee_name for lic in exclusive)
        out.append(reason(CONFLICT_EXCLUSIVE, licensees=names))
    others = [lic for lic in in_force if lic.kind not in EXCLUSIVE_KINDS]
    if others:
        out.append(reason(CONFLICT_LICENCES, count=len(others)))
    return out


# -------------------------------------------------------------------------------------------- product floors


def patent_floors(*, patent: PatentFacts, product: ProductRecord, today: date) -> list[Reason]:
    """What the product says of the patent itself: its kind accepted, and enough of its term left."""
    kind = patent.kind.value
    if kind not in product.kinds:
        return [replace(reason(FLOOR_KIND, kind=Msg(f"patent.kind.{kind}")), field="patent_ids")]
    least = product.min_remaining_years.get(kind)
    left = remaining_years(patent.expiry_date, today)
    if least is not None and left is not None and left < least:
        found = reason(FLOOR_REMAINING, kind=Msg(f"patent.kind.{kind}"), years=left, least=least)
        return [replace(found, field="patent_ids")]
    return []


def lendable(*, product: ProductRecord, kind: str, value: Money | None) -> Money | None:
    """The most the product lends on a patent of ``kind`` valued ``value``: loan-to-value x value, rounded down
    to the minor unit. None when the patent has no value yet or the product sets no loan-to-value for the kind
    (its maximum amount is the only limit then)."""
    ltv = product.ltv_bp.get(kind)
    if value is None or ltv is None:
        return None
    return Money(value.currency, value.minor * ltv // BP)


def loan_floors(
    *, product: ProductRecord, amount: Money, term_months: int, lendable_total: Money | None, needs_value: bool
) -> list[Reason]:
    """The amount and term against the product: at most its maximum amount and term, and at most loan-to-value x
    value (``lendable_total``, the sum over the patents pledged). ``needs_value``: the product sets a loan-to-value
    for a kind pledged, so a value is needed."""
    out: list[Reason] = []
    if amount.currency != product.max_amount.currency or amount.minor > product.max_amount.minor:
        out.append(replace(reason(FLOOR_MAX_AMOUNT, amount=amount, most=product.max_amount), field="amount"))
    if term_months > product.max_term_months:
        found = reason(FLOOR_MAX_TERM, months=term_months, most=product.max_term_months)
        out.append(replace(found, field="term_months"))
    if lendable_total is None:
        if needs_value:
            out.append(replace(reason(FLOOR_NO_VALUATION), field="valuation"))
    elif amount.currency != lendable_total.currency or amount.minor > lendable_total.minor:
        out.append(replace(reason(FLOOR_LTV, amount=amount, most=lendable_total), field="amount"))
    return out


# ------------------------------------------------------------------------------------------------- together


def check(
    *,
    patent: PatentFacts,
    applicant_name: str,
    aliases: Sequence[str] = (),
    product: ProductRecord,
    amount: Money,
    term_months: int,
    valuation: Money | None,
    today: date,
    open_licence: bool = False,
    licences: Sequence[RecordedLicenceRecord] = (),
    declared: Declared = NOTHING_DECLARED,
) -> list[Reason]:
    """Everything the pre-check finds for a loan of ``amount`` over ``term_months`` on one patent valued
    ``valuation`` under ``product``: the grounds, the product's floors, the conflicts (in that order)."""
    return [
        *grounds(
            patent=patent,
            applicant_name=applicant_name,
            aliases=aliases,
            term_months=term_months,
            today=today,
            declared=declared,
        ),
        *patent_floors(patent=patent, product=product, today=today),
        *loan_floors(
            product=product,
            amount=amount,
            term_months=term_months,
            lendable_total=lendable(product=product, kind=patent.kind.value, value=valuation),
            needs_value=patent.kind.value in product.ltv_bp,
        ),
        *conflicts(patent=patent, open_licence=open_licence, licences=licences, today=today),
    ]


@dataclass(frozen=True, slots=True)
class PatentInput:
    """One patent of a multi-patent application: its facts, value, licences, open licence and declarations."""

    patent_id: int
    facts: PatentFacts
    valuation: Money | None
    open_licence: bool = False
    licences: tuple[RecordedLicenceRecord, ...] = ()
    declared: Declared = NOTHING_DECLARED


@dataclass(frozen=True, slots=True)
class ApplicationCheck:
    """A multi-patent pre-check: reasons per patent (grounds, floors of the patent, conflicts), the reasons of the
    loan as a whole (amount, term, loan-to-value on the sum), and the most the product lends on these patents."""

    per_patent: Mapping[int, tuple[Reason, ...]]
    loan: tuple[Reason, ...]
    lendable: Money | None

    @property
    def blocked(self) -> bool:
        return any(r.blocks for r in self.all)

    @property
    def all(self) -> tuple[Reason, ...]:
        return (*(r for rs in self.per_patent.values() for r in rs), *self.loan)


def check_application(
    *,
    patents: Sequence[PatentInput],
    applicant_name: str,
    aliases: Sequence[str] = (),
    product: ProductRecord,
    amount: Money,
    term_months: int,
    today: date,
) -> ApplicationCheck:
    """The pre-check of an application pledging several patents: each patent's own findings, then the loan's
    against the product with loan-to-value applied per kind and summed over the patents nothing blocks (a patent
    that cannot be pledged lends nothing)."""
    per: dict[int, tuple[Reason, ...]] = {}
    total: int | None = None
    currency = product.max_amount.currency
    needs_value = False
    for p in patents:
        floors = patent_floors(patent=p.facts, product=product, today=today)
        per[p.patent_id] = (
            *grounds(
                patent=p.facts,
                applicant_name=applicant_name,
                aliases=aliases,
                term_months=term_months,
                today=today,
                declared=p.declared,
            ),
            *floors,
            *conflicts(patent=p.facts, open_licence=p.open_licence, licences=p.licences, today=today),
        )
        if any(r.blocks for r in per[p.patent_id]):
            continue  # a patent that cannot be pledged lends nothing
        needs_value = needs_value or p.facts.kind.value in product.ltv_bp
        lent = lendable(product=product, kind=p.facts.kind.value, value=p.valuation)
        if lent is not None:
            currency = lent.currency
            total = (total or 0) + lent.minor
    lendable_total = Money(currency, total) if total is not None else None
    loan = loan_floors(
        product=product,
        amount=amount,
        term_months=term_months,
        lendable_total=lendable_total,
        needs_value=needs_value and lendable_total is None,
    )
    return ApplicationCheck(per_patent=per, loan=tuple(loan), lendable=lendable_total)
