"""Premium subsidies in the browser: the issuer's programmes (``/issuer/subsidies``: list, new, one with its versions
and the form that writes the next version, open and close after a confirmation), its claims queue and case page
(``/issuer/subsidy-claims``), and the firm's claims (``/sme/subsidies``: what each programme would pay for each of
its policies, filing a claim with the proof of payment, the claim's page). The rules are
``finance.subsidies.service``'s; these pages read forms (yuan and percent typed as people write them), send the
version they showed (a stale page gets a 409 and changes nothing) and show every problem beside its field."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.subsidies import service as subsidies
from finance.subsidies.records import FIRM_TIERS, ProgrammeRecord, Upload
from finance.subsidies.schemas import (
    ApproveIn,
    CheckIn,
    EstimateOut,
    MoreInfoIn,
    MoveIn,
    PaymentIn,
    ProgrammeCreateIn,
    ProgrammeEditIn,
    RefuseIn,
)
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import FieldProblem, form_date, form_int, hundredths_text, percent_to_bp, yuan_to_fen
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.i18n.localized import localized
from market.kit.money import Money
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer, session_only=True)
ISSUER_WRITER = signed_in(OrgKind.voucher_issuer, approved=True, session_only=True)
SME = signed_in(OrgKind.sme, session_only=True)
KINDS = ("enforcement", "infringement_loss", "overseas_liability", "pledge_guarantee")
TIERS = (*FIRM_TIERS, "champion_2", "champion_3")
SPARE_ROWS = 2
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SUBSIDIES_TEMPLATE = "insurance/_subsidies.html"


# ------------------------------------------------------------------------------------------- the form


def terms_from_form(form: FormMultiDict) -> tuple[dict[str, Any], dict[str, str], Errors]:
    """The terms as the API takes them, where each row came from, and every unreadable number beside its field."""
    problems: Errors = []
    where: dict[str, str] = {}

    def read(name: str, convert: Any) -> Any:
        try:
            return convert(str(form.get(name) or ""), name)
        except FieldProblem as exc:
            problems.append({"field": exc.field, "key": exc.key})
            return None

    first = {t: v for t in TIERS if (v := read(f"first_{t}", percent_to_bp)) is not None}
    later = {t: v for t in TIERS if (v := read(f"later_{t}", percent_to_bp)) is not None}
    tier_caps = {t: v for t in TIERS if (v := read(f"tiercap_{t}", yuan_to_fen)) is not None}
    kind_caps: dict[str, int] = {}
    for n in range(form_int(form.get("kc_rows"))):
        group = "+".join(k for k in form.getall(f"kc_kinds_{n}", []) if k in KINDS)
        amount = read(f"kc_amount_{n}", yuan_to_fen)
        if group and amount is not None:
            where[f"kind_caps_minor.{group}"] = f"kc_amount_{n}"
            kind_caps[group] = amount
    thresholds: list[dict[str, Any]] = []
    for n in range(form_int(form.get("th_rows"))):
        above = read(f"th_above_{n}", yuan_to_fen)
        approvals = form_int(form.get(f"th_n_{n}")) or None
        if above is None and approvals is None:
            continue
        where[f"approval_thresholds.{len(thresholds)}"] = f"th_{{}}_{n}"
        thresholds.append({"above_minor": above, "approvals": approvals})
    terms = {
        "name_zh": str(form.get("name_zh") or ""),
        "name_en": str(form.get("name_en") or ""),
        "kinds": [k for k in form.getall("kinds", []) if k in KINDS],
        "share_first_bp": first,
        "share_later_bp": later,
        "cap_per_firm_minor": read("cap_per_firm", yuan_to_fen),
        "tier_caps_minor": tier_caps,
        "kind_caps_minor": kind_caps,
        "budget_minor": read("budget", yuan_to_fen),
        "approval_thresholds": thresholds,
        "refusal_needs_second": form.get("refusal_needs_second") == "on",
        "source": str(form.get("source") or ""),
        "note": str(form.get("note") or ""),
    }
    return terms, where, problems


PREFIX = {"share_first_bp": "first", "share_later_bp": "later", "tier_caps_minor": "tiercap"}
PLAIN = {"cap_per_firm_minor": "cap_per_firm", "budget_minor": "budget"}


def form_field(api_field: str, where: dict[str, str]) -> str:
    """The form's input for an API field: ``share_first_bp.sme`` -> ``first_sme``, ``kind_caps_minor.<group>`` ->
    the row's amount, ``approval_thresholds.0.above_minor`` -> ``th_above_<row>``."""
    parts = api_field.split(".")
    if parts[0] in PREFIX and len(parts) > 1:
        return f"{PREFIX[parts[0]]}_{parts[1]}"
    if parts[0] == "kind_caps_minor" and len(parts) > 1:
        return where.get(f"kind_caps_minor.{parts[1]}", "kind_caps")
    if parts[0] == "approval_thresholds" and len(parts) > 2:
        row = where.get(f"approval_thresholds.{parts[1]}")
        return row.format("above" if parts[2] == "above_minor" else "n") if row else parts[0]
    return PLAIN.get(parts[0], parts[0])


