"""Pledge loans in the browser: the SME's applications (new, the application page with its pre-check, documents,
submission, the offer) and the bank's case page. The rules are ``finance.pledges.service``'s; these pages read forms,
send the case version they showed (a stale page gets a 409 and changes nothing) and show results."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.loan_products import service as products
from finance.pledges import service as pledges
from finance.pledges.prechecks import REFUSAL_CODES
from finance.pledges.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApprovalIn,
    DraftIn,
    MoreInfoIn,
    MoveIn,
    OfferIn,
    ProposalIn,
    RefusalIn,
    SubmitIn,
    ValuationDecisionIn,
)
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import FieldProblem, form_date, form_int, percent_to_bp, yuan_to_fen
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from listings.patents import service as patents
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme, session_only=True)
BANK = signed_in(OrgKind.bank, session_only=True)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _problems(exc: FieldProblem, lang: str) -> Errors:
    return [{"field": exc.field, "message": gettext(lang, exc.key)}]


def application_fields(form: Any) -> dict[str, Any]:
    """The application form's fields as the schemas take them (money typed in yuan, kept in fen)."""
    return {
        "patent_ids": [form_int(v) for v in form.getall("patent_ids", []) if form_int(v)],
        "amount_minor": yuan_to_fen(str(form.get("amount") or ""), "amount_minor") or 0,
        "term_months": form_int(form.get("term_months")),
        "purpose": str(form.get("purpose") or ""),
        "pure_ip": form.get("pure_ip") == "on",
        "annual_net_sales_minor": yuan_to_fen(str(form.get("annual_sales") or ""), "annual_net_sales_minor") or 0,
        "valuation_method": str(form.get("valuation_method") or "internal"),
        "appraised_value_minor": yuan_to_fen(str(form.get("appraised_value") or ""), "appraised_value_minor"),
    }


async def _my_patents(principal: Principal) -> list[Any]:
    return list((await patents.list_patents(principal=principal, per_page=200)).items)


SME_ACTIONS = ("edit", "submit", "documents", "resubmit", "accept", "withdraw")


