"""Insurance claims in the browser: the insured's claims (the notice form from a policy, the claim page with its
costs, invoices, assessment and letters), the bank's guarantee claims, and the insurer's claim page (review,
pre-approval, assessment, payment and denial with a confirmation step). The rules are
``finance.insurance_claims.service``'s; these pages read forms, send the case version they showed (a stale page
gets a 409 and changes nothing) and show results."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.insurance_claims import rules
from finance.insurance_claims import service as claims
from finance.insurance_claims.schemas import (
    AcceptanceIn,
    AssessmentIn,
    ClaimNoticeIn,
    CostIn,
    DenialIn,
    MoreInfoIn,
    MoveIn,
    PaymentIn,
)
from finance.pledges import service as pledges
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import FieldProblem, form_int, yuan_to_fen
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme, session_only=True)
BANK = signed_in(OrgKind.bank, session_only=True)
INSURER = signed_in(OrgKind.insurer, session_only=True)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
NOTICE_FIELDS = (
    "patent_id", "counterparty", "forum", "event_on", "first_claim_on", "first_known_on", "description",
    "acceptance_number", "accepted_on",
)  # fmt: skip


def _date(value: Any, field: str, *, required: bool = True) -> date | None:
    text = str(value or "").strip()
    if not text and not required:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldProblem(field, "insurance_claim.ui.err_date") from None


def _problems(exc: FieldProblem, lang: str) -> Errors:
    return [{"field": exc.field, "message": gettext(lang, exc.key)}]


def notice_of(form: Any) -> ClaimNoticeIn:
    return ClaimNoticeIn(
        patent_id=form_int(form.get("patent_id")),
        counterparty=str(form.get("counterparty") or ""),
        forum=str(form.get("forum") or ""),
        event_on=_date(form.get("event_on"), "event_on"),
        first_claim_on=_date(form.get("first_claim_on"), "first_claim_on"),
        first_known_on=_date(form.get("first_known_on"), "first_known_on", required=False),
        description=str(form.get("description") or ""),
        acceptance_number=str(form.get("acceptance_number") or ""),
        accepted_on=_date(form.get("accepted_on"), "accepted_on", required=False),
    )


async def _policy_for(principal: Principal, policy_id: int) -> Any:
    policy = await claims.policy_of(policy_id)
    if policy is None or policy.insured != principal.org_id:
        raise NotFound(Msg("insurance_claim.policy_not_found"))
    return policy


SME_ACTIONS = ("acceptance", "cost", "resubmit", "withdraw")


class SmeClaimPages(Controller):
    include_in_schema = False
    path = "/sme"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/claims", opt=SME)
    async def mine(self, request: AnyRequest, principal: Principal) -> Template:
        lang = lang_of(request)
        return page(request, "claims/list.html", claims=await claims.list_mine(principal=principal, lang=lang),
                    base="/sme/claims")  # fmt: skip

    @get("/policies/{policy_id:int}/claims/new", opt=SME)
    async def new(self, request: AnyRequest, principal: Principal, policy_id: int) -> Template:
        return await self._new(request, principal, policy_id, {"forum": "court"})

    async def _new(
        self, request: AnyRequest, principal: Principal, policy_id: int, typed: dict[str, Any],
        errors: Errors | None = None, status: int = 200,
    ) -> Template:  # fmt: skip
        policy = await _policy_for(principal, policy_id)
        return page(
            request,
            "claims/new.html",
            status,
            policy=policy,
            patents=await claims.patents_of_policy(policy),
            forums=rules.FORUMS,
            typed=typed,
            errors=errors or [],
        )

    @post("/policies/{policy_id:int}/claims/new", opt=SME)
    async def create(self, request: AnyRequest, principal: Principal, policy_id: int) -> Any:
        await _policy_for(principal, policy_id)
        lang = lang_of(request)
        form = await form_of(request)
        typed = {k: str(form.get(k) or "") for k in NOTICE_FIELDS}
        try:
            created = await claims.notify_claim(principal=principal, policy_id=policy_id, data=notice_of(form))
        except FieldProblem as exc:
            return await self._new(request, principal, policy_id, typed, _problems(exc, lang), 400)
        except ValidationError as exc:
            return await self._new(request, principal, policy_id, typed, field_messages(exc, lang), 400)
        except MarketError as exc:
            return await self._new(request, principal, policy_id, typed, market_messages(exc, lang), exc.status)
        return Redirect(path=f"/sme/claims/{created.id}")

    @get("/claims/{claim_id:int}", opt=SME)
    async def one(self, request: AnyRequest, principal: Principal, claim_id: int, done: str = "") -> Template:
        return await claim_page(request, principal, claim_id, base="/sme/claims", done=done)

    @post("/claims/{claim_id:int}/{action:str}", opt=SME)
    async def act(self, request: AnyRequest, principal: Principal, claim_id: int, action: str) -> Any:
        await claims.get(principal=principal, claim_id=claim_id)  # another's: 404 before anything
        if action not in SME_ACTIONS:
            raise NotFound(Msg("insurance_claim.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        try:
            if action == "acceptance":
                accepted = _date(form.get("accepted_on"), "accepted_on")
                assert accepted is not None
                await claims.record_acceptance(
                    principal=principal,
                    claim_id=claim_id,
                    data=AcceptanceIn(
                        expected_version=version,
                        acceptance_number=str(form.get("acceptance_number") or ""),
                        accepted_on=accepted,
                    ),
                )
            elif action == "cost":
                upload = form.get("file")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    raise FieldProblem("file", "insurance_claim.ui.err_file")
                incurred = _date(form.get("incurred_on"), "incurred_on")
                data = CostIn(
                    kind=str(form.get("kind") or ""),
                    amount_minor=yuan_to_fen(str(form.get("amount") or ""), "amount_minor") or 0,
                    incurred_on=incurred,
                    invoice_number=str(form.get("invoice_number") or ""),
                    description=str(form.get("description") or ""),
                )
                await claims.add_cost(
                    principal=principal,
                    claim_id=claim_id,
                    data=data,
                    filename=upload.filename,
                    content_type=upload.content_type or "",
                    content=await upload.read(MAX_UPLOAD_BYTES + 1),
                )
            elif action == "resubmit":
                await claims.resubmit(principal=principal, claim_id=claim_id, data=MoveIn(expected_version=version))
            else:  # withdraw
                if not confirmed(form):
                    return confirm_page(
                        request,
                        action=f"/sme/claims/{claim_id}/withdraw",
                        heading="insurance_claim.ui.confirm_withdraw_heading",
                        question="insurance_claim.ui.confirm_withdraw_question",
                        button="insurance_claim.ui.withdraw",
                        back=f"/sme/claims/{claim_id}",
                        fields=echo(form),
                        danger=True,
                    )
                await claims.withdraw(principal=principal, claim_id=claim_id, data=MoveIn(expected_version=version))
        except FieldProblem as exc:
            return await claim_page(request, principal, claim_id, base="/sme/claims", errors=_problems(exc, lang),
                                    status=400)  # fmt: skip
        except ValidationError as exc:
            return await claim_page(request, principal, claim_id, base="/sme/claims",
                                    errors=field_messages(exc, lang), status=400)  # fmt: skip
        except MarketError as exc:
            return await claim_page(request, principal, claim_id, base="/sme/claims",
                                    errors=market_messages(exc, lang), status=exc.status)  # fmt: skip
        return Redirect(path=f"/sme/claims/{claim_id}?done={action}")

    @get("/guarantees/new", opt=SME)
    async def guarantee_form(self, request: AnyRequest, principal: Principal, policy: int = 0) -> Template:
        return await self._guarantee(request, principal, policy)

    async def _guarantee(
        self, request: AnyRequest, principal: Principal, policy_id: int, errors: Errors | None = None,
        status: int = 200,
    ) -> Template:  # fmt: skip
        return page(
            request,
            "claims/guarantee.html",
            status,
            policy_id=policy_id,
            applications=await pledges.list_mine(principal=principal),
            errors=errors or [],
        )

    @post("/guarantees/new", opt=SME)
    async def attach(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        policy_id = form_int(form.get("policy_id"))
        try:
            await claims.attach_guarantee(
                principal=principal, policy_id=policy_id,
                pledge_application_id=form_int(form.get("pledge_application_id"))
            )
        except MarketError as exc:
            return await self._guarantee(request, principal, policy_id, market_messages(exc, lang), exc.status)
        return Redirect(path=f"/sme/pledges/{form_int(form.get('pledge_application_id'))}")


class BankClaimPages(Controller):
    include_in_schema = False
    path = "/bank/claims"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=BANK)
    async def mine(self, request: AnyRequest, principal: Principal) -> Template:
        lang = lang_of(request)
        return page(request, "claims/list.html", claims=await claims.list_mine(principal=principal, lang=lang),
                    base="/bank/claims")  # fmt: skip

    @get("/{claim_id:int}", opt=BANK)
    async def one(self, request: AnyRequest, principal: Principal, claim_id: int, done: str = "") -> Template:
        return await claim_page(request, principal, claim_id, base="/bank/claims", done=done)

    @post("/{claim_id:int}/resubmit", opt=BANK)
    async def resubmit(self, request: AnyRequest, principal: Principal, claim_id: int) -> Any:
        form = await form_of(request)
        try:
            await claims.resubmit(
                principal=principal, claim_id=claim_id,
                data=MoveIn(expected_version=form_int(form.get("expected_version")))
            )
        except MarketError as exc:
            return await claim_page(request, principal, claim_id, base="/bank/claims",
                                    errors=market_messages(exc, lang_of(request)), status=exc.status)  # fmt: skip
        return Redirect(path=f"/bank/claims/{claim_id}?done=resubmit")


INSURER_ACTIONS = ("review", "more-info", "pre-approve", "assess", "reassess", "pay", "deny")


class InsurerClaimPages(Controller):
    include_in_schema = False
    path = "/insurer/claims"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=INSURER)
    async def mine(self, request: AnyRequest, principal: Principal) -> Template:
        lang = lang_of(request)
        return page(request, "claims/list.html", claims=await claims.list_mine(principal=principal, lang=lang),
                    base="/insurer/claims")  # fmt: skip

    @get("/{claim_id:int}", opt=INSURER)
    async def one(self, request: AnyRequest, principal: Principal, claim_id: int, done: str = "") -> Template:
        return await claim_page(request, principal, claim_id, base="/insurer/claims", done=done)

    @post("/{claim_id:int}/{action:str}", opt=INSURER)
    async def act(self, request: AnyRequest, principal: Principal, claim_id: int, action: str) -> Any:
        await claims.get(principal=principal, claim_id=claim_id)  # another's: 404 before anything
        if action not in INSURER_ACTIONS:
            raise NotFound(Msg("insurance_claim.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        text = str(form.get("text") or "")
        move = MoveIn(expected_version=version)
        try:
            if action == "review":
                await claims.start_review(principal=principal, claim_id=claim_id, data=move)
            elif action == "more-info":
                await claims.request_info(
                    principal=principal, claim_id=claim_id, data=MoreInfoIn(expected_version=version, text=text)
                )
            elif action == "pre-approve":
                await claims.pre_approve(
                    principal=principal, claim_id=claim_id, cost_id=form_int(form.get("cost_id")), data=move
                )
            elif action == "assess":
                await claims.assess(
                    principal=principal, claim_id=claim_id, data=AssessmentIn(expected_version=version, text=text)
                )
            elif action == "reassess":
                await claims.reassess(principal=principal, claim_id=claim_id, data=move)
            elif action in ("pay", "deny"):
                data: PaymentIn | DenialIn
                if action == "pay":
                    paid_on = _date(form.get("paid_on"), "paid_on")
                    assert paid_on is not None
                    data = PaymentIn(expected_version=version, paid_on=paid_on,
                                     reference=str(form.get("reference") or ""))  # fmt: skip
                else:
                    data = DenialIn(
                        expected_version=version, reasons=[str(v) for v in form.getall("reasons", [])], text=text
                    )
                if not confirmed(form):
                    return confirm_page(
                        request,
                        action=f"/insurer/claims/{claim_id}/{action}",
                        heading=f"insurance_claim.ui.confirm_{action}_heading",
                        question=f"insurance_claim.ui.confirm_{action}_question",
                        button=f"insurance_claim.ui.{action}",
                        back=f"/insurer/claims/{claim_id}",
                        fields=echo(form),
                        danger=action == "deny",
                    )
                if isinstance(data, PaymentIn):
                    await claims.pay(principal=principal, claim_id=claim_id, data=data)
                else:
                    await claims.deny(principal=principal, claim_id=claim_id, data=data)
        except FieldProblem as exc:
            return await claim_page(request, principal, claim_id, base="/insurer/claims",
                                    errors=_problems(exc, lang), status=400)  # fmt: skip
        except ValidationError as exc:
            return await claim_page(request, principal, claim_id, base="/insurer/claims",
                                    errors=field_messages(exc, lang), status=400)  # fmt: skip
        except MarketError as exc:
            return await claim_page(request, principal, claim_id, base="/insurer/claims",
                                    errors=market_messages(exc, lang), status=exc.status)  # fmt: skip
        return Redirect(path=f"/insurer/claims/{claim_id}?done={action}")


async def claim_page(
    request: AnyRequest,
    principal: Principal,
    claim_id: int,
    *,
    base: str,
    errors: Errors | None = None,
    status: int = 200,
    done: str = "",
) -> Template:
    lang = lang_of(request)
    claim = await claims.get(principal=principal, claim_id=claim_id, lang=lang)
    return page(
        request,
        "claims/claim.html",
        status,
        c=claim,
        base=base,
        cost_kinds=[k for k in rules.COST_KINDS if k != "loan_loss"],
        denial_codes=rules.DENIAL_CODES,
        suggested={r.code for r in claim.coverage} | {r.code for x in claim.costs for r in x.reasons},
        today=date.today().isoformat(),
        errors=errors or [],
        done=done,
    )


CLAIM_PAGES = [SmeClaimPages, BankClaimPages, InsurerClaimPages]