def _remap(errors: Errors, where: dict[str, str]) -> Errors:
    seen: set[str] = set()
    out = []
    for e in errors:
        f = form_field(e["field"], where)
        if f not in seen:
            seen.add(f)
            out.append({**e, "field": f})
    return out


def _problems(problems: Errors, lang: str) -> Errors:
    return [{"field": p["field"], "message": gettext(lang, p["key"])} for p in problems]


def form_values(row: ProgrammeRecord | None) -> dict[str, Any]:
    if row is None:
        return {"kinds": ["enforcement", "infringement_loss"], "kcs": [{}] * SPARE_ROWS, "ths": [{}] * SPARE_ROWS}
    return {
        "code": row.code,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "kinds": list(row.kinds),
        **{f"first_{t}": hundredths_text(v) for t, v in row.share_first_bp.items()},
        **{f"later_{t}": hundredths_text(v) for t, v in row.share_later_bp.items()},
        **{f"tiercap_{t}": hundredths_text(v) for t, v in row.tier_caps.items()},
        "cap_per_firm": hundredths_text(row.cap_per_firm.minor) if row.cap_per_firm else "",
        "budget": hundredths_text(row.budget.minor) if row.budget else "",
        "kcs": [{"kinds": g.split("+"), "amount": hundredths_text(v)} for g, v in row.kind_caps.items()]
        + [{}] * SPARE_ROWS,
        "ths": [{"above": hundredths_text(a), "n": str(n)} for a, n in row.approval_thresholds] + [{}] * SPARE_ROWS,
        "refusal_needs_second": row.refusal_needs_second,
        "source": row.source,
        "note": row.note,
        "expected_version": row.current_version,
    }


def typed_values(form: FormMultiDict) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    values["kinds"] = list(form.getall("kinds", []))
    values["refusal_needs_second"] = form.get("refusal_needs_second") == "on"
    values["kcs"] = [{"kinds": list(form.getall(f"kc_kinds_{n}", [])), "amount": form.get(f"kc_amount_{n}", "")}
                     for n in range(form_int(form.get("kc_rows")))]  # fmt: skip
    values["ths"] = [{"above": form.get(f"th_above_{n}", ""), "n": form.get(f"th_n_{n}", "")}
                     for n in range(form_int(form.get("th_rows")))]  # fmt: skip
    return values


async def programme_form(
    request: AnyRequest, row: ProgrammeRecord | None, *, values: dict[str, Any], errors: Errors | None = None,
    done: str = "", status: int = 200,
) -> Template:
    errors = errors or []
    return page(
        request, "subsidies/programme.html", status, programme=row,
        out=await subsidies.programme_out(row) if row else None,
        versions=await subsidies.programme_versions(row.id) if row else [], f=values, errors=errors,
        bad={e["field"] for e in errors}, kinds=KINDS, tiers=TIERS, done=done,
    )  # fmt: skip