class SmePledgePages(Controller):
    include_in_schema = False
    path = "/sme/pledges"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME)
    async def mine(self, request: AnyRequest, principal: Principal) -> Template:
        return page(request, "pledge/list.html", applications=await pledges.list_mine(principal=principal))

    @get("/new", opt=SME)
    async def new(self, request: AnyRequest, principal: Principal, product: int = 0) -> Template:
        return await self._new(request, principal, {"product_id": product, "term_months": 12, "pure_ip": True})

    async def _new(
        self, request: AnyRequest, principal: Principal, typed: dict[str, Any], errors: Errors | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "pledge/new.html",
            status,
            products=await products.published_products(),
            patents=await _my_patents(principal),
            typed=typed,
            errors=errors or [],
        )

    @post("/new", opt=SME)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        typed: dict[str, Any] = {"product_id": form_int(form.get("product_id")), **dict(form.items())}
        typed["patent_ids"] = [form_int(v) for v in form.getall("patent_ids", [])]
        try:
            data = ApplicationIn(product_id=typed["product_id"], **application_fields(form))
        except FieldProblem as exc:
            return await self._new(request, principal, typed, _problems(exc, lang), 400)
        except ValidationError as exc:
            return await self._new(request, principal, typed, field_messages(exc, lang), 400)
        try:
            created = await pledges.start(principal=principal, data=data)
        except MarketError as exc:
            return await self._new(request, principal, typed, market_messages(exc, lang), exc.status)
        return Redirect(path=f"/sme/pledges/{created.id}")

    @get("/{application_id:int}", opt=SME)
    async def one(self, request: AnyRequest, principal: Principal, application_id: int, done: str = "") -> Template:
        return await sme_page(request, principal, application_id, done=done)

    @post("/{application_id:int}/{action:str}", opt=SME)
    async def act(self, request: AnyRequest, principal: Principal, application_id: int, action: str) -> Any:
        await pledges.get(principal=principal, application_id=application_id)  # another's: 404 before anything
        if action not in SME_ACTIONS:
            raise NotFound(Msg("pledge.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        try:
            if action == "edit":
                await pledges.edit(
                    principal=principal,
                    application_id=application_id,
                    data=DraftIn(expected_version=version, **application_fields(form)),
                )
            elif action == "submit":
                acknowledged = [str(v) for v in form.getall("acknowledged", [])]
                await pledges.submit(
                    principal=principal,
                    application_id=application_id,
                    data=SubmitIn(expected_version=version, acknowledged=acknowledged),
                )
            elif action == "documents":
                upload = form.get("file")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    errors = [{"field": "file", "message": gettext(lang, "pledge.ui.err_file")}]
                    return await sme_page(request, principal, application_id, errors=errors, status=400)
                await pledges.upload(
                    principal=principal,
                    application_id=application_id,
                    requirement=str(form.get("requirement") or ""),
                    filename=upload.filename,
                    content_type=upload.content_type or "",
                    content=await upload.read(MAX_UPLOAD_BYTES + 1),
                    issued_on=form_date(form.get("issued_on")),
                )
            elif action == "resubmit":
                await pledges.resubmit(
                    principal=principal, application_id=application_id, data=MoveIn(expected_version=version)
                )
            elif action in ("accept", "withdraw"):
                if not confirmed(form):
                    return confirm_page(
                        request,
                        action=f"/sme/pledges/{application_id}/{action}",
                        heading=f"pledge.ui.confirm_{action}_heading",
                        question=f"pledge.ui.confirm_{action}_question",
                        button=f"pledge.ui.{action}",
                        back=f"/sme/pledges/{application_id}",
                        fields=echo(form),
                        danger=action == "withdraw",
                    )
                move = pledges.accept if action == "accept" else pledges.withdraw
                await move(principal=principal, application_id=application_id, data=MoveIn(expected_version=version))
            else:
                raise NotFound(Msg("pledge.not_found"))
        except FieldProblem as exc:
            return await sme_page(request, principal, application_id, errors=_problems(exc, lang), status=400)
        except ValidationError as exc:
            return await sme_page(request, principal, application_id, errors=field_messages(exc, lang), status=400)
        except MarketError as exc:
            return await sme_page(
                request, principal, application_id, errors=market_messages(exc, lang), status=exc.status
            )
        return Redirect(path=f"/sme/pledges/{application_id}?done={action}")


async def sme_page(
    request: AnyRequest,
    principal: Principal,
    application_id: int,
    *,
    errors: Errors | None = None,
    status: int = 200,
    done: str = "",
) -> Template:
    application = await pledges.get(principal=principal, application_id=application_id)
    return page(
        request,
        "pledge/application.html",
        status,
        a=application,
        check=await pledges.precheck(principal=principal, application_id=application_id),
        patents=await _my_patents(principal) if application.state == "draft" else [],
        errors=errors or [],
        done=done,
    )


BANK_ACTIONS = ("review", "more-info", "valuation", "propose", "approve", "send-back", "offer", "refuse")


class BankPledgePages(Controller):
    include_in_schema = False
    path = "/bank/pledges"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=BANK)
    async def cases(self, request: AnyRequest, principal: Principal) -> Template:
        return page(request, "pledge/bank_list.html", applications=await pledges.list_mine(principal=principal))

    @get("/{application_id:int}", opt=BANK)
    async def one(self, request: AnyRequest, principal: Principal, application_id: int, done: str = "") -> Template:
        return await bank_page(request, principal, application_id, done=done)

    @post("/{application_id:int}/{action:str}", opt=BANK)
    async def act(self, request: AnyRequest, principal: Principal, application_id: int, action: str) -> Any:
        await pledges.get(principal=principal, application_id=application_id)  # another's: 404 before anything
        if action not in BANK_ACTIONS:
            raise NotFound(Msg("pledge.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        text = str(form.get("text") or "")
        try:
            if action == "review":
                await pledges.start_review(
                    principal=principal, application_id=application_id, data=MoveIn(expected_version=version)
                )
            elif action == "more-info":
                requirements = [str(v) for v in form.getall("requirements", [])]
                await pledges.request_info(
                    principal=principal,
                    application_id=application_id,
                    data=MoreInfoIn(expected_version=version, requirements=requirements, text=text),
                )
            elif action == "valuation":
                await pledges.decide_valuation(
                    principal=principal,
                    application_id=application_id,
                    data=ValuationDecisionIn(
                        expected_version=version,
                        outcome="replaced" if form.get("outcome") == "replaced" else "accepted",
                        value_minor=yuan_to_fen(str(form.get("value") or ""), "value_minor"),
                        method=str(form.get("method") or "") or None,  # checked by the schema (400 otherwise)
                        text=text,
                    ),
                )
            elif action == "propose":
                await pledges.propose(
                    principal=principal,
                    application_id=application_id,
                    data=ProposalIn(
                        expected_version=version,
                        outcome="refuse" if form.get("outcome") == "refuse" else "approve",
                        amount_minor=yuan_to_fen(str(form.get("amount") or ""), "amount_minor"),
                        rate_bp=percent_to_bp(str(form.get("rate") or ""), "rate_bp"),
                        term_months=form_int(form.get("term_months")) or None,
                        reasons=[str(v) for v in form.getall("reasons", [])],
                        text=text,
                    ),
                )
            elif action == "approve":
                await pledges.approve(
                    principal=principal,
                    application_id=application_id,
                    data=ApprovalIn(expected_version=version, proposal_id=form_int(form.get("proposal_id")), text=text),
                )
            elif action == "send-back":
                await pledges.send_back(
                    principal=principal, application_id=application_id, data=MoveIn(expected_version=version)
                )
            elif action == "offer":
                expires = form_date(form.get("expires_on"))
                if expires is None:
                    raise FieldProblem("expires_on", "pledge.ui.err_date")
                await pledges.offer(
                    principal=principal,
                    application_id=application_id,
                    data=OfferIn(
                        expected_version=version,
                        amount_minor=yuan_to_fen(str(form.get("amount") or ""), "amount_minor") or 0,
                        rate_bp=percent_to_bp(str(form.get("rate") or ""), "rate_bp") or 0,
                        term_months=form_int(form.get("term_months")),
                        expires_on=expires,
                    ),
                )
            elif action == "refuse":
                if not confirmed(form):
                    return confirm_page(
                        request,
                        action=f"/bank/pledges/{application_id}/refuse",
                        heading="pledge.ui.confirm_refuse_heading",
                        question="pledge.ui.confirm_refuse_question",
                        button="pledge.ui.refuse",
                        back=f"/bank/pledges/{application_id}",
                        fields=echo(form),
                        danger=True,
                    )
                await pledges.refuse(
                    principal=principal,
                    application_id=application_id,
                    data=RefusalIn(
                        expected_version=version, reasons=[str(v) for v in form.getall("reasons", [])], text=text
                    ),
                )
            else:
                raise NotFound(Msg("pledge.not_found"))
        except FieldProblem as exc:
            return await bank_page(request, principal, application_id, errors=_problems(exc, lang), status=400)
        except ValidationError as exc:
            return await bank_page(request, principal, application_id, errors=field_messages(exc, lang), status=400)
        except MarketError as exc:
            return await bank_page(
                request, principal, application_id, errors=market_messages(exc, lang), status=exc.status
            )
        return Redirect(path=f"/bank/pledges/{application_id}?done={action}")


async def bank_page(
    request: AnyRequest,
    principal: Principal,
    application_id: int,
    *,
    errors: Errors | None = None,
    status: int = 200,
    done: str = "",
) -> Template:
    application: ApplicationOut = await pledges.get(principal=principal, application_id=application_id)
    product = await products.product(application.product_id, application.product_version)
    proposals = [d for d in application.decisions if d.kind == "proposal"]
    return page(
        request,
        "pledge/bank_case.html",
        status,
        a=application,
        check=await pledges.precheck(principal=principal, application_id=application_id),
        requirements=list(product.documents) if product else [],
        refusal_codes=REFUSAL_CODES,
        proposal=proposals[-1] if proposals else None,
        errors=errors or [],
        done=done,
    )


PLEDGE_PAGES = [SmePledgePages, BankPledgePages]
