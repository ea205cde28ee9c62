"""Spending vouchers in the browser: the voucher's share in the licence checkout (the licence page's card, posted to
``/licences/{id}/voucher``), the firm's orders and reimbursement claims (``/sme/vouchers/orders``), the provider's
orders and claims (``/provider/voucher-claims``: confirm, deliver, file with the documents) and the issuer's claim
review (``/issuer/voucher-claims``). The rules are ``finance.voucher_redemptions``'; these pages read forms (yuan as
people type them), send the version they showed (a stale page gets a 409 and changes nothing) and show every problem
beside its field."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.voucher_redemptions import checkout, claims, orders, rules, service
from finance.voucher_redemptions.records import Upload
from finance.voucher_redemptions.schemas import (
    ApproveIn,
    CheckIn,
    LicenceVoucherIn,
    MoreInfoIn,
    OrderIn,
    RedemptionOut,
    RefuseIn,
    ReimburseIn,
    VersionIn,
)
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import FieldProblem, form_date, form_int, yuan_to_fen
from frontend.licence_pages import licence_page
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme, session_only=True)
PROVIDER = signed_in(OrgKind.service_provider, OrgKind.university, session_only=True)
ISSUER = signed_in(OrgKind.voucher_issuer, session_only=True)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SME_ACTIONS = ("accept", "cancel", "resubmit")
PROVIDER_ACTIONS = ("confirm", "decline", "cancel", "deliver", "file", "resubmit")
ISSUER_ACTIONS = ("review", "more-info", "approve", "check", "send-back", "refuse")
CONFIRMED_ACTIONS = ("cancel", "decline", "refuse")  # a second step first


async def uploads_of(form: FormMultiDict) -> dict[str, Upload | None]:
    """The form's documents (``contract``, ``invoice``, ``copay_proof``, ``deliverable``), each with its issue day."""
    out: dict[str, Upload | None] = {}
    for name in service.DOCUMENT_CODES:
        found = form.get(name)
        if isinstance(found, UploadFile) and found.filename:
            out[name] = Upload(filename=found.filename, content_type=found.content_type or "",
                               content=await found.read(MAX_UPLOAD_BYTES + 1),
                               issued_on=form_date(form.get(f"{name}_issued_on")))  # fmt: skip
    return out


def _amount(form: FormMultiDict, name: str = "amount") -> int | None:
    return yuan_to_fen(str(form.get(name) or ""), "amount_minor")


def _errors(exc: Exception, lang: str) -> tuple[Errors, int]:
    if isinstance(exc, FieldProblem):
        return [{"field": exc.field, "message": gettext(lang, exc.key)}], 400
    if isinstance(exc, ValidationError):
        return field_messages(exc, lang), 400
    assert isinstance(exc, MarketError)
    return market_messages(exc, lang), exc.status


# ------------------------------------------------------------------------------------------ the licence checkout


class LicenceVoucherPages(Controller):
    include_in_schema = False
    path = "/licences/{licence_id:int}/voucher"
    dependencies = {"principal": Provide(provide_principal)}

    @post("/", opt=SME)
    async def choose(self, request: AnyRequest, principal: Principal, licence_id: int) -> Any:
        await checkout.licence_voucher(principal=principal, licence_id=licence_id)  # another's: 404
        form = await form_of(request)
        try:
            data = LicenceVoucherIn(entitlement_id=form_int(form.get("entitlement_id")), amount_minor=_amount(form))
            await checkout.choose_for_licence(principal=principal, licence_id=licence_id, data=data)
        except (FieldProblem, ValidationError, MarketError) as exc:
            errors, status = _errors(exc, lang_of(request))
            return await _licence_page(request, principal, licence_id, errors=errors, status=status)
        return Redirect(path=f"/licences/{licence_id}?done=voucher#voucher")

    @post("/withdraw", opt=SME)
    async def withdraw(self, request: AnyRequest, principal: Principal, licence_id: int) -> Any:
        await checkout.licence_voucher(principal=principal, licence_id=licence_id)  # another's: 404
        try:
            await checkout.withdraw_for_licence(principal=principal, licence_id=licence_id)
        except MarketError as exc:
            errors, status = _errors(exc, lang_of(request))
            return await _licence_page(request, principal, licence_id, errors=errors, status=status)
        return Redirect(path=f"/licences/{licence_id}?done=voucher_withdrawn#voucher")


async def _licence_page(request: AnyRequest, principal: Principal, licence_id: int, *, errors: Errors,
                        status: int) -> Template:  # fmt: skip
    return await licence_page(request, principal, licence_id, errors=errors, status=status)