class IssuerProgrammePages(Controller):
    include_in_schema = False
    path = "/issuer/subsidies"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        rows = await subsidies.programmes_of_issuer(principal.org_id)
        return page(request, "subsidies/programmes.html", programmes=[await subsidies.programme_out(r) for r in rows],
                    done=done)  # fmt: skip

    @get("/new", opt=ISSUER)
    async def new(self, request: AnyRequest, principal: Principal) -> Template:
        return await programme_form(request, None, values=form_values(None))

    @post("/new", opt=ISSUER_WRITER)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        lang = lang_of(request)
        terms, where, problems = terms_from_form(form)
        errors = _problems(problems, lang)
        data = None
        try:
            data = ProgrammeCreateIn(code=str(form.get("code") or ""), **terms)
        except ValidationError as exc:
            errors += _remap(field_messages(exc, lang), where)
        if data is None or errors:
            return await programme_form(request, None, values=typed_values(form), errors=_remap(errors, where),
                                        status=400)  # fmt: skip
        try:
            made = await subsidies.create_programme(principal=principal, data=data)
        except MarketError as exc:
            return await programme_form(request, None, values=typed_values(form),
                                        errors=_remap(market_messages(exc, lang), where), status=exc.status)
        return Redirect(path=f"/issuer/subsidies/{made.id}?done=created")

    @get("/{programme_id:int}", opt=ISSUER)
    async def one(self, request: AnyRequest, principal: Principal, programme_id: int, done: str = "") -> Template:
        row = await subsidies.issuer_programme(principal=principal, programme_id=programme_id)
        return await programme_form(request, row, values=form_values(row), done=done)

    @post("/{programme_id:int}", opt=ISSUER_WRITER)
    async def edit(self, request: AnyRequest, principal: Principal, programme_id: int) -> Any:
        row = await subsidies.issuer_programme(principal=principal, programme_id=programme_id)  # another's: 404
        form = await form_of(request)
        lang = lang_of(request)
        terms, where, problems = terms_from_form(form)
        errors = _problems(problems, lang)
        data = None
        try:
            data = ProgrammeEditIn(expected_version=form_int(form.get("expected_version")) or 1, **terms)
        except ValidationError as exc:
            errors += _remap(field_messages(exc, lang), where)
        if data is None or errors:
            return await programme_form(request, row, values=typed_values(form), errors=_remap(errors, where),
                                        status=400)  # fmt: skip
        try:
            await subsidies.edit_programme(principal=principal, programme_id=programme_id, data=data)
        except MarketError as exc:
            return await programme_form(request, row, values=typed_values(form),
                                        errors=_remap(market_messages(exc, lang), where), status=exc.status)
        return Redirect(path=f"/issuer/subsidies/{programme_id}?done=saved")

    @post("/{programme_id:int}/{action:str}", opt=ISSUER_WRITER)
    async def status(self, request: AnyRequest, principal: Principal, programme_id: int, action: str) -> Any:
        row = await subsidies.issuer_programme(principal=principal, programme_id=programme_id)
        if action not in subsidies.TRANSITIONS:
            raise NotFound(Msg("subsidy.programme_not_found"))
        form = await form_of(request)
        expected = form_int(form.get("expected_version"))
        if not confirmed(form):
            return confirm_page(
                request, action=f"/issuer/subsidies/{programme_id}/{action}",
                heading=f"subsidy.ui.confirm_{action}_heading", question=f"subsidy.ui.confirm_{action}_question",
                button=f"subsidy.ui.{action}", back=f"/issuer/subsidies/{programme_id}", fields=echo(form),
                details=[f"{row.name_zh} · v{row.current_version}"], danger=action == "close",
            )  # fmt: skip
        try:
            await subsidies.change_status(principal=principal, programme_id=programme_id, action=action,
                                          expected_version=expected)  # fmt: skip
        except MarketError as exc:
            return await programme_form(request, row, values=form_values(row),
                                        errors=market_messages(exc, lang_of(request)), status=exc.status)  # fmt: skip
        return Redirect(path=f"/issuer/subsidies/{programme_id}?done={action}")


# ------------------------------------------------------------------------------------------- claims


ISSUER_ACTIONS = ("review", "more-info", "approve", "check", "send-back", "refuse", "pay")


async def claim_page(
    request: AnyRequest, principal: Principal, claim_id: int, *, template: str, errors: Errors | None = None,
    status: int = 200, done: str = "",
) -> Template:
    lang = lang_of(request)
    claim = localized(await subsidies.get_claim(principal=principal, claim_id=claim_id), lang)
    return page(request, template, status, c=claim, errors=errors or [], done=done,
                refusal_codes=subsidies.REFUSAL_CODES, requirements=subsidies.checklist())  # fmt: skip


