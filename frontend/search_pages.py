"""The search page (public), saved searches and technology needs (SMEs), and the needs matching a university's
listing. Presentation only: the services decide; this reads forms and query strings and renders."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from frontend.charts import charts_available
from frontend.confirm import unless_confirmed
from frontend.forms import FieldProblem, hundredths_text, yuan_to_fen
from frontend.render import (
    AnyRequest,
    Errors,
    field_messages,
    form_of,
    headed,
    labelled,
    lang_of,
    market_messages,
    page,
)
from listings.needs import service as needs
from listings.needs.schemas import NeedIn, NeedOut, SavedSearchIn
from listings.search import labels
from listings.search import service as search
from listings.search.schemas import FACETS, MAX_QUERY_CHARS, SearchPageOut, SearchParams
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.orgs import service as orgs
from market.orgs.schemas import OrgKind
from market.web.access import public, signed_in

SME = signed_in(OrgKind.sme)
SME_BROWSER = signed_in(OrgKind.sme, session_only=True)
UNIVERSITY = signed_in(OrgKind.university)
SORTS = (
    "relevance",
    "publication_date_desc",
    "price_asc",
    "price_desc",
    "remaining_years_desc",
    "remaining_years_asc",
    "publication_date_asc",
)
FACETS_SHOWN = ("tech_fields", "industries", "kind", "payment_mode", "price_band", "region", "university_org_id")


def _one(values: dict[str, list[str]], name: str) -> str:
    return (values.get(name) or [""])[0].strip()


def params_from(values: dict[str, list[str]], lang: str) -> tuple[SearchParams, Errors]:
    """A search from a query string (the page's form, or a saved search's link). Prices may come in yuan."""
    data: dict[str, Any] = {f: values[f] for f in FACETS if values.get(f)}
    data["q"] = _one(values, "q")
    errors: Errors = []
    for bound in ("min", "max"):
        try:
            fen = yuan_to_fen(_one(values, f"price_{bound}_yuan"), f"price_{bound}_yuan")
        except FieldProblem as exc:
            errors.append({"field": exc.field, "message": gettext(lang, exc.key)})
            fen = None
        data[f"price_{bound}_minor"] = fen if fen is not None else (_one(values, f"price_{bound}_minor") or None)
    for name in ("remaining_min_years", "sort", "page"):
        if _one(values, name):
            data[name] = _one(values, name)
    try:
        return SearchParams.model_validate(data), errors
    except ValidationError as exc:
        return SearchParams(q=str(data["q"])[:MAX_QUERY_CHARS]), errors + labelled(field_messages(exc, lang), lang)


def page_query(params: SearchParams) -> dict[str, Any]:
    """The parameters as the page's links carry them (prices in yuan, as the form shows them)."""
    out = params.as_query_params()
    for bound in ("min", "max"):
        minor = out.pop(f"price_{bound}_minor", None)
        if minor is not None:
            out[f"price_{bound}_yuan"] = hundredths_text(minor)
    return out


def suggestion_text(kind: str, suggestion: Any, lang: str) -> str:
    n = suggestion.total
    if kind == "spelling":
        return gettext(lang, "ui.suggest_spelling", text=suggestion.params.q, n=n)
    if kind == "remove_word":
        return gettext(lang, "ui.suggest_remove_word", word=suggestion.removed or "", n=n)
    if kind == "remove_filter":
        facet = f"ui.facet_{suggestion.removed}"  # a code made from a value: the catalogue has one per facet
        return gettext(lang, "ui.suggest_remove_filter", facet=gettext(lang, facet), n=n)
    code = f"ui.suggest_{kind}"
    return gettext(lang, code, n=n)


def _raw_values(request: AnyRequest) -> dict[str, list[str]]:
    query = request.query_params
    return {key: [str(v) for v in query.getall(key)] for key in query}


