"""Pledge registration and loan pages, for the SME (pledgor, borrower) and the bank (pledgee, lender): the documents
to read and sign, CNIPA's handling as the bank records it, the pledgee's consents, the loan's entries and derived
balance. Every POST goes through the confirmation step first (``frontend.confirm``): signing, recording CNIPA's
decision, a repayment or a default cannot be taken back."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import BaseModel, ValidationError

from finance.registrations import service as registrations
from finance.registrations.schemas import (
    ConsentIn,
    CorrectionIn,
    FiledIn,
    OnIn,
    RefusedIn,
    RegisteredIn,
    VersionIn,
)
from finance.servicing import service as servicing
from finance.servicing.schemas import DefaultIn, EntryIn
from frontend.confirm import CONFIRM_FIELD, CONFIRM_VALUE, confirmed, echo
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError
from market.i18n import gettext
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

PARTIES = signed_in(OrgKind.sme, OrgKind.bank, session_only=True)
ACTING = signed_in(OrgKind.sme, OrgKind.bank, approved=True, session_only=True)

# action -> (input schema, the form's fields)
ACTIONS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "sign": (VersionIn, ("version",)),
    "filed": (FiledIn, ("version", "filed_on")),
    "correction": (CorrectionIn, ("version", "on", "note")),
    "resubmitted": (OnIn, ("version", "on")),
    "registered": (RegisteredIn, ("version", "registration_number", "registered_on")),
    "refused": (RefusedIn, ("version", "ground", "note")),
    "release-filed": (OnIn, ("version", "on")),
    "released": (OnIn, ("version", "on")),
    "consent": (ConsentIn, ("patent_id", "scope")),
}
LOAN_ACTIONS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "disbursement": (EntryIn, ("version", "principal_minor", "occurred_on", "reference")),
    "repayment": (EntryIn, ("version", "principal_minor", "interest_minor", "occurred_on", "reference")),
    "default": (DefaultIn, ("version", "on", "pool", "ip_share_bp", "text")),
}
INTEGER_FIELDS = {"version", "patent_id", "principal_minor", "interest_minor", "ip_share_bp"}


def typed(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The form's values for ``names`` (blank ones left out, integers as integers where they are integers)."""
    out: dict[str, Any] = {}
    for name in names:
        value = str(form.get(name) or "").strip()
        if value == "":
            continue
        out[name] = int(value) if name in INTEGER_FIELDS and value.lstrip("-").isdigit() else value
    return out


async def perform(principal: Principal, registration_id: int, action: str, data: Any, request: AnyRequest) -> None:
    host = request.client.host if request.client else ""
    if action == "sign":
        await registrations.sign(principal=principal, registration_id=registration_id, expected_version=data.version,
                                 ip=host, user_agent=request.headers.get("user-agent", ""))
    elif action == "filed":
        await registrations.file(principal=principal, registration_id=registration_id, expected_version=data.version,
                                 filed_on=data.filed_on)
    elif action == "correction":
        await registrations.request_correction(principal=principal, registration_id=registration_id,
                                               expected_version=data.version, on=data.on, note=data.note)
    elif action == "resubmitted":
        await registrations.resubmit(principal=principal, registration_id=registration_id,
                                     expected_version=data.version, on=data.on)
    elif action == "registered":
        await registrations.register(principal=principal, registration_id=registration_id,
                                     expected_version=data.version, number=data.registration_number,
                                     registered_on=data.registered_on)
    elif action == "refused":
        await registrations.refuse(principal=principal, registration_id=registration_id,
                                   expected_version=data.version, ground=data.ground, note=data.note)
    elif action == "release-filed":
        await registrations.file_release(principal=principal, registration_id=registration_id,
                                         expected_version=data.version, on=data.on)
    elif action == "released":
        await registrations.register_release(principal=principal, registration_id=registration_id,
                                             expected_version=data.version, on=data.on)
    else:
        await registrations.record_consent(principal=principal, registration_id=registration_id,
                                           patent_id=data.patent_id, scope=data.scope.value)


class RegistrationPages(Controller):
    include_in_schema = False
    path = "/pledge-registrations"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES)
    async def list_mine(self, request: AnyRequest, principal: Principal) -> Template:
        rows = [await registrations.view(principal=principal, registration_id=r.id)
                for r in await registrations.mine(principal=principal)]
        return page(request, "pledge/registrations.html", rows=rows)

    @get("/{registration_id:int}", opt=PARTIES)
    async def detail(self, request: AnyRequest, principal: Principal, registration_id: int, done: str = "") -> Template:
        return await registration_page(request, principal, registration_id, done=done)

    @get("/{registration_id:int}/documents/{kind:str}", opt=PARTIES)
    async def document(self, principal: Principal, registration_id: int, kind: str) -> Response[bytes]:
        name, data = await registrations.download(principal=principal, registration_id=registration_id, kind=kind)
        return Response(
            data, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{name}"'}
        )

    @post("/{registration_id:int}/{action:str}", opt=ACTING)
    async def act(self, request: AnyRequest, principal: Principal, registration_id: int, action: str) -> Any:
        if action not in ACTIONS:
            return await registration_page(request, principal, registration_id, status=404)
        schema, names = ACTIONS[action]
        form = await form_of(request)
        values = typed(form, names)
        lang = lang_of(request)
        try:
            data = schema.model_validate(values)
        except ValidationError as exc:
            return await registration_page(request, principal, registration_id, errors=field_messages(exc, lang),
                                           action=action, typed=values, status=400)
        here = f"/pledge-registrations/{registration_id}"
        if not confirmed(form):
            await registrations.party(principal, registration_id)  # another's: 404 before any step
            return confirm(request, action=f"{here}/{action}", back=here, fields=echo(form),
                           details=[f"{gettext(lang, 'ui.preg_field_' + k)}: {v}" for k, v in values.items()
                                    if k != "version"], what=f"ui.preg_do_{action}")
        try:
            await perform(principal, registration_id, action, data, request)
        except MarketError as exc:
            return await registration_page(request, principal, registration_id, errors=market_messages(exc, lang),
                                           action=action, typed=values, status=exc.status)
        return Redirect(path=f"{here}?done={action}")


