"""Declarations API (universities). The public listings: ``listings.search.controllers``."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK

from listings.declarations import cnipa, filing, service
from listings.declarations.schemas import (
    CnipaAnnouncementIn,
    DeclarationOut,
    DeclareEachIn,
    DeclareIn,
    DeclareReport,
    TermsIn,
    WithdrawIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import NotFound
from market.i18n.localized import localized
from market.kit.messages import Msg
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university)


class DeclarationController(Controller):
    path = "/api/declarations"
    tags = ["declarations"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="Declare one patent or many: each is published (or drafted) or refused with every reason",
    )
    async def declare(self, principal: Principal, data: JSONBody[DeclareIn], lang: str) -> DeclareReport:
        return localized(await service.declare(principal=principal, data=data), lang)

    @post("/check", opt=UNIVERSITY, status_code=HTTP_200_OK, summary="Check eligibility without declaring")
    async def check(self, principal: Principal, data: JSONBody[DeclareIn], lang: str) -> DeclareReport:
        return localized(await service.declare(principal=principal, data=data, dry_run=True), lang)

    @post(
        "/each",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="Declare many patents, each at its own price: each is published (or drafted) or refused",
    )
    async def declare_each(self, principal: Principal, data: JSONBody[DeclareEachIn], lang: str) -> DeclareReport:
        items = [(i.patent_id, i.terms) for i in data.items]
        return localized(await service.declare_each(principal=principal, items=items, publish=data.publish), lang)

    @post("/each/check", opt=UNIVERSITY, status_code=HTTP_200_OK, summary="Check many patents, each at its price")
    async def check_each(self, principal: Principal, data: JSONBody[DeclareEachIn], lang: str) -> DeclareReport:
        items = [(i.patent_id, i.terms) for i in data.items]
        return localized(await service.declare_each(principal=principal, items=items, dry_run=True), lang)

    @get("/", opt=UNIVERSITY, summary="My organisation's declarations")
    async def list_mine(
        self,
        principal: Principal,
        lang: str,
        status: str | None = Parameter(default=None, pattern="^(draft|published|withdrawn)$"),
        page: int = Parameter(default=1, ge=1),
        per_page: int = Parameter(default=50, ge=1, le=200),
    ) -> list[DeclarationOut]:
        return localized(
            await service.list_mine(principal=principal, status=status, page=page, per_page=per_page), lang
        )

    @get("/{declaration_id:int}", opt=UNIVERSITY, summary="One declaration with every version")
    async def get_one(self, principal: Principal, declaration_id: int, lang: str) -> DeclarationOut:
        return localized(await service.get(principal=principal, declaration_id=declaration_id), lang)

    @post("/{declaration_id:int}/publish", opt=UNIVERSITY, status_code=HTTP_200_OK, summary="Publish a draft")
    async def publish(self, principal: Principal, declaration_id: int, lang: str) -> DeclarationOut:
        return localized(await service.publish(principal=principal, declaration_id=declaration_id), lang)

    @post(
        "/{declaration_id:int}/versions",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="New terms: a draft changes; a published declaration gets a new version",
    )
    async def revise(
        self, principal: Principal, declaration_id: int, data: JSONBody[TermsIn], lang: str
    ) -> DeclarationOut:
        return localized(await service.revise(principal=principal, declaration_id=declaration_id, terms=data), lang)

    @post(
        "/{declaration_id:int}/withdraw",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="Withdraw (Art 50(2)): licences already granted stay valid",
    )
    async def withdraw(
        self, principal: Principal, declaration_id: int, data: JSONBody[WithdrawIn], lang: str
    ) -> DeclarationOut:
        return localized(await service.withdraw(principal=principal, declaration_id=declaration_id, data=data), lang)

    @post(
        "/{declaration_id:int}/cnipa-announcement",
        opt=UNIVERSITY,
        status_code=HTTP_200_OK,
        summary="Record CNIPA's announcement (number and date) of a published version (Patent Law Art 50)",
    )
    async def record_announcement(
        self, principal: Principal, declaration_id: int, data: JSONBody[CnipaAnnouncementIn], lang: str
    ) -> DeclarationOut:
        return localized(
            await filing.record_announcement(principal=principal, declaration_id=declaration_id, data=data), lang
        )

    @get(
        "/{declaration_id:int}/cnipa-filing/{event:str}",
        opt=UNIVERSITY,
        summary="What to file with CNIPA for a declaration, a revision or a withdrawal (a JSON file to download)",
    )
    async def cnipa_filing(
        self,
        principal: Principal,
        declaration_id: int,
        event: str,
        lang: str,
        version: int | None = Parameter(default=None, ge=1, le=10_000),
    ) -> Response[bytes]:
        if event not in cnipa.EVENTS:
            raise NotFound(Msg("cnipa.no_such_event", {"event": event}))
        document = localized(
            await filing.filing_document(
                principal=principal, declaration_id=declaration_id, event=event, version=version
            ),
            lang,
        )
        name = f"cnipa-{event}-{declaration_id}-v{document.version}.json"
        return Response(
            document.model_dump_json(indent=2).encode(),
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )
