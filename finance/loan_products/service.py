"""Bank loan products (知识产权质押贷款产品) and the risk-compensation pools they take part in.

- A bank (its owners and members) writes a product's terms: patent kinds accepted, loan-to-value per kind (basis
  points of the value), minimum remaining term per kind (years), maximum amount and term, rate range, the document
  checklist, approval thresholds (amount above which N approvers), whether a refusal needs a second approver, and
  the pools it takes part in.
- Versioned: each edit writes the next version (never changes one) and moves the product's version in force with a
  conditional update, so of two editors one wins (the other: 409). An application keeps the product id and the
  version it used (``product(product_id, version)`` reads it back).
- Published products are read by everyone (``published_products``); a draft or withdrawn one only by its bank.
- Every change is an audit event.
- ``eligible_products(patent, today)``: which published products a patent may support, with the reasons
  (``rules``) for each.
- ``seed_demo``: the demo bank's products and pools, read from ``shared/domain`` at seed time, each with its source
  and reliability.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from finance.dossiers.checklist import Requirement
from finance.loan_products import repository, rules
from finance.loan_products.records import PoolRecord, ProductRecord
from finance.loan_products.rules import Reason
from finance.loan_products.schemas import (
    EligibilityOut,
    MoneyOut,
    PoolIn,
    PoolOut,
    ProductCreateIn,
    ProductEditIn,
    ProductOut,
    ProductTermsIn,
    RequirementOut,
    ThresholdOut,
)
from listings.patents import service as patents
from listings.patents.records import PatentRecord
from listings.universities import service as universities
from market.accounts.principal import Principal
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, NotFound, ValidationFailed
from market.kit.law import PatentKind
from market.kit.messages import Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs import service as org_service

STATUSES = ("draft", "published", "withdrawn")

# What other modules read: through this service, never the repository.
pools = repository.pools
pool = repository.pool


def now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------------------------------ reading


async def _complete(row: ProductRecord) -> ProductRecord:
    org = await org_service.org_by_id(row.bank)
    return replace(row, bank_name=org.name if org else "", pool_records=tuple(await repository.pools(row.pools)))


async def product(product_id: int, version: int | None = None) -> ProductRecord | None:
    """A product at ``version`` (the version in force when None), with its bank's name and its pools; any status
    (an application reads back the version it used even after the product was withdrawn)."""
    row = await repository.get(product_id, version)
    return await _complete(row) if row else None


async def published_products(bank_id: int | None = None) -> list[ProductRecord]:
    return [await _complete(r) for r in await repository.published(bank_id)]


async def products_of_bank(bank_id: int) -> list[ProductRecord]:
    return [await _complete(r) for r in await repository.of_bank(bank_id)]


async def product_versions(product_id: int) -> list[ProductRecord]:
    return [await _complete(r) for r in await repository.versions(product_id)]


async def published_product(product_id: int) -> ProductRecord:
    """A published product, for anyone; a draft, withdrawn or unknown one is not found."""
    row = await repository.get(product_id)
    if row is None or not row.published:
        raise NotFound(Msg("lending.no_such_product"))
    return await _complete(row)


async def bank_product(*, principal: Principal, product_id: int, version: int | None = None) -> ProductRecord:
    """One of the principal's bank's products; another bank's is not found."""
    row = await repository.get(product_id, version)
    if row is None or row.bank != principal.org_id:
        raise NotFound(Msg("lending.no_such_product"))
    return await _complete(row)


