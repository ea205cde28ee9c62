"""Voucher programme API: an issuer writes, versions, opens and closes its own programmes; everyone signed in reads
the open ones (terms in words) and asks what a voucher would pay of a price. Every change carries the version the
caller read (409 when stale)."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.voucher_programmes import service
from finance.voucher_programmes.schemas import (
    PartIn,
    PartOut,
    ProgrammeCreateIn,
    ProgrammeEditIn,
    ProgrammeOut,
    StatusIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer)
READERS = signed_in()


class VoucherProgrammeController(Controller):
    path = "/api/voucher-programmes"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=READERS, summary="Open voucher programmes (an issuer: its own, any status)")
    async def index(self, principal: Principal, lang: str, region: str | None = None) -> list[ProgrammeOut]:
        if principal.org_kind is OrgKind.voucher_issuer:
            rows = await service.programmes_of_issuer(principal.org_id)
        else:
            rows = await service.open_programmes(region=region)
        return localized([await service.programme_out(r) for r in rows], lang)

    @post("/", opt=ISSUER, status_code=HTTP_201_CREATED, summary="Issuer: a new programme (a draft, version 1)")
    async def create(self, principal: Principal, data: JSONBody[ProgrammeCreateIn], lang: str) -> ProgrammeOut:
        return localized(await service.create_programme(principal=principal, data=data), lang)

    @get("/{voucher_programme_id:int}", opt=READERS, summary="One programme, its terms in words (a draft: its issuer)")
    async def one(self, principal: Principal, voucher_programme_id: int, lang: str) -> ProgrammeOut:
        found = await service.visible_programme(principal=principal, programme_id=voucher_programme_id)
        return localized(await service.programme_out(found), lang)

    @get("/{voucher_programme_id:int}/versions", opt=ISSUER, summary="Issuer: every version, newest first")
    async def versions(self, principal: Principal, voucher_programme_id: int, lang: str) -> list[ProgrammeOut]:
        current = await service.issuer_programme(principal=principal, programme_id=voucher_programme_id)
        rows = [await service.programme_at(current.id, t.version) for t in await service.versions(current.id)]
        return localized([await service.programme_out(r) for r in rows], lang)

    @put("/{voucher_programme_id:int}", opt=ISSUER, summary="Issuer: the next version of the terms (decisions keep theirs)")  # noqa: E501
    async def edit(
        self, principal: Principal, voucher_programme_id: int, data: JSONBody[ProgrammeEditIn], lang: str
    ) -> ProgrammeOut:
        return localized(await service.edit_programme(principal=principal, programme_id=voucher_programme_id,
                                                      data=data), lang)  # fmt: skip

    @post("/{voucher_programme_id:int}/open", opt=ISSUER, status_code=HTTP_200_OK, summary="Issuer: open")
    async def open(
        self, principal: Principal, voucher_programme_id: int, data: JSONBody[StatusIn], lang: str
    ) -> ProgrammeOut:
        return localized(await service.change_status(principal=principal, programme_id=voucher_programme_id,
                                                     action="open", expected_version=data.expected_version), lang)

    @post("/{voucher_programme_id:int}/close", opt=ISSUER, status_code=HTTP_200_OK, summary="Issuer: close")
    async def close(
        self, principal: Principal, voucher_programme_id: int, data: JSONBody[StatusIn], lang: str
    ) -> ProgrammeOut:
        return localized(await service.change_status(principal=principal, programme_id=voucher_programme_id,
                                                     action="close", expected_version=data.expected_version), lang)

    @post("/{voucher_programme_id:int}/part", opt=READERS, status_code=HTTP_200_OK,
          summary="What the voucher pays of a price in a category, line by line (per-claim caps applied)")
    async def part(self, principal: Principal, voucher_programme_id: int, data: JSONBody[PartIn], lang: str) -> PartOut:
        found = await service.visible_programme(principal=principal, programme_id=voucher_programme_id)
        return localized(service.part_for(principal=principal, row=found, category=data.category,
                                          price_minor=data.price_minor), lang)  # fmt: skip
