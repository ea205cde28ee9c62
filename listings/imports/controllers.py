"""Imports API: upload a CSV or JSON Lines file, follow its progress, read its report."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
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

UNIVERSITY = signed_in(OrgKind.university)
MAX_UPLOAD = 50 * 1024 * 1024


async def read_upload(upload: UploadFile | None) -> tuple[str, bytes]:
    if upload is None or not upload.filename:
        missing = Msg("import.choose_file")
        raise ValidationFailed(missing, errors=[FieldError("file", missing, code="required")])
    content = await upload.read()
    if not content:
        empty = Msg("import.empty_file")
        raise ValidationFailed(empty, errors=[FieldError("file", empty, code="empty")])
    return upload.filename, content


class ImportController(Controller):
    path = "/api/imports"
    tags = ["patents"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/",
        opt=UNIVERSITY,
        status_code=HTTP_202_ACCEPTED,
        request_max_body_size=MAX_UPLOAD,
        summary="Upload patents (CSV or JSON Lines); the import runs as a job",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        principal: Principal,
        settings: Settings,
        data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportRunOut:
        filename, content = await read_upload(data.get("file"))
        return await service.queue_upload(
            principal=principal, filename=filename, content=content, upload_dir=settings.data_dir / "uploads"
        )

    @get("/", opt=UNIVERSITY, summary="My organisation's recent imports")
    async def recent(self, principal: Principal, lang: str) -> list[ImportRunOut]:
        return localized(await service.recent_runs(principal=principal), lang)

    @get("/{run_id:int}", opt=UNIVERSITY, summary="An import's progress and report")
    async def get_run(self, principal: Principal, run_id: int, lang: str) -> ImportRunOut:
        return localized(await service.get_run(principal=principal, run_id=run_id), lang)