class IssuerClaimPages(Controller):
    include_in_schema = False
    path = "/issuer/subsidy-claims"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def queue(self, request: AnyRequest, principal: Principal, status: str = "") -> Template:
        claims = localized(await subsidies.claims_of(principal=principal), lang_of(request))
        shown = [c for c in claims if not status or c.state == status]
        return page(request, "subsidies/queue.html", claims=shown, state=status,
                    states=sorted({c.state for c in claims}))  # fmt: skip

    @get("/{subsidy_claim_id:int}", opt=ISSUER)
    async def one(self, request: AnyRequest, principal: Principal, subsidy_claim_id: int, done: str = "") -> Template:
        return await claim_page(request, principal, subsidy_claim_id, template="subsidies/issuer_claim.html",
                                done=done)  # fmt: skip

    @post("/{subsidy_claim_id:int}/{action:str}", opt=ISSUER)
    async def act(self, request: AnyRequest, principal: Principal, subsidy_claim_id: int, action: str) -> Any:
        await subsidies.get_claim(principal=principal, claim_id=subsidy_claim_id)  # another's: 404 before anything
        if action not in ISSUER_ACTIONS:
            raise NotFound(Msg("subsidy.claim_not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        text = str(form.get("text") or "")
        claim_id = subsidy_claim_id
        try:
            if action == "review":
                await subsidies.start_review(principal=principal, claim_id=claim_id,
                                             data=MoveIn(expected_version=version))
            elif action == "more-info":
                await subsidies.request_info(principal=principal, claim_id=claim_id,
                                             data=MoreInfoIn(expected_version=version, text=text))  # fmt: skip
            elif action == "approve":
                amount = yuan_to_fen(str(form.get("amount") or ""), "amount_minor")
                await subsidies.approve(principal=principal, claim_id=claim_id,
                                        data=ApproveIn(expected_version=version, amount_minor=amount, text=text))
            elif action == "check":
                await subsidies.check(principal=principal, claim_id=claim_id,
                                      data=CheckIn(expected_version=version,
                                                   proposal_id=form_int(form.get("proposal_id")),
                                                   text=text))  # fmt: skip
            elif action == "send-back":
                await subsidies.send_back(principal=principal, claim_id=claim_id, data=MoveIn(expected_version=version))
            elif action in ("refuse", "pay"):
                paid_on = form_date(form.get("paid_on"))
                if action == "pay" and paid_on is None:
                    raise FieldProblem("paid_on", "subsidy.ui.err_date")
                if not confirmed(form):
                    return confirm_page(
                        request, action=f"/issuer/subsidy-claims/{claim_id}/{action}",
                        heading=f"subsidy.ui.confirm_{action}_heading",
                        question=f"subsidy.ui.confirm_{action}_question",
                        button=f"subsidy.ui.{action}", back=f"/issuer/subsidy-claims/{claim_id}", fields=echo(form),
                        danger=action == "refuse",
                    )  # fmt: skip
                if action == "refuse":
                    await subsidies.refuse(principal=principal, claim_id=claim_id, data=RefuseIn(
                        expected_version=version, reasons=[str(v) for v in form.getall("reasons", [])], text=text))
                else:
                    assert paid_on is not None
                    await subsidies.record_payment(principal=principal, claim_id=claim_id, data=PaymentIn(
                        expected_version=version, paid_on=paid_on, reference=str(form.get("reference") or "")))
        except FieldProblem as exc:
            errors = [{"field": exc.field, "message": gettext(lang, exc.key)}]
            return await claim_page(request, principal, claim_id, template="subsidies/issuer_claim.html",
                                    errors=errors, status=400)  # fmt: skip
        except ValidationError as exc:
            return await claim_page(request, principal, claim_id, template="subsidies/issuer_claim.html",
                                    errors=field_messages(exc, lang), status=400)  # fmt: skip
        except MarketError as exc:
            return await claim_page(request, principal, claim_id, template="subsidies/issuer_claim.html",
                                    errors=market_messages(exc, lang), status=exc.status)  # fmt: skip
        return Redirect(path=f"/issuer/subsidy-claims/{claim_id}?done={action}")


async def sme_index(
    request: AnyRequest, principal: Principal, *, errors: Errors | None = None, typed: dict[str, Any] | None = None,
    status: int = 200, done: str = "",
) -> Template:
    """The firm's claims, and for each of its claimable policies what each open programme covering its kind would
    pay now (the estimate, line by line) with the form to claim it."""
    lang = lang_of(request)
    options = []
    for p in await subsidies.claimable_policies(principal=principal):
        premium = Money(p.currency, p.premium_paid_minor)
        for row in await subsidies.programmes(kind=p.kind):
            e = await subsidies.estimate_one(row, org_id=principal.org_id, premium=premium, kind=p.kind,
                                             firm_tier=p.firm_tier or "sme", policy_id=p.id)  # fmt: skip
            options.append((p, localized(subsidies.estimate_out(e), lang)))
    claims = localized(await subsidies.claims_of(principal=principal), lang)
    claimed = {(c.policy_id, c.programme_id) for c in claims}
    return page(request, "subsidies/sme.html", status, claims=claims, options=options, claimed=claimed,
                errors=errors or [], typed=typed or {}, done=done)  # fmt: skip


class SmeSubsidyPages(Controller):
    include_in_schema = False
    path = "/sme/subsidies"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await sme_index(request, principal, done=done)

    @post("/", opt=SME)
    async def file(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        found = form.get("file")
        document = None
        if isinstance(found, UploadFile) and found.filename:
            document = Upload(filename=found.filename, content_type=found.content_type or "",
                              content=await found.read(MAX_UPLOAD_BYTES + 1),
                              issued_on=form_date(form.get("issued_on")))
        try:
            made = await subsidies.file_claim(principal=principal, policy_id=form_int(form.get("policy_id")),
                                              programme_id=form_int(form.get("programme_id")), proof_document=document)
        except MarketError as exc:
            return await sme_index(request, principal, errors=market_messages(exc, lang), typed=typed,
                                   status=exc.status)  # fmt: skip
        return Redirect(path=f"/sme/subsidies/{made.id}?done=filed")

    @get("/{subsidy_claim_id:int}", opt=SME)
    async def one(self, request: AnyRequest, principal: Principal, subsidy_claim_id: int, done: str = "") -> Template:
        return await claim_page(request, principal, subsidy_claim_id, template="subsidies/sme_claim.html", done=done)

    @post("/{subsidy_claim_id:int}/{action:str}", opt=SME)
    async def act(self, request: AnyRequest, principal: Principal, subsidy_claim_id: int, action: str) -> Any:
        await subsidies.get_claim(principal=principal, claim_id=subsidy_claim_id)
        if action not in ("documents", "resubmit"):
            raise NotFound(Msg("subsidy.claim_not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        try:
            if action == "documents":
                found = form.get("file")
                if not isinstance(found, UploadFile) or not found.filename:
                    raise FieldProblem("file", "subsidy.proof_needed")
                await subsidies.upload(principal=principal, claim_id=subsidy_claim_id,
                                       requirement=str(form.get("requirement") or subsidies.PROOF),
                                       document=Upload(filename=found.filename, content_type=found.content_type or "",
                                                       content=await found.read(MAX_UPLOAD_BYTES + 1),
                                                       issued_on=form_date(form.get("issued_on"))))  # fmt: skip
            else:
                await subsidies.resubmit(principal=principal, claim_id=subsidy_claim_id,
                                         data=MoveIn(expected_version=form_int(form.get("expected_version")) or 1))
        except FieldProblem as exc:
            return await claim_page(request, principal, subsidy_claim_id, template="subsidies/sme_claim.html",
                                    errors=[{"field": exc.field, "message": gettext(lang, exc.key)}], status=400)
        except MarketError as exc:
            return await claim_page(request, principal, subsidy_claim_id, template="subsidies/sme_claim.html",
                                    errors=market_messages(exc, lang), status=exc.status)  # fmt: skip
        return Redirect(path=f"/sme/subsidies/{subsidy_claim_id}?done={action}")


async def application_estimates(principal: Principal, application_id: int, lang: str) -> list[EstimateOut]:
    """For the insurance application page's include (``insurance/_subsidies.html``): the estimates of its quote."""
    try:
        found = await subsidies.estimates_for_application(principal=principal, application_id=application_id)
    except MarketError:
        return []
    return localized(found, lang)


SUBSIDY_PAGES = [IssuerProgrammePages, IssuerClaimPages, SmeSubsidyPages]