def checklist(row: ProductRecord) -> list[Requirement]:
    """The product version's document checklist as ``finance.dossiers`` checks it (the bank's own labels)."""
    return [
        Requirement.from_json(
            {"code": d.code, "required": d.required, "accepted_types": list(d.accepted_types),
             "max_age_days": d.max_age_days, "label_zh": d.label_zh, "label_en": d.label_en}
        )
        for d in row.documents
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------------ output


def money_out(value: Money | None) -> MoneyOut | None:
    return None if value is None else MoneyOut(minor=value.minor, currency=value.currency)


def pool_out(row: PoolRecord) -> PoolOut:
    return PoolOut(
        id=row.id,
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        issuer=row.issuer,
        loss_split_bp=dict(row.loss_split_bp),
        cap_first_year=money_out(row.cap_first_year),
        cap_later=money_out(row.cap_later),
        pure_ip_only=row.pure_ip_only,
        size=money_out(row.size),
        scope=row.scope,
        source=row.source,
        reliability=row.reliability,
    )


def product_out(row: ProductRecord) -> ProductOut:
    max_amount = money_out(row.max_amount)
    assert max_amount is not None
    return ProductOut(
        id=row.id,
        bank=row.bank,
        bank_name=row.bank_name,
        code=row.code,
        status=row.status,
        version=row.version,
        current_version=row.current_version,
        name_zh=row.name_zh,
        name_en=row.name_en,
        kinds=list(row.kinds),
        ltv_bp=dict(row.ltv_bp),
        min_remaining_years=dict(row.min_remaining_years),
        max_amount=max_amount,
        max_term_months=row.max_term_months,
        rate_min_bp=row.rate_min_bp,
        rate_max_bp=row.rate_max_bp,
        documents=[
            RequirementOut(
                code=d.code,
                required=d.required,
                accepted_types=list(d.accepted_types),
                max_age_days=d.max_age_days,
                label_zh=d.label_zh,
                label_en=d.label_en,
            )
            for d in row.documents
        ],
        approval_thresholds=[ThresholdOut(above_minor=a, approvals=n) for a, n in row.approval.thresholds],
        refusal_needs_second=row.approval.refusal_needs_second,
        pools=[pool_out(p) for p in row.pool_records],
        source=row.source,
        reliability=row.reliability,
        note=row.note,
        created_at=row.created_at,
        version_created_at=row.version_created_at,
        published_at=row.published_at,
    )


# ------------------------------------------------------------------------------------------------ writing


async def _values(data: ProductTermsIn) -> dict[str, Any]:
    """The version's columns from the terms, or every problem beside its field."""
    errors: list[FieldError] = []
    kinds = [k.value for k in data.kinds]
    if len(set(kinds)) != len(kinds):
        errors.append(FieldError("kinds", Msg("lending.kinds_repeated"), code="repeated"))
    for name, per_kind in (("ltv_bp", data.ltv_bp), ("min_remaining_years", data.min_remaining_years)):
        for kind in per_kind:
            if kind.value not in kinds:
                msg = Msg("lending.kind_not_accepted", {"kind": Msg(f"patent.kind.{kind.value}")})
                errors.append(FieldError(f"{name}.{kind.value}", msg, code="kind_not_accepted"))
    for kind, years in data.min_remaining_years.items():
        if not 0 <= years <= 20:
            errors.append(FieldError(f"min_remaining_years.{kind.value}", Msg("lending.years_range"), code="range"))
    if data.rate_min_bp is not None and data.rate_max_bp is not None and data.rate_min_bp > data.rate_max_bp:
        errors.append(FieldError("rate_max_bp", Msg("lending.rate_range"), code="rate_range"))
    codes = [d.code for d in data.documents]
    if len(set(codes)) != len(codes):
        errors.append(FieldError("documents", Msg("lending.document_repeated"), code="repeated"))
    aboves = [t.above_minor for t in data.approval_thresholds]
    if len(set(aboves)) != len(aboves):
        errors.append(FieldError("approval_thresholds", Msg("lending.threshold_repeated"), code="repeated"))
    known = {p.id for p in await repository.pools(list(dict.fromkeys(data.pools)))}
    unknown = [p for p in data.pools if p not in known]
    if unknown:
        msg = Msg("lending.no_such_pool", {"ids": tuple(str(p) for p in unknown)})
        errors.append(FieldError("pools", msg, code="no_such_pool"))
    if errors:
        raise ValidationFailed(Msg("lending.invalid"), errors=errors)
    return {
        "name_zh": data.name_zh,
        "name_en": data.name_en,
        "kinds": kinds,
        "ltv_bp": {k.value: v for k, v in data.ltv_bp.items()},
        "min_remaining_years": {k.value: v for k, v in data.min_remaining_years.items()},
        "max_amount_minor": data.max_amount_minor,
        "currency": data.currency,
        "max_term_months": data.max_term_months,
        "rate_min_bp": data.rate_min_bp,
        "rate_max_bp": data.rate_max_bp,
        "documents": [d.model_dump() for d in data.documents],
        "approval_thresholds": sorted([t.above_minor, t.approvals] for t in data.approval_thresholds),
        "refusal_needs_second": data.refusal_needs_second,
        "pools": list(dict.fromkeys(data.pools)),
        "source": data.source,
        "reliability": "bank",
        "note": data.note,
    }


async def _write_new(
    *, bank_id: int, code: str, values: dict[str, Any], actor: Actor, status: str = "draft"
) -> int:
    at = now()
    product_id = await repository.insert_product(bank_id=bank_id, code=code, created_by=actor.user_id, at=at)
    await repository.insert_version(product_id=product_id, version=1, values=values, created_by=actor.user_id, at=at)
    if status != "draft":
        await repository.set_status(product_id=product_id, from_statuses=("draft",), to=status, at=at)
    await record(
        actor=actor,
        action="finance.loan_product_created",
        entity_type="loan_product",
        entity_id=product_id,
        org_id=bank_id,
        after={"code": code, "version": 1, "status": status, **values},
    )
    return product_id


async def create_product(*, principal: Principal, data: ProductCreateIn) -> ProductOut:
    """A new product of the principal's bank, as a draft at version 1. A code the bank already uses: 409."""
    values = await _values(data)
    if await repository.by_code(principal.org_id, data.code) is not None:
        msg = Msg("lending.code_taken", {"key": data.code})
        raise Conflict(msg, errors=[FieldError("code", msg, code="taken")])
    product_id = await _write_new(
        bank_id=principal.org_id, code=data.code, values=values, actor=Actor(principal.user_id, principal.org_id)
    )
    return product_out(await bank_product(principal=principal, product_id=product_id))


async def edit_product(*, principal: Principal, product_id: int, data: ProductEditIn) -> ProductOut:
    """The next version of the product's terms (the one edited must still be in force: else 409). The status is
    kept: a published product stays published, at its new version."""
    current = await bank_product(principal=principal, product_id=product_id)
    values = await _values(data)
    if data.expected_version != current.current_version:
        raise Conflict(Msg("lending.changed_meanwhile", {"version": current.current_version}))
    at = now()
    if not await repository.move_version(product_id=product_id, expected=data.expected_version, at=at):
        raise Conflict(Msg("lending.changed_meanwhile", {"version": current.current_version}))
    version = data.expected_version + 1
    await repository.insert_version(
        product_id=product_id, version=version, values=values, created_by=principal.user_id, at=at
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.loan_product_edited",
        entity_type="loan_product",
        entity_id=product_id,
        org_id=principal.org_id,
        before={"version": current.current_version},
        after={"version": version, **values},
    )
    return product_out(await bank_product(principal=principal, product_id=product_id))


TRANSITIONS = {"publish": (("draft", "withdrawn"), "published"), "withdraw": (("published",), "withdrawn")}


async def change_status(*, principal: Principal, product_id: int, action: str, expected_version: int) -> ProductOut:
    """Publish (a draft or withdrawn product) or withdraw (a published one) the version in force."""
    from_statuses, to = TRANSITIONS[action]
    current = await bank_product(principal=principal, product_id=product_id)
    if expected_version != current.current_version:
        raise Conflict(Msg("lending.changed_meanwhile", {"version": current.current_version}))
    if current.status not in from_statuses or not await repository.set_status(
        product_id=product_id, from_statuses=from_statuses, to=to, at=now()
    ):
        raise Conflict(Msg(f"lending.cannot_{action}", {"status": Msg(f"lending.status.{current.status}")}))
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action=f"finance.loan_product_{to}",
        entity_type="loan_product",
        entity_id=product_id,
        org_id=principal.org_id,
        before={"status": current.status},
        after={"status": to, "version": current.current_version},
    )
    return product_out(await bank_product(principal=principal, product_id=product_id))


