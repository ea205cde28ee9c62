"""IP insurance policy pages, for the insured SME and its insurer: binding an accepted application, paying the
premium (bank transfer or card), the schedule (sealed, its SHA-256 shown), endorsements, cancellation with its
pro-rata refund, the insurer's transfers to confirm and refunds to pay, and the insurer's book as charts with their
tables. Every POST goes through the confirmation step first (``frontend.confirm``): binding, paying, a confirmed
receipt, an endorsement and a cancellation cannot be taken back."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import BaseModel, ValidationError

from finance.insurance import service as insurance
from finance.insurance_claims import service as claims
from finance.policies import proration
from finance.policies import service as policies
from finance.policies.schemas import BindIn, CancelIn, EndorseIn, PayIn, RefundPaidIn
from frontend.charts import charts_available
from frontend.confirm import confirm_page, confirmed, echo
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, money, page
from listings.patents import service as patents
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.kit.money import Money
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme, session_only=True)
SME_ACTING = signed_in(OrgKind.sme, approved=True, session_only=True)
INSURER = signed_in(OrgKind.insurer, session_only=True)
INSURER_ACTING = signed_in(OrgKind.insurer, approved=True, session_only=True)
PARTIES = signed_in(OrgKind.sme, OrgKind.insurer, session_only=True)

# action -> (input schema, the form's fields, who)
SME_ACTIONS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "pay": (PayIn, ("method",)),
    "endorse": (EndorseIn, ("version", "patent_id")),
    "cancel": (CancelIn, ("version", "on")),
}
INSURER_ACTIONS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "cancel": (CancelIn, ("version", "on")),
}
INTEGER_FIELDS = {"version", "patent_id", "application_id"}


def typed(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = str(form.get(name) or "").strip()
        if value == "":
            continue
        out[name] = int(value) if name in INTEGER_FIELDS and value.isdigit() else value
    return out


def _confirm(request: AnyRequest, *, action: str, back: str, form: Any, what: str, details: list[str],
             danger: bool = False) -> Template:
    return confirm_page(
        request, action=action, heading=what, question="policies.ui.confirm_question", button=what, back=back,
        fields=echo(form), details=details, danger=danger,
    )


# ------------------------------------------------------------------------------------------------ the insured


class SmePolicyPages(Controller):
    include_in_schema = False
    path = "/sme/policies"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME)
    async def list_mine(self, request: AnyRequest, principal: Principal) -> Template:
        ready = [a for a in await insurance.list_mine(principal=principal) if a.state == "accepted"]
        return page(request, "policies/list.html", rows=await policies.mine(principal=principal), side="insured",
                    ready=ready)

    @get("/bind", opt=SME)
    async def bind_form(self, request: AnyRequest, principal: Principal, application: int = 0) -> Template:
        return await bind_page(request, principal, application)

    @post("/bind", opt=SME_ACTING)
    async def bind(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        values = typed(form, ("application_id", "starts_on"))
        lang = lang_of(request)
        application_id = int(values.get("application_id") or 0)
        try:
            data = BindIn.model_validate(values)
        except ValidationError as exc:
            return await bind_page(request, principal, application_id, errors=field_messages(exc, lang),
                                   typed=values, status=400)
        if not confirmed(form):
            app = await _own_application(principal, data.application_id)
            q = dict(app.quote or {})
            details = [f"{gettext(lang, 'policies.ui.premium')}: {money(int(q.get('premium_minor', 0)), lang)}",
                       f"{gettext(lang, 'policies.ui.aggregate')}: "
                       f"{money(int(q.get('aggregate_limit_minor', 0)), lang)}"]
            return _confirm(request, action="/sme/policies/bind", back=f"/sme/policies/bind?application={app.id}",
                            form=form, what="policies.ui.do_bind", details=details)
        try:
            bound = await policies.bind(principal=principal, application_id=data.application_id,
                                        starts_on=data.starts_on)
        except MarketError as exc:
            return await bind_page(request, principal, application_id, errors=market_messages(exc, lang),
                                   typed=values, status=exc.status)
        return Redirect(path=f"/sme/policies/{bound.id}?done=bind")

    @get("/{policy_id:int}", opt=SME)
    async def detail(self, request: AnyRequest, principal: Principal, policy_id: int, done: str = "") -> Template:
        return await policy_page(request, principal, policy_id, done=done)

    @post("/{policy_id:int}/payments/{premium_payment_id:int}/test-card", opt=SME_ACTING)
    async def test_card(
        self, request: AnyRequest, principal: Principal, policy_id: int, premium_payment_id: int
    ) -> Any:
        lang = lang_of(request)
        try:
            await policies.pay_in_test_mode(
                principal=principal, policy_id=policy_id, payment_id=premium_payment_id
            )
        except MarketError as exc:
            return await policy_page(request, principal, policy_id, errors=market_messages(exc, lang),
                                     action="pay", status=exc.status)
        return Redirect(path=f"/sme/policies/{policy_id}?done=paid")

    @post("/{policy_id:int}/{action:str}", opt=SME_ACTING)
    async def act(self, request: AnyRequest, principal: Principal, policy_id: int, action: str) -> Any:
        return await act(request, principal, policy_id, action, SME_ACTIONS, base="/sme/policies")


async def _own_application(principal: Principal, application_id: int) -> Any:
    try:
        app = await insurance.application(application_id)
    except NotFound:
        app = None
    if app is None or app.applicant != principal.org_id:
        raise NotFound(Msg("policies.application_not_found"))
    return app


async def bind_page(request: AnyRequest, principal: Principal, application_id: int, *, errors: Errors | None = None,
                    typed: dict[str, Any] | None = None, status: int = 200) -> Template:
    app = await _own_application(principal, application_id)
    names = [p for p in [await patents.patent_by_id(i) for i in app.patent_ids] if p is not None]
    existing = await policies.policy_of_application(application_id)
    errors = errors or []
    return page(
        request, "policies/bind.html", status, app=app, quote=dict(app.quote or {}), patents=names,
        existing=existing, errors=errors, bad={e["field"] for e in errors}, typed=typed or {},
        valid_until=policies._valid_until(dict(app.quote or {})), today=policies.today(),
    )


async def act(request: AnyRequest, principal: Principal, policy_id: int, action: str,
              actions: dict[str, tuple[type[BaseModel], tuple[str, ...]]], *, base: str) -> Any:
    if action not in actions:
        return await policy_page(request, principal, policy_id, status=404)
    schema, names = actions[action]
    form = await form_of(request)
    values = typed(form, names)
    lang = lang_of(request)
    try:
        data: Any = schema.model_validate(values)
    except ValidationError as exc:
        return await policy_page(request, principal, policy_id, errors=field_messages(exc, lang), action=action,
                                 typed=values, status=400)
    here = f"{base}/{policy_id}"
    if not confirmed(form):
        row, _ = await policies.party(principal, policy_id)  # another's: 404 before any step
        details = [f"{gettext(lang, 'policies.ui.field_' + k)}: {v}" for k, v in values.items() if k != "version"]
        if action == "cancel" and row.state == "in_force" and row.starts_on and row.ends_on:
            refund = proration.cancellation_refund(
                annual_premium=Money(row.currency, row.premium_minor),
                paid=Money(row.currency, row.premium_paid_minor), effective_on=data.on,
                starts_on=row.starts_on, ends_on=row.ends_on,
            )
            details.append(f"{gettext(lang, 'policies.ui.refund')}: {money(refund.amount.minor, lang, row.currency)}")
        return _confirm(request, action=f"{here}/{action}", back=here, form=form, what=f"policies.ui.do_{action}",
                        details=details, danger=action == "cancel")
    try:
        if action == "pay":
            await policies.pay_premium(principal=principal, policy_id=policy_id, method=data.method.value)
        elif action == "endorse":
            await policies.endorse_add_patent(principal=principal, policy_id=policy_id, patent_id=data.patent_id,
                                              version=data.version)
        else:
            await policies.cancel(principal=principal, policy_id=policy_id, on=data.on, version=data.version)
    except MarketError as exc:
        return await policy_page(request, principal, policy_id, errors=market_messages(exc, lang), action=action,
                                 typed=values, status=exc.status)
    return Redirect(path=f"{here}?done={action}")


async def policy_page(request: AnyRequest, principal: Principal, policy_id: int, *, errors: Errors | None = None,
                      action: str = "", typed: dict[str, Any] | None = None, done: str = "",
                      status: int = 200) -> Template:
    view = await policies.view(principal=principal, policy_id=policy_id)
    errors = errors or []
    covered = {p.id for p in view.patents}
    choices = (
        [p for p in await insurance.eligible_patents(principal) if p[0] not in covered]
        if view.role == "insured" and view.state == "in_force" else []
    )
    return page(
        request, "policies/policy.html", status, policy=view, is_insurer=view.role == "insurer",
        base="/insurer/policies" if view.role == "insurer" else "/sme/policies", choices=choices,
        methods=policies.methods(),
        errors=errors, bad={e["field"] for e in errors}, failed=action, typed=typed or {}, done=done,
        today=policies.today(),
    )


# ------------------------------------------------------------------------------------------------ the insurer


class InsurerPolicyPages(Controller):
    include_in_schema = False
    path = "/insurer"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/policies", opt=INSURER)
    async def list_mine(self, request: AnyRequest, principal: Principal) -> Template:
        waiting = await policies.transfers_awaited(principal=principal)
        return page(
            request, "policies/list.html", rows=await policies.mine(principal=principal), side="insurer",
            waiting=[(row, await policies.payment_out(p, insurer=principal.org_name)) for row, p in waiting],
            refunds=await policies.refunds_owed(principal=principal),
        )

    @get("/policies/{policy_id:int}", opt=INSURER)
    async def detail(self, request: AnyRequest, principal: Principal, policy_id: int, done: str = "") -> Template:
        return await policy_page(request, principal, policy_id, done=done)

    @post("/policies/{policy_id:int}/received/{premium_payment_id:int}", opt=INSURER_ACTING)
    async def received(
        self, request: AnyRequest, principal: Principal, policy_id: int, premium_payment_id: int
    ) -> Any:
        form = await form_of(request)
        lang = lang_of(request)
        here = f"/insurer/policies/{policy_id}"
        if not confirmed(form):
            view = await policies.view(principal=principal, policy_id=policy_id)
            found = next((p for p in view.payments if p.id == premium_payment_id), None)
            if found is None:
                raise NotFound(Msg("policies.payment_not_found"))
            details = [f"{gettext(lang, 'policies.ui.reference')}: {found.reference}",
                       f"{gettext(lang, 'policies.ui.amount')}: {money(found.amount_minor, lang, found.currency)}"]
            return _confirm(request, action=f"{here}/received/{premium_payment_id}", back=here, form=form,
                            what="policies.ui.do_received", details=details)
        try:
            await policies.confirm_premium_received(principal=principal, payment_id=premium_payment_id)
        except MarketError as exc:
            return await policy_page(request, principal, policy_id, errors=market_messages(exc, lang),
                                     action="received", status=exc.status)
        return Redirect(path=f"{here}?done=received")

    @post("/policies/{policy_id:int}/refunds/{endorsement_id:int}", opt=INSURER_ACTING)
    async def refund_paid(self, request: AnyRequest, principal: Principal, policy_id: int, endorsement_id: int) -> (
        Any
    ):
        form = await form_of(request)
        lang = lang_of(request)
        here = f"/insurer/policies/{policy_id}"
        values = typed(form, ("reference",))
        data = RefundPaidIn.model_validate(values)
        if not confirmed(form):
            await policies.party(principal, policy_id)
            return _confirm(request, action=f"{here}/refunds/{endorsement_id}", back=here, form=form,
                            what="policies.ui.do_refund_paid",
                            details=[f"{gettext(lang, 'policies.ui.reference')}: {data.reference}"])
        try:
            await policies.mark_refund_paid(principal=principal, endorsement_id=endorsement_id,
                                            reference=data.reference)
        except MarketError as exc:
            return await policy_page(request, principal, policy_id, errors=market_messages(exc, lang),
                                     action="refund", status=exc.status)
        return Redirect(path=f"{here}?done=refund_paid")

    @post("/policies/{policy_id:int}/{action:str}", opt=INSURER_ACTING)
    async def act(self, request: AnyRequest, principal: Principal, policy_id: int, action: str) -> Any:
        return await act(request, principal, policy_id, action, INSURER_ACTIONS, base="/insurer/policies")

    @get("/book", opt=INSURER)
    async def book(self, request: AnyRequest, principal: Principal) -> Template:
        paid = await claims.paid_total(principal.org_id)  # the claims figures, from the module above policies
        return await book_page(request, principal, claims_by_state=await claims.claims_by_state(principal.org_id),
                               claims_paid_minor=paid.minor)


async def book_page(request: AnyRequest, principal: Principal, *, claims_by_state: dict[str, int] | None = None,
                    claims_paid_minor: int = 0) -> Template:
    """The insurer's book; the claims figures are passed in by whoever composes the page with the claims module."""
    b = await policies.book(insurer_org=principal.org_id, claims_by_state=claims_by_state,
                            claims_paid_minor=claims_paid_minor)
    return page(request, "policies/book.html", book=b, charts=charts_available(),
                total=sum(b.policies_by_state.values()))


class ScheduleDownload(Controller):
    include_in_schema = False
    path = "/policies"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{policy_id:int}/schedule.pdf", opt=PARTIES)
    async def schedule(self, principal: Principal, policy_id: int) -> Response[bytes]:
        name, data = await policies.schedule_pdf(principal=principal, policy_id=policy_id)
        return Response(data, media_type="application/pdf",
                        headers={"content-disposition": f'attachment; filename="{name}"'})


POLICY_PAGES = [SmePolicyPages, InsurerPolicyPages, ScheduleDownload]
__all__ = ["POLICY_PAGES", "book_page"]
