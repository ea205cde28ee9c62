"""Voucher entitlements in the browser: the SME's vouchers (``/sme/vouchers``: the programmes it may apply to with
its eligibility in words, applying with the declaration, its applications and its entitlements with their balance
and ledger), and the issuer's review (``/issuer/voucher-applications``: the queue, favoured firms first, and the
case page acting for the tier now reviewing; ``/issuer/voucher-entitlements``: what it issued, revocation). The
rules are ``finance.voucher_entitlements``'; these pages read forms (yuan as people write them), send the version
they showed (a stale page gets a 409 and changes nothing) and show every problem beside its field."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.letters import service as letters
from finance.voucher_entitlements import applications, eligibility
from finance.voucher_entitlements.schemas import (
    ApplicationOut,
    ApplyIn,
    ApproveIn,
    CheckIn,
    MoreInfoIn,
    MoveIn,
    RefuseIn,
    RevokeIn,
)
from finance.voucher_entitlements.service import REVOKE_CODES
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import FieldProblem, form_int, yuan_to_fen
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer, session_only=True)
SME = signed_in(OrgKind.sme, session_only=True)
ISSUER_ACTIONS = ("review", "more-info", "approve", "check", "send-back", "refuse")
SME_ACTIONS = ("resubmit", "withdraw")
ISSUER_APPLICATION = "voucher_entitlements/issuer_application.html"
UI = "voucher_entitlement.ui."  # the confirmation pages' codes: confirm_<action>_heading, _question, <action>


def _problems(exc: Exception, lang: str) -> tuple[Errors, int]:
    """A refusal as the page shows it (each problem beside its field) and its status."""
    if isinstance(exc, FieldProblem):
        return [{"field": exc.field, "message": gettext(lang, exc.key)}], 400
    if isinstance(exc, ValidationError):
        return field_messages(exc, lang), 400
    assert isinstance(exc, MarketError)
    return market_messages(exc, lang), exc.status


# ----------------------------------------------------------------------------------------------- the SME


async def sme_index(request: AnyRequest, principal: Principal, *, done: str = "") -> Template:
    lang = lang_of(request)
    return page(
        request, "voucher_entitlements/sme.html",
        programmes=localized(await eligibility.programmes_for(principal=principal), lang),
        applications=localized(await applications.applications_of(principal=principal), lang),
        entitlements=localized(await applications.entitlements_for(principal=principal), lang), done=done,
    )  # fmt: skip


async def apply_page(
    request: AnyRequest, principal: Principal, programme_id: int, *, typed: dict[str, str] | None = None,
    errors: Errors | None = None, status: int = 200,
) -> Template:
    lang = lang_of(request)
    typed = typed or {}
    amount = None
    try:
        amount = yuan_to_fen(typed.get("amount", ""), "amount_minor")
    except FieldProblem:
        amount = None
    vouchers = form_int(typed.get("vouchers")) or None
    check = localized(await eligibility.eligibility(principal=principal, programme_id=programme_id,
                                                     amount_minor=amount, vouchers=vouchers), lang)  # fmt: skip
    return page(request, "voucher_entitlements/apply.html", status, e=check, typed=typed, errors=errors or [])


async def application_page(
    request: AnyRequest, principal: Principal, application_id: int, *, template: str, errors: Errors | None = None,
    status: int = 200, done: str = "",
) -> Template:
    lang = lang_of(request)
    found: ApplicationOut = localized(
        await applications.get_application(principal=principal, application_id=application_id), lang
    )
    sent = await letters.letters_for(principal=principal, case_id=found.case_id, lang=lang) if found.case_id else []
    return page(request, template, status, a=found, letters=sent, errors=errors or [], done=done,
                refusal_codes=applications.REFUSAL_CODES)  # fmt: skip


class SmeVoucherPages(Controller):
    include_in_schema = False
    path = "/sme/vouchers"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await sme_index(request, principal, done=done)

    @get("/apply", opt=SME)
    async def apply_form(self, request: AnyRequest, principal: Principal, programme_id: int, amount: str = "",
                         vouchers: str = "") -> Template:  # fmt: skip
        return await apply_page(request, principal, programme_id, typed={"amount": amount, "vouchers": vouchers})

    @post("/apply", opt=SME)
    async def apply(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        typed = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        programme_id = form_int(form.get("programme_id"))
        try:
            data = ApplyIn(
                programme_id=programme_id or 1, amount_minor=yuan_to_fen(typed.get("amount", ""), "amount_minor"),
                vouchers=form_int(typed.get("vouchers")) or None, purpose=typed.get("purpose", ""),
                declarations=[str(v) for v in form.getall("declarations", [])],
            )  # fmt: skip
            made = await applications.apply(principal=principal, data=data)
        except (FieldProblem, ValidationError, MarketError) as exc:
            if isinstance(exc, MarketError) and exc.status == 404:
                raise
            errors, status = _problems(exc, lang)
            return await apply_page(request, principal, programme_id, typed=typed, errors=errors, status=status)
        return Redirect(path=f"/sme/vouchers/applications/{made.id}?done=filed")

    @get("/applications/{voucher_application_id:int}", opt=SME)
    async def application(self, request: AnyRequest, principal: Principal, voucher_application_id: int,
                          done: str = "") -> Template:  # fmt: skip
        return await application_page(request, principal, voucher_application_id,
                                      template="voucher_entitlements/sme_application.html", done=done)  # fmt: skip

    @post("/applications/{voucher_application_id:int}/{action:str}", opt=SME)
    async def act(self, request: AnyRequest, principal: Principal, voucher_application_id: int, action: str) -> Any:
        await applications.get_application(principal=principal, application_id=voucher_application_id)
        if action not in SME_ACTIONS:
            raise NotFound(Msg("voucher.application_not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        data = MoveIn(expected_version=form_int(form.get("expected_version")))
        try:
            if action == "withdraw":
                if not confirmed(form):
                    return confirm_page(
                        request, action=f"/sme/vouchers/applications/{voucher_application_id}/withdraw",
                        heading=f"{UI}confirm_withdraw_heading", question=f"{UI}confirm_withdraw_question",
                        button=f"{UI}withdraw", back=f"/sme/vouchers/applications/{voucher_application_id}",
                        fields=echo(form), danger=True,
                    )  # fmt: skip
                await applications.withdraw(principal=principal, application_id=voucher_application_id, data=data)
            else:
                await applications.resubmit(principal=principal, application_id=voucher_application_id, data=data)
        except MarketError as exc:
            errors, status = _problems(exc, lang)
            return await application_page(request, principal, voucher_application_id, errors=errors, status=status,
                                          template="voucher_entitlements/sme_application.html")  # fmt: skip
        return Redirect(path=f"/sme/vouchers/applications/{voucher_application_id}?done={action}")

    @get("/entitlements/{voucher_entitlement_id:int}", opt=SME)
    async def entitlement(self, request: AnyRequest, principal: Principal, voucher_entitlement_id: int) -> Template:
        found = localized(await applications.entitlement_for(principal=principal,
                                                             entitlement_id=voucher_entitlement_id),
                          lang_of(request))  # fmt: skip
        return page(request, "voucher_entitlements/entitlement.html", v=found, revoke_codes=(), errors=[], done="")


# -------------------------------------------------------------------------------------------- the issuer


class IssuerVoucherApplicationPages(Controller):
    include_in_schema = False
    path = "/issuer/voucher-applications"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def queue(self, request: AnyRequest, principal: Principal, status: str = "") -> Template:
        found = localized(await applications.applications_of(principal=principal), lang_of(request))
        shown = [a for a in found if (a.state == status if status else a.state not in ("approved", "refused",
                                                                                       "withdrawn"))]  # fmt: skip
        return page(request, "voucher_entitlements/queue.html", applications=shown, state=status,
                    states=sorted({a.state for a in found}))  # fmt: skip

    @get("/{voucher_application_id:int}", opt=ISSUER)
    async def one(self, request: AnyRequest, principal: Principal, voucher_application_id: int,
                  done: str = "") -> Template:  # fmt: skip
        return await application_page(request, principal, voucher_application_id,
                                      template=ISSUER_APPLICATION, done=done)  # fmt: skip

    @post("/{voucher_application_id:int}/{action:str}", opt=ISSUER)
    async def act(self, request: AnyRequest, principal: Principal, voucher_application_id: int, action: str) -> Any:
        await applications.get_application(principal=principal, application_id=voucher_application_id)
        if action not in ISSUER_ACTIONS:
            raise NotFound(Msg("voucher.application_not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        text = str(form.get("text") or "")
        app_id = voucher_application_id
        try:
            if action == "review":
                await applications.start_review(principal=principal, application_id=app_id,
                                                data=MoveIn(expected_version=version))  # fmt: skip
            elif action == "more-info":
                await applications.request_info(principal=principal, application_id=app_id,
                                                data=MoreInfoIn(expected_version=version, text=text))  # fmt: skip
            elif action == "approve":
                await applications.approve(principal=principal, application_id=app_id, data=ApproveIn(
                    expected_version=version, amount_minor=yuan_to_fen(str(form.get("amount") or ""), "amount_minor"),
                    vouchers=form_int(form.get("vouchers")) or None, text=text))  # fmt: skip
            elif action == "check":
                await applications.check(principal=principal, application_id=app_id, data=CheckIn(
                    expected_version=version, proposal_id=form_int(form.get("proposal_id")), text=text))  # fmt: skip
            elif action == "send-back":
                await applications.send_back(principal=principal, application_id=app_id,
                                             data=MoveIn(expected_version=version))  # fmt: skip
            else:
                if not confirmed(form):
                    return confirm_page(
                        request, action=f"/issuer/voucher-applications/{app_id}/refuse",
                        heading=f"{UI}confirm_refuse_heading", question=f"{UI}confirm_refuse_question",
                        button=f"{UI}refuse", back=f"/issuer/voucher-applications/{app_id}", fields=echo(form),
                        danger=True,
                    )  # fmt: skip
                await applications.refuse(principal=principal, application_id=app_id, data=RefuseIn(
                    expected_version=version, reasons=[str(v) for v in form.getall("reasons", [])], text=text))
        except (FieldProblem, ValidationError, MarketError) as exc:
            errors, status = _problems(exc, lang)
            return await application_page(request, principal, app_id, template=ISSUER_APPLICATION, errors=errors,
                                          status=status)  # fmt: skip
        return Redirect(path=f"/issuer/voucher-applications/{app_id}?done={action}")


async def issuer_entitlement_page(
    request: AnyRequest, principal: Principal, entitlement_id: int, *, errors: Errors | None = None,
    status: int = 200, done: str = "",
) -> Template:
    found = localized(await applications.entitlement_for(principal=principal, entitlement_id=entitlement_id),
                      lang_of(request))  # fmt: skip
    return page(request, "voucher_entitlements/entitlement.html", status, v=found, revoke_codes=REVOKE_CODES,
                errors=errors or [], done=done)  # fmt: skip


class IssuerVoucherEntitlementPages(Controller):
    include_in_schema = False
    path = "/issuer/voucher-entitlements"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def index(self, request: AnyRequest, principal: Principal) -> Template:
        found = localized(await applications.entitlements_for(principal=principal), lang_of(request))
        return page(request, "voucher_entitlements/issued.html", entitlements=found)

    @get("/{voucher_entitlement_id:int}", opt=ISSUER)
    async def one(self, request: AnyRequest, principal: Principal, voucher_entitlement_id: int,
                  done: str = "") -> Template:  # fmt: skip
        return await issuer_entitlement_page(request, principal, voucher_entitlement_id, done=done)

    @post("/{voucher_entitlement_id:int}/revoke", opt=ISSUER)
    async def revoke(self, request: AnyRequest, principal: Principal, voucher_entitlement_id: int) -> Any:
        await applications.entitlement_for(principal=principal, entitlement_id=voucher_entitlement_id)
        lang = lang_of(request)
        form = await form_of(request)
        if not confirmed(form):
            return confirm_page(
                request, action=f"/issuer/voucher-entitlements/{voucher_entitlement_id}/revoke",
                heading=f"{UI}confirm_revoke_heading", question=f"{UI}confirm_revoke_question",
                button=f"{UI}revoke", back=f"/issuer/voucher-entitlements/{voucher_entitlement_id}",
                fields=echo(form), danger=True,
            )  # fmt: skip
        try:
            await applications.revoke_for(principal=principal, entitlement_id=voucher_entitlement_id,
                                          data=RevokeIn(reason=str(form.get("reason") or ""),
                                                        text=str(form.get("text") or "")))  # fmt: skip
        except (ValidationError, MarketError) as exc:
            errors, status = _problems(exc, lang)
            return await issuer_entitlement_page(request, principal, voucher_entitlement_id, errors=errors,
                                                 status=status)  # fmt: skip
        return Redirect(path=f"/issuer/voucher-entitlements/{voucher_entitlement_id}?done=revoked")


VOUCHER_ENTITLEMENT_PAGES = [SmeVoucherPages, IssuerVoucherApplicationPages, IssuerVoucherEntitlementPages]
