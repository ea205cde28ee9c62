"""A university's declaration pages: declare one patent or many (pre-filled with the pricing suggestion), check,
publish, see every version, revise, withdraw. The rules are the services'; these pages read forms and show results."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from pydantic import ValidationError

from frontend.charts import charts_available, price_band
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import FORM_FIELD_OF, FieldProblem, TermsForm, hundredths_text, yuan_to_fen
from frontend.render import AnyRequest, Errors, form_of, labelled, lang_of, market_messages, page
from listings.advice import service as advice
from listings.advice.schemas import PriceCheckOut, SuggestionOut
from listings.declarations import filing
from listings.declarations import service as declarations
from listings.declarations.schemas import CnipaAnnouncementIn, DeclareReport, WithdrawIn
from listings.patents import service as patents
from listings.patents.schemas import PatentDetailOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, ValidationFailed
from market.i18n import gettext
from market.i18n import localized as localized_text
from market.i18n.validation import validation_message
from market.kit.messages import Msg
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
    prices: dict[int, TermsForm] = field(default_factory=dict)  # several patents: each one's own price
    price_checks: dict[int, PriceCheckOut] = field(default_factory=dict)  # each one's price against its band
    confirming: bool = False  # publishing: each one's price and check shown, waiting for the confirmation
    echo: list[tuple[str, str]] = field(default_factory=list)  # the fields the confirmation posts again


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
        if len(state.patents) > 1:  # each patent priced on its own, from its own suggestion
            own = await self._suggest_each(state, principal, settings)
            for p in state.patents:
                mine = own.get(p.id)
                state.prices[p.id] = prefilled(mine) if mine is not None else replace(state.form)
        return self._form(request, state)

    @post("/", opt=UNIVERSITY)
    async def declare(self, request: AnyRequest, principal: Principal, settings: Settings) -> Template:
        """Check (``action=check``) or publish (``action=publish``): publishing first shows each patent's price and
        check and asks for confirmation; only a post with ``confirmed=yes`` publishes."""
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
        if len(state.patents) > 1:
            state.prices = {p.id: priced(state.form, form, p.id) for p in state.patents}
        await self._suggest(state, principal, settings, lang)
        try:
            terms = state.form.terms()
        except (FieldProblem, ValidationError) as exc:
            state.errors = terms_errors(exc, state.form, lang)
            return self._form(request, state, 400)
        items, errors = [], []
        for p in state.patents:
            own = state.prices.get(p.id)
            try:
                items.append((p.id, own.terms() if own is not None else terms))
            except (FieldProblem, ValidationError) as exc:
                assert own is not None
                errors += [
                    {**e, "field": f"{e['field']}-{p.id}", "message": f"{p.number}: {e['message']}"}
                    for e in terms_errors(exc, own, lang)
                ]
        if errors:
            state.errors = errors
            return self._form(request, state, 400)
        if state.suggestion is not None:
            state.price_check = advice.check_offer(state.suggestion, terms)
        if state.prices:  # each patent's price against its own suggested band
            bands = await self._suggest_each(state, principal, settings)
            state.price_checks = {
                patent_id: advice.check_offer(band, own)
                for patent_id, own in items
                if (band := bands.get(patent_id)) is not None
            }
        publish = form.get("action") == "publish"
        if not publish or not confirmed(form):
            state.report = await declarations.declare_each(
                principal=principal, items=items, publish=False, dry_run=True
            )
            state.confirming = publish  # each one's price and check are shown, then the university confirms
            state.echo = echo(form, drop=("action",)) if publish else []
            return self._form(request, state)
        try:
            report = await declarations.declare_each(principal=principal, items=items, publish=True)
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

    async def _suggest_each(
        self, state: DeclareState, principal: Principal, settings: Settings
    ) -> dict[int, SuggestionOut | None]:
        """Each selected patent's own suggestion (a bulk declaration prices each on its own)."""
        try:
            sales_minor = yuan_to_fen(state.sales, "sales")
        except FieldProblem:
            sales_minor = None  # said beside the field by _suggest
        return await advice.suggest_each(
            principal=principal,
            patent_ids=[p.id for p in state.patents],
            data_dir=settings.data_dir,
            expected_annual_net_sales_minor=sales_minor,
            term_years=state.form.term_years_value(),
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
        band = price_band(state.suggestion, state.form)
        return page(request, "declare.html", status, s=state, errors=state.errors, band=band, charts=charts_available())

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
            if declaration.status == "withdrawn":
                raise Conflict(Msg("declaration.already_withdrawn"))
            if not confirmed(form):  # nothing is done before the university confirms
                return confirm_page(
                    request,
                    action=f"/declarations/{declaration_id}/withdraw",
                    heading="ui.withdraw_confirm_title",
                    question="ui.withdraw_confirm_question",
                    button="ui.withdraw_confirm_button",
                    back=f"/declarations/{declaration_id}",
                    fields=echo(form),
                    details=[
                        f"{declaration.patent_number} · {declaration.patent_title}",
                        gettext(lang, "ui.withdraw_note"),
                    ],
                    danger=True,
                )
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
        lang = lang_of(request)
        if declaration.status == "draft" and not confirmed(await form_of(request)):
            return confirm_page(
                request,
                action=f"/declarations/{declaration_id}/publish",
                heading="ui.publish_confirm_title",
                question="ui.publish_confirm_question",
                button="ui.publish_confirm_button",
                back=f"/declarations/{declaration_id}",
                details=[
                    f"{declaration.patent_number} · {declaration.patent_title}",
                    localized_text.sentences(declaration.terms.summary, lang),
                ],
            )
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


PRICE_FIELDS = ("royalty_pct", "entry_fee_yuan", "entry_royalty_pct", "lump_sum_yuan")


def priced(shared: TermsForm, form: Any, patent_id: int) -> TermsForm:
    """One patent's terms in a bulk declaration: the shared payment mode, term and other matters, with this patent's
    own amounts (``royalty_pct-<patent id>`` ...); an amount left empty takes the shared one."""
    own = {f: str(form.get(f"{f}-{patent_id}") or "").strip() for f in PRICE_FIELDS}
    return replace(shared, problems=[], **{f: v for f, v in own.items() if v})


def prefilled(suggestion: SuggestionOut) -> TermsForm:
    """The declare form filled with the middle of each suggested band (running royalty chosen)."""
    return TermsForm(
        payment_mode="running_royalty",
        royalty_pct=hundredths_text(suggestion.running_royalty_bp.mid),
        entry_royalty_pct=hundredths_text(suggestion.entry_royalty_bp.mid),
        entry_fee_yuan=hundredths_text(suggestion.entry_fee_minor.mid) if suggestion.entry_fee_minor else "",
        lump_sum_yuan=hundredths_text(suggestion.lump_sum_minor.mid) if suggestion.lump_sum_minor else "",
    )