async def record_pool(*, principal: Principal, data: PoolIn) -> PoolOut:
    """A pool the bank records (its reliability ``bank``: the bank's own entry, with its source). A code already
    used: 409."""
    if await repository.pool_by_code(data.code) is not None:
        msg = Msg("lending.pool_code_taken", {"key": data.code})
        raise Conflict(msg, errors=[FieldError("code", msg, code="taken")])
    values = {**data.model_dump(), "currency": "CNY", "reliability": "bank", "recorded_by_org": principal.org_id}
    pool_id = await repository.insert_pool(values)
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="finance.risk_pool_recorded",
        entity_type="risk_pool",
        entity_id=pool_id,
        org_id=principal.org_id,
        after=values,
    )
    row = await repository.pool(pool_id)
    assert row is not None
    return pool_out(row)


# ------------------------------------------------------------------------------------------- eligibility


@dataclass(frozen=True, slots=True)
class ProductEligibility:
    """Whether a patent may support a product, why not (or what to acknowledge), and the most the product lends
    (its maximum amount; loan-to-value x value once the patent is valued: the application computes that)."""

    product: ProductRecord
    eligible: bool
    reasons: list[Reason]
    max_amount: Money | None


async def eligible_products(patent: PatentRecord, today: date) -> list[ProductEligibility]:
    """Each published product, for one stored patent: the grounds readable from the register (the patent's
    organisation as applicant, its aliases too), the product's patent floors and the conflicts. Amount and term
    are not chosen yet: the product's maximum term is checked against the expiry (ground 06)."""
    licences = await patents.licences_in_force([patent.id], today)
    facts = patents.facts(patent, licences)
    names = await universities.patentee_names(patent.organisation)
    applicant, aliases = (names[0], names[1:]) if names else ("", ())
    open_licence = patent.declaration_status == "published"
    out = []
    for row in await published_products():
        reasons = [
            *rules.grounds(
                patent=facts, applicant_name=applicant, aliases=aliases, term_months=row.max_term_months, today=today
            ),
            *rules.patent_floors(patent=facts, product=row, today=today),
            *rules.conflicts(patent=facts, open_licence=open_licence, licences=licences, today=today),
        ]
        # the product's longest term past the expiry: a shorter loan may still fit, so it is a warning here
        reasons = [
            replace(r, severity=rules.Severity.warn) if r.code == rules.GROUNDS[6] else r for r in reasons
        ]
        eligible = not any(r.blocks for r in reasons)
        out.append(ProductEligibility(row, eligible, reasons, row.max_amount if eligible else None))
    return out


