"""A university's declaration pages: declare one patent or many (pre-filled with the pricing suggestion), check,
publish, see every version, revise, withdraw. The rules are the services'; these pages read forms and show results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from pydantic import ValidationError

from frontend.forms import FORM_FIELD_OF, FieldProblem, TermsForm, hundredths_text, yuan_to_fen
from frontend.render import AnyRequest, Errors, form_of, labelled, lang_of, market_messages, page
from listings.advice import service as advice
from listings.advice.schemas import PriceCheckOut, SuggestionOut
from listings.declarations import filing
from listings.declarations import service as declarations
from listings.declarations.schemas import CnipaAnnouncementIn, DeclareIn, DeclareReport, WithdrawIn
from listings.patents import service as patents
from listings.patents.schemas import PatentDetailOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, ValidationFailed
from market.i18n import gettext
from market.i18n.validation import validation_message
from market.orgs.schemas import OrgKind
from market.settings import Settings
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university, session_only=True)
MAX_PATENTS = 500
PER_PAGE = 50
STATUSES = ("draft", "published", "withdrawn")


@dataclass
class DeclareState:
    """Everything the declare form shows."""

    patents: list[PatentDetailOut]
    form: TermsForm
    sales: str = ""
    suggestion: SuggestionOut | None = None
    suggestion_error: str = ""
    price_check: PriceCheckOut | None = None
    report: DeclareReport | None = None
    errors: Errors = field(default_factory=list)


def _ids(values: list[Any]) -> list[int] | None:
    """Patent ids as given (each once, in order); None when one is not an id."""
    out: dict[int, None] = {}
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or len(text) > 12:
            return None
        out[int(text)] = None
    return list(out)


def terms_errors(exc: ValidationError | FieldProblem, form: TermsForm, lang: str) -> Errors:
    """The reasons terms cannot be read, each on the input the user typed into."""
    if isinstance(exc, FieldProblem):
        return labelled([{"field": p.field, "message": gettext(lang, p.key)} for p in form.problems or [exc]], lang)
    out = []
    for err in exc.errors():
        name = str(err["loc"][-1]) if err["loc"] else "form"
        target = FORM_FIELD_OF.get(name, "form")
        if target == "royalty_pct" and form.payment_mode == "entry_plus_royalty":
            target = "entry_royalty_pct"
        out.append({"field": target, "message": validation_message(err, lang)})
    return labelled(out, lang)


class DeclarationPages(Controller):
    include_in_schema = False
    path = "/declarations"
    dependencies = {"principal": Provide(provide_principal)}

    # --------------------------------------------------------------------------------------------- declare

    @get("/new", opt=UNIVERSITY)
    async def new(
        self,
        request: AnyRequest,
        principal: Principal,
        settings: Settings,
        patent_ids: Annotated[list[str] | None, QueryParameter(name="patent_id")] = None,
        sales: str = "",
    ) -> Template:
        lang = lang_of(request)
        ids = _ids(patent_ids or [])
        if not ids:
            return page(request, "declare_none.html", 400 if ids is None else 200)
        state = DeclareState(patents=await self._patents(principal, ids[:MAX_PATENTS]), form=TermsForm(), sales=sales)
        await self._suggest(state, principal, settings, lang)
        if state.suggestion is not None:
            state.form = prefilled(state.suggestion)
        return self._form(request, state)

    @post("/", opt=UNIVERSITY)
    async def declare(self, request: AnyRequest, principal: Principal, settings: Settings) -> Template:
        lang = lang_of(request)
        form = await form_of(request)
        ids = _ids(form.getall("patent_id") if "patent_id" in form else [])
        if not ids:
            return page(request, "declare_none.html", 400)
        if len(ids) > MAX_PATENTS:
            ids = ids[:MAX_PATENTS]
        state = DeclareState(
            patents=await self._patents(principal, ids), form=TermsForm.of(form), sales=str(form.get("sales") or "")
        )
        await self._suggest(state, principal, settings, lang)
        try:
            terms = state.form.terms()
        except (FieldProblem, ValidationError) as exc:
            state.errors = terms_errors(exc, state.form, lang)
            return self._form(request, state, 400)
        if state.suggestion is not None:
            state.price_check = advice.check_offer(state.suggestion, terms)
        if form.get("action") != "publish":
            state.report = await declarations.declare(
                principal=principal, data=DeclareIn(patent_ids=ids, terms=terms, publish=False), dry_run=True
            )
            return self._form(request, state)
        try:
            report = await declarations.declare(
                principal=principal, data=DeclareIn(patent_ids=ids, terms=terms, publish=True)
            )
        except (ValidationFailed, Conflict) as exc:
            state.errors = market_messages(exc, lang) or [{"field": "form", "message": gettext(lang, "ui.error")}]
            return self._form(request, state, exc.status)
        return page(
            request,
            "declare_result.html",
            report=report,
            titles={p.id: p.title_zh or p.title_en for p in state.patents},
            price_check=state.price_check,
            terms=terms,
        )

    async def _patents(self, principal: Principal, ids: list[int]) -> list[PatentDetailOut]:
        return [await patents.detail(principal=principal, patent_id=i) for i in ids]  # another's: 404

    async def _suggest(self, state: DeclareState, principal: Principal, settings: Settings, lang: str) -> None:
        """The pricing suggestion for the first selected patent (with the expected sales when given)."""
        try:
            sales_minor = yuan_to_fen(state.sales, "sales")
        except FieldProblem as exc:
            state.errors.append({"field": "sales", "message": gettext(lang, exc.key)})
            sales_minor = None
        try:
            state.suggestion = await advice.suggest_for_patent(
                principal=principal,
                patent_id=state.patents[0].id,
                data_dir=settings.data_dir,
                expected_annual_net_sales_minor=sales_minor,
                term_years=state.form.term_years_value(),
            )
        except ValidationFailed as exc:
            state.suggestion_error = "; ".join(e["message"] for e in market_messages(exc, lang))

    def _form(self, request: AnyRequest, state: DeclareState, status: int = 200) -> Template:
        return page(request, "declare.html", status, s=state, errors=state.errors)

    # ------------------------------------------------------------------------------------------ the list

    @get("/", opt=UNIVERSITY)
    async def mine(
        self,
        request: AnyRequest,
        principal: Principal,
        status: str | None = None,
        page_no: Annotated[int, QueryParameter(name="page")] = 1,
    ) -> Template:
        status = status if status in STATUSES else None
        page_no = max(1, min(page_no, 100_000))
        items = await declarations.list_mine(principal=principal, status=status, page=page_no, per_page=PER_PAGE)
        return page(
            request,
            "declarations.html",
            items=items,
            status=status,
            statuses=STATUSES,
            page_no=page_no,
            more=len(items) == PER_PAGE,
        )

    # ------------------------------------------------------------------------------------------ one of them

    @get("/{declaration_id:int}", opt=UNIVERSITY)
    async def one(self, request: AnyRequest, principal: Principal, declaration_id: int, done: str = "") -> Template:
        declaration = await declarations.get(principal=principal, declaration_id=declaration_id)
        return self._detail(request, declaration, done=done if done in {"revised", "withdrawn", "published"} else "")

    @post("/{declaration_id:int}/revise", opt=UNIVERSITY)
    async def revise(self, request: AnyRequest, principal: Principal, declaration_id: int) -> Any:
        declaration = await declarations.get(principal=principal, declaration_id=declaration_id)  # another's: 404
        lang = lang_of(request)
        typed = TermsForm.of(await form_of(request))
        try:
            terms = typed.terms()
        except (FieldProblem, ValidationError) as exc:
            return self._detail(request, declaration, typed=typed, errors=terms_errors(exc, typed, lang), status=400)
        try:
            await declarations.revise(principal=principal, declaration_id=declaration_id, terms=terms)
        except (ValidationFailed, Conflict) as exc:
            return self._detail(request, declaration, typed=typed, errors=market_messages(exc, lang), status=exc.status)
        return Redirect(path=f"/declarations/{declaration_id}?done=revised")

    @post("/{declaration_id:int}/withdraw", opt=UNIVERSITY)
    async def withdraw(self, request: AnyRequest, principal: Principal, declaration_id: int) -> Any:
        declaration = await declarations.get(principal=principal, declaration_id=declaration_id)
        lang = lang_of(request)
        form = await form_of(request)
        try:
            data = WithdrawIn(reason=str(form.get("reason") or ""))
            await declarations.withdraw(principal=principal, declaration_id=declaration_id, data=data)
        except ValidationError as exc:
            errors = [{"field": "reason", "message": validation_message(e, lang)} for e in exc.errors()]
            return self._detail(request, declaration, errors=errors, status=400)
        except Conflict as exc:
            return self._detail(request, declaration, errors=market_messages(exc, lang), status=exc.status)
        return Redirect(path=f"/declarations/{declaration_id}?done=withdrawn")

    @post("/{declaration_id:int}/publish", opt=UNIVERSITY)
    async def publish(self, request: AnyRequest, principal: Principal, declaration_id: int) -> Any:
        declaration = await declarations.get(principal=principal, declaration_id=declaration_id)
        try:
            await declarations.publish(principal=principal, declaration_id=declaration_id)
        except (ValidationFailed, Conflict) as exc:
            return self._detail(request, declaration, errors=market_messages(exc, lang_of(request)), status=exc.status)
        return Redirect(path=f"/declarations/{declaration_id}?done=published")

    @post("/{declaration_id:int}/cnipa", opt=UNIVERSITY)
    async def cnipa_announcement(self, request: AnyRequest, principal: Principal, declaration_id: int) -> Any:
        """Record CNIPA's announcement (公告号, 公告日) of the current version."""
        declaration = await declarations.get(principal=principal, declaration_id=declaration_id)
        lang = lang_of(request)
        form = await form_of(request)
        try:
            data = CnipaAnnouncementIn.model_validate(
                {"number": str(form.get("cnipa_number") or ""), "announced_on": form.get("cnipa_announced_on") or None}
            )
            await filing.record_announcement(principal=principal, declaration_id=declaration_id, data=data)
        except ValidationError as exc:
            names = {"number": "cnipa_number", "announced_on": "cnipa_announced_on"}
            errors = [
                {"field": names.get(str(e["loc"][-1]), "cnipa_number"), "message": validation_message(e, lang)}
                for e in exc.errors()
            ]
            return self._detail(request, declaration, errors=labelled(errors, lang), status=400)
        except (ValidationFailed, Conflict) as exc:
            errors = [
                {**e, "field": "cnipa_announced_on" if e.get("field") == "announced_on" else e.get("field", "")}
                for e in market_messages(exc, lang)
            ]
            return self._detail(request, declaration, errors=errors, status=exc.status)
        return Redirect(path=f"/declarations/{declaration_id}")

    def _detail(
        self,
        request: AnyRequest,
        declaration: Any,
        *,
        typed: TermsForm | None = None,
        errors: Errors | None = None,
        done: str = "",
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "declaration.html",
            status,
            d=declaration,
            form=typed or TermsForm.of_version(declaration.terms),
            errors=errors or [],
            done=done,
        )


def prefilled(suggestion: SuggestionOut) -> TermsForm:
    """The declare form filled with the middle of each suggested band (running royalty chosen)."""
    return TermsForm(
        payment_mode="running_royalty",
        royalty_pct=hundredths_text(suggestion.running_royalty_bp.mid),
        entry_royalty_pct=hundredths_text(suggestion.entry_royalty_bp.mid),
        entry_fee_yuan=hundredths_text(suggestion.entry_fee_minor.mid) if suggestion.entry_fee_minor else "",
        lump_sum_yuan=hundredths_text(suggestion.lump_sum_minor.mid) if suggestion.lump_sum_minor else "",
    )
