"""Voucher programmes and their catalogues in the browser.

- The issuer's programmes (``/issuer/vouchers``: list, new, one with its versions and the form that writes the next
  version, open and close after a confirmation) and its providers (``/issuer/voucher-providers``: applications,
  notices with their objections, listings; a case page to review, approve, refuse, suspend, reinstate, delist).
- The public programme page (``/vouchers/programmes/{id}``: the terms in words, the catalogue, the providers on
  notice with the objection form for anyone signed in).
- The provider's page (``/provider/vouchers``: apply with the evidence, its applications and listings, its services:
  publish, revise, withdraw; a university's open licences are there by themselves).

The rules are the services'; these pages read forms (yuan and percent as people type them), send the version they
showed (a stale page gets a 409 and changes nothing) and show every problem beside its field.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.records import CATEGORIES, DOCUMENTS, ProgrammeRecord
from finance.voucher_programmes.schemas import ProgrammeCreateIn, ProgrammeEditIn
from finance.voucher_programmes.service import QUALIFICATIONS
from finance.voucher_providers import service as providers
from finance.voucher_providers.records import Upload
from finance.voucher_providers.schemas import (
    ApplyIn,
    MoreInfoIn,
    MoveIn,
    ObjectionDecisionIn,
    ObjectionIn,
    ReasonedIn,
    ServiceIn,
    ServiceReviseIn,
)
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import FieldProblem, form_date, form_int, hundredths_text, percent_to_bp, whole, yuan_to_fen
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import public, signed_in

ISSUER = signed_in(OrgKind.voucher_issuer, session_only=True)
ISSUER_WRITER = signed_in(OrgKind.voucher_issuer, approved=True, session_only=True)
PROVIDER = signed_in(OrgKind.service_provider, OrgKind.university, session_only=True)
ANYONE = signed_in(session_only=True)
TIERS = ("issuer", "district", "county", "city", "province")
CYCLES = ("monthly", "quarterly", "half_yearly")
PERIODS = ("year", "half_year", "programme")
TIER_ROWS = 4
SPARE_ROWS = 2
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


# ------------------------------------------------------------------------------------------- the terms form


def terms_from_form(form: FormMultiDict) -> tuple[dict[str, Any], Errors]:
    """The terms as the API takes them, and every unreadable number or date beside its field."""
    problems: Errors = []

    def read(name: str, convert: Any) -> Any:
        try:
            return convert(str(form.get(name) or ""), name)
        except FieldProblem as exc:
            problems.append({"field": exc.field, "key": exc.key})
            return None

    categories: dict[str, dict[str, Any]] = {}
    for code in CATEGORIES:
        share = read(f"share_{code}", percent_to_bp)
        cap = read(f"cap_{code}", yuan_to_fen)
        if share is not None:
            categories[code] = {"share_bp": share, "cap_minor": cap}
    windows: list[dict[str, Any]] = []
    for n in range(form_int(form.get("w_rows"))):
        opens, closes = str(form.get(f"win_open_{n}") or "").strip(), str(form.get(f"win_close_{n}") or "").strip()
        if not opens and not closes:
            continue
        if form_date(opens) is None or form_date(closes) is None:
            problems.append({"field": f"win_open_{n}", "key": "voucher_programme.ui.err_date"})
            continue
        windows.append({"opens_on": opens, "closes_on": closes, "_row": n})
    thresholds: list[dict[str, Any]] = []
    for n in range(form_int(form.get("th_rows"))):
        above = read(f"th_above_{n}", yuan_to_fen)
        approvals = form_int(form.get(f"th_n_{n}")) or None
        if above is None and approvals is None:
            continue
        thresholds.append({"above_minor": above, "approvals": approvals})
    tiers = [t for n in range(TIER_ROWS) if (t := str(form.get(f"tier_{n}") or "")) in TIERS]
    regions = [r for r in str(form.get("regions") or "").replace("，", ",").replace(" ", ",").split(",") if r]
    terms = {
        "name_zh": str(form.get("name_zh") or ""),
        "name_en": str(form.get("name_en") or ""),
        "mode": str(form.get("mode") or ""),
        "value_kind": str(form.get("value_kind") or "amount"),
        "face_value_minor": read("face_value", yuan_to_fen),
        "max_vouchers_per_use": read("max_vouchers", whole),
        "categories": categories,
        "per_claim_minor": read("per_claim", yuan_to_fen),
        "per_period_minor": read("per_period", yuan_to_fen),
        "period": str(form.get("period") or "year"),
        "per_firm_minor": read("per_firm", yuan_to_fen),
        "validity_months": read("validity_months", whole) or 12,
        "windows": [{k: v for k, v in w.items() if k != "_row"} for w in windows],
        "budget_minor": read("budget", yuan_to_fen),
        "regions": regions,
        "required": [k for k in form.getall("required", []) if k in QUALIFICATIONS],
        "favoured": [k for k in form.getall("favoured", []) if k in QUALIFICATIONS],
        "review_tiers": tiers or ["issuer"],
        "approval_thresholds": thresholds,
        "refusal_needs_second": form.get("refusal_needs_second") == "on",
        "settlement_cycle": str(form.get("settlement_cycle") or "half_yearly"),
        "documents": [d for d in form.getall("documents", []) if d in DOCUMENTS],
        "notice_days": read("notice_days", whole) if str(form.get("notice_days") or "").strip() else 7,
        "declaration_zh": str(form.get("declaration_zh") or ""),
        "declaration_en": str(form.get("declaration_en") or ""),
        "source": str(form.get("source") or ""),
        "note": str(form.get("note") or ""),
    }
    return terms, problems


PLAIN = {
    "per_claim_minor": "per_claim", "per_period_minor": "per_period", "per_firm_minor": "per_firm",
    "budget_minor": "budget", "face_value_minor": "face_value", "max_vouchers_per_use": "max_vouchers",
}  # fmt: skip


def form_field(api_field: str) -> str:
    """The form's input for an API field: ``categories.testing.share_bp`` -> ``share_testing``,
    ``windows.0.closes_on`` -> ``win_close_0``, ``approval_thresholds.0.above_minor`` -> ``th_above_0``."""
    parts = api_field.split(".")
    if parts[0] == "categories" and len(parts) > 2:
        return f"{'cap' if parts[2] == 'cap_minor' else 'share'}_{parts[1]}"
    if parts[0] == "windows" and len(parts) > 1:
        return f"win_{'close' if parts[-1] == 'closes_on' else 'open'}_{parts[1]}"
    if parts[0] == "approval_thresholds" and len(parts) > 2:
        return f"th_{'above' if parts[2] == 'above_minor' else 'n'}_{parts[1]}"
    if parts[0] in ("regions", "review_tiers", "required", "favoured", "documents"):
        return parts[0]
    return PLAIN.get(parts[0], parts[0])


def _remap(errors: Errors) -> Errors:
    seen: set[str] = set()
    out = []
    for e in errors:
        f = form_field(e["field"])
        if f not in seen:
            seen.add(f)
            out.append({**e, "field": f})
    return out


def _problems(problems: Errors, lang: str) -> Errors:
    return [{"field": p["field"], "message": gettext(lang, p["key"])} for p in problems]


def form_values(row: ProgrammeRecord | None) -> dict[str, Any]:
    if row is None:
        return {"mode": "provider_redeems", "value_kind": "amount", "period": "year", "validity_months": "12",
                "settlement_cycle": "half_yearly", "documents": list(DOCUMENTS), "notice_days": "7",
                "tiers": ["issuer"], "wins": [{}] * SPARE_ROWS, "ths": [{}] * SPARE_ROWS, "required": [],
                "favoured": []}  # fmt: skip
    t = row.terms
    return {
        "code": row.code, "name_zh": t.name_zh, "name_en": t.name_en, "mode": t.mode, "value_kind": t.value_kind,
        "face_value": hundredths_text(t.face_value_minor), "max_vouchers": str(t.max_vouchers_per_use or ""),
        **{f"share_{c.code}": hundredths_text(c.share_bp) for c in t.categories},
        **{f"cap_{c.code}": hundredths_text(c.cap_minor) for c in t.categories},
        "per_claim": hundredths_text(t.per_claim_minor), "per_period": hundredths_text(t.per_period_minor),
        "period": t.period, "per_firm": hundredths_text(t.per_firm_minor), "validity_months": str(t.validity_months),
        "wins": [{"open": w.opens_on.isoformat(), "close": w.closes_on.isoformat()} for w in t.windows]
        + [{}] * SPARE_ROWS,
        "budget": hundredths_text(t.budget_minor), "regions": ", ".join(t.regions), "required": list(t.required),
        "favoured": list(t.favoured), "tiers": list(t.review_tiers),
        "ths": [{"above": hundredths_text(a), "n": str(n)} for a, n in t.approval_thresholds] + [{}] * SPARE_ROWS,
        "refusal_needs_second": t.refusal_needs_second, "settlement_cycle": t.settlement_cycle,
        "documents": list(t.documents), "notice_days": str(t.notice_days), "declaration_zh": t.declaration_zh,
        "declaration_en": t.declaration_en, "source": t.source, "note": t.note,
        "expected_version": row.current_version,
    }  # fmt: skip


def typed_values(form: FormMultiDict) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    for name in ("required", "favoured", "documents"):
        values[name] = list(form.getall(name, []))
    values["refusal_needs_second"] = form.get("refusal_needs_second") == "on"
    values["tiers"] = [str(form.get(f"tier_{n}") or "") for n in range(TIER_ROWS)]
    values["wins"] = [{"open": form.get(f"win_open_{n}", ""), "close": form.get(f"win_close_{n}", "")}
                      for n in range(form_int(form.get("w_rows")))]  # fmt: skip
    values["ths"] = [{"above": form.get(f"th_above_{n}", ""), "n": form.get(f"th_n_{n}", "")}
                     for n in range(form_int(form.get("th_rows")))]  # fmt: skip
    return values


async def programme_form(
    request: AnyRequest, row: ProgrammeRecord | None, *, values: dict[str, Any], errors: Errors | None = None,
    done: str = "", status: int = 200,
) -> Template:
    errors = errors or []
    lang = lang_of(request)
    versions = []
    if row is not None:
        versions = [localized(await programmes.programme_out(await programmes.programme_at(row.id, t.version)), lang)
                    for t in await programmes.versions(row.id)]  # fmt: skip
    return page(
        request, "vouchers/programme_form.html", status, programme=row,
        out=localized(await programmes.programme_out(row), lang) if row else None, versions=versions, f=values,
        errors=errors, bad={e["field"] for e in errors}, categories=CATEGORIES, qualifications=QUALIFICATIONS,
        documents=DOCUMENTS, tiers=TIERS, tier_rows=TIER_ROWS, cycles=CYCLES, periods=PERIODS, done=done,
    )  # fmt: skip


class IssuerVoucherProgrammePages(Controller):
    include_in_schema = False
    path = "/issuer/vouchers"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        rows = await programmes.programmes_of_issuer(principal.org_id)
        out = [localized(await programmes.programme_out(r), lang_of(request)) for r in rows]
        return page(request, "vouchers/programmes.html", programmes=out, done=done)

    @get("/new", opt=ISSUER)
    async def new(self, request: AnyRequest, principal: Principal) -> Template:
        return await programme_form(request, None, values=form_values(None))

    @post("/new", opt=ISSUER_WRITER)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        lang = lang_of(request)
        terms, problems = terms_from_form(form)
        errors = _problems(problems, lang)
        data = None
        try:
            data = ProgrammeCreateIn(code=str(form.get("code") or ""), **terms)
        except ValidationError as exc:
            errors += _remap(field_messages(exc, lang))
        if data is None or errors:
            return await programme_form(request, None, values=typed_values(form), errors=_remap(errors), status=400)
        try:
            made = await programmes.create_programme(principal=principal, data=data)
        except MarketError as exc:
            return await programme_form(request, None, values=typed_values(form),
                                        errors=_remap(market_messages(exc, lang)), status=exc.status)  # fmt: skip
        return Redirect(path=f"/issuer/vouchers/{made.id}?done=created")

    @get("/{voucher_programme_id:int}", opt=ISSUER)
    async def one(
        self, request: AnyRequest, principal: Principal, voucher_programme_id: int, done: str = ""
    ) -> Template:
        row = await programmes.issuer_programme(principal=principal, programme_id=voucher_programme_id)
        return await programme_form(request, row, values=form_values(row), done=done)

    @post("/{voucher_programme_id:int}", opt=ISSUER_WRITER)
    async def edit(self, request: AnyRequest, principal: Principal, voucher_programme_id: int) -> Any:
        row = await programmes.issuer_programme(principal=principal, programme_id=voucher_programme_id)
        form = await form_of(request)
        lang = lang_of(request)
        terms, problems = terms_from_form(form)
        errors = _problems(problems, lang)
        data = None
        try:
            data = ProgrammeEditIn(expected_version=form_int(form.get("expected_version")) or 1, **terms)
        except ValidationError as exc:
            errors += _remap(field_messages(exc, lang))
        if data is None or errors:
            return await programme_form(request, row, values=typed_values(form), errors=_remap(errors), status=400)
        try:
            await programmes.edit_programme(principal=principal, programme_id=row.id, data=data)
        except MarketError as exc:
            return await programme_form(request, row, values=typed_values(form),
                                        errors=_remap(market_messages(exc, lang)), status=exc.status)  # fmt: skip
        return Redirect(path=f"/issuer/vouchers/{row.id}?done=saved")

    @post("/{voucher_programme_id:int}/{action:str}", opt=ISSUER_WRITER)
    async def status(self, request: AnyRequest, principal: Principal, voucher_programme_id: int, action: str) -> Any:
        row = await programmes.issuer_programme(principal=principal, programme_id=voucher_programme_id)
        if action not in programmes.TRANSITIONS:
            raise NotFound(Msg("voucher_programme.not_found"))
        form = await form_of(request)
        if not confirmed(form):
            return confirm_page(
                request, action=f"/issuer/vouchers/{row.id}/{action}",
                heading=f"voucher_programme.ui.confirm_{action}_heading",
                question=f"voucher_programme.ui.confirm_{action}_question", button=f"voucher_programme.ui.{action}",
                back=f"/issuer/vouchers/{row.id}", fields=echo(form),
                details=[f"{row.name_zh} · v{row.current_version}"], danger=action == "close",
            )  # fmt: skip
        try:
            await programmes.change_status(principal=principal, programme_id=row.id, action=action,
                                           expected_version=form_int(form.get("expected_version")))  # fmt: skip
        except MarketError as exc:
            return await programme_form(request, row, values=form_values(row),
                                        errors=market_messages(exc, lang_of(request)), status=exc.status)
        return Redirect(path=f"/issuer/vouchers/{row.id}?done={action}")


# ------------------------------------------------------------------------------------------- the public page


async def programme_page(
    request: AnyRequest, principal: Principal | None, programme_id: int, *, errors: Errors | None = None,
    status: int = 200, done: str = "",
) -> Template:
    lang = lang_of(request)
    row = await programmes.visible_programme(principal=principal, programme_id=programme_id)
    catalogue = [(p, [localized(providers.service_out(s), lang) for s in rows])
                 for p, rows in await providers.catalogue(row.id)]  # fmt: skip
    noticed = [localized(await providers.provider_out(principal, p), lang)
               for p in await providers.providers_of(programme_id=row.id) if p.state == "notice"]  # fmt: skip
    return page(request, "vouchers/programme.html", status, p=localized(await programmes.programme_out(row), lang),
                catalogue=catalogue, noticed=noticed, errors=errors or [], done=done)  # fmt: skip


class PublicVoucherPages(Controller):
    include_in_schema = False
    path = "/vouchers/programmes"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{voucher_programme_id:int}", opt=public())
    async def one(self, request: AnyRequest, voucher_programme_id: int, done: str = "") -> Template:
        user = request.scope.get("user")
        return await programme_page(request, user if isinstance(user, Principal) else None, voucher_programme_id,
                                    done=done)  # fmt: skip

    @post("/{voucher_programme_id:int}/objections", opt=ANYONE)
    async def object(self, request: AnyRequest, principal: Principal, voucher_programme_id: int) -> Any:
        await programmes.visible_programme(principal=principal, programme_id=voucher_programme_id)
        form = await form_of(request)
        lang = lang_of(request)
        try:
            found = await providers.provider(form_int(form.get("provider_id")))
            if found.programme != voucher_programme_id:
                raise NotFound(Msg("voucher_provider.not_found"))
            await providers.lodge_objection(principal=principal, provider_id=found.id,
                                            data=ObjectionIn(text=str(form.get("text") or "")))  # fmt: skip
        except ValidationError as exc:
            errors = [{**e, "field": f"text_{form_int(form.get('provider_id'))}"} for e in field_messages(exc, lang)]
            return await programme_page(request, principal, voucher_programme_id, errors=errors, status=400)
        except MarketError as exc:
            return await programme_page(request, principal, voucher_programme_id, errors=market_messages(exc, lang),
                                        status=exc.status)  # fmt: skip
        return Redirect(path=f"/vouchers/programmes/{voucher_programme_id}?done=objected")


# ------------------------------------------------------------------------------------------- the provider


async def _read_upload(form: FormMultiDict, name: str) -> Upload | None:
    found = form.get(name)
    if not isinstance(found, UploadFile) or not found.filename:
        return None
    return Upload(filename=found.filename, content_type=found.content_type or "",
                  content=await found.read(MAX_UPLOAD_BYTES + 1), issued_on=form_date(form.get("issued_on")))


async def provider_index(
    request: AnyRequest, principal: Principal, *, errors: Errors | None = None, typed: dict[str, Any] | None = None,
    status: int = 200, done: str = "",
) -> Template:
    lang = lang_of(request)
    mine = localized(await providers.providers_for(principal=principal), lang)
    applied = {p.programme_id for p in mine if p.state not in ("refused",)}
    open_ones = [localized(await programmes.programme_out(r), lang) for r in await programmes.open_programmes()
                 if r.id not in applied]  # fmt: skip
    return page(request, "vouchers/provider.html", status, mine=mine, open_programmes=open_ones,
                errors=errors or [], typed=typed or {}, done=done, categories=CATEGORIES,
                bad={e["field"] for e in errors or []})  # fmt: skip


def _service_in(form: FormMultiDict) -> dict[str, Any]:
    return {
        "category": str(form.get("category") or ""),
        "title_zh": str(form.get("title_zh") or ""),
        "title_en": str(form.get("title_en") or ""),
        "description_zh": str(form.get("description_zh") or ""),
        "unit": str(form.get("unit") or ""),
        "price_minor": yuan_to_fen(str(form.get("price") or ""), "price"),
    }


class ProviderVoucherPages(Controller):
    include_in_schema = False
    path = "/provider/vouchers"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PROVIDER)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await provider_index(request, principal, done=done)

    @post("/", opt=PROVIDER)
    async def apply(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        try:
            data = ApplyIn(programme_id=form_int(form.get("programme_id")) or 1,
                           statement=str(form.get("statement") or ""))
            await providers.apply(principal=principal, data=data, evidence=await _read_upload(form, "evidence"),
                                  statement=await _read_upload(form, "capability"))  # fmt: skip
        except ValidationError as exc:
            return await provider_index(request, principal, errors=field_messages(exc, lang), typed=typed, status=400)
        except MarketError as exc:
            return await provider_index(request, principal, errors=market_messages(exc, lang), typed=typed,
                                        status=exc.status)  # fmt: skip
        return Redirect(path="/provider/vouchers?done=applied")

    @post("/{voucher_provider_id:int}/{action:str}", opt=PROVIDER)
    async def act(self, request: AnyRequest, principal: Principal, voucher_provider_id: int, action: str) -> Any:
        await providers.require_party(principal=principal, provider_id=voucher_provider_id)  # another's: 404
        if action not in ("documents", "resubmit", "services"):
            raise NotFound(Msg("voucher_provider.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        try:
            if action == "documents":
                document = await _read_upload(form, "file")
                if document is None:
                    raise FieldProblem("file", "voucher_provider.file_needed")
                await providers.upload(principal=principal, provider_id=voucher_provider_id,
                                       requirement=str(form.get("requirement") or providers.EVIDENCE),
                                       document=document)  # fmt: skip
            elif action == "resubmit":
                await providers.resubmit(principal=principal, provider_id=voucher_provider_id,
                                         data=MoveIn(expected_version=form_int(form.get("expected_version"))))
            else:
                await providers.publish_service(principal=principal, provider_id=voucher_provider_id,
                                                data=ServiceIn(**_service_in(form)))  # fmt: skip
        except FieldProblem as exc:
            return await provider_index(request, principal, errors=[{"field": exc.field,
                                                                     "message": gettext(lang, exc.key)}], status=400)
        except ValidationError as exc:
            return await provider_index(request, principal, errors=field_messages(exc, lang), status=400)
        except MarketError as exc:
            return await provider_index(request, principal, errors=market_messages(exc, lang), status=exc.status)
        return Redirect(path=f"/provider/vouchers?done={action}")

    @post("/services/{voucher_service_id:int}/{action:str}", opt=PROVIDER)
    async def service(self, request: AnyRequest, principal: Principal, voucher_service_id: int, action: str) -> Any:
        if action not in ("revise", "withdraw"):
            raise NotFound(Msg("voucher_provider.service_not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        try:
            if action == "withdraw":
                if not confirmed(form):
                    return confirm_page(
                        request, action=f"/provider/vouchers/services/{voucher_service_id}/withdraw",
                        heading="voucher_provider.ui.confirm_withdraw_heading",
                        question="voucher_provider.ui.confirm_withdraw_question",
                        button="voucher_provider.ui.withdraw", back="/provider/vouchers", fields=echo(form),
                        danger=True,
                    )  # fmt: skip
                await providers.withdraw_service(principal=principal, service_id=voucher_service_id)
            else:
                await providers.revise_service(principal=principal, service_id=voucher_service_id,
                                               data=ServiceReviseIn(**_service_in(form)))  # fmt: skip
        except FieldProblem as exc:
            return await provider_index(request, principal, errors=[{"field": exc.field,
                                                                     "message": gettext(lang, exc.key)}], status=400)
        except ValidationError as exc:
            return await provider_index(request, principal, errors=field_messages(exc, lang), status=400)
        except MarketError as exc:
            return await provider_index(request, principal, errors=market_messages(exc, lang), status=exc.status)
        return Redirect(path=f"/provider/vouchers?done={action}")


# ------------------------------------------------------------------------------------------- the issuer's desk

ISSUER_ACTIONS = ("review", "more-info", "approve", "refuse", "suspend", "reinstate", "delist", "objection")
CONFIRMED_ACTIONS = ("refuse", "suspend", "delist")
REASONS = {"refuse": providers.REFUSAL_CODES, "suspend": providers.SUSPENSION_CODES,
           "reinstate": providers.REINSTATEMENT_CODES, "delist": providers.DELISTING_CODES}  # fmt: skip


async def case_page(
    request: AnyRequest, principal: Principal, provider_id: int, *, errors: Errors | None = None, status: int = 200,
    done: str = "",
) -> Template:
    lang = lang_of(request)
    found = localized(await providers.get_provider(principal=principal, provider_id=provider_id), lang)
    return page(request, "vouchers/provider_case.html", status, c=found, errors=errors or [], done=done,
                reasons=REASONS, requirements=providers.checklist())  # fmt: skip


class IssuerVoucherProviderPages(Controller):
    include_in_schema = False
    path = "/issuer/voucher-providers"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def queue(self, request: AnyRequest, principal: Principal, status: str = "") -> Template:
        rows = localized(await providers.providers_for(principal=principal), lang_of(request))
        shown = [r for r in rows if not status or r.state == status]
        return page(request, "vouchers/provider_queue.html", rows=shown, state=status,
                    states=sorted({r.state for r in rows}))  # fmt: skip

    @get("/{voucher_provider_id:int}", opt=ISSUER)
    async def one(
        self, request: AnyRequest, principal: Principal, voucher_provider_id: int, done: str = ""
    ) -> Template:
        return await case_page(request, principal, voucher_provider_id, done=done)

    @post("/{voucher_provider_id:int}/{action:str}", opt=ISSUER)
    async def act(self, request: AnyRequest, principal: Principal, voucher_provider_id: int, action: str) -> Any:
        await providers.require_party(principal=principal, provider_id=voucher_provider_id)  # another's: 404
        if action not in ISSUER_ACTIONS:
            raise NotFound(Msg("voucher_provider.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        text = str(form.get("text") or "")
        pid = voucher_provider_id
        try:
            if action in CONFIRMED_ACTIONS and not confirmed(form):
                return confirm_page(
                    request, action=f"/issuer/voucher-providers/{pid}/{action}",
                    heading=f"voucher_provider.ui.confirm_{action}_heading",
                    question=f"voucher_provider.ui.confirm_{action}_question", button=f"voucher_provider.ui.{action}",
                    back=f"/issuer/voucher-providers/{pid}", fields=echo(form), danger=True,
                )  # fmt: skip
            reasons = [str(v) for v in form.getall("reasons", [])]
            if action == "review":
                await providers.start_review(principal=principal, provider_id=pid,
                                             data=MoveIn(expected_version=version))
            elif action == "more-info":
                await providers.request_info(principal=principal, provider_id=pid,
                                             data=MoreInfoIn(expected_version=version, text=text))  # fmt: skip
            elif action == "approve":
                await providers.approve(principal=principal, provider_id=pid,
                                        data=MoveIn(expected_version=version, text=text))  # fmt: skip
            elif action == "objection":
                await providers.decide_objection(
                    principal=principal, provider_id=pid, objection_id=form_int(form.get("objection_id")),
                    data=ObjectionDecisionIn(uphold=form.get("uphold") == "yes", text=text))  # fmt: skip
            else:
                data = ReasonedIn(expected_version=version, reasons=reasons, text=text)
                move = {"refuse": providers.refuse, "suspend": providers.suspend, "reinstate": providers.reinstate,
                        "delist": providers.delist}[action]  # fmt: skip
                await move(principal=principal, provider_id=pid, data=data)
        except ValidationError as exc:
            return await case_page(request, principal, pid, errors=field_messages(exc, lang), status=400)
        except MarketError as exc:
            return await case_page(request, principal, pid, errors=market_messages(exc, lang), status=exc.status)
        return Redirect(path=f"/issuer/voucher-providers/{pid}?done={action}")


VOUCHER_PROGRAMME_PAGES = [
    IssuerVoucherProgrammePages,
    PublicVoucherPages,
    ProviderVoucherPages,
    IssuerVoucherProviderPages,
]
