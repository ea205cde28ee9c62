"""Insurers' IP insurance products (知识产权保险产品).

- An insurer (approved) publishes products of four kinds (``INSURANCE_KINDS``); each product's terms are versioned:
  wording version, territory, retroactive period, limits, deductible, premium table (``quote``), underwriting
  questionnaire (its own version: changing the questions makes the next one), document checklist, approval
  thresholds (four eyes above an aggregate limit), minimum remaining term in calendar years, policy term, quote
  validity and, for a pledge-loan guarantee, the insurer's share of the lender's loss.
- Each change writes the next version (never changes one) and moves the product's version in force with a
  conditional update: of two editors one wins (the other: 409). An application keeps the version id it used and
  ``version(version_id)`` reads it back, whatever the product's status.
- Published products are read by everyone signed in; a withdrawn one only by its insurer (and through its versions'
  ids by the modules that hold them).
- ``seed_demo``: the demo insurer's products, read from ``shared/domain`` at seed time, each with its source and
  reliability.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finance.desk.service import ApprovalPolicy
from finance.dossiers.checklist import CHECKLIST_SOURCE, PDF, Requirement, custom_label
from finance.insurance_products import repository
from finance.insurance_products.quote import Quote, QuoteError, compute_quote
from finance.insurance_products.records import (
    FIRM_TIERS,
    INSURANCE_KINDS,
    InsuranceProductVersionRecord,
    PremiumTable,
    Question,
    custom_question_label,
)
from finance.insurance_products.schemas import (
    MoneyOut,
    ProductCreateIn,
    ProductTermsIn,
    ProductVersionOut,
    QuestionnaireOut,
    QuestionOut,
    QuoteLineOut,
    QuoteOut,
    RequirementOut,
    ThresholdOut,
    VersionIn,
)
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound, ValidationFailed
from market.kit.messages import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service

__all__ = ["FIRM_TIERS", "INSURANCE_KINDS", "Quote", "QuoteError", "compute_quote"]

# Questions and documents whose labels the catalogue holds (an insurer may add its own, labelled in both languages).
STANDARD_QUESTIONS = ("known_disputes", "prior_claims", "litigation_intended", "turnover", "overseas_sales",
                      "overseas_markets")  # fmt: skip
STANDARD_DOCUMENTS = ("business_licence", "patent_certificate", "annuity_receipt", "patentee_consent",
                      "co_owner_consent", "financial_statements", "overseas_sales", "loan_contract")  # fmt: skip
ELIGIBILITY_SOURCE = "law.insurance_products.beijing_pilot_eligibility"
NO_PRODUCT = "insurance_products.no_such_product"
NO_VERSION = "insurance_products.no_such_version"


def now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------------------------------ reading


async def _complete(row: InsuranceProductVersionRecord) -> InsuranceProductVersionRecord:
    org = await org_service.org_by_id(row.insurer)
    return replace(row, insurer_name=org.name if org else "")


async def published(kind: str | None = None, insurer: int | None = None) -> list[InsuranceProductVersionRecord]:
    """Every published product (of one kind, of one insurer) at its version in force."""
    return [await _complete(r) for r in await repository.published(kind, insurer)]


async def version(version_id: int) -> InsuranceProductVersionRecord:
    """One version of a product, whatever its status (an application reads back the version it used). NotFound."""
    row = await repository.version(version_id)
    if row is None:
        raise NotFound(Msg(NO_VERSION))
    return await _complete(row)


async def current_version(product_id: int) -> InsuranceProductVersionRecord:
    """A product at its version in force, whatever its status. NotFound."""
    row = await repository.current(product_id)
    if row is None:
        raise NotFound(Msg(NO_PRODUCT))
    return await _complete(row)


async def versions(product_id: int) -> list[InsuranceProductVersionRecord]:
    """Every version of a product, newest first."""
    return [await _complete(r) for r in await repository.versions(product_id)]


async def products_of_insurer(insurer_id: int) -> list[InsuranceProductVersionRecord]:
    return [await _complete(r) for r in await repository.of_insurer(insurer_id)]


async def readable_version(*, principal: Principal, version_id: int) -> InsuranceProductVersionRecord:
    """A version the principal may read: any version of a published product, or of its own insurer's products."""
    row = await repository.version(version_id)
    if row is None or not (row.published or row.insurer == principal.org_id):
        raise NotFound(Msg(NO_VERSION))
    return await _complete(row)