# ------------------------------------------------------------------------------------------ redemptions


async def _one(principal: Principal, redemption_id: int, lang: str) -> RedemptionOut:
    return localized(await claims.get(principal=principal, redemption_id=redemption_id), lang)


async def redemption_page(
    request: AnyRequest, principal: Principal, redemption_id: int, *, template: str, errors: Errors | None = None,
    status: int = 200, done: str = "",
) -> Template:
    r = await _one(principal, redemption_id, lang_of(request))
    return page(request, template, status, r=r, errors=errors or [], done=done,
                refusal_codes=rules.REFUSAL_CODES, document_codes=service.DOCUMENT_CODES)  # fmt: skip


async def _act(request: AnyRequest, principal: Principal, redemption_id: int, action: str, form: FormMultiDict,
               base: str) -> Any:  # fmt: skip
    """One action on a redemption from any of the three pages (the caller checked who may do it)."""
    version = form_int(form.get("expected_version"))
    text = str(form.get("text") or "")
    rid = redemption_id
    if action in CONFIRMED_ACTIONS and not confirmed(form):
        return confirm_page(
            request, action=f"{base}/{rid}/{action}", heading=f"voucher_redemption.ui.confirm_{action}_heading",
            question=f"voucher_redemption.ui.confirm_{action}_question", button=f"voucher_redemption.ui.{action}",
            back=f"{base}/{rid}", fields=echo(form), danger=True,
        )  # fmt: skip
    if action == "confirm":
        await orders.confirm(principal=principal, redemption_id=rid, expected_version=version)
    elif action == "decline":
        await orders.decline(principal=principal, redemption_id=rid, expected_version=version)
    elif action == "cancel":
        await orders.cancel(principal=principal, redemption_id=rid, expected_version=version)
    elif action == "accept":
        await orders.accept(principal=principal, redemption_id=rid, expected_version=version)
    elif action == "deliver":
        docs = await uploads_of(form)
        await orders.deliver(principal=principal, redemption_id=rid, expected_version=version,
                              deliverable=docs.get(service.DELIVERABLE))  # fmt: skip
    elif action == "file":
        await claims.file_claim(principal=principal, redemption_id=rid, expected_version=version,
                                documents=await uploads_of(form))  # fmt: skip
    elif action == "resubmit":
        await claims.resubmit(principal=principal, redemption_id=rid, data=VersionIn(expected_version=version))
    elif action == "review":
        await claims.start_review(principal=principal, redemption_id=rid, data=VersionIn(expected_version=version))
    elif action == "more-info":
        await claims.request_info(principal=principal, redemption_id=rid,
                                  data=MoreInfoIn(expected_version=version, text=text))  # fmt: skip
    elif action == "approve":
        await claims.approve(principal=principal, redemption_id=rid,
                             data=ApproveIn(expected_version=version, amount_minor=_amount(form), text=text))
    elif action == "check":
        await claims.check(principal=principal, redemption_id=rid,
                           data=CheckIn(expected_version=version, proposal_id=form_int(form.get("proposal_id")),
                                        text=text))  # fmt: skip
    elif action == "send-back":
        await claims.send_back(principal=principal, redemption_id=rid, data=VersionIn(expected_version=version))
    elif action == "refuse":
        await claims.refuse(principal=principal, redemption_id=rid, data=RefuseIn(
            expected_version=version, reasons=[str(v) for v in form.getall("reasons", [])], text=text))
    return Redirect(path=f"{base}/{rid}?done={action}")


async def _handle(request: AnyRequest, principal: Principal, redemption_id: int, action: str, *, allowed: tuple[
        str, ...], base: str, template: str) -> Any:  # fmt: skip
    await claims.get(principal=principal, redemption_id=redemption_id)  # another's: 404 before anything
    if action not in allowed:
        raise NotFound(Msg("voucher_redemption.not_found"))
    form = await form_of(request)
    try:
        return await _act(request, principal, redemption_id, action, form, base)
    except (FieldProblem, ValidationError, MarketError) as exc:
        errors, status = _errors(exc, lang_of(request))
        return await redemption_page(request, principal, redemption_id, template=template, errors=errors,
                                     status=status)  # fmt: skip


async def sme_index(
    request: AnyRequest, principal: Principal, *, errors: Errors | None = None, typed: dict[str, str] | None = None,
    status: int = 200, done: str = "",
) -> Template:
    rows = localized(await claims.listed(principal=principal), lang_of(request))
    return page(request, "voucher_redemptions/sme.html", status, rows=rows, errors=errors or [], typed=typed or {},
                done=done, document_codes=service.DOCUMENT_CODES,
                usable=await service.usable_for(principal=principal))  # fmt: skip