async def eligibility_for(*, principal: Principal, patent_id: int) -> list[EligibilityOut]:
    """For one of the principal's organisation's patents (another's: not found): each published product."""
    patent = await patents.owned(principal, patent_id)
    return [eligibility_out(e) for e in await eligible_products(patent, patents.today())]


def reason_out(r: Reason) -> MsgOut:
    return MsgOut.of(r.msg)


def eligibility_out(e: ProductEligibility) -> EligibilityOut:
    return EligibilityOut(
        product=product_out(e.product),
        eligible=e.eligible,
        reasons=[reason_out(r) for r in e.reasons],
        max_amount=money_out(e.max_amount),
    )


def reasons_of(rows: Sequence[Reason]) -> list[Msg]:
    return [r.msg for r in rows]


# ------------------------------------------------------------------------------------------------ demo seed

PROGRAMMES = "cn_ip_finance_programmes.json"
POLICY_PARAMS = "cn_ip_finance_and_open_license_policy_params.json"
RELIABILITY = {"P": "primary", "S": "secondary", "T": "tertiary"}
# Display names of the pools' places (the data names them in English): data, not sentences.
PLACE_ZH = {"Zhongshan": "中山", "Zhuhai": "珠海", "Weihai": "威海", "Haikou": "海口", "Ziyang": "资阳"}  # words: data
POOL_SUFFIX_ZH = "知识产权质押融资风险补偿资金"  # words: data
DEMO_CHECKLIST_NOTE = "demo bank's own settings: document ages and approval threshold (not from a source)"
DEMO_FINANCIALS_MAX_AGE_DAYS = 180
DEMO_SECOND_APPROVER_ABOVE_MINOR = 500_000_000
PDF_OR_IMAGE = ("application/pdf", "image/jpeg", "image/png")