class SearchPages(Controller):
    include_in_schema = False

    @get("/search", opt=public())
    async def search_page(self, request: AnyRequest, saved: int = 0) -> Template:
        lang = lang_of(request)
        values = _raw_values(request)
        params, errors = params_from(values, lang)
        result: SearchPageOut | None = None
        try:
            result = await search.search(params=params)
        except MarketError as exc:
            errors = errors + market_messages(exc, lang)
        me = request.scope.get("user")
        verified = await orgs.verified([h.university_org_id for h in result.hits]) if result else {}
        return page(
            request,
            "search/search.html",
            200 if not errors else 400,
            params=params,
            result=result,
            errors=errors,
            form=values,
            query=page_query(params),
            pager_params={k: v for k, v in page_query(params).items() if k != "page"},
            facets_shown=FACETS_SHOWN,
            sorts=SORTS,
            saved=bool(saved),
            verified=verified,
            can_save=isinstance(me, Principal) and me.org_kind is OrgKind.sme and me.via == "session",
            suggestion_text=lambda s: suggestion_text(s.kind, s, lang),
            page_query=page_query,
        )

    @post("/search/save", opt=SME_BROWSER)
    async def save(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        query = str(form.get("query") or "")
        params, errors = params_from(parse_qs(query), lang)
        name = str(form.get("name") or "").strip() or params.q or gettext(lang, "ui.save_search")
        if not errors:
            try:
                await needs.save_search(
                    principal=principal, data=SavedSearchIn(name=name[:200], params=params.model_copy())
                )
            except ValidationError as exc:
                errors = labelled(field_messages(exc, lang), lang)
            except MarketError as exc:
                errors = market_messages(exc, lang)
        if errors:
            return page(
                request, "search/saved.html", 400, saved=await needs.list_saved(principal=principal), errors=errors,
                query_of=page_query,
            )  # fmt: skip
        return Redirect(path="/search?" + urlencode({**page_query(params), "saved": 1}, doseq=True))

    @get("/saved-searches", opt=SME)
    async def saved(self, request: AnyRequest, principal: Principal) -> Template:
        return page(
            request, "search/saved.html", saved=await needs.list_saved(principal=principal), errors=[],
            query_of=page_query,
        )  # fmt: skip

    @post("/saved-searches/{saved_search_id:int}/delete", opt=SME_BROWSER)
    async def delete_saved(self, request: AnyRequest, principal: Principal, saved_search_id: int) -> Any:
        if all(s.id != saved_search_id for s in await needs.list_saved(principal=principal)):
            raise NotFound(Msg("search.saved_not_found"))  # another's: 404, no confirmation page
        if step := await unless_confirmed(request, button="ui.confirm_delete_saved", back="/saved-searches"):
            return step
        await needs.delete_saved(principal=principal, saved_search_id=saved_search_id)
        return Redirect(path="/saved-searches")

    dependencies = {"principal": Provide(provide_principal)}


# ------------------------------------------------------------------------------------------------- needs


def need_form(need: NeedOut | None) -> dict[str, str]:
    if need is None:
        return {}
    return {
        "title": need.title,
        "description": need.description,
        "tech_field": str(need.tech_field or ""),
        "budget_yuan": hundredths_text(need.budget_max_minor),
        "region": need.region,
        "deadline": need.deadline.isoformat() if need.deadline else "",
    }


NEED_LABELS = {
    "title": "need_title",
    "description": "need_description",
    "region": "need_region",
    "tech_field": "need_field",
    "budget_max_minor": "need_budget",
    "deadline": "need_deadline",
}


# a NeedIn field -> the form's input that holds it (errors are shown beside that input)
NEED_INPUTS = {"budget_max_minor": "budget_yuan"}


def need_in(form: Any, lang: str) -> tuple[NeedIn | None, Errors]:
    """The need a form describes, or every error of the form at once (each headed by its input's label)."""
    values = {k: str(form.get(k) or "").strip() for k in ("title", "description", "tech_field", "budget_yuan",
                                                          "region", "deadline")}  # fmt: skip
    errors: Errors = []
    budget: int | None = None
    try:
        budget = yuan_to_fen(values["budget_yuan"], "budget_yuan")
    except FieldProblem as exc:
        errors.append({"field": exc.field, "message": headed(lang, "ui.need_budget", gettext(lang, exc.key))})
    deadline: date | None = None
    try:
        deadline = date.fromisoformat(values["deadline"]) if values["deadline"] else None
    except ValueError:
        not_a_date = gettext(lang, "validation.date_parsing")
        errors.append({"field": "deadline", "message": headed(lang, "ui.need_deadline", not_a_date)})
    data: NeedIn | None = None
    try:
        data = NeedIn(
            title=values["title"],
            description=values["description"],
            tech_field=int(values["tech_field"]) if values["tech_field"].isdigit() else None,
            budget_max_minor=budget,
            region=values["region"],
            deadline=deadline,
        )
    except ValidationError as exc:
        errors += [
            {
                **m,
                "field": NEED_INPUTS.get(m["field"], m["field"]),
                "message": headed(lang, f"ui.{NEED_LABELS.get(m['field'], m['field'])}", m["message"]),
            }
            for m in field_messages(exc, lang)
        ]
    if errors:  # in the order of the form
        order = list(values)
        return None, sorted(errors, key=lambda e: order.index(e["field"]) if e["field"] in order else len(order))
    return data, errors


def field_choices(lang: str) -> list[tuple[int, str]]:
    names = labels.field_names()
    return [(n, names[n][1] if lang == "en" else names[n][0]) for n in sorted(names)]


class NeedPages(Controller):
    include_in_schema = False
    path = "/needs"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=SME)
    async def list_needs(self, request: AnyRequest, principal: Principal) -> Template:
        return page(request, "needs/list.html", needs=await needs.list_needs(principal=principal))

    @get("/new", opt=SME)
    async def new(self, request: AnyRequest, principal: Principal) -> Template:
        return self._form(request, None, {}, [])

    def _form(self, request: AnyRequest, need: NeedOut | None, form: dict[str, str], errors: Errors, status: int = 200
              ) -> Template:  # fmt: skip
        return page(
            request, "needs/form.html", status, need=need, form=form, errors=errors,
            fields=field_choices(lang_of(request)),
        )  # fmt: skip

    @post("/", opt=SME_BROWSER)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        data, errors = need_in(form, lang)
        if data is not None:
            try:
                need = await needs.create_need(principal=principal, data=data)
                return Redirect(path=f"/needs/{need.id}")
            except MarketError as exc:
                errors = market_messages(exc, lang)
        return self._form(request, None, {k: str(v) for k, v in form.items()}, errors, 400)

    @get("/{need_id:int}", opt=SME)
    async def detail(self, request: AnyRequest, principal: Principal, need_id: int) -> Template:
        result = await needs.matches_for_need(principal=principal, need_id=need_id)
        return page(request, "needs/detail.html", need=result.need, matches=result.matches, charts=charts_available())

    @get("/{need_id:int}/edit", opt=SME)
    async def edit(self, request: AnyRequest, principal: Principal, need_id: int) -> Template:
        need = await needs.get_need(principal=principal, need_id=need_id)
        return self._form(request, need, need_form(need), [])

    @post("/{need_id:int}", opt=SME_BROWSER)
    async def update(self, request: AnyRequest, principal: Principal, need_id: int) -> Any:
        lang = lang_of(request)
        need = await needs.get_need(principal=principal, need_id=need_id)
        form = await form_of(request)
        data, errors = need_in(form, lang)
        if data is not None:
            try:
                await needs.update_need(principal=principal, need_id=need_id, data=data)
                return Redirect(path=f"/needs/{need_id}")
            except MarketError as exc:
                errors = market_messages(exc, lang)
        return self._form(request, need, {k: str(v) for k, v in form.items()}, errors, 400)

    @post("/{need_id:int}/close", opt=SME_BROWSER)
    async def close(self, request: AnyRequest, principal: Principal, need_id: int) -> Template | Redirect:
        need = await needs.get_need(principal=principal, need_id=need_id)
        back = f"/needs/{need_id}"
        if step := await unless_confirmed(request, button="ui.confirm_close_need", back=back, details=[need.title]):
            return step
        await needs.close_need(principal=principal, need_id=need_id)
        return Redirect(path=f"/needs/{need_id}")

    @post("/{need_id:int}/delete", opt=SME_BROWSER)
    async def delete(self, request: AnyRequest, principal: Principal, need_id: int) -> Template | Redirect:
        need = await needs.get_need(principal=principal, need_id=need_id)
        back = f"/needs/{need_id}"
        if step := await unless_confirmed(request, button="ui.confirm_delete_need", back=back, details=[need.title]):
            return step
        await needs.delete_need(principal=principal, need_id=need_id)
        return Redirect(path="/needs")


class ListingNeedsPages(Controller):
    include_in_schema = False
    dependencies = {"principal": Provide(provide_principal)}

    @get("/listings/{declaration_id:int}/needs", opt=UNIVERSITY)
    async def listing_needs(self, request: AnyRequest, principal: Principal, declaration_id: int) -> Template:
        found = await needs.needs_for_listing(principal=principal, declaration_id=declaration_id)
        return page(request, "needs/listing_needs.html", found=found, declaration_id=declaration_id)


SEARCH_PAGES = [SearchPages, NeedPages, ListingNeedsPages]