async def readable_product(*, principal: Principal, product_id: int) -> InsuranceProductVersionRecord:
    row = await repository.current(product_id)
    if row is None or not (row.published or row.insurer == principal.org_id):
        raise NotFound(Msg(NO_PRODUCT))
    return await _complete(row)


async def insurer_product(*, principal: Principal, product_id: int) -> InsuranceProductVersionRecord:
    """One of the principal's insurer's products at its version in force; another insurer's is not found."""
    row = await repository.current(product_id)
    if row is None or row.insurer != principal.org_id:
        raise NotFound(Msg(NO_PRODUCT))
    return await _complete(row)


def requirements(row: InsuranceProductVersionRecord) -> list[Requirement]:
    """The version's document checklist, as ``finance.dossiers`` checks it."""
    return list(row.documents)


async def checklist_for_version(version_id: int) -> list[Requirement]:
    """The checklist of an application on this version (what ``finance.insurance`` registers for kind
    ``insurance``)."""
    return requirements(await version(version_id))


def approval_policy(row: InsuranceProductVersionRecord) -> ApprovalPolicy:
    """The version's approval thresholds as ``finance.desk`` counts approvals (amount: the aggregate limit)."""
    thresholds = row.approval_thresholds or ((0, 1),)
    return ApprovalPolicy(thresholds=tuple(thresholds), refusal_needs_second=row.refusal_needs_second)


def quote(row: InsuranceProductVersionRecord, *, patents: int, firm_tier: str) -> Quote:
    """``compute_quote``, its refusal as a 422 on the field at fault."""
    try:
        return compute_quote(row, patents=patents, firm_tier=firm_tier)
    except QuoteError as error:
        field = "firm_tier" if error.msg.code.endswith("no_price_for_tier") else "patents"
        raise ValidationFailed(error.msg, errors=[FieldError(field, error.msg)]) from error


# ------------------------------------------------------------------------------------------------ output


def money_out(value: Money | None) -> MoneyOut | None:
    return None if value is None else MoneyOut(minor=value.minor, currency=value.currency)


def _money(minor: int, currency: str) -> MoneyOut:
    return MoneyOut(minor=minor, currency=currency)


def version_out(row: InsuranceProductVersionRecord) -> ProductVersionOut:
    c = row.currency
    return ProductVersionOut(
        id=row.id,
        product=row.product,
        insurer=row.insurer,
        insurer_name=row.insurer_name,
        code=row.code,
        kind=row.kind,
        status=row.status,
        version=row.version,
        current_version=row.current_version,
        name_zh=row.name_zh,
        name_en=row.name_en,
        wording_version=row.wording_version,
        territory=row.territory,
        retroactive_days=row.retroactive_days,
        per_claim_limit=None if row.per_claim_limit_minor is None else _money(row.per_claim_limit_minor, c),
        aggregate_limit=None if row.aggregate_limit_minor is None else _money(row.aggregate_limit_minor, c),
        deductible=_money(row.deductible_minor, c),
        premium_table=row.premium_table.as_json(),
        questionnaire=QuestionnaireOut(
            version=row.questionnaire.version,
            questions=[
                QuestionOut(key=q.key, kind=q.kind, material=q.material, label=MsgOut.of(q.label))
                for q in row.questionnaire.questions
            ],
        ),
        documents=[
            RequirementOut(
                code=d.code,
                required=d.required,
                accepted_types=list(d.accepted_types),
                max_age_days=d.max_age_days,
                label=MsgOut.of(d.label),
            )
            for d in row.documents
        ],
        approval_thresholds=[ThresholdOut(above_minor=a, approvals=n) for a, n in row.approval_thresholds],
        refusal_needs_second=row.refusal_needs_second,
        min_remaining_years=row.min_remaining_years,
        term_months=row.term_months,
        quote_valid_days=row.quote_valid_days,
        loss_share_bp=row.loss_share_bp,
        patent_kinds=list(row.patent_kinds),
        source=row.source,
        reliability=row.reliability,
        note=row.note,
        created_at=row.created_at,
        version_created_at=row.version_created_at,
        published_at=row.published_at,
    )


