"""A bank's loan products (``/bank/products``): the list, a new product (a draft), one product with its versions and
the form that writes the next version, publish and withdraw (each after a confirmation step). Percentages and yuan
are typed as people write them and turned into basis points and minor units here; every problem is shown beside
its field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.loan_products import service as products
from finance.loan_products.records import ProductRecord
from finance.loan_products.schemas import PoolIn, ProductCreateIn, ProductEditIn
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

BANK = signed_in(OrgKind.bank, session_only=True)
BANK_WRITER = signed_in(OrgKind.bank, approved=True, session_only=True)
KINDS = [k.value for k in PatentKind]
SPARE_ROWS = 2
HUNDRED = Decimal(100)


def _percent_bp(text: str) -> int:
    value = Decimal(text.replace("%", "").strip())
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return int(value * HUNDRED)


def _yuan_minor(text: str) -> int:
    return Money.of(text.replace(",", "").strip(), "CNY").minor


def terms_from_form(form: FormMultiDict, lang: str) -> tuple[dict[str, Any], dict[str, str], Errors]:
    """The terms as the API takes them, where each list item came from (``documents.0`` -> ``doc_code_3``), and
    every unreadable number beside its field (left out of the terms)."""
    errors: Errors = []
    where: dict[str, str] = {}

    def number(name: str, convert: Any) -> Any:
        text = str(form.get(name) or "").strip()
        if not text:
            return None
        try:
            return convert(text)
        except (InvalidOperation, ValueError, TypeError):
            errors.append({"field": name, "message": gettext(lang, "ui.lending_not_a_number")})
            return None

    kinds = [k for k in form.getall("kinds", []) if k in KINDS]
    ltv = {k: v for k in KINDS if (v := number(f"ltv_{k}", _percent_bp)) is not None}
    years = {k: v for k in KINDS if (v := number(f"minyears_{k}", int)) is not None}
    documents: list[dict[str, Any]] = []
    thresholds: list[dict[str, Any]] = []
    for n in range(int(form.get("doc_rows") or 0)):
        code = str(form.get(f"doc_code_{n}") or "").strip()
        if not code:
            continue
        where[f"documents.{len(documents)}"] = f"doc_{{}}_{n}"
        documents.append(
            {
                "code": code,
                "required": form.get(f"doc_required_{n}") == "on",
                "accepted_types": [t.strip() for t in str(form.get(f"doc_types_{n}") or "").split(",") if t.strip()],
                "max_age_days": number(f"doc_age_{n}", int),
                "label_zh": str(form.get(f"doc_zh_{n}") or ""),
                "label_en": str(form.get(f"doc_en_{n}") or ""),
            }
        )
    for n in range(int(form.get("th_rows") or 0)):
        above = number(f"th_above_{n}", _yuan_minor)
        approvals = number(f"th_n_{n}", int)
        if above is None and approvals is None:
            continue
        where[f"approval_thresholds.{len(thresholds)}"] = f"th_{{}}_{n}"
        thresholds.append({"above_minor": above, "approvals": approvals})
    terms = {
        "name_zh": str(form.get("name_zh") or ""),
        "name_en": str(form.get("name_en") or ""),
        "kinds": kinds,
        "ltv_bp": ltv,
        "min_remaining_years": years,
        "max_amount_minor": number("max_amount", _yuan_minor),
        "max_term_months": number("max_term_months", int),
        "rate_min_bp": number("rate_min", _percent_bp),
        "rate_max_bp": number("rate_max", _percent_bp),
        "documents": documents,
        "approval_thresholds": thresholds,
        "refusal_needs_second": form.get("refusal_needs_second") == "on",
        "pools": [int(p) for p in form.getall("pools", []) if str(p).isdigit()],
        "source": str(form.get("source") or ""),
        "note": str(form.get("note") or ""),
    }
    return terms, where, errors


FIELD_OF = {
    "max_amount_minor": "max_amount",
    "rate_min_bp": "rate_min",
    "rate_max_bp": "rate_max",
    "ltv_bp": "ltv",
    "min_remaining_years": "minyears",
}
ROW_FIELD = {"code": "code", "required": "required", "accepted_types": "types", "max_age_days": "age",
             "label_zh": "zh", "label_en": "en", "above_minor": "above", "approvals": "n"}  # fmt: skip


def form_field(api_field: str, where: dict[str, str]) -> str:
    """The form's input for an API field: ``ltv_bp.invention`` -> ``ltv_invention``, ``documents.0.code`` ->
    ``doc_code_3`` (the row it was typed in)."""
    parts = api_field.split(".")
    if parts[0] in ("documents", "approval_thresholds") and len(parts) >= 2:
        row = where.get(f"{parts[0]}.{parts[1]}")
        if row and len(parts) >= 3:
            return row.format(ROW_FIELD.get(parts[2], parts[2]))
        return parts[0]
    head = FIELD_OF.get(parts[0], parts[0])
    return f"{head}_{parts[1]}" if len(parts) > 1 and parts[0] in ("ltv_bp", "min_remaining_years") else head


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


def form_values(row: ProductRecord | None) -> dict[str, Any]:
    """The form's inputs for a product's terms (blank for a new one), with spare rows to add documents and
    thresholds."""
    if row is None:
        return {"kinds": ["invention"], "refusal_needs_second": True, "docs": [{}] * SPARE_ROWS,
                "ths": [{}] * SPARE_ROWS, "pools": []}  # fmt: skip
    return {
        "code": row.code,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "kinds": list(row.kinds),
        **{f"ltv_{k}": str(Decimal(v) / HUNDRED) for k, v in row.ltv_bp.items()},
        **{f"minyears_{k}": str(v) for k, v in row.min_remaining_years.items()},
        "max_amount": str(row.max_amount.as_decimal()),
        "max_term_months": str(row.max_term_months),
        "rate_min": "" if row.rate_min_bp is None else str(Decimal(row.rate_min_bp) / HUNDRED),
        "rate_max": "" if row.rate_max_bp is None else str(Decimal(row.rate_max_bp) / HUNDRED),
        "docs": [
            {"code": d.code, "required": d.required, "types": ", ".join(d.accepted_types),
             "age": "" if d.max_age_days is None else str(d.max_age_days), "zh": d.label_zh, "en": d.label_en}
            for d in row.documents
        ] + [{}] * SPARE_ROWS,
        "ths": [{"above": str(Money("CNY", a).as_decimal()), "n": str(n)} for a, n in row.approval.thresholds]
        + [{}] * SPARE_ROWS,
        "refusal_needs_second": row.approval.refusal_needs_second,
        "pools": list(row.pools),
        "source": row.source,
        "note": row.note,
        "expected_version": row.current_version,
    }


def typed_values(form: FormMultiDict) -> dict[str, Any]:
    """What the bank typed, to show it again beside the errors."""
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    values["kinds"] = list(form.getall("kinds", []))
    values["pools"] = [int(p) for p in form.getall("pools", []) if str(p).isdigit()]
    values["refusal_needs_second"] = form.get("refusal_needs_second") == "on"
    values["docs"] = [
        {"code": form.get(f"doc_code_{n}", ""), "required": form.get(f"doc_required_{n}") == "on",
         "types": form.get(f"doc_types_{n}", ""), "age": form.get(f"doc_age_{n}", ""),
         "zh": form.get(f"doc_zh_{n}", ""), "en": form.get(f"doc_en_{n}", "")}
        for n in range(int(form.get("doc_rows") or 0))
    ]  # fmt: skip
    values["ths"] = [
        {"above": form.get(f"th_above_{n}", ""), "n": form.get(f"th_n_{n}", "")}
        for n in range(int(form.get("th_rows") or 0))
    ]
    return values


class BankProductPages(Controller):
    include_in_schema = False
    path = "/bank/products"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=BANK)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await products_page(request, principal, done=done)

    @post("/pools", opt=BANK_WRITER)
    async def record_pool(self, request: AnyRequest, principal: Principal) -> Any:
        """A risk-compensation pool the bank takes part in: loss split typed ``fund=54; bank=26``, amounts in yuan."""
        form = await form_of(request)
        lang = lang_of(request)
        errors: Errors = []
        split: dict[str, int] = {}
        for part in str(form.get("pool_split") or "").replace("；", ";").split(";"):
            if not part.strip():
                continue
            party, _, pct = part.partition("=")
            try:
                split[party.strip()] = _percent_bp(pct)
            except (InvalidOperation, ValueError):
                errors.append({"field": "pool_split", "message": gettext(lang, "ui.lending_not_a_number")})
        money: dict[str, int | None] = {}
        for name in ("cap_first_year", "cap_later", "size"):
            text = str(form.get(f"pool_{name}") or "").strip()
            try:
                money[name] = _yuan_minor(text) if text else None
            except (InvalidOperation, ValueError):
                errors.append({"field": f"pool_{name}", "message": gettext(lang, "ui.lending_not_a_number")})
        values = {
            "code": str(form.get("pool_code") or ""),
            "name_zh": str(form.get("pool_name_zh") or ""),
            "name_en": str(form.get("pool_name_en") or ""),
            "issuer": str(form.get("pool_issuer") or ""),
            "loss_split_bp": split,
            "cap_first_year_minor": money.get("cap_first_year"),
            "cap_later_minor": money.get("cap_later"),
            "pure_ip_only": form.get("pool_pure_ip_only") == "on",
            "size_minor": money.get("size"),
            "source": str(form.get("pool_source") or ""),
        }
        data = None
        try:
            data = PoolIn(**values)
        except ValidationError as exc:
            errors += [{**e, "field": _pool_field(e["field"])} for e in field_messages(exc, lang)]
        if data is None or errors:
            return await products_page(request, principal, errors=_first(errors), typed=dict(form), status=400)
        try:
            await products.record_pool(principal=principal, data=data)
        except Conflict as exc:
            errors = [{**e, "field": _pool_field(e["field"])} for e in market_messages(exc, lang)]
            return await products_page(request, principal, errors=errors, typed=dict(form), status=exc.status)
        return Redirect(path="/bank/products?done=pool")

    @get("/new", opt=BANK)
    async def new(self, request: AnyRequest, principal: Principal) -> Template:
        return await form_page(request, None, values=form_values(None))

    @post("/new", opt=BANK_WRITER)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        lang = lang_of(request)
        terms, where, errors = terms_from_form(form, lang)
        try:
            data = ProductCreateIn(code=str(form.get("code") or ""), **terms)
        except ValidationError as exc:
            errors += _remap(field_messages(exc, lang), where)
        if errors:
            return await form_page(request, None, values=typed_values(form), errors=_first(errors), status=400)
        try:
            made = await products.create_product(principal=principal, data=data)
        except (ValidationFailed, Conflict) as exc:
            errors = _remap(market_messages(exc, lang), where)
            return await form_page(request, None, values=typed_values(form), errors=errors, status=exc.status)
        return Redirect(path=f"/bank/products/{made.id}?done=created")

    @get("/{product_id:int}", opt=BANK)
    async def one(self, request: AnyRequest, principal: Principal, product_id: int, done: str = "") -> Template:
        row = await products.bank_product(principal=principal, product_id=product_id)
        return await form_page(request, row, values=form_values(row), done=done)

    @post("/{product_id:int}", opt=BANK_WRITER)
    async def edit(self, request: AnyRequest, principal: Principal, product_id: int) -> Any:
        row = await products.bank_product(principal=principal, product_id=product_id)  # another bank's: 404
        form = await form_of(request)
        lang = lang_of(request)
        terms, where, errors = terms_from_form(form, lang)
        try:
            expected = int(str(form.get("expected_version") or "0"))
            data = ProductEditIn(expected_version=expected, **terms)
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                errors += _remap(field_messages(exc, lang), where)
            else:
                errors.append({"field": "form", "message": gettext(lang, "ui.lending_not_a_number")})
        if errors:
            return await form_page(request, row, values=typed_values(form), errors=_first(errors), status=400)
        try:
            await products.edit_product(principal=principal, product_id=product_id, data=data)
        except (ValidationFailed, Conflict) as exc:
            errors = _remap(market_messages(exc, lang), where)
            return await form_page(request, row, values=typed_values(form), errors=errors, status=exc.status)
        return Redirect(path=f"/bank/products/{product_id}?done=saved")

    @post("/{product_id:int}/{action:str}", opt=BANK_WRITER)
    async def status(self, request: AnyRequest, principal: Principal, product_id: int, action: str) -> Any:
        row = await products.bank_product(principal=principal, product_id=product_id)
        if action not in products.TRANSITIONS:
            return Redirect(path=f"/bank/products/{product_id}")
        form = await form_of(request)
        expected = str(form.get("expected_version") or "0")
        if not confirmed(form):
            return confirm_page(
                request,
                action=f"/bank/products/{product_id}/{action}",
                heading=f"ui.lending_{action}_heading",
                question=f"ui.lending_{action}_question",
                button=f"ui.lending_{action}",
                back=f"/bank/products/{product_id}",
                fields=[("expected_version", expected)],
                details=[f"{row.name_zh} · v{row.current_version}"],
                danger=action == "withdraw",
            )
        try:
            await products.change_status(
                principal=principal, product_id=product_id, action=action, expected_version=int(expected or 0)
            )
        except MarketError as exc:
            errors = market_messages(exc, lang_of(request))
            return await form_page(request, row, values=form_values(row), errors=errors, status=exc.status)
        return Redirect(path=f"/bank/products/{product_id}?done={action}")


def _pool_field(api_field: str) -> str:
    """The pool form's input for an API field (``loss_split_bp`` -> ``pool_split``, ``code`` -> ``pool_code``)."""
    head = api_field.split(".")[0].removesuffix("_minor").removesuffix("_bp")
    return "pool_split" if head in ("loss_split", "form") else f"pool_{head}"


async def products_page(
    request: AnyRequest,
    principal: Principal,
    *,
    errors: Errors | None = None,
    typed: dict[str, Any] | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    errors = errors or []
    return page(
        request,
        "lending/products.html",
        status,
        products=await products.products_of_bank(principal.org_id),
        pools=await products.pools(),
        done=done,
        errors=errors,
        bad={e["field"] for e in errors},
        p=typed or {},
    )


async def form_page(
    request: AnyRequest,
    row: ProductRecord | None,
    *,
    values: dict[str, Any],
    errors: Errors | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    errors = errors or []
    versions = await products.product_versions(row.id) if row else []
    return page(
        request,
        "lending/product.html",
        status,
        product=row,
        versions=versions,
        f=values,
        errors=errors,
        bad={e["field"] for e in errors},
        pools=await products.pools(),
        kinds=KINDS,
        done=done,
    )
