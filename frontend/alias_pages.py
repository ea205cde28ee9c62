"""A university's patentee aliases: the other names it is patentee under (a former name, its formal or English
name), each recorded with its evidence; a declaration's patentee must be the university's name or one of these."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from frontend.confirm import unless_confirmed
from frontend.render import AnyRequest, Errors, form_of, labelled, lang_of, market_messages, page
from listings.universities import service as universities
from listings.universities.schemas import ALIAS_ARTICLE, ALIAS_KINDS, AliasIn
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, NotFound
from market.i18n import Msg
from market.i18n.validation import validation_message
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

# SMEs record the names they are patentee under too (their import warnings and pledge checks read them).
UNIVERSITY = signed_in(OrgKind.university, OrgKind.sme, session_only=True)
OWNER = signed_in(OrgKind.university, OrgKind.sme, owner=True, session_only=True)
FIELDS = ("name", "kind", "evidence_note", "evidence_ref")


class PatenteeAliasPages(Controller):
    include_in_schema = False
    path = "/university/aliases"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY)
    async def aliases(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await self._page(request, principal, done=done if done in {"recorded", "removed"} else "")

    @post("/", opt=OWNER)
    async def record(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        typed = {f: str(form.get(f) or "") for f in FIELDS}
        try:
            await universities.record_alias(principal=principal, data=AliasIn.model_validate(typed))
        except ValidationError as exc:
            errors = [
                {"field": str(e["loc"][-1]) if e["loc"] else "form", "message": validation_message(e, lang)}
                for e in exc.errors()
            ]
            return await self._page(request, principal, errors=labelled(errors, lang), typed=typed, status=400)
        except Conflict as exc:
            return await self._page(
                request, principal, errors=market_messages(exc, lang), typed=typed, status=exc.status
            )
        return Redirect(path="/university/aliases?done=recorded")

    @post("/{alias_id:int}/remove", opt=OWNER)
    async def remove(self, request: AnyRequest, principal: Principal, alias_id: int) -> Template | Redirect:
        if all(a.id != alias_id for a in await universities.aliases(principal.org_id)):
            raise NotFound(Msg("alias.not_found"))  # another's: 404, no confirmation page
        if step := await unless_confirmed(request, button="ui.confirm_remove_alias", back="/university/aliases"):
            return step
        await universities.remove_alias(principal=principal, alias_id=alias_id)  # another's: 404
        return Redirect(path="/university/aliases?done=removed")

    async def _page(
        self,
        request: AnyRequest,
        principal: Principal,
        *,
        errors: Errors | None = None,
        typed: dict[str, str] | None = None,
        done: str = "",
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "aliases.html",
            status,
            aliases=await universities.aliases(principal.org_id),
            names=await universities.patentee_names(principal.org_id),
            kinds=ALIAS_KINDS,
            article=ALIAS_ARTICLE,
            errors=errors or [],
            typed=typed or {"kind": "former"},
            done=done,
        )
