"""Check a PDF's platform seal (any signed-in user: a bank checking a contract it was sent), and what signing
controllers elsewhere need of a request: the client's address and user agent."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK

from finance.signatures import service as signatures
from finance.signatures.schemas import SealCheckOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.settings import Settings
from market.web.access import signed_in
from market.web.limits import client_address, parse_networks

MAX_PDF = 32 * 1024 * 1024


def client_of(request: Request[Any, Any, Any]) -> tuple[str, str]:
    """(IP address, user agent) of the request, the address as the rate limits see it (trusted proxies)."""
    settings: Settings = request.app.state.settings
    address = client_address(request.scope, parse_networks(settings.trusted_proxies))
    return address, request.headers.get("user-agent", "")[:400]


class SealController(Controller):
    path = "/api/signatures"
    tags = ["signatures"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/verify",
        opt=signed_in(),
        status_code=HTTP_200_OK,
        request_max_body_size=MAX_PDF + 64 * 1024,
        summary="Check the platform's PAdES seal on a PDF (multipart field `file`): valid only if nothing changed",
    )
    async def verify(self, request: Request[Any, Any, Any], principal: Principal) -> SealCheckOut:
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            missing = Msg("signatures.no_file")
            raise ValidationFailed(missing, errors=[FieldError("file", missing)])
        data = await upload.read(MAX_PDF + 1)
        if len(data) > MAX_PDF:
            large = Msg("signatures.too_large", {"max_mb": MAX_PDF // (1024 * 1024)})
            raise ValidationFailed(large, errors=[FieldError("file", large)])
        return signatures.seal_check_out(await signatures.verify(data))
