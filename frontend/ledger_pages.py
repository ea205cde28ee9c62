"""The university's ledger (what each licence paid, month by month, less the platform fee, and the inventor reward
share) with its monthly statement PDF; and the platform's confirmation of bank transfers (one by one, or by matching
a bank statement file against the open references, in a job)."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template

from finance.ledger import service as ledger
from finance.payments import service as payments
from frontend.confirm import confirmed
from frontend.payee_pages import confirm_page
from frontend.render import AnyRequest, Errors, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, MarketError, NotFound
from market.i18n import gettext
from market.kit.messages import Msg
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

UNIVERSITY = signed_in(OrgKind.university, session_only=True)
ADMIN = signed_in(OrgKind.platform_admin, session_only=True)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
REPORT_PAGE = 500  # statement rows per page of the report


class LedgerPages(Controller):
    include_in_schema = False
    path = "/ledger"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY)
    async def books(self, request: AnyRequest, principal: Principal, month: str = "") -> Template:
        errors: Errors = []
        if month and not MONTH.match(month):
            errors.append({"field": "month", "message": gettext(lang_of(request), "ui.err_month")})
            month = ""
        data = await ledger.ledger(principal=principal, month=month or None)
        return page(request, "finance/ledger.html", 400 if errors else 200, books=data, errors=errors)

    @get("/statements/{month:str}", opt=UNIVERSITY)
    async def statement(self, principal: Principal, month: str) -> Response[bytes]:
        if not MONTH.match(month):
            raise NotFound(Msg("ui.err_month_format"))
        name, pdf = await ledger.monthly_statement(principal=principal, month=month)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "private, no-store"},
        )


class TransferPages(Controller):
    """The platform admin's desk: bank transfers waiting for confirmation (each after a confirmation step), and bank
    statement files, matched in a job whose progress page refreshes itself until the report is there."""

    include_in_schema = False
    path = "/admin/transfers"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ADMIN)
    async def pending(self, request: AnyRequest, done: str = "") -> Template:
        return await transfers_page(request, done=done if done == "confirmed" else "")

    @get("/{payment_id:int}/confirm", opt=ADMIN)
    async def confirm_step(self, request: AnyRequest, principal: Principal, payment_id: int) -> Template:
        transfer = await payments.transfer_to_confirm(principal=principal, payment_id=payment_id)
        return confirm_page(request, transfer, action=f"/admin/transfers/{payment_id}/confirm", back=self.path)

    @post("/{payment_id:int}/confirm", opt=ADMIN)
    async def confirm(self, request: AnyRequest, principal: Principal, payment_id: int) -> Any:
        if not confirmed(await form_of(request)):  # the confirmation step first: nothing is done yet
            transfer = await payments.transfer_to_confirm(principal=principal, payment_id=payment_id)
            return confirm_page(request, transfer, action=f"/admin/transfers/{payment_id}/confirm", back=self.path)
        try:
            await payments.confirm_bank_transfer(principal=principal, payment_id=payment_id)
        except Conflict as exc:  # already confirmed; another's or an unknown payment stays a 404
            return await transfers_page(request, errors=market_messages(exc, lang_of(request)), status=exc.status)
        return Redirect(path="/admin/transfers?done=confirmed")

    @post("/statement", opt=ADMIN, request_max_body_size=payments.STATEMENT_BODY_CAP)
    async def statement(self, request: AnyRequest, principal: Principal) -> Any:
        lang = lang_of(request)
        upload = (await form_of(request)).get("file")
        content = await upload.read() if isinstance(upload, UploadFile) and upload.filename else b""
        if not content:
            errors = [{"field": "file", "message": gettext(lang, "ui.err_statement_file")}]
            return await transfers_page(request, errors=errors, status=400)
        assert isinstance(upload, UploadFile)
        try:
            run = await payments.queue_statement(principal=principal, filename=upload.filename, content=content)
        except MarketError as exc:
            return await transfers_page(request, errors=market_messages(exc, lang), status=exc.status)
        return Redirect(path=f"/admin/transfers/statements/{run.id}")

    @get("/statements/{run_id:int}", opt=ADMIN)
    async def statement_run(self, request: AnyRequest, run_id: int, offset: int = 0) -> Template:
        run = await payments.statement_run(run_id=run_id)
        offset = max(0, offset)
        rows = (
            await payments.statement_lines(run_id=run_id, lang=lang_of(request), offset=offset, limit=REPORT_PAGE)
            if run.status == "done"
            else []
        )
        return page(
            request,
            "finance/statement_run.html",
            run=run,
            rows=rows,
            offset=offset,
            page_size=REPORT_PAGE,
            refresh=run.status in ("queued", "running"),
        )


async def transfers_page(
    request: AnyRequest, *, errors: Errors | None = None, done: str = "", status: int = 200
) -> Template:
    max_bytes, max_rows = payments.statement_limits()
    return page(
        request,
        "finance/transfers.html",
        status,
        transfers=await payments.pending_transfers(),
        runs=await payments.statement_runs(),
        errors=errors or [],
        done=done,
        limits={"mb": max_bytes // (1024 * 1024), "rows": max_rows},
    )
