"""An insurer's IP insurance products (``/insurer/products``): the list, a new product (published at version 1), one
product with its versions, a sample quote explained line by line and the form that writes the next version;
withdraw and publish again, each after a confirmation step. Yuan and percentages are typed as people write them
and turned into minor units and basis points here; every problem is shown beside its field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.insurance_products import service as products
from finance.insurance_products.quote import Quote
from finance.insurance_products.records import (
    CUSTOM_QUESTION,
    FIRM_TIERS,
    INSURANCE_KINDS,
    InsuranceProductVersionRecord,
)
from finance.insurance_products.schemas import ProductCreateIn, VersionIn
from frontend.confirm import confirm_page, confirmed
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, MarketError, ValidationFailed
from market.i18n import gettext
from market.kit.law import PatentKind
from market.kit.money import Money
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

INSURER = signed_in(OrgKind.insurer, session_only=True)
INSURER_WRITER = signed_in(OrgKind.insurer, approved=True, session_only=True)
PATENT_KINDS = [k.value for k in PatentKind]
QUESTION_KINDS = ("yes_no", "number", "text")
SPARE_ROWS = 2
HUNDRED = Decimal(100)
BASE = "/insurer/products"


def _percent_bp(text: str) -> int:
    value = Decimal(text.replace("%", "").strip())
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return int(value * HUNDRED)


def _yuan_minor(text: str) -> int:
    return Money.of(text.replace(",", "").strip(), "CNY").minor


def _yuan(minor: int | None) -> str:
    return "" if minor is None else str(Money("CNY", minor).as_decimal())


def terms_from_form(form: FormMultiDict, lang: str) -> tuple[dict[str, Any], dict[str, str], Errors]:
    """The terms as the API takes them, where each list item came from (``questions.0`` -> ``q_{}_3``), and every
    unreadable number beside its field (left out of the terms)."""
    errors: Errors = []
    where: dict[str, str] = {}

    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    def number(name: str, convert: Any) -> Any:
        value = text(name)
        if not value:
            return None
        try:
            return convert(value)
        except (InvalidOperation, ValueError, TypeError):
            errors.append({"field": name, "message": gettext(lang, "ui.insprod_not_a_number")})
            return None

    def rows(prefix: str) -> range:
        count = text(f"{prefix}_rows")
        return range(int(count) if count.isdigit() else 0)

    tiers: list[dict[str, Any]] = []
    for n in rows("tier"):
        values = {f: number(f"tier_{f}_{n}", convert) for f, convert in
                  (("max", int), ("base", _yuan_minor), ("multiple", int), ("addon", _yuan_minor))}  # fmt: skip
        if all(v is None for v in values.values()):
            continue
        where[f"premium_table.base_tiers.{len(tiers)}"] = f"tier_{{}}_{n}"
        tiers.append({"max_patents": values["max"], "base_minor": values["base"],
                      "limit_multiple": values["multiple"], "per_patent_minor": values["addon"]})  # fmt: skip
    prices: list[dict[str, Any]] = []
    for tier in FIRM_TIERS:
        premium, limit = number(f"price_premium_{tier}", _yuan_minor), number(f"price_limit_{tier}", _yuan_minor)
        if premium is None and limit is None:
            continue
        where[f"premium_table.by_firm_tier.{len(prices)}"] = f"price_{{}}_{tier}"
        prices.append({"tier": tier, "per_patent_premium_minor": premium, "per_patent_limit_minor": limit})
    questions: list[dict[str, Any]] = []
    for n in rows("q"):
        key = text(f"q_key_{n}")
        if not key:
            continue
        where[f"questions.{len(questions)}"] = f"q_{{}}_{n}"
        questions.append({"key": key, "kind": text(f"q_kind_{n}") or "yes_no",
                          "material": form.get(f"q_material_{n}") == "on",
                          "label_zh": text(f"q_zh_{n}"), "label_en": text(f"q_en_{n}")})  # fmt: skip
    documents: list[dict[str, Any]] = []
    for n in rows("doc"):
        code = text(f"doc_code_{n}")
        if not code:
            continue
        where[f"documents.{len(documents)}"] = f"doc_{{}}_{n}"
        documents.append({"code": code, "required": form.get(f"doc_required_{n}") == "on",
                          "accepted_types": [t.strip() for t in text(f"doc_types_{n}").split(",") if t.strip()],
                          "max_age_days": number(f"doc_age_{n}", int),
                          "label_zh": text(f"doc_zh_{n}"), "label_en": text(f"doc_en_{n}")})  # fmt: skip
    thresholds: list[dict[str, Any]] = []
    for n in rows("th"):
        above, approvals = number(f"th_above_{n}", _yuan_minor), number(f"th_n_{n}", int)
        if above is None and approvals is None:
            continue
        where[f"approval_thresholds.{len(thresholds)}"] = f"th_{{}}_{n}"
        thresholds.append({"above_minor": above, "approvals": approvals})
    terms: dict[str, Any] = {
        "name_zh": text("name_zh"),
        "name_en": text("name_en"),
        "wording_version": text("wording_version"),
        "territory": text("territory") or "CN",
        "retroactive_days": number("retroactive_days", int) or 0,
        "per_claim_limit_minor": number("per_claim_limit", _yuan_minor),
        "aggregate_limit_minor": number("aggregate_limit", _yuan_minor),
        "deductible_minor": number("deductible", _yuan_minor) or 0,
        "premium_table": {
            "shape": text("shape"),
            "base_tiers": tiers if text("shape") == "base_plus_per_patent" else [],
            "by_firm_tier": prices if text("shape") == "per_patent_by_tier" else [],
        },
        "questions": questions,
        "documents": documents,
        "approval_thresholds": thresholds,
        "refusal_needs_second": form.get("refusal_needs_second") == "on",
        "min_remaining_years": number("min_remaining_years", int) or 0,
        "term_months": number("term_months", int),
        "quote_valid_days": number("quote_valid_days", int),
        "loss_share_bp": number("loss_share", _percent_bp) or 0,
        "patent_kinds": [k for k in form.getall("patent_kinds", []) if k in PATENT_KINDS],
        "source": text("source"),
        "note": text("note"),
    }
    for name in ("term_months", "quote_valid_days"):
        if terms[name] is None:
            del terms[name]  # the schema's default, or "required" beside the field
    return terms, where, errors


FIELD_OF = {
    "per_claim_limit_minor": "per_claim_limit",
    "aggregate_limit_minor": "aggregate_limit",
    "deductible_minor": "deductible",
    "loss_share_bp": "loss_share",
}
ROW_FIELD = {
    "max_patents": "max", "base_minor": "base", "limit_multiple": "multiple", "per_patent_minor": "addon",
    "per_patent_premium_minor": "premium", "per_patent_limit_minor": "limit", "tier": "premium",
    "key": "key", "kind": "kind", "material": "material", "label_zh": "zh", "label_en": "en",
    "code": "code", "required": "required", "accepted_types": "types", "max_age_days": "age",
    "above_minor": "above", "approvals": "n",
}  # fmt: skip
LISTS = {
    "premium_table.base_tiers": "tiers",
    "premium_table.by_firm_tier": "prices",
    "questions": "questions",
    "documents": "documents",
    "approval_thresholds": "approval_thresholds",
}


def form_field(api_field: str, where: dict[str, str]) -> str:
    """The form's input for an API field: ``premium_table.base_tiers.0.base_minor`` -> ``tier_base_3`` (the row it
    was typed in), ``deductible_minor`` -> ``deductible``, a list as a whole -> its fieldset."""
    for prefix, fieldset in LISTS.items():
        if api_field == prefix:
            return fieldset
        if api_field.startswith(prefix + "."):
            rest = api_field.removeprefix(prefix + ".").split(".")
            row = where.get(f"{prefix}.{rest[0]}")
            if row and len(rest) >= 2:
                return row.format(ROW_FIELD.get(rest[1], rest[1]))
            return fieldset
    if api_field.startswith("premium_table"):
        return "shape"
    head = api_field.split(".")[0]
    return FIELD_OF.get(head, head)


def _first(errors: Errors) -> Errors:
    """One message per field: a number that could not be read is not also "required"."""
    seen: set[str] = set()
    out = []
    for e in errors:
        if e["field"] not in seen:
            seen.add(e["field"])
            out.append(e)
    return out


def _remap(errors: Errors, where: dict[str, str]) -> Errors:
    return [{**e, "field": form_field(e["field"], where)} for e in errors]


def form_values(row: InsuranceProductVersionRecord | None) -> dict[str, Any]:
    """The form's inputs for a version's terms (blank for a new product), with spare rows to add tiers, questions,
    documents and thresholds."""
    if row is None:
        return {"kind": "enforcement", "shape": "base_plus_per_patent", "territory": "CN", "term_months": "12",
                "quote_valid_days": "30", "min_remaining_years": "3", "patent_kinds": list(PATENT_KINDS),
                "tiers": [{}] * SPARE_ROWS, "prices": {}, "qs": [{}] * SPARE_ROWS, "docs": [{}] * SPARE_ROWS,
                "ths": [{}] * SPARE_ROWS}  # fmt: skip
    table = row.premium_table
    return {
        "code": row.code,
        "kind": row.kind,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "wording_version": row.wording_version,
        "territory": row.territory,
        "retroactive_days": str(row.retroactive_days),
        "per_claim_limit": _yuan(row.per_claim_limit_minor),
        "aggregate_limit": _yuan(row.aggregate_limit_minor),
        "deductible": _yuan(row.deductible_minor),
        "shape": table.shape,
        "tiers": [
            {"max": "" if t.max_patents is None else str(t.max_patents), "base": _yuan(t.base_minor),
             "multiple": str(t.limit_multiple),
             "addon": _yuan(t.per_patent_minor if t.per_patent_minor is not None else table.per_patent_minor)}
            for t in table.base_tiers
        ] + [{}] * SPARE_ROWS,
        "prices": {p.tier: {"premium": _yuan(p.per_patent_premium_minor), "limit": _yuan(p.per_patent_limit_minor)}
                   for p in table.by_firm_tier},
        "qs": [
            {"key": q.key, "kind": q.kind, "material": q.material,
             "zh": str(q.label.params.get("label_zh") or "") if q.label.code == CUSTOM_QUESTION else "",
             "en": str(q.label.params.get("label_en") or "") if q.label.code == CUSTOM_QUESTION else "",
             "standard": q.label.code != CUSTOM_QUESTION, "label": q.label}
            for q in row.questionnaire.questions
        ] + [{}] * SPARE_ROWS,
        "docs": [
            {"code": d.code, "required": d.required, "types": ", ".join(d.accepted_types),
             "age": "" if d.max_age_days is None else str(d.max_age_days),
             "zh": str(d.label.params.get("label_zh") or "") if d.label.params else "",
             "en": str(d.label.params.get("label_en") or "") if d.label.params else "", "label": d.label}
            for d in row.documents
        ] + [{}] * SPARE_ROWS,
        "ths": [{"above": _yuan(a), "n": str(n)} for a, n in row.approval_thresholds] + [{}] * SPARE_ROWS,
        "refusal_needs_second": row.refusal_needs_second,
        "min_remaining_years": str(row.min_remaining_years),
        "term_months": str(row.term_months),
        "quote_valid_days": str(row.quote_valid_days),
        "loss_share": "" if not row.loss_share_bp else str(Decimal(row.loss_share_bp) / HUNDRED),
        "patent_kinds": list(row.patent_kinds),
        "source": row.source,
        "note": row.note,
        "expected_version": row.current_version,
    }  # fmt: skip


def typed_values(form: FormMultiDict) -> dict[str, Any]:
    """What the insurer typed, to show it again beside the errors."""
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def count(prefix: str) -> range:
        raw = str(form.get(f"{prefix}_rows") or "")
        return range(int(raw) if raw.isdigit() else 0)

    values["patent_kinds"] = list(form.getall("patent_kinds", []))
    values["refusal_needs_second"] = form.get("refusal_needs_second") == "on"
    values["tiers"] = [{f: form.get(f"tier_{f}_{n}", "") for f in ("max", "base", "multiple", "addon")}
                       for n in count("tier")]  # fmt: skip
    values["prices"] = {t: {"premium": form.get(f"price_premium_{t}", ""), "limit": form.get(f"price_limit_{t}", "")}
                        for t in FIRM_TIERS}  # fmt: skip
    values["qs"] = [
        {"key": form.get(f"q_key_{n}", ""), "kind": form.get(f"q_kind_{n}", ""),
         "material": form.get(f"q_material_{n}") == "on", "zh": form.get(f"q_zh_{n}", ""),
         "en": form.get(f"q_en_{n}", "")}
        for n in count("q")
    ]  # fmt: skip
    values["docs"] = [
        {"code": form.get(f"doc_code_{n}", ""), "required": form.get(f"doc_required_{n}") == "on",
         "types": form.get(f"doc_types_{n}", ""), "age": form.get(f"doc_age_{n}", ""),
         "zh": form.get(f"doc_zh_{n}", ""), "en": form.get(f"doc_en_{n}", "")}
        for n in count("doc")
    ]  # fmt: skip
    values["ths"] = [{"above": form.get(f"th_above_{n}", ""), "n": form.get(f"th_n_{n}", "")} for n in count("th")]
    return values


class InsurerProductPages(Controller):
    include_in_schema = False
    path = BASE
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=INSURER)
    async def index(self, request: AnyRequest, principal: Principal) -> Template:
        return page(
            request,
            "insurance_products/products.html",
            products=await products.products_of_insurer(principal.org_id),
        )

    @get("/new", opt=INSURER)
    async def new(self, request: AnyRequest, principal: Principal) -> Template:
        return form_page(request, None, values=form_values(None))

    @post("/new", opt=INSURER_WRITER)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        lang = lang_of(request)
        terms, where, errors = terms_from_form(form, lang)
        data = None
        try:
            data = ProductCreateIn(code=str(form.get("code") or ""), kind=str(form.get("kind") or ""), **terms)
        except ValidationError as exc:
            errors += _remap(field_messages(exc, lang), where)
        if data is None or errors:
            return form_page(request, None, values=typed_values(form), errors=_first(errors), status=400)
        try:
            made = await products.create_product(principal=principal, data=data)
        except (ValidationFailed, Conflict) as exc:
            errors = _remap(market_messages(exc, lang), where)
            return form_page(request, None, values=typed_values(form), errors=errors, status=exc.status)
        return Redirect(path=f"{BASE}/{made.product}?done=created")

    @get("/{insurance_product_id:int}", opt=INSURER)
    async def one(
        self,
        request: AnyRequest,
        principal: Principal,
        insurance_product_id: int,
        done: str = "",
        patents: int = 5,
        firm_tier: str = "sme",
    ) -> Template:
        row = await products.insurer_product(principal=principal, product_id=insurance_product_id)
        return form_page(
            request, row, values=form_values(row), done=done, versions=await products.versions(row.product),
            sample=_sample(row, patents, firm_tier),
        )  # fmt: skip

    @post("/{insurance_product_id:int}", opt=INSURER_WRITER)
    async def new_version(self, request: AnyRequest, principal: Principal, insurance_product_id: int) -> Any:
        row = await products.insurer_product(principal=principal, product_id=insurance_product_id)  # another's: 404
        form = await form_of(request)
        lang = lang_of(request)
        terms, where, errors = terms_from_form(form, lang)
        data = None
        try:
            expected = int(str(form.get("expected_version") or "0"))
            data = VersionIn(expected_version=expected, **terms)
        except ValidationError as exc:
            errors += _remap(field_messages(exc, lang), where)
        except ValueError:
            errors.append({"field": "form", "message": gettext(lang, "ui.insprod_not_a_number")})
        versions = await products.versions(row.product)
        if data is None or errors:
            return form_page(request, row, values=typed_values(form), errors=_first(errors), status=400,
                             versions=versions)  # fmt: skip
        try:
            await products.new_version(principal=principal, product_id=insurance_product_id, data=data)
        except (ValidationFailed, Conflict) as exc:
            errors = _remap(market_messages(exc, lang), where)
            if not errors:
                errors = [{"field": "form", "message": exc.text(lang)}]
            return form_page(request, row, values=typed_values(form), errors=errors, status=exc.status,
                             versions=versions)  # fmt: skip
        return Redirect(path=f"{BASE}/{insurance_product_id}?done=versioned")

    @post("/{insurance_product_id:int}/{action:str}", opt=INSURER_WRITER)
    async def status(self, request: AnyRequest, principal: Principal, insurance_product_id: int, action: str) -> Any:
        row = await products.insurer_product(principal=principal, product_id=insurance_product_id)
        if action not in products.TRANSITIONS:
            return Redirect(path=f"{BASE}/{insurance_product_id}")
        form = await form_of(request)
        expected = str(form.get("expected_version") or "0")
        if not confirmed(form):
            return confirm_page(
                request,
                action=f"{BASE}/{insurance_product_id}/{action}",
                heading=f"ui.insprod_{action}_heading",
                question=f"ui.insprod_{action}_question",
                button=f"ui.insprod_{action}",
                back=f"{BASE}/{insurance_product_id}",
                fields=[("expected_version", expected)],
                details=[f"{row.name_zh} · v{row.current_version}"],
                danger=action == "withdraw",
            )
        try:
            await products.change_status(
                principal=principal, product_id=insurance_product_id, action=action,
                expected_version=int(expected) if expected.isdigit() else 0,
            )  # fmt: skip
        except MarketError as exc:
            errors = market_messages(exc, lang_of(request)) or [
                {"field": "form", "message": exc.text(lang_of(request))}
            ]
            return form_page(request, row, values=form_values(row), errors=errors, status=exc.status,
                             versions=await products.versions(row.product))  # fmt: skip
        return Redirect(path=f"{BASE}/{insurance_product_id}?done={action}")


def _sample(row: InsuranceProductVersionRecord, patents: int, firm_tier: str) -> dict[str, Any]:
    """A quote for ``patents`` patents of a firm of ``firm_tier`` under the version in force, or why none."""
    tier = firm_tier if firm_tier in FIRM_TIERS else "sme"
    try:
        quote: Quote | None = products.quote(row, patents=patents, firm_tier=tier)
        error = None
    except ValidationFailed as exc:
        quote, error = None, exc.message
    return {"patents": patents, "firm_tier": tier, "quote": quote, "error": error}


def form_page(
    request: AnyRequest,
    row: InsuranceProductVersionRecord | None,
    *,
    values: dict[str, Any],
    errors: Errors | None = None,
    done: str = "",
    status: int = 200,
    versions: list[InsuranceProductVersionRecord] | None = None,
    sample: dict[str, Any] | None = None,
) -> Template:
    errors = errors or []
    return page(
        request,
        "insurance_products/product.html",
        status,
        product=row,
        versions=versions or [],
        f=values,
        errors=errors,
        bad={e["field"] for e in errors},
        kinds=INSURANCE_KINDS,
        patent_kinds=PATENT_KINDS,
        firm_tiers=FIRM_TIERS,
        question_kinds=QUESTION_KINDS,
        done=done,
        sample=sample,
    )
