"""Loan products API: a bank writes, versions, publishes and withdraws its products (``/api/bank/products``, bank
tokens or sessions); everyone signed in reads the published ones (``/api/loan-products``)."""

from __future__ import annotations

from litestar import Controller, get, post, put
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.loan_products import service
from finance.loan_products.schemas import (
    EligibilityOut,
    PoolIn,
    PoolOut,
    ProductCreateIn,
    ProductEditIn,
    ProductOut,
    StatusIn,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ANYONE = signed_in()
BANK = signed_in(OrgKind.bank)
BANK_WRITER = signed_in(OrgKind.bank, approved=True)
HOLDERS = signed_in(OrgKind.sme, OrgKind.university)


class LoanProductController(Controller):
    path = "/api/loan-products"
    tags = ["loan products"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ANYONE, summary="Published loan products (optionally one bank's), at the version in force")
    async def published(self, principal: Principal, bank: int | None = None) -> list[ProductOut]:
        return [service.product_out(p) for p in await service.published_products(bank)]

    @get("/{product_id:int}", opt=ANYONE, summary="One published loan product")
    async def one(self, principal: Principal, product_id: int) -> ProductOut:
        return service.product_out(await service.published_product(product_id))

    @get("/pools", opt=ANYONE, summary="Risk-compensation pools: loss split, caps, pure-IP only, source")
    async def pools(self, principal: Principal) -> list[PoolOut]:
        return [service.pool_out(p) for p in await service.pools()]

    @get(
        "/for-patent/{patent_id:int}",
        opt=HOLDERS,
        summary="Which published products one of my patents may support, each with its reasons (grounds, floors)",
    )
    async def for_patent(self, principal: Principal, patent_id: int, lang: str) -> list[EligibilityOut]:
        return localized(await service.eligibility_for(principal=principal, patent_id=patent_id), lang)


class BankProductController(Controller):
    path = "/api/bank/products"
    tags = ["loan products"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=BANK, summary="My bank's products, every status, at the version in force")
    async def mine(self, principal: Principal) -> list[ProductOut]:
        return [service.product_out(p) for p in await service.products_of_bank(principal.org_id)]

    @post("/", opt=BANK_WRITER, status_code=HTTP_201_CREATED, summary="A new product (a draft, version 1)")
    async def create(self, principal: Principal, data: JSONBody[ProductCreateIn]) -> ProductOut:
        return await service.create_product(principal=principal, data=data)

    @post("/pools", opt=BANK_WRITER, status_code=HTTP_201_CREATED, summary="Record a risk-compensation pool")
    async def record_pool(self, principal: Principal, data: JSONBody[PoolIn]) -> PoolOut:
        return await service.record_pool(principal=principal, data=data)

    @get("/{product_id:int}", opt=BANK, summary="One of my bank's products (a given version with ?version=)")
    async def one(self, principal: Principal, product_id: int, version: int | None = None) -> ProductOut:
        row = await service.bank_product(principal=principal, product_id=product_id, version=version)
        return service.product_out(row)

    @get("/{product_id:int}/versions", opt=BANK, summary="Every version of one of my bank's products, newest first")
    async def versions(self, principal: Principal, product_id: int) -> list[ProductOut]:
        await service.bank_product(principal=principal, product_id=product_id)
        return [service.product_out(p) for p in await service.product_versions(product_id)]

    @put(
        "/{product_id:int}",
        opt=BANK_WRITER,
        status_code=HTTP_200_OK,
        summary="Edit: the next version of the terms (409 if another edit came first); applications keep theirs",
    )
    async def edit(self, principal: Principal, product_id: int, data: JSONBody[ProductEditIn]) -> ProductOut:
        return await service.edit_product(principal=principal, product_id=product_id, data=data)

    @post("/{product_id:int}/publish", opt=BANK_WRITER, status_code=HTTP_200_OK, summary="Publish the version in force")
    async def publish(self, principal: Principal, product_id: int, data: JSONBody[StatusIn]) -> ProductOut:
        return await service.change_status(
            principal=principal, product_id=product_id, action="publish", expected_version=data.expected_version
        )

    @post("/{product_id:int}/withdraw", opt=BANK_WRITER, status_code=HTTP_200_OK, summary="Withdraw the product")
    async def withdraw(self, principal: Principal, product_id: int, data: JSONBody[StatusIn]) -> ProductOut:
        return await service.change_status(
            principal=principal, product_id=product_id, action="withdraw", expected_version=data.expected_version
        )