def confirm(request: AnyRequest, *, action: str, back: str, fields: list[tuple[str, str]], details: list[str],
            what: str) -> Template:
    return page(
        request,
        "confirm.html",
        action=action,
        heading=what,
        question="ui.preg_confirm_question",
        button=what,
        back=back,
        fields=fields,
        details=details,
        danger=False,
        confirm_field=CONFIRM_FIELD,
        confirm_value=CONFIRM_VALUE,
    )


async def registration_page(
    request: AnyRequest,
    principal: Principal,
    registration_id: int,
    *,
    errors: Errors | None = None,
    action: str = "",
    typed: dict[str, Any] | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    reg = await registrations.view(principal=principal, registration_id=registration_id)
    loan = await servicing.loan_of_registration(registration_id)
    signed_roles = {(s.document_kind, s.role) for s in reg.signatures}
    errors = errors or []
    return page(
        request,
        "pledge/registration.html",
        status,
        reg=reg,
        loan_id=loan.id if loan else None,
        is_bank=reg.role == "pledgee",
        i_signed=all((d.kind, reg.role) in signed_roles for d in reg.documents) and bool(reg.documents),
        signed_roles=signed_roles,
        grounds=registrations.GROUNDS,
        errors=errors,
        bad={e["field"] for e in errors},
        failed=action,
        typed=typed or {},
        done=done,
    )


class LoanPages(Controller):
    include_in_schema = False
    path = "/loans"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES)
    async def list_mine(self, request: AnyRequest, principal: Principal) -> Template:
        return page(request, "pledge/loans.html", loans=await servicing.mine(principal=principal))

    @get("/{loan_id:int}", opt=PARTIES)
    async def detail(self, request: AnyRequest, principal: Principal, loan_id: int, done: str = "") -> Template:
        return await loan_page(request, principal, loan_id, done=done)

    @post("/{loan_id:int}/{action:str}", opt=ACTING)
    async def act(self, request: AnyRequest, principal: Principal, loan_id: int, action: str) -> Any:
        if action not in LOAN_ACTIONS:
            return await loan_page(request, principal, loan_id, status=404)
        schema, names = LOAN_ACTIONS[action]
        form = await form_of(request)
        values = typed(form, names)
        lang = lang_of(request)
        try:
            data = schema.model_validate(values)
        except ValidationError as exc:
            return await loan_page(request, principal, loan_id, errors=field_messages(exc, lang), action=action,
                                   typed=values, status=400)
        here = f"/loans/{loan_id}"
        if not confirmed(form):
            await servicing.party(principal, loan_id)
            return confirm(request, action=f"{here}/{action}", back=here, fields=echo(form),
                           details=[f"{gettext(lang, 'ui.loan_field_' + k)}: {v}" for k, v in values.items()
                                    if k != "version"], what=f"ui.loan_do_{action}")
        try:
            if action == "disbursement":
                await servicing.record_disbursement(principal=principal, loan_id=loan_id, data=data)  # type: ignore[arg-type]
            elif action == "repayment":
                await servicing.record_repayment(principal=principal, loan_id=loan_id, data=data)  # type: ignore[arg-type]
            else:
                await servicing.declare_default(principal=principal, loan_id=loan_id, data=data)  # type: ignore[arg-type]
        except MarketError as exc:
            return await loan_page(request, principal, loan_id, errors=market_messages(exc, lang), action=action,
                                   typed=values, status=exc.status)
        return Redirect(path=f"{here}?done={action}")


async def loan_page(
    request: AnyRequest,
    principal: Principal,
    loan_id: int,
    *,
    errors: Errors | None = None,
    action: str = "",
    typed: dict[str, Any] | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    loan = await servicing.view(principal=principal, loan_id=loan_id)
    errors = errors or []
    return page(
        request,
        "pledge/loan.html",
        status,
        loan=loan,
        is_bank=loan.lender_org_id == principal.org_id,
        pools=await servicing.pool_choices(),
        errors=errors,
        bad={e["field"] for e in errors},
        failed=action,
        typed=typed or {},
        done=done,
    )
