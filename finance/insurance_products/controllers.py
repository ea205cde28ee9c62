"""Insurance products API (``/api/insurance/products``): everyone signed in reads the published products and any
version of them, and asks for a quote; an insurer (approved) publishes products, writes their next versions,
withdraws and publishes them again, and reads its own whatever their status."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.insurance_products import service
from finance.insurance_products.schemas import (
    FirmTier,
    Kind,
    ProductCreateIn,
    ProductVersionOut,
    QuoteOut,
    StatusIn,
    VersionIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ANYONE = signed_in()
INSURER = signed_in(OrgKind.insurer)
INSURER_WRITER = signed_in(OrgKind.insurer, approved=True)


class InsuranceProductController(Controller):
    path = "/api/insurance"
    tags = ["insurance products"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/products", opt=ANYONE, summary="Published insurance products (of one kind), at the version in force")
    async def published(self, principal: Principal, lang: str, kind: Kind | None = None) -> list[ProductVersionOut]:
        return localized([service.version_out(p) for p in await service.published(kind)], lang)

    @get("/products/mine", opt=INSURER, summary="My insurer's products, every status, at the version in force")
    async def mine(self, principal: Principal, lang: str) -> list[ProductVersionOut]:
        rows = await service.products_of_insurer(principal.org_id)
        return localized([service.version_out(p) for p in rows], lang)

    @post("/products", opt=INSURER_WRITER, status_code=HTTP_201_CREATED, summary="Publish a new product (version 1)")
    async def create(self, principal: Principal, lang: str, data: JSONBody[ProductCreateIn]) -> ProductVersionOut:
        return localized(await service.create_product(principal=principal, data=data), lang)

    @get("/products/{insurance_product_id:int}", opt=ANYONE, summary="A product at its version in force")
    async def one(self, principal: Principal, lang: str, insurance_product_id: int) -> ProductVersionOut:
        row = await service.readable_product(principal=principal, product_id=insurance_product_id)
        return localized(service.version_out(row), lang)

    @get("/products/{insurance_product_id:int}/versions", opt=ANYONE, summary="Every version, newest first")
    async def versions(self, principal: Principal, lang: str, insurance_product_id: int) -> list[ProductVersionOut]:
        await service.readable_product(principal=principal, product_id=insurance_product_id)
        return localized([service.version_out(p) for p in await service.versions(insurance_product_id)], lang)

    @post(
        "/products/{insurance_product_id:int}/versions",
        opt=INSURER_WRITER,
        status_code=HTTP_201_CREATED,
        summary="The next version of the terms (409 if another change came first); applications keep theirs",
    )
    async def new_version(
        self, principal: Principal, lang: str, insurance_product_id: int, data: JSONBody[VersionIn]
    ) -> ProductVersionOut:
        out = await service.new_version(principal=principal, product_id=insurance_product_id, data=data)
        return localized(out, lang)

    @post(
        "/products/{insurance_product_id:int}/withdraw",
        opt=INSURER_WRITER,
        status_code=HTTP_200_OK,
        summary="Withdraw: no new application; those made keep their version",
    )
    async def withdraw(
        self, principal: Principal, lang: str, insurance_product_id: int, data: JSONBody[StatusIn]
    ) -> ProductVersionOut:
        out = await service.change_status(
            principal=principal, product_id=insurance_product_id, action="withdraw",
            expected_version=data.expected_version,
        )  # fmt: skip
        return localized(out, lang)

    @post(
        "/products/{insurance_product_id:int}/publish",
        opt=INSURER_WRITER,
        status_code=HTTP_200_OK,
        summary="Publish a withdrawn product again",
    )
    async def publish(
        self, principal: Principal, lang: str, insurance_product_id: int, data: JSONBody[StatusIn]
    ) -> ProductVersionOut:
        out = await service.change_status(
            principal=principal, product_id=insurance_product_id, action="publish",
            expected_version=data.expected_version,
        )  # fmt: skip
        return localized(out, lang)

    @get("/product-versions/{product_version_id:int}", opt=ANYONE, summary="One version (what applications cite)")
    async def version(self, principal: Principal, lang: str, product_version_id: int) -> ProductVersionOut:
        row = await service.readable_version(principal=principal, version_id=product_version_id)
        return localized(service.version_out(row), lang)

    @get(
        "/product-versions/{product_version_id:int}/quote",
        opt=ANYONE,
        summary="The premium, limits and deductible for a number of patents and a firm tier, line by line",
    )
    async def quote(
        self, principal: Principal, lang: str, product_version_id: int, patents: int = 1, firm_tier: FirmTier = "sme"
    ) -> QuoteOut:
        row = await service.readable_version(principal=principal, version_id=product_version_id)
        q = service.quote(row, patents=patents, firm_tier=firm_tier)
        return localized(service.quote_out(row, q, patents=patents, firm_tier=firm_tier), lang)
