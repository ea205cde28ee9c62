"""Audit API: an organisation's own events; the chain check for the platform's operators."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter

from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.audit import service
from market.audit.schemas import AuditEventOut, ChainReport
from market.orgs.schemas import OrgKind
from market.web.access import signed_in


class AuditController(Controller):
    path = "/api"
    tags = ["audit"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/orgs/{org_id:int}/audit", opt=signed_in(owner=True), summary="My organisation's audit trail")
    async def org_events(
        self,
        principal: Principal,
        org_id: int,
        limit: int = Parameter(default=50, ge=1, le=500),
        offset: int = Parameter(default=0, ge=0),
    ) -> list[AuditEventOut]:
        return await service.list_for_org(principal=principal, org_id=org_id, limit=limit, offset=offset)

    @get("/admin/audit/verify", opt=signed_in(OrgKind.platform_admin), summary="Verify the whole hash chain")
    async def verify(self) -> ChainReport:
        return await service.verify()