class SmeVoucherOrderPages(Controller):
    include_in_schema = False
    path = "/sme/vouchers/orders"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await sme_index(request, principal, done=done)

    @post("/", opt=SME)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        try:
            service_id, entitlement_id = form_int(form.get("service_id")), form_int(form.get("entitlement_id"))
            quantity, amount = form_int(form.get("quantity")) or 1, _amount(form)
            if form.get("mode") == "reimbursed":
                data = ReimburseIn(service_id=service_id, entitlement_id=entitlement_id, quantity=quantity,
                                   amount_minor=amount)  # fmt: skip
                made = await claims.claim_reimbursement(principal=principal, data=data,
                                                        documents=await uploads_of(form))  # fmt: skip
            else:
                made = await orders.order(principal=principal, data=OrderIn(
                    service_id=service_id, entitlement_id=entitlement_id, quantity=quantity, amount_minor=amount))
        except (FieldProblem, ValidationError, MarketError) as exc:
            errors, status = _errors(exc, lang_of(request))
            return await sme_index(request, principal, errors=errors, typed=typed, status=status)
        return Redirect(path=f"/sme/vouchers/orders/{made.id}?done=ordered")

    @get("/{voucher_redemption_id:int}", opt=SME)
    async def one(self, request: AnyRequest, principal: Principal, voucher_redemption_id: int,
                  done: str = "") -> Template:  # fmt: skip
        return await redemption_page(request, principal, voucher_redemption_id,
                                     template="voucher_redemptions/sme_one.html", done=done)  # fmt: skip

    @post("/{voucher_redemption_id:int}/{action:str}", opt=SME)
    async def act(self, request: AnyRequest, principal: Principal, voucher_redemption_id: int, action: str) -> Any:
        return await _handle(request, principal, voucher_redemption_id, action, allowed=SME_ACTIONS,
                             base="/sme/vouchers/orders", template="voucher_redemptions/sme_one.html")


class ProviderVoucherClaimPages(Controller):
    include_in_schema = False
    path = "/provider/voucher-claims"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PROVIDER)
    async def index(self, request: AnyRequest, principal: Principal) -> Template:
        rows = localized(await claims.listed(principal=principal), lang_of(request))
        return page(request, "voucher_redemptions/provider.html", rows=rows)

    @get("/{voucher_redemption_id:int}", opt=PROVIDER)
    async def one(self, request: AnyRequest, principal: Principal, voucher_redemption_id: int,
                  done: str = "") -> Template:  # fmt: skip
        return await redemption_page(request, principal, voucher_redemption_id,
                                     template="voucher_redemptions/provider_one.html", done=done)  # fmt: skip

    @post("/{voucher_redemption_id:int}/{action:str}", opt=PROVIDER)
    async def act(self, request: AnyRequest, principal: Principal, voucher_redemption_id: int, action: str) -> Any:
        return await _handle(request, principal, voucher_redemption_id, action, allowed=PROVIDER_ACTIONS,
                             base="/provider/voucher-claims", template="voucher_redemptions/provider_one.html")


class IssuerVoucherClaimPages(Controller):
    include_in_schema = False
    path = "/issuer/voucher-claims"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def queue(self, request: AnyRequest, principal: Principal, status: str = "") -> Template:
        rows = localized(await claims.listed(principal=principal, claims_only=True), lang_of(request))
        shown = [r for r in rows if not status or r.claim_state == status]
        return page(request, "voucher_redemptions/queue.html", rows=shown, state=status,
                    states=sorted({r.claim_state or "" for r in rows}))  # fmt: skip

    @get("/{voucher_redemption_id:int}", opt=ISSUER)
    async def one(self, request: AnyRequest, principal: Principal, voucher_redemption_id: int,
                  done: str = "") -> Template:  # fmt: skip
        return await redemption_page(request, principal, voucher_redemption_id,
                                     template="voucher_redemptions/issuer_one.html", done=done)  # fmt: skip

    @post("/{voucher_redemption_id:int}/{action:str}", opt=ISSUER)
    async def act(self, request: AnyRequest, principal: Principal, voucher_redemption_id: int, action: str) -> Any:
        return await _handle(request, principal, voucher_redemption_id, action, allowed=ISSUER_ACTIONS,
                             base="/issuer/voucher-claims", template="voucher_redemptions/issuer_one.html")


VOUCHER_REDEMPTION_PAGES = [LicenceVoucherPages, SmeVoucherOrderPages, ProviderVoucherClaimPages,
                            IssuerVoucherClaimPages]  # fmt: skip