def quote_out(row: InsuranceProductVersionRecord, q: Quote, *, patents: int, firm_tier: str) -> QuoteOut:
    def m(value: Money) -> MoneyOut:
        return MoneyOut(minor=value.minor, currency=value.currency)

    return QuoteOut(
        product_version=row.id,
        patents=patents,
        firm_tier=firm_tier,
        premium=m(q.premium),
        per_claim_limit=m(q.per_claim_limit),
        aggregate_limit=m(q.aggregate_limit),
        deductible=m(q.deductible),
        lines=[QuoteLineOut(label=MsgOut.of(line.label), amount=m(line.amount)) for line in q.lines],
    )


# ------------------------------------------------------------------------------------------------ writing


def _table_errors(data: ProductTermsIn) -> list[FieldError]:
    table = data.premium_table
    errors: list[FieldError] = []
    if table.shape == "base_plus_per_patent":
        if not table.base_tiers:
            msg = Msg("insurance_products.tiers_needed")
            errors.append(FieldError("premium_table.base_tiers", msg, code="required"))
        bounds = [t.max_patents for t in table.base_tiers]
        for i, bound in enumerate(bounds):
            later = bounds[i + 1:]
            if bound is None and later:
                msg = Msg("insurance_products.open_tier_last")
                errors.append(FieldError(f"premium_table.base_tiers.{i}.max_patents", msg, code="open_tier_last"))
            elif bound is not None and any(b is not None and b <= bound for b in later):
                msg = Msg("insurance_products.tiers_ascending")
                errors.append(FieldError(f"premium_table.base_tiers.{i + 1}.max_patents", msg, code="ascending"))
    else:
        tiers = [t.tier for t in table.by_firm_tier]
        if not tiers:
            msg = Msg("insurance_products.firm_tiers_needed")
            errors.append(FieldError("premium_table.by_firm_tier", msg, code="required"))
        elif "sme" not in tiers:
            msg = Msg("insurance_products.sme_tier_needed")
            errors.append(FieldError("premium_table.by_firm_tier", msg, code="sme_tier_needed"))
        if len(set(tiers)) != len(tiers):
            msg = Msg("insurance_products.firm_tier_repeated")
            errors.append(FieldError("premium_table.by_firm_tier", msg, code="repeated"))
    return errors


