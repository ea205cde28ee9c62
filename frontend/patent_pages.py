"""The patents pages of a university or an SME: the list, one patent, the import with its report; and a university's
settings. An SME's pages say it does not declare open licences here (the declarations pages are a university's)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from pydantic import ValidationError

from frontend.forms import FieldProblem, facts_in, hundredths, hundredths_text
from frontend.render import (
    AnyRequest,
    Errors,
    field_messages,
    form_of,
    labelled,
    lang_of,
    market_messages,
    page,
    page_count,
)
from listings.imports import service as imports
from listings.imports.controllers import UPLOAD_CEILING, chunks, stale_after, upload_within_limit
from listings.patents import service as patents
from listings.patents.facts import LegalStatus, Suspension
from listings.patents.fees import OPEN_LICENCE_REDUCTION_PCT, REDUCTION_ARTICLE
from listings.universities import service as universities
from listings.universities.schemas import MIN_SHARE_BP, SHARE_ARTICLE, UniversitySettingsIn
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, ValidationFailed
from market.i18n import gettext
from market.kit.law import PatentKind
from market.orgs.schemas import OrgKind
from market.settings import Settings
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university, session_only=True)
HOLDERS = signed_in(OrgKind.university, OrgKind.sme, session_only=True)  # universities and SMEs hold patents
PER_PAGE = 50
KINDS = tuple(k.value for k in PatentKind)
STATUSES = tuple(s.value for s in LegalStatus)
DECLARED = ("published", "none")
RUNNING = ("queued", "running")


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


class PatentPages(Controller):
    include_in_schema = False
    dependencies = {"principal": Provide(provide_principal)}

    @get("/patents", opt=HOLDERS)
    async def list_patents(
        self,
        request: AnyRequest,
        principal: Principal,
        q: str = "",
        kind: str | None = None,
        status: str | None = None,
        declared: str | None = None,
        page_no: Annotated[int, QueryParameter(name="page")] = 1,
    ) -> Template:
        filters = {
            "q": q.strip()[:200],
            "kind": _one_of(kind, KINDS),
            "status": _one_of(status, STATUSES),
            "declared": _one_of(declared, DECLARED),
        }
        page_no = max(1, min(page_no, 100_000))
        result = await patents.list_patents(
            principal=principal,
            q=filters["q"] or "",
            kind=filters["kind"],
            status=filters["status"],
            declared=filters["declared"],
            page=page_no,
            per_page=PER_PAGE,
        )
        return page(
            request,
            "patents.html",
            result=result,
            filters=filters,
            pages=page_count(result.total, PER_PAGE),
            kinds=KINDS,
            statuses=STATUSES,
        )

    @get("/patents/{patent_id:int}", opt=HOLDERS)
    async def patent(self, request: AnyRequest, principal: Principal, patent_id: int, saved: int = 0) -> Template:
        detail = await patents.detail(principal=principal, patent_id=patent_id)
        return self._patent_page(request, detail, errors=[], saved=bool(saved))

    @post("/patents/{patent_id:int}/facts", opt=HOLDERS)
    async def update_facts(self, request: AnyRequest, principal: Principal, patent_id: int) -> Any:
        detail = await patents.detail(principal=principal, patent_id=patent_id)  # another's patent: 404 here
        form = await form_of(request)
        lang = lang_of(request)
        try:
            data = facts_in(form)
            await patents.update_facts(principal=principal, patent_id=patent_id, data=data)
        except ValidationError as exc:
            return self._patent_page(request, detail, errors=labelled(field_messages(exc, lang), lang), status=400)
        except (ValidationFailed, Conflict) as exc:
            return self._patent_page(
                request, detail, errors=labelled(market_messages(exc, lang), lang), status=exc.status
            )
        return Redirect(path=f"/patents/{patent_id}?saved=1")

    def _patent_page(
        self, request: AnyRequest, detail: Any, *, errors: Errors, saved: bool = False, status: int = 200
    ) -> Template:
        return page(
            request,
            "patent.html",
            status,
            p=detail,
            errors=errors,
            saved=saved,
            statuses=STATUSES,
            suspensions=[s.value for s in Suspension],
            open_licence_pct=OPEN_LICENCE_REDUCTION_PCT,
            reduction_article=REDUCTION_ARTICLE,
        )

    # ------------------------------------------------------------------------------------------- import

    @get("/patents/import", opt=HOLDERS)
    async def import_form(self, request: AnyRequest, principal: Principal, settings: Settings) -> Template:
        return self._import_page(request, settings, await self._runs(principal, settings), errors=[])

    @post("/patents/import", opt=HOLDERS, request_max_body_size=UPLOAD_CEILING, guards=[upload_within_limit])
    async def upload(self, request: AnyRequest, principal: Principal, settings: Settings) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            errors = [{"field": "file", "message": gettext(lang, "ui.err_file_required")}]
            return self._import_page(request, settings, await self._runs(principal, settings), errors, status=400)
        try:
            run = await imports.queue_upload(
                principal=principal,
                filename=Path(upload.filename).name,
                content=chunks(upload),
                upload_dir=settings.data_dir / "uploads",
                max_bytes=settings.import_max_upload_bytes,
            )
        except (ValidationFailed, imports.FileTooLarge) as exc:
            errors = [{"field": "file", "message": e.text(lang)} for e in exc.errors]
            runs = await self._runs(principal, settings)
            return self._import_page(request, settings, runs, errors, status=exc.status)
        return Redirect(path=f"/patents/import/{run.id}")

    @get("/patents/import/{run_id:int}", opt=HOLDERS)
    async def import_run(self, request: AnyRequest, principal: Principal, run_id: int, settings: Settings) -> Template:
        run = await imports.get_run(principal=principal, run_id=run_id, stale_after=stale_after(settings))
        return page(request, "import_run.html", run=run, refresh=run.status in RUNNING)

    @staticmethod
    async def _runs(principal: Principal, settings: Settings) -> list[Any]:
        return await imports.recent_runs(principal=principal, limit=10, stale_after=stale_after(settings))

    @staticmethod
    def _import_page(
        request: AnyRequest, settings: Settings, runs: list[Any], errors: list[dict[str, str]], status: int = 200
    ) -> Template:
        limits = {
            "max_mb": max(settings.import_max_upload_bytes // (1024 * 1024), 1),
            "max_rows": settings.import_max_rows,
            "max_cell": settings.import_max_cell_chars,
            "max_record": settings.import_max_record_chars,
            "max_depth": settings.import_max_json_depth,
        }
        return page(request, "import.html", status, runs=runs, errors=errors, limits=limits)


class UniversitySettingsPages(Controller):
    include_in_schema = False
    path = "/university/settings"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY)
    async def settings_form(self, request: AnyRequest, principal: Principal, saved: int = 0) -> Template:
        current = await universities.get_settings(principal=principal)
        return self._page(request, current, errors=[], typed=None, saved=bool(saved))

    @post("/", opt=signed_in(OrgKind.university, owner=True, session_only=True))
    async def save(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        form = await form_of(request)
        typed = str(form.get("share_pct") or "")
        error = {"field": "share_pct", "message": gettext(lang, "ui.err_share", min=MIN_SHARE_BP // 100)}
        try:
            share_bp = hundredths(typed, "share_pct")
            if share_bp is None:
                raise FieldProblem("share_pct", "ui.err_share")
            data = UniversitySettingsIn(inventor_reward_share_bp=share_bp)
        except FieldProblem as exc:
            message = error["message"] if exc.key == "ui.err_share" else gettext(lang, exc.key)
            current = await universities.get_settings(principal=principal)
            return self._page(request, current, errors=[{**error, "message": message}], typed=typed, status=400)
        except ValidationError:
            current = await universities.get_settings(principal=principal)
            return self._page(request, current, errors=[error], typed=typed, status=400)
        await universities.set_settings(principal=principal, data=data)
        return Redirect(path="/university/settings?saved=1")

    def _page(
        self,
        request: AnyRequest,
        current: Any,
        *,
        errors: Errors,
        typed: str | None,
        saved: bool = False,
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "university_settings.html",
            status,
            current=current,
            errors=errors,
            typed=typed,
            saved=saved,
            min_pct=MIN_SHARE_BP // 100,
            share_text=hundredths_text(current.inventor_reward_share_bp),
            article=SHARE_ARTICLE,
        )
