"""The university's receiving desk: its payee account (户名, 开户行, 账号; owners record it, every earlier one kept),
and the bank transfers on their way to it, each confirmed after a confirmation step (``frontend.confirm``: a POST
without ``confirmed=yes`` answers the step and changes nothing)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.payees import service as payees
from finance.payees.schemas import PayeeAccountIn
from finance.payments import service as payments
from frontend.confirm import CONFIRM_FIELD, CONFIRM_VALUE, confirmed
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, ValidationFailed
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university, session_only=True)
OWNER = signed_in(OrgKind.university, owner=True, session_only=True)
FIELDS = ("account_name", "bank_name", "account_number")


class PayeePages(Controller):
    include_in_schema = False
    path = "/university/payee"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY)
    async def form(self, request: AnyRequest, principal: Principal, saved: int = 0) -> Template:
        return await payee_page(request, principal, saved=bool(saved))

    @post("/", opt=OWNER)
    async def save(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        typed = {name: str(form.get(name) or "") for name in FIELDS}
        try:
            await payees.record_account(principal=principal, data=PayeeAccountIn(**typed))
        except ValidationError as exc:
            errors = field_messages(exc, lang_of(request))
            return await payee_page(request, principal, errors=errors, typed=typed, status=400)
        except (ValidationFailed, Conflict) as exc:
            errors = market_messages(exc, lang_of(request))
            return await payee_page(request, principal, errors=errors, typed=typed, status=exc.status)
        return Redirect(path="/university/payee?saved=1")


async def payee_page(
    request: AnyRequest,
    principal: Principal,
    *,
    errors: Errors | None = None,
    typed: dict[str, str] | None = None,
    saved: bool = False,
    status: int = 200,
) -> Template:
    mine = await payees.mine(principal=principal)
    current = mine.current
    form = typed or {
        "account_name": current.account_name if current else principal.org_name,
        "bank_name": current.bank_name if current else "",
        "account_number": current.account_number if current else "",
    }
    errors = errors or []
    return page(
        request,
        "finance/payee.html",
        status,
        payee=mine,
        form=form,
        errors=errors,
        bad={e["field"] for e in errors},
        saved=saved,
        limits={"min": payees.NUMBER_MIN, "max": payees.NUMBER_MAX},
    )


class UniversityTransferPages(Controller):
    """Transfers on their way to the university's account: an owner confirms each one's arrival."""

    include_in_schema = False
    path = "/university/transfers"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY)
    async def pending(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return page(
            request,
            "finance/university_transfers.html",
            transfers=await payments.pending_transfers_to(principal=principal),
            has_payee=await payees.current_account(principal.org_id) is not None,
            done=done == "confirmed",
            errors=[],
        )

    @get("/{payment_id:int}/confirm", opt=UNIVERSITY)
    async def confirm_step(self, request: AnyRequest, principal: Principal, payment_id: int) -> Template:
        transfer = await payments.transfer_to_confirm(principal=principal, payment_id=payment_id)  # another's: 404
        return confirm_page(request, transfer, action=f"/university/transfers/{payment_id}/confirm", back=self.path)

    @post("/{payment_id:int}/confirm", opt=OWNER)
    async def confirm(self, request: AnyRequest, principal: Principal, payment_id: int) -> Any:
        if not confirmed(await form_of(request)):  # the confirmation step first: nothing is done yet
            transfer = await payments.transfer_to_confirm(principal=principal, payment_id=payment_id)
            action = f"/university/transfers/{payment_id}/confirm"
            return confirm_page(request, transfer, action=action, back=self.path)
        try:
            await payments.confirm_receipt(principal=principal, payment_id=payment_id)
        except Conflict as exc:
            transfer = await payments.transfer_to_confirm(principal=principal, payment_id=payment_id)
            errors = market_messages(exc, lang_of(request))
            action = f"/university/transfers/{payment_id}/confirm"
            return confirm_page(request, transfer, action=action, back=self.path, errors=errors, status=exc.status)
        return Redirect(path="/university/transfers?done=confirmed")


def confirm_page(
    request: AnyRequest, transfer: Any, *, action: str, back: str, errors: Errors | None = None, status: int = 200
) -> Template:
    """The confirmation step: what arrives, from whom, for what, before anything is recorded."""
    return page(
        request,
        "finance/transfer_confirm.html",
        status,
        p=transfer,
        action=action,
        back=back,
        errors=errors or [],
        confirm_field=CONFIRM_FIELD,
        confirm_value=CONFIRM_VALUE,
    )