def _values(data: ProductTermsIn, *, kind: str) -> dict[str, Any]:
    """The version's columns from the terms, or every problem beside its field."""
    errors = _table_errors(data)
    if (
        data.per_claim_limit_minor is not None
        and data.aggregate_limit_minor is not None
        and data.per_claim_limit_minor > data.aggregate_limit_minor
    ):
        msg = Msg("insurance_products.per_claim_over_aggregate")
        errors.append(FieldError("per_claim_limit_minor", msg, code="over_aggregate"))
    if kind == "pledge_guarantee" and data.loss_share_bp == 0:
        errors.append(FieldError("loss_share_bp", Msg("insurance_products.loss_share_needed"), code="required"))
    if kind != "pledge_guarantee" and data.loss_share_bp != 0:
        errors.append(FieldError("loss_share_bp", Msg("insurance_products.loss_share_guarantee_only"), code="kind"))
    keys = [q.key for q in data.questions]
    questions: list[dict[str, Any]] = []
    for i, q in enumerate(data.questions):
        if keys.index(q.key) != i:
            msg = Msg("insurance_products.question_repeated")
            errors.append(FieldError(f"questions.{i}.key", msg, code="repeated"))
        if q.label_zh:
            label = custom_question_label(q.label_zh, q.label_en)
        elif q.key in STANDARD_QUESTIONS:
            label = Msg(f"insurance_products.question.{q.key}")
        else:
            msg = Msg("insurance_products.label_needed")
            errors.append(FieldError(f"questions.{i}.label_zh", msg, code="required"))
            continue
        questions.append(Question(key=q.key, kind=q.kind, label=label, material=q.material).as_json())
    codes = [d.code for d in data.documents]
    documents: list[dict[str, Any]] = []
    for i, d in enumerate(data.documents):
        if codes.index(d.code) != i:
            msg = Msg("insurance_products.document_repeated")
            errors.append(FieldError(f"documents.{i}.code", msg, code="repeated"))
        if d.label_zh:
            doc_label = custom_label(d.label_zh, d.label_en)
        elif d.code in STANDARD_DOCUMENTS:
            doc_label = Msg(f"insurance_products.document.{d.code}")
        else:
            msg = Msg("insurance_products.label_needed")
            errors.append(FieldError(f"documents.{i}.label_zh", msg, code="required"))
            continue
        requirement = Requirement(code=d.code, required=d.required, accepted_types=tuple(d.accepted_types),
                                  max_age_days=d.max_age_days, label=doc_label)  # fmt: skip
        documents.append(requirement.as_json())
    aboves = [t.above_minor for t in data.approval_thresholds]
    if len(set(aboves)) != len(aboves):
        msg = Msg("insurance_products.threshold_repeated")
        errors.append(FieldError("approval_thresholds", msg, code="repeated"))
    kinds = [k.value for k in data.patent_kinds]
    if len(set(kinds)) != len(kinds):
        errors.append(FieldError("patent_kinds", Msg("insurance_products.kinds_repeated"), code="repeated"))
    if errors:
        raise ValidationFailed(Msg("insurance_products.invalid"), errors=errors)
    table = PremiumTable.from_json(data.premium_table.model_dump())
    return {
        "name_zh": data.name_zh,
        "name_en": data.name_en,
        "wording_version": data.wording_version,
        "territory": data.territory,
        "retroactive_days": data.retroactive_days,
        "per_claim_limit_minor": data.per_claim_limit_minor,
        "aggregate_limit_minor": data.aggregate_limit_minor,
        "deductible_minor": data.deductible_minor,
        "currency": data.currency,
        "premium_table": table.as_json(),
        "questionnaire": questions,
        "documents": documents,
        "approval_thresholds": sorted([t.above_minor, t.approvals] for t in data.approval_thresholds),
        "refusal_needs_second": data.refusal_needs_second,
        "min_remaining_years": data.min_remaining_years,
        "term_months": data.term_months,
        "quote_valid_days": data.quote_valid_days,
        "loss_share_bp": data.loss_share_bp,
        "patent_kinds": kinds,
        "source": data.source,
        "reliability": "insurer",
        "note": data.note,
    }


async def _write_new(*, insurer_id: int, code: str, kind: str, values: dict[str, Any], actor: Actor) -> int:
    at = now()
    product_id = await repository.insert_product(
        insurer_id=insurer_id, code=code, kind=kind, created_by=actor.user_id, at=at
    )
    await repository.insert_version(
        product_id=product_id, version=1, values={"questionnaire_version": 1, **values}, created_by=actor.user_id,
        at=at,
    )  # fmt: skip
    await record(
        actor=actor,
        action="finance.insurance_product_published",
        entity_type="insurance_product",
        entity_id=product_id,
        org_id=insurer_id,
        after={"code": code, "kind": kind, "version": 1, **values},
    )
    return product_id


async def create_product(*, principal: Principal, data: ProductCreateIn) -> ProductVersionOut:
    """A new product of the principal's insurer, published at version 1. A code it already uses: 409."""
    values = _values(data, kind=data.kind)
    if await repository.id_by_code(principal.org_id, data.code) is not None:
        msg = Msg("insurance_products.code_taken", {"key": data.code})
        raise Conflict(msg, errors=[FieldError("code", msg, code="taken")])
    product_id = await _write_new(
        insurer_id=principal.org_id, code=data.code, kind=data.kind, values=values,
        actor=Actor(principal.user_id, principal.org_id),
    )  # fmt: skip
    return version_out(await insurer_product(principal=principal, product_id=product_id))


