"""Patents API for the systems of universities and SMEs (each reads and edits its own organisation's patents)."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import Provide
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from listings.patents import service
from listings.patents.schemas import (
    PatentDetailOut,
    PatentFactsIn,
    PatentIn,
    PatentOut,
    PatentPage,
    RecordedLicenceIn,
    RecordedLicenceOut,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

# Universities and SMEs hold patents and record them alike; another organisation's patent answers 404.
HOLDERS = signed_in(OrgKind.university, OrgKind.sme)


class PatentController(Controller):
    path = "/api/patents"
    tags = ["patents"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=HOLDERS, summary="My organisation's patents, filtered")
    async def list_patents(
        self,
        principal: Principal,
        q: str = Parameter(default="", max_length=200, description="number or title contains"),
        kind: str | None = Parameter(default=None, pattern="^(invention|utility_model|design)$"),
        status: str | None = Parameter(default=None, pattern="^(pending|granted|lapsed|invalidated|expired|unknown)$"),
        declared: str | None = Parameter(default=None, pattern="^(published|none)$"),
        page: int = Parameter(default=1, ge=1),
        per_page: int = Parameter(default=50, ge=1, le=200),
    ) -> PatentPage:
        return await service.list_patents(
            principal=principal, q=q, kind=kind, status=status, declared=declared, page=page, per_page=per_page
        )

    @post("/", opt=HOLDERS, status_code=HTTP_201_CREATED, summary="Record one patent")
    async def create(self, principal: Principal, data: JSONBody[PatentIn]) -> PatentOut:
        return await service.create(principal=principal, data=data)

    @get("/{patent_id:int}", opt=HOLDERS, summary="One patent, with its licences and the annual fee due")
    async def detail(self, principal: Principal, patent_id: int) -> PatentDetailOut:
        return await service.detail(principal=principal, patent_id=patent_id)

    @patch("/{patent_id:int}", opt=HOLDERS, summary="Update legal status, fees and encumbrances")
    async def update(self, principal: Principal, patent_id: int, data: JSONBody[PatentFactsIn]) -> PatentDetailOut:
        return await service.update_facts(principal=principal, patent_id=patent_id, data=data)

    @post(
        "/{patent_id:int}/licences",
        opt=HOLDERS,
        status_code=HTTP_201_CREATED,
        summary="Record a licence (no exclusive or sole licence while an open licence stands: Art 51(3))",
    )
    async def record_licence(
        self, principal: Principal, patent_id: int, data: JSONBody[RecordedLicenceIn]
    ) -> RecordedLicenceOut:
        return await service.record_licence(principal=principal, patent_id=patent_id, data=data)
