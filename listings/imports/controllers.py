"""Imports API: upload a CSV or JSON Lines file, follow its progress, read its report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body
from litestar.status_codes import HTTP_202_ACCEPTED

from listings.imports import service
from listings.imports.schemas import ImportRunOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n.localized import localized
from market.kit.messages import Msg
from market.orgs.schemas import OrgKind
from market.settings import Settings
from market.web.access import signed_in

HOLDERS = signed_in(OrgKind.university, OrgKind.sme)  # universities and SMEs import their own patents
# The body Litestar itself will take at most (its own 413); the setting MARKET_IMPORT_MAX_UPLOAD_BYTES, below it,
# is the limit users meet: told from Content-Length before the body is read, and counted again while storing.
UPLOAD_CEILING = 4 * 1024**3
MULTIPART_SLACK = 64 * 1024  # the form's boundaries and headers around the file


def upload_within_limit(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: an upload whose announced size is beyond the setting is refused before its body is read."""
    settings: Settings = connection.app.state.settings
    announced = connection.headers.get("content-length", "")
    if announced.isdigit() and int(announced) > settings.import_max_upload_bytes + MULTIPART_SLACK:
        raise service.too_large(settings.import_max_upload_bytes)


async def chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(service.CHUNK):
        yield chunk


def stale_after(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.import_stale_after_seconds)


def chosen(upload: Any) -> UploadFile:
    if not isinstance(upload, UploadFile) or not upload.filename:
        missing = Msg("import.choose_file")
        raise ValidationFailed(missing, errors=[FieldError("file", missing, code="required")])
    return upload


class ImportController(Controller):
    path = "/api/imports"
    tags = ["patents"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/",
        opt=HOLDERS,
        status_code=HTTP_202_ACCEPTED,
        request_max_body_size=UPLOAD_CEILING,
        guards=[upload_within_limit],
        summary="Upload patents (CSV or JSON Lines); the import runs as a job",
        description="Limits (settings): MARKET_IMPORT_MAX_UPLOAD_BYTES (413 beyond it), MARKET_IMPORT_MAX_ROWS, "
        "MARKET_IMPORT_MAX_CELL_CHARS, MARKET_IMPORT_MAX_RECORD_CHARS, MARKET_IMPORT_MAX_JSON_DEPTH; a file beyond "
        "one of the last four ends `failed` with the reason's code in `failure`, nothing written.",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        settings: Settings,
        data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportRunOut:
        upload = chosen(data.get("file"))
        assert upload.filename
        return await service.queue_upload(
            principal=principal,
            filename=upload.filename,
            content=chunks(upload),
            upload_dir=settings.data_dir / "uploads",
            max_bytes=settings.import_max_upload_bytes,
        )

    @get("/", opt=HOLDERS, summary="My organisation's recent imports (counts; a run's reasons with its GET)")
    async def recent(self, principal: Principal, lang: str, settings: Settings) -> list[ImportRunOut]:
        runs = await service.recent_runs(principal=principal, stale_after=stale_after(settings))
        return localized(runs, lang)

    @get("/{run_id:int}", opt=HOLDERS, summary="An import's progress and report")
    async def get_run(self, principal: Principal, run_id: int, lang: str, settings: Settings) -> ImportRunOut:
        run = await service.get_run(principal=principal, run_id=run_id, stale_after=stale_after(settings))
        return localized(run, lang)