async def new_version(*, principal: Principal, product_id: int, data: VersionIn) -> ProductVersionOut:
    """The next version of the product's terms (the version changed must still be in force: else 409). The older
    versions stay as they were; the questionnaire's version moves only when its questions change."""
    current = await insurer_product(principal=principal, product_id=product_id)
    values = _values(data, kind=current.kind)
    if data.expected_version != current.current_version:
        raise Conflict(Msg("insurance_products.changed_meanwhile", {"version": current.current_version}))
    same_questions = values["questionnaire"] == current.questionnaire.as_json()
    values["questionnaire_version"] = current.questionnaire.version + (0 if same_questions else 1)
    at = now()
    if not await repository.move_version(product_id=product_id, expected=data.expected_version, at=at):
        raise Conflict(Msg("insurance_products.changed_meanwhile", {"version": current.current_version}))
    number = data.expected_version + 1
    await repository.insert_version(
        product_id=product_id, version=number, values=values, created_by=principal.user_id, at=at
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.insurance_product_versioned",
        entity_type="insurance_product",
        entity_id=product_id,
        org_id=principal.org_id,
        before={"version": current.current_version},
        after={"version": number, **values},
    )
    return version_out(await insurer_product(principal=principal, product_id=product_id))


TRANSITIONS = {"publish": ("withdrawn", "published"), "withdraw": ("published", "withdrawn")}


async def change_status(
    *, principal: Principal, product_id: int, action: str, expected_version: int
) -> ProductVersionOut:
    """Withdraw a published product (no new application may use it; those made keep their version) or publish a
    withdrawn one again."""
    from_status, to = TRANSITIONS[action]
    current = await insurer_product(principal=principal, product_id=product_id)
    if expected_version != current.current_version:
        raise Conflict(Msg("insurance_products.changed_meanwhile", {"version": current.current_version}))
    if current.status != from_status or not await repository.set_status(
        product_id=product_id, expected_version=expected_version, from_status=from_status, to=to, at=now()
    ):
        status = Msg(f"insurance_products.status.{current.status}")
        raise Conflict(Msg(f"insurance_products.cannot_{action}", {"status": status}))
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action=f"finance.insurance_product_{to}",
        entity_type="insurance_product",
        entity_id=product_id,
        org_id=principal.org_id,
        before={"status": current.status},
        after={"status": to, "version": current.current_version},
    )
    return version_out(await insurer_product(principal=principal, product_id=product_id))


# ------------------------------------------------------------------------------------------------ demo seed

PROGRAMMES = "cn_ip_finance_programmes.json"
POLICY_PARAMS = "cn_ip_finance_and_open_license_policy_params.json"
RELIABILITY = {"P": "primary", "S": "secondary", "T": "tertiary"}
DEMO_NOTE = (  # words: data
    "demo insurer's own settings (not from a source): deductible, approval threshold, document ages, quote validity"
)
PICC_TIER_NOTE = (  # words: data
    "tier boundary (demo, derived): the source gives two tiers (CNY 2,000 + 200 per patent, 15x; CNY 4,000 + 400 "
    "per patent, 30x) without saying where one ends; up to 10 patents is tier 1, 11 or more tier 2, because "
    "Foshan 2011 ({firms} firms, {patents} patents, CNY {premium} of premium) averages about {per_firm} patents and "
    "CNY {premium_per_firm} per firm, which is tier 1's price for that many patents (2,000 + {per_firm} x 200)"
)
PICC_TIER1_MAX_PATENTS = 10
DEMO_DEDUCTIBLE_CNY = 1000
DEMO_FOUR_EYES_ABOVE_CNY = 1_000_000
DEMO_QUOTE_VALID_DAYS = 30
DEMO_TERM_MONTHS = 12
DEMO_OVERSEAS_RETROACTIVE_DAYS = 365
DEMO_ANNUITY_RECEIPT_MAX_AGE_DAYS = 400
PDF_OR_IMAGE = ("application/pdf", "image/jpeg", "image/png")
TIER_KEYS = {"smes": "sme", "champion_firms": "champion"}


def shared_domain_dir() -> Path | None:
    """``shared/domain`` beside the project (or beside the working directory), where the programme figures live."""
    for base in (Path(__file__).resolve().parents[3], Path.cwd().resolve().parent):
        candidate = base / "shared" / "domain"
        if (candidate / PROGRAMMES).exists():
            return candidate
    return None