def shared_domain_dir() -> Path | None:
    """``shared/domain`` beside the project (or beside the working directory), where the programme figures live."""
    for base in (Path(__file__).resolve().parents[3], Path.cwd().resolve().parent):
        candidate = base / "shared" / "domain"
        if (candidate / PROGRAMMES).exists():
            return candidate
    return None


def reliability_of(source: str) -> str:
    """primary, secondary or tertiary from a source's flag: ``(P ...)``, ``(S ...)``, ``(T ...)`` in the programmes
    file, or the first word of a ``reliability`` text in the policy parameters."""
    found = re.search(r"\((P|S|T)\b", source)
    if found:
        return RELIABILITY[found.group(1)]
    word = source.strip().split(" ")[0].lower() if source.strip() else ""
    return word if word in RELIABILITY.values() else ""


def _bp(pct: int | float | str) -> int:
    return int(Decimal(str(pct)) * 100)


def _cny(amount: int | float | str) -> int:
    return int(Decimal(str(amount)) * 100)


def demo_pools(programmes: dict[str, Any], policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The pools of ``pledge_loans.risk_pools`` (and Ziyang's of the policy parameters), as rows to insert."""
    lending = policy.get("pledge_lending_parameters", {})
    out: list[dict[str, Any]] = []
    previous = ""
    for item in programmes["pledge_loans"]["risk_pools"]:
        name = str(item["name"])
        source, reliability = str(item.get("source", "")), reliability_of(str(item.get("source", "")))
        if source.startswith("same") and previous:  # "same (P)": the source of the pool before
            source = f"{previous.split(' (')[0]} {source.removeprefix('same').strip()}"
        previous = source
        row: dict[str, Any] = {
            "code": f"pool-{name.lower()}",
            "name_zh": PLACE_ZH.get(name, name) + POOL_SUFFIX_ZH,
            "name_en": f"{name} IP pledge loan risk-compensation pool",
            "issuer": "",
            "loss_split_bp": {party: _bp(pct) for party, pct in dict(item.get("loss_split_pct", {})).items()},
            "cap_first_year_minor": None,
            "cap_later_minor": None,
            "pure_ip_only": "pure-IP" in str(item.get("scope", "")),
            "size_minor": _cny(item["pool_cny"]) if "pool_cny" in item else None,
            "scope": str(item.get("scope", "")),
            "source": f"{PROGRAMMES} pledge_loans.risk_pools[{name}]: {source}",
            "reliability": reliability,
        }
        caps = item.get("per_loan_cap_cny")
        if caps:
            row["cap_first_year_minor"] = _cny(caps["first_year"])
            row["cap_later_minor"] = _cny(caps["later"])
        detail = lending.get(f"risk_compensation_{name.lower()}")
        if detail:  # the policy parameters hold the instrument, the caps and their own source
            row["issuer"] = str(detail.get("instrument", ""))
            if "single_loan_cap_first_year_cny" in detail:
                row["cap_first_year_minor"] = _cny(detail["single_loan_cap_first_year_cny"])
                row["cap_later_minor"] = _cny(detail["single_loan_cap_later_years_cny"])
            row["source"] += f"; {POLICY_PARAMS} pledge_lending_parameters.risk_compensation_{name.lower()}: "
            row["source"] += str(detail.get("source_url", ""))
            row["reliability"] = reliability_of(str(detail.get("reliability", ""))) or row["reliability"]
        out.append(row)
    for key, detail in lending.items():
        name = key.removeprefix("risk_compensation_").capitalize()
        if not key.startswith("risk_compensation_") or any(r["code"] == f"pool-{name.lower()}" for r in out):
            continue
        out.append(
            {
                "code": f"pool-{name.lower()}",
                "name_zh": PLACE_ZH.get(name, name) + POOL_SUFFIX_ZH,
                "name_en": f"{name} IP pledge loan risk-compensation pool",
                "issuer": str(detail.get("instrument", "")),
                "loss_split_bp": {},
                "cap_first_year_minor": None,
                "cap_later_minor": None,
                "pure_ip_only": False,
                "size_minor": _cny(detail["pool_size_cny"]) if "pool_size_cny" in detail else None,
                "scope": "",
                "source": f"{POLICY_PARAMS} pledge_lending_parameters.{key}: {detail.get('source_url', '')}",
                "reliability": reliability_of(str(detail.get("reliability", ""))),
            }
        )
    return out


def demo_documents(policy: dict[str, Any]) -> list[dict[str, Any]]:
    """The demo checklist: the parties' identity papers and the valuation report (labels quoted from the CNIPA
    registration list, ``pledge_registration.required_documents``) and recent financial statements (the demo
    bank's own item and age)."""
    listed = [str(d) for d in policy.get("pledge_registration", {}).get("required_documents", [])]
    identity = next((d for d in listed if "身份证明" in d), "")  # words: data
    report = next((d for d in listed if "评估报告" in d), "")  # words: data
    return [
        {"code": "identity", "required": True, "accepted_types": list(PDF_OR_IMAGE), "max_age_days": None,
         "label_zh": identity, "label_en": "Identity papers of the parties (or commitment letters)"},
        {"code": "valuation_report", "required": False, "accepted_types": ["application/pdf"], "max_age_days": None,
         "label_zh": report, "label_en": "Asset valuation report, if the patent was appraised"},
        {"code": "financial_statements", "required": True, "accepted_types": ["application/pdf"],
         "max_age_days": DEMO_FINANCIALS_MAX_AGE_DAYS, "label_zh": "最近一期财务报表",  # words: data
         "label_en": "Latest financial statements"},
    ]  # fmt: skip


def demo_products(
    programmes: dict[str, Any], policy: dict[str, Any], pool_ids: dict[str, int]
) -> list[tuple[str, dict[str, Any]]]:
    """(code, version values) of the demo products: the BOCOM example (``pledge_loans.bank_product_example_bocom``)
    and Sichuan's 天府知来贷 (``pledge_lending_parameters.sichuan_tianfu_zhilaidai``), figures read from the data."""
    kinds_known = {k.value for k in PatentKind}
    documents = demo_documents(policy)
    approvals = [[DEMO_SECOND_APPROVER_ABOVE_MINOR, 2]]
    out: list[tuple[str, dict[str, Any]]] = []
    bocom = programmes["pledge_loans"]["bank_product_example_bocom"]
    ltv = {k: _bp(v) for k, v in dict(bocom["ltv_pct"]).items() if k in kinds_known}
    left_out = sorted(k for k in dict(bocom["ltv_pct"]) if k not in kinds_known)
    out.append(
        (
            "bocom-example",
            {
                "name_zh": "知识产权质押贷（演示：参照交通银行产品示例）",  # words: data
                "name_en": "IP pledge loan (demo, after a BOCOM product example)",
                "kinds": list(ltv),
                "ltv_bp": ltv,
                "min_remaining_years": {
                    k: int(v) for k, v in dict(bocom["min_remaining_term_years"]).items() if k in kinds_known
                },
                "max_amount_minor": _cny(bocom["max_amount_cny"]),
                "currency": "CNY",
                "max_term_months": int(bocom["max_term_years"]) * 12,
                "rate_min_bp": None,
                "rate_max_bp": None,
                "documents": documents,
                "approval_thresholds": approvals,
                "refusal_needs_second": True,
                "pools": [pool_ids[c] for c in ("pool-weihai", "pool-haikou") if c in pool_ids],
                "source": f"{PROGRAMMES} pledge_loans.bank_product_example_bocom: {bocom.get('source', '')}",
                "reliability": reliability_of(str(bocom.get("source", ""))),
                "note": "; ".join(
                    [
                        f"worked example: {bocom.get('worked_example', '')}",
                        f"not patents, left out: {', '.join(left_out)}" if left_out else "",
                        DEMO_CHECKLIST_NOTE,
                        "rate range not stated by the source",
                    ]
                ).strip("; "),
            },
        )
    )
    sichuan = policy.get("pledge_lending_parameters", {}).get("sichuan_tianfu_zhilaidai")
    if sichuan:
        out.append(
            (
                "sichuan-tianfu-zhilaidai",
                {
                    "name_zh": "天府知来贷（演示）",  # words: data
                    "name_en": "Tianfu Zhilaidai (demo)",
                    "kinds": sorted(kinds_known),
                    "ltv_bp": {},
                    "min_remaining_years": {},
                    "max_amount_minor": _cny(sichuan["max_loan_per_firm_cny"]),
                    "currency": "CNY",
                    "max_term_months": int(sichuan["max_term_years"]) * 12,
                    "rate_min_bp": None,
                    "rate_max_bp": None,
                    "documents": documents,
                    "approval_thresholds": approvals,
                    "refusal_needs_second": True,
                    "pools": [pool_ids[c] for c in ("pool-ziyang",) if c in pool_ids],
                    "source": (
                        f"{POLICY_PARAMS} pledge_lending_parameters.sichuan_tianfu_zhilaidai: "
                        f"{', '.join(sichuan.get('instruments', []))} {sichuan.get('source_url', '')}"
                    ),
                    "reliability": reliability_of(str(sichuan.get("reliability", ""))),
                    "note": "; ".join(
                        [
                            f"target: {sichuan.get('target', '')}",
                            f"risk sharing: {sichuan.get('risk_sharing', '')}",
                            f"interest subsidy: {sichuan.get('interest_subsidy', '')}",
                            "no loan-to-value or minimum remaining term stated by the source",
                            DEMO_CHECKLIST_NOTE,
                        ]
                    ),
                },
            )
        )
    return out


async def seed_demo(*, bank_name: str, domain_dir: Path | None = None) -> dict[str, int]:
    """The demo pools and the demo bank's published products, read from ``shared/domain`` now; once each (by
    code). Returns how many pools and products were made."""
    directory = domain_dir or shared_domain_dir()
    bank = await org_service.find_org(bank_name)
    if directory is None or bank is None:
        return {"pools": 0, "products": 0}
    programmes = json.loads((directory / PROGRAMMES).read_text(encoding="utf-8"))
    policy = json.loads((directory / POLICY_PARAMS).read_text(encoding="utf-8"))
    made = {"pools": 0, "products": 0}
    pool_ids: dict[str, int] = {}
    for row in demo_pools(programmes, policy):
        known = await repository.pool_by_code(row["code"])
        if known is None:
            pool_ids[row["code"]] = await repository.insert_pool(row)
            await record(
                actor=Actor.system(),
                action="finance.risk_pool_recorded",
                entity_type="risk_pool",
                entity_id=pool_ids[row["code"]],
                after=row,
            )
            made["pools"] += 1
        else:
            pool_ids[row["code"]] = known.id
    for code, values in demo_products(programmes, policy, pool_ids):
        if await repository.by_code(bank.id, code) is None:
            await _write_new(bank_id=bank.id, code=code, values=values, actor=Actor.system(), status="published")
            made["products"] += 1
    return made
