"""IP insurance in the browser: the SME's applications (eligible patents, a new application with its eligibility
shown first, the application page: questionnaire with the duty of disclosure, the frozen quote line by line, the
checklist, letters), the insurer's underwriting page, and the university's consent requests. The rules are
``finance.insurance.service``'s; these pages read forms, send the case version they showed (a stale page gets a 409
and changes nothing) and show results, each refusal beside its field."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.insurance import eligibility as rules
from finance.insurance import service as insurance
from finance.insurance.machine import STATES
from finance.insurance.schemas import (
    AnswersIn,
    ApplicationIn,
    ApprovalIn,
    ConsentDecisionIn,
    DecisionIn,
    MoreInfoIn,
    MoveIn,
)
from finance.insurance_products import service as products
from finance.licences import service as licences
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import form_date, form_int
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from frontend.subsidy_pages import application_estimates
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

SME = signed_in(OrgKind.sme, session_only=True)
INSURER = signed_in(OrgKind.insurer, session_only=True)
UNIVERSITY = signed_in(OrgKind.university, session_only=True)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SUBSIDIES_TEMPLATE = "insurance/_subsidies.html"  # filled by finance.subsidies' pages when they exist


def _answer(kind: str, raw: Any) -> Any:
    """A questionnaire answer as typed in the form: yes/no, a number, or text ("" when left empty)."""
    text = str(raw or "").strip()
    if kind == "yes_no":
        return {"yes": True, "no": False}.get(text, text)
    if kind == "number":
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return text
    return text


async def _licences_with_consents(principal: Principal) -> list[tuple[Any, Any]]:
    out = []
    for lic in await licences.licences_of_org(principal.org_id, side="licensee"):
        if lic.status == "active":
            out.append((lic, await insurance.consent_of_licence(principal=principal, licence_id=lic.id)))
    return out


async def _overview(principal: Principal, products_: list[Any]) -> dict[int, dict[int, Any]]:
    """For each published product version, each of the SME's patents' eligibility."""
    patents = [p[0] for p in await insurance.eligible_patents(principal)]
    out: dict[int, dict[int, Any]] = {}
    if not patents:
        return out
    for product in products_:
        results = await insurance.check_eligibility(
            principal=principal, product_version_id=product.id, patent_ids=patents
        )
        out[product.id] = {r.patent_id: insurance.eligibility_out(r) for r in results}
    return out


SME_ACTIONS = ("answer", "documents", "submit", "resubmit", "withdraw")


class SmeInsurancePages(Controller):
    include_in_schema = False
    path = "/sme/insurance"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME)
    async def mine(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        published = await products.published()
        return page(
            request,
            "insurance/list.html",
            applications=await insurance.list_mine(principal=principal),
            products=published,
            patents=await insurance.eligible_patents(principal),
            overview=await _overview(principal, published),
            licensed=await _licences_with_consents(principal),
            done=done,
            errors=[],
        )

    @post("/consents", opt=SME)
    async def ask_consent(self, request: AnyRequest, principal: Principal) -> Any:
        """One click from the licence or this page: the licensee asks the patentee's consent."""
        form = await form_of(request)
        back = str(form.get("back") or "/sme/insurance")
        back = back if back.startswith("/") and not back.startswith("//") else "/sme/insurance"
        try:
            await insurance.request_consent(principal=principal, licence_id=form_int(form.get("licence_id")))
        except MarketError as exc:
            published = await products.published()
            return page(
                request,
                "insurance/list.html",
                exc.status,
                applications=await insurance.list_mine(principal=principal),
                products=published,
                patents=await insurance.eligible_patents(principal),
                overview=await _overview(principal, published),
                licensed=await _licences_with_consents(principal),
                done="",
                errors=market_messages(exc, lang_of(request)),
            )
        return Redirect(path=f"{back}{'&' if '?' in back else '?'}done=consent")

    @get("/new", opt=SME)
    async def new(self, request: AnyRequest, principal: Principal, product: int = 0) -> Template:
        chosen = [form_int(v) for v in request.query_params.getall("patent_ids", []) if form_int(v)]
        return await self._new(request, principal, {"product_version_id": product, "patent_ids": chosen})

    async def _new(
        self, request: AnyRequest, principal: Principal, typed: dict[str, Any], errors: Errors | None = None,
        status: int = 200,
    ) -> Template:
        results = []
        if typed.get("product_version_id") and typed.get("patent_ids"):
            try:
                results = [
                    insurance.eligibility_out(r)
                    for r in await insurance.check_eligibility(
                        principal=principal,
                        product_version_id=int(typed["product_version_id"]),
                        patent_ids=list(typed["patent_ids"]),
                    )
                ]
            except MarketError as exc:
                errors = [*(errors or []), *market_messages(exc, lang_of(request))]
        return page(
            request,
            "insurance/new.html",
            status,
            products=await products.published(),
            patents=await insurance.eligible_patents(principal),
            typed=typed,
            results=results,
            errors=errors or [],
            firm_tier=await insurance.firm_tier(principal.org_id),
        )

    @post("/new", opt=SME)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        typed: dict[str, Any] = {
            "product_version_id": form_int(form.get("product_version_id")),
            "patent_ids": [form_int(v) for v in form.getall("patent_ids", []) if form_int(v)],
        }
        try:
            data = ApplicationIn(**typed)
        except ValidationError as exc:
            return await self._new(request, principal, typed, field_messages(exc, lang), 400)
        try:
            created = await insurance.create_application(principal=principal, data=data)
        except MarketError as exc:
            return await self._new(request, principal, typed, market_messages(exc, lang), exc.status)
        return Redirect(path=f"/sme/insurance/{created.id}")

    @get("/{insurance_application_id:int}", opt=SME)
    async def one(
        self, request: AnyRequest, principal: Principal, insurance_application_id: int, done: str = ""
    ) -> Template:
        return await sme_page(request, principal, insurance_application_id, done=done)

    @post("/{insurance_application_id:int}/{action:str}", opt=SME)
    async def act(self, request: AnyRequest, principal: Principal, insurance_application_id: int, action: str) -> Any:
        application_id = insurance_application_id
        current = await insurance.get(principal=principal, application_id=application_id)  # another's: 404 first
        if action not in SME_ACTIONS:
            raise NotFound(Msg("insurance.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        try:
            if action == "answer":
                answers = {q.key: _answer(q.kind, form.get(f"answer_{q.key}")) for q in current.questions}
                await insurance.answer(
                    principal=principal,
                    application_id=application_id,
                    data=AnswersIn(
                        questionnaire_version=form_int(form.get("questionnaire_version")) or 1,
                        answers={k: v for k, v in answers.items() if v != ""},
                        acknowledge_disclosure=form.get("acknowledge_disclosure") == "on",
                    ),
                )
            elif action == "documents":
                upload = form.get("file")
                if not isinstance(upload, UploadFile) or not upload.filename:
                    errors = [{"field": "file", "message": gettext(lang, "insurance.ui.err_file")}]
                    return await sme_page(request, principal, application_id, errors=errors, status=400)
                await insurance.upload(
                    principal=principal,
                    application_id=application_id,
                    requirement=str(form.get("requirement") or ""),
                    filename=upload.filename,
                    content_type=upload.content_type or "",
                    content=await upload.read(MAX_UPLOAD_BYTES + 1),
                    issued_on=form_date(form.get("issued_on")),
                )
            elif action == "submit":
                await insurance.submit(principal=principal, application_id=application_id, version=version)
            elif action == "resubmit":
                await insurance.resubmit(
                    principal=principal, application_id=application_id, data=MoveIn(expected_version=version)
                )
            elif action == "withdraw":
                if not confirmed(form):
                    return confirm_page(
                        request,
                        action=f"/sme/insurance/{application_id}/withdraw",
                        heading="insurance.ui.confirm_withdraw_heading",
                        question="insurance.ui.confirm_withdraw_question",
                        button="insurance.ui.withdraw",
                        back=f"/sme/insurance/{application_id}",
                        fields=echo(form),
                        danger=True,
                    )
                await insurance.withdraw(
                    principal=principal, application_id=application_id, data=MoveIn(expected_version=version)
                )
        except ValidationError as exc:
            return await sme_page(request, principal, application_id, errors=field_messages(exc, lang), status=400)
        except MarketError as exc:
            return await sme_page(
                request, principal, application_id, errors=market_messages(exc, lang), status=exc.status
            )
        return Redirect(path=f"/sme/insurance/{application_id}?done={action}")


async def _letters(principal: Principal, application_id: int, lang: str) -> list[Any]:
    return await insurance.letters_of(principal=principal, application_id=application_id, lang=lang)


async def sme_page(
    request: AnyRequest,
    principal: Principal,
    application_id: int,
    *,
    errors: Errors | None = None,
    status: int = 200,
    done: str = "",
) -> Template:
    application = await insurance.get(principal=principal, application_id=application_id)
    lang = lang_of(request)
    return page(
        request,
        "insurance/application.html",
        status,
        a=application,
        letters=await _letters(principal, application_id, lang),
        errors=errors or [],
        done=done,
        subsidies_template=SUBSIDIES_TEMPLATE,
        subsidies=await application_estimates(principal, application_id, lang),
    )


PER_PAGE = 50
INSURER_ACTIONS = ("review", "more-info", "decide", "approve", "send-back")


class InsurerApplicationPages(Controller):
    include_in_schema = False
    path = "/insurer/applications"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=INSURER)
    async def cases(
        self, request: AnyRequest, principal: Principal, q: str = "", all: str = ""
    ) -> Template:
        """The insurer's applications in the desk's order (soonest due first), open ones unless asked for all."""
        number = max(1, form_int(request.query_params.get("page")) or 1)
        state = str(request.query_params.get("state") or "")
        chosen, text, everything = (state if state in STATES else ""), q.strip()[:60], all == "1"
        typed = {"state": chosen, "q": text, "all": everything, "page": number}
        found = await insurance.list_mine(
            principal=principal,
            states=(chosen,) if chosen else (),
            q=text,
            open_only=not everything,
            limit=PER_PAGE,
            offset=(number - 1) * PER_PAGE,
        )
        return page(
            request, "insurance/insurer_list.html", applications=found, typed=typed, states=STATES, per_page=PER_PAGE
        )

    @get("/{insurance_application_id:int}", opt=INSURER)
    async def one(
        self, request: AnyRequest, principal: Principal, insurance_application_id: int, done: str = ""
    ) -> Template:
        return await insurer_page(request, principal, insurance_application_id, done=done)

    @post("/{insurance_application_id:int}/{action:str}", opt=INSURER)
    async def act(self, request: AnyRequest, principal: Principal, insurance_application_id: int, action: str) -> Any:
        application_id = insurance_application_id
        await insurance.get(principal=principal, application_id=application_id)  # another's: 404 before anything
        if action not in INSURER_ACTIONS:
            raise NotFound(Msg("insurance.not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        text = str(form.get("text") or "")
        try:
            if action == "review":
                await insurance.start_review(
                    principal=principal, application_id=application_id, data=MoveIn(expected_version=version)
                )
            elif action == "more-info":
                await insurance.request_info(
                    principal=principal,
                    application_id=application_id,
                    data=MoreInfoIn(
                        expected_version=version,
                        requirements=[str(v) for v in form.getall("requirements", [])],
                        text=text,
                    ),
                )
            elif action == "decide":
                outcome = "decline" if form.get("outcome") == "decline" else "accept"
                if outcome == "decline" and not confirmed(form):
                    return confirm_page(
                        request,
                        action=f"/insurer/applications/{application_id}/decide",
                        heading="insurance.ui.confirm_decline_heading",
                        question="insurance.ui.confirm_decline_question",
                        button="insurance.ui.decline",
                        back=f"/insurer/applications/{application_id}",
                        fields=echo(form),
                        danger=True,
                    )
                conditions = [line.strip() for line in str(form.get("conditions") or "").splitlines() if line.strip()]
                await insurance.decide(
                    principal=principal,
                    application_id=application_id,
                    data=DecisionIn(
                        expected_version=version,
                        outcome=outcome,
                        conditions=conditions,
                        reasons=[str(v) for v in form.getall("reasons", [])],
                        text=text,
                    ),
                )
            elif action == "approve":
                await insurance.approve(
                    principal=principal,
                    application_id=application_id,
                    data=ApprovalIn(expected_version=version, proposal_id=form_int(form.get("proposal_id")), text=text),
                )
            elif action == "send-back":
                await insurance.send_back(
                    principal=principal, application_id=application_id, data=MoveIn(expected_version=version)
                )
        except ValidationError as exc:
            return await insurer_page(
                request, principal, application_id, errors=field_messages(exc, lang), status=400, form=action
            )
        except MarketError as exc:
            return await insurer_page(
                request, principal, application_id, errors=market_messages(exc, lang), status=exc.status, form=action
            )
        return Redirect(path=f"/insurer/applications/{application_id}?done={action}")


async def insurer_page(
    request: AnyRequest,
    principal: Principal,
    application_id: int,
    *,
    errors: Errors | None = None,
    status: int = 200,
    done: str = "",
    form: str = "",
) -> Template:
    application = await insurance.get(principal=principal, application_id=application_id)
    lang = lang_of(request)
    return page(
        request,
        "insurance/insurer_case.html",
        status,
        a=application,
        letters=await _letters(principal, application_id, lang),
        decline_codes=rules.DECLINE_CODES,
        condition_codes=rules.CONDITION_CODES,
        errors=errors or [],
        failed=form,  # the form whose refusal is shown beside it
        done=done,
    )


class UniversityConsentPages(Controller):
    include_in_schema = False
    path = "/university/insurance-consents"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY)
    async def requests(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await consents_page(request, principal, done=done)

    @post("/{consent_id:int}/{action:str}", opt=UNIVERSITY)
    async def decide(self, request: AnyRequest, principal: Principal, consent_id: int, action: str) -> Any:
        if action not in ("grant", "refuse"):
            raise NotFound(Msg("insurance.consent_not_found"))
        form = await form_of(request)
        if not confirmed(form):
            return confirm_page(
                request,
                action=f"/university/insurance-consents/{consent_id}/{action}",
                heading=f"insurance.ui.confirm_consent_{action}_heading",
                question=f"insurance.ui.confirm_consent_{action}_question",
                button=f"insurance.ui.consent_{action}",
                back="/university/insurance-consents",
                fields=echo(form),
                danger=action == "refuse",
            )
        try:
            await insurance.decide_consent(
                principal=principal,
                consent_id=consent_id,
                data=ConsentDecisionIn(
                    expected_version=form_int(form.get("expected_version")) or 1,
                    outcome="grant" if action == "grant" else "refuse",
                    note=str(form.get("note") or ""),
                ),
            )
        except ValidationError as exc:
            return await consents_page(request, principal, errors=field_messages(exc, lang_of(request)), status=400)
        except MarketError as exc:
            return await consents_page(
                request, principal, errors=market_messages(exc, lang_of(request)), status=exc.status,
                failed=consent_id,
            )  # fmt: skip
        return Redirect(path=f"/university/insurance-consents?done={action}")


async def consents_page(
    request: AnyRequest,
    principal: Principal,
    *,
    errors: Errors | None = None,
    status: int = 200,
    done: str = "",
    failed: int = 0,
) -> Template:
    return page(
        request,
        "insurance/consents.html",
        status,
        consents=await insurance.consents_for(principal=principal),
        errors=errors or [],
        failed=failed,
        done=done,
    )


INSURANCE_PAGES = [SmeInsurancePages, InsurerApplicationPages, UniversityConsentPages]