def reliability_of(source: str) -> str:
    """primary, secondary or tertiary: the flag ``(P ...)``/``(S ...)``/``(T ...)`` of the programmes file, or the
    first word of a ``reliability`` text of the policy parameters."""
    found = re.search(r"\((P|S|T)\b", source)
    if found:
        return RELIABILITY[found.group(1)]
    word = source.strip().split(" ")[0].lower() if source.strip() else ""
    return word if word in RELIABILITY.values() else ""


def _cny(amount: int | float | str) -> int:
    return int(Decimal(str(amount)) * 100)


def demo_questions(kind: str) -> list[dict[str, Any]]:
    """The demo questionnaire: known disputes, prior claims, litigation intended, turnover; overseas sales and
    markets for overseas cover (labels from the catalogue)."""
    rows = [
        Question("known_disputes", "yes_no", Msg("insurance_products.question.known_disputes"), True),
        Question("prior_claims", "yes_no", Msg("insurance_products.question.prior_claims"), True),
        Question("litigation_intended", "yes_no", Msg("insurance_products.question.litigation_intended"), True),
        Question("turnover", "number", Msg("insurance_products.question.turnover"), True),
    ]
    if kind == "overseas_liability":
        rows += [
            Question("overseas_sales", "number", Msg("insurance_products.question.overseas_sales"), True),
            Question("overseas_markets", "text", Msg("insurance_products.question.overseas_markets"), True),
        ]
    return [q.as_json() for q in rows]


def demo_documents(kind: str) -> list[dict[str, Any]]:
    """The demo checklist: business licence, patent certificates and the latest annuity receipts; the patentee's
    consent (a licensee) and the co-owners' written consent (a co-owned patent), optional here and made required
    by the application when they apply (Beijing pilot eligibility); overseas sales evidence; the loan contract for a
    guarantee."""

    def doc(code: str, required: bool, *, age: int | None = None, source: str = CHECKLIST_SOURCE) -> dict[str, Any]:
        return Requirement(code=code, required=required, accepted_types=PDF_OR_IMAGE, max_age_days=age,
                           label=Msg(f"insurance_products.document.{code}"), source=source).as_json()  # fmt: skip

    rows = [
        doc("business_licence", True),
        doc("patent_certificate", True),
        doc("annuity_receipt", True, age=DEMO_ANNUITY_RECEIPT_MAX_AGE_DAYS),
        doc("patentee_consent", False, source=ELIGIBILITY_SOURCE),
        doc("co_owner_consent", False, source=ELIGIBILITY_SOURCE),
    ]
    if kind == "overseas_liability":
        rows.append(doc("overseas_sales", False))
    if kind == "pledge_guarantee":
        rows.append(
            Requirement(code="loan_contract", accepted_types=(PDF,),
                        label=Msg("insurance_products.document.loan_contract")).as_json()
        )  # fmt: skip
    return rows


def picc_table(pricing: dict[str, Any]) -> dict[str, Any]:
    """PICC 2012 pilot: two tiers of (base, add-on per patent, multiple); the first up to
    ``PICC_TIER1_MAX_PATENTS``."""
    bases = [int(b) for b in pricing["base_premium_tiers_cny"]]
    add_ons = [int(a) for a in pricing["per_patent_add_on_cny"]]
    multiples = [int(m) for m in pricing["cumulative_limit_multiple_of_premium"]]
    tiers = []
    for i, (base, add_on, multiple) in enumerate(zip(bases, add_ons, multiples, strict=True)):
        last = i == len(bases) - 1
        tiers.append({"max_patents": None if last else PICC_TIER1_MAX_PATENTS * (i + 1), "base_minor": _cny(base),
                      "limit_multiple": multiple, "per_patent_minor": _cny(add_on)})  # fmt: skip
    return PremiumTable.from_json({"shape": "base_plus_per_patent", "base_tiers": tiers,
                                   "per_patent_minor": _cny(add_ons[0])}).as_json()  # fmt: skip


