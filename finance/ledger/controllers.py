"""The university's ledger and its monthly statement PDF."""

from __future__ import annotations

import re

from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.params import Parameter

from finance.ledger import service
from finance.ledger.schemas import LedgerOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.orgs.schemas import OrgKind
from market.settings import Settings
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university)
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class LedgerController(Controller):
    path = "/api/ledger"
    tags = ["ledger"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY, summary="Received per licence and month: gross, platform fee, net, inventor reward")
    async def ledger(
        self, principal: Principal, month: str | None = Parameter(default=None, pattern=MONTH)
    ) -> LedgerOut:
        return await service.ledger(principal=principal, month=month)

    @get("/statements/{month:str}", opt=UNIVERSITY, summary="The monthly statement PDF")
    async def statement(self, principal: Principal, settings: Settings, month: str) -> Response[bytes]:
        if not re.match(MONTH, month):
            month_format = Msg("ledger.month_format")
            raise ValidationFailed(month_format, errors=[FieldError("month", month_format, code="month")])
        name, data = await service.monthly_statement(
            principal=principal, month=month, platform_fee_bp=settings.platform_fee_bp
        )
        return Response(
            data, media_type="application/pdf", headers={"content-disposition": f'attachment; filename="{name}"'}
        )