def beijing_table(seen: dict[str, Any]) -> dict[str, Any]:
    """Beijing 2020: a premium and a limit per patent for SMEs and for champion firms."""
    premiums, limits = dict(seen["per_patent_premium_cny"]), dict(seen["per_patent_limit_cny"])
    rows = [{"tier": TIER_KEYS[k], "per_patent_premium_minor": _cny(premiums[k]),
             "per_patent_limit_minor": _cny(limits[k])} for k in premiums if k in TIER_KEYS]  # fmt: skip
    rows.sort(key=lambda r: FIRM_TIERS.index(r["tier"]))
    return PremiumTable.from_json({"shape": "per_patent_by_tier", "by_firm_tier": rows}).as_json()


def demo_products(programmes: dict[str, Any], policy: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(code, kind, version values) of the demo products: one per kind, figures read from the data."""
    insurance = programmes["insurance"]
    params = policy["ip_insurance"]
    by_kind = {str(p["code"]): p for p in insurance["products"]}
    seen = {str(p["name"]): p for p in insurance["pricing_seen"]}
    picc = params["picc_2012_pilot_pricing"]
    beijing = seen["Beijing 2020"]
    eligibility = params["beijing_pilot_eligibility_2022"]
    eligibility_source = (
        f"{POLICY_PARAMS} ip_insurance.beijing_pilot_eligibility_2022: {eligibility.get('source_url', '')} "
        f"({eligibility.get('reliability', '')})"
    )
    years = int(eligibility["min_remaining_term_years"])
    foshan = picc.get("foshan_2011", {})
    firms, patents, premium = int(foshan["firms"]), int(foshan["patents"]), int(foshan["total_premium_cny"])
    tier_note = PICC_TIER_NOTE.format(
        firms=firms,
        patents=patents,
        premium=f"{premium:,}",
        per_firm=round(patents / firms, 1),
        premium_per_firm=f"{premium // firms:,}",
    )
    picc_source = (
        f"{PROGRAMMES} insurance.pricing_seen[PICC 2012 pilot]; {POLICY_PARAMS} ip_insurance.picc_2012_pilot_pricing:"
        f" {picc.get('source_url', '')} ({picc.get('reliability', '')})"
    )
    beijing_source = f"{PROGRAMMES} insurance.pricing_seen[Beijing 2020]: {beijing.get('source', '')}"
    zhongshan = next(p for p in programmes["pledge_loans"]["risk_pools"] if p["name"] == "Zhongshan")
    loss_share_bp = int(Decimal(str(zhongshan["loss_split_pct"]["insurer"])) * 100)
    approvals = [[_cny(DEMO_FOUR_EYES_ABOVE_CNY), 2]]

    def common(kind: str) -> dict[str, Any]:
        product = by_kind[kind]
        return {
            "name_zh": str(product["zh"]) + "（演示）",  # words: data
            "wording_version": "demo-2026-01",
            "territory": "CN",
            "retroactive_days": 0,
            "per_claim_limit_minor": None,
            "aggregate_limit_minor": None,
            "deductible_minor": _cny(DEMO_DEDUCTIBLE_CNY),
            "currency": "CNY",
            "questionnaire_version": 1,
            "questionnaire": demo_questions(kind),
            "documents": demo_documents(kind),
            "approval_thresholds": approvals,
            "refusal_needs_second": False,
            "min_remaining_years": years,
            "term_months": DEMO_TERM_MONTHS,
            "quote_valid_days": DEMO_QUOTE_VALID_DAYS,
            "loss_share_bp": 0,
            "patent_kinds": ["invention", "utility_model", "design"],
            "reliability": reliability_of(str(product.get("source", ""))),
        }

    def cover(kind: str) -> str:
        product = by_kind[kind]
        return f"{PROGRAMMES} insurance.products[{kind}]: pays {product.get('pays', '')}; {product.get('source', '')}"

    out: list[tuple[str, str, dict[str, Any]]] = [  # words: data
        (
            "picc-2012-enforcement",
            "enforcement",
            {
                **common("enforcement"),
                "name_en": "Patent enforcement insurance (demo, PICC 2012 pilot pricing)",
                "premium_table": picc_table(picc),
                "source": f"{cover('enforcement')}; pricing: {picc_source}; eligibility: {eligibility_source}",
                "note": "; ".join([tier_note, f"example limits in the source: {picc.get('example_limits_cny')}",
                                   DEMO_NOTE]),
            },
        ),
        (
            "beijing-2020-infringement-loss",
            "infringement_loss",
            {
                **common("infringement_loss"),
                "name_en": "Patent infringement loss insurance (demo, Beijing 2020 pricing)",
                "premium_table": beijing_table(beijing),
                "source": (
                    f"{cover('infringement_loss')}; pricing: {beijing_source}; eligibility: {eligibility_source}"
                ),
                "note": "; ".join(["per-claim limit: one patent's limit (a claim concerns one patent)", DEMO_NOTE]),
            },
        ),
        (
            "overseas-liability",
            "overseas_liability",
            {
                **common("overseas_liability"),
                "name_en": "Overseas infringement liability insurance (demo)",
                "territory": "worldwide_ex_us",
                "retroactive_days": DEMO_OVERSEAS_RETROACTIVE_DAYS,
                "premium_table": beijing_table(beijing),
                "source": f"{cover('overseas_liability')}; pricing (borrowed): {beijing_source}",
                "note": "; ".join(["no overseas price seen in the sources: the Beijing 2020 table is used (demo)",
                                   "territory and retroactive period: demo settings", DEMO_NOTE]),
            },
        ),
        (
            "pledge-guarantee-zhongshan",
            "pledge_guarantee",
            {
                **common("pledge_guarantee"),
                "name_en": "Pledge-loan guarantee insurance (demo, Zhongshan loss share)",
                "loss_share_bp": loss_share_bp,
                "premium_table": picc_table(picc),
                "source": (
                    f"{cover('pledge_guarantee')}; loss share: {PROGRAMMES} pledge_loans.risk_pools[Zhongshan]"
                    f".loss_split_pct.insurer: {zhongshan.get('source', '')}; pricing (borrowed): {picc_source}"
                ),
                "note": "; ".join(["no guarantee premium seen in the sources: the PICC 2012 table is used (demo)",
                                   tier_note, DEMO_NOTE]),
            },
        ),
    ]  # fmt: skip
    return out


def demo_versions(domain_dir: Path | None = None) -> list[InsuranceProductVersionRecord]:
    """The demo products as version records without the database (version 1 of each, ids 1, 2 ...): what the quote
    benchmark and the pure tests price. Empty when ``shared/domain`` is absent."""
    directory = domain_dir or shared_domain_dir()
    if directory is None:
        return []
    programmes = json.loads((directory / PROGRAMMES).read_text(encoding="utf-8"))
    policy = json.loads((directory / POLICY_PARAMS).read_text(encoding="utf-8"))
    at = now()
    out = []
    for n, (code, kind, values) in enumerate(demo_products(programmes, policy), start=1):
        series = {"id": n, "insurer": 0, "code": code, "kind": kind, "version": 1, "status": "published",
                  "created_at": at, "published_at": at}  # fmt: skip
        row = {"id": n, "version": 1, "created_at": at, "created_by": None, **values}
        out.append(repository.record_of(series, row))
    return out


async def seed_demo(*, insurer_name: str, domain_dir: Path | None = None) -> dict[str, int]:
    """The demo insurer's published products, read from ``shared/domain`` now; once each (by code). Returns how
    many products were made."""
    directory = domain_dir or shared_domain_dir()
    insurer = await org_service.find_org(insurer_name)
    if directory is None or insurer is None:
        return {"products": 0}
    programmes = json.loads((directory / PROGRAMMES).read_text(encoding="utf-8"))
    policy = json.loads((directory / POLICY_PARAMS).read_text(encoding="utf-8"))
    made = 0
    for code, kind, values in demo_products(programmes, policy):
        if await repository.id_by_code(insurer.id, code) is None:
            await _write_new(insurer_id=insurer.id, code=code, kind=kind, values=values, actor=Actor.system())
            made += 1
    return {"products": made}


def product_kinds(rows: Sequence[InsuranceProductVersionRecord]) -> list[str]:
    return sorted({r.kind for r in rows}, key=INSURANCE_KINDS.index)
