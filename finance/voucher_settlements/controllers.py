"""Voucher settlement API: the issuer's batches (make, propose, approve by another member, send back, cancel, record
paid or upload the bank's return, download the bank file), the payees' statements, and the issuer's report (JSON
and CSV). Every state change carries the version the caller read (409 when stale)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.payees import service as payees
from finance.payees.schemas import PayeeAccountIn, PayeeAccountOut, PayeeOut
from finance.voucher_settlements import documents, reports, service
from finance.voucher_settlements.schemas import (
    ApproveIn,
    BatchCreateIn,
    BatchOut,
    MoveIn,
    PaidIn,
    ReportOut,
    StatementOut,
)
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer)
STATEMENT_READERS = signed_in(OrgKind.voucher_issuer, OrgKind.university, OrgKind.service_provider, OrgKind.sme)
PAYEE_OWNERS = signed_in(OrgKind.university, OrgKind.service_provider, OrgKind.sme, owner=True)
MAX_RETURN_BYTES = 10 * 1024 * 1024
CSV = "text/csv; charset=utf-8"


def attachment(name: str, content: bytes, media_type: str) -> Response[bytes]:
    return Response(content=content, media_type=media_type, headers={
        "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}", "x-content-type-options": "nosniff",
    })  # fmt: skip


async def return_file(request: Request[Any, Any, Any]) -> tuple[bytes, int]:
    """The multipart form's ``file`` (the bank's return) and ``expected_version``."""
    form = await request.form()
    found = form.get("file")
    version = str(form.get("expected_version", "")).strip()
    errors = []
    if not isinstance(found, UploadFile):
        errors.append(FieldError("file", Msg("voucher_settlement.return_needed"), code="required"))
    if not version.isdigit():
        errors.append(FieldError("expected_version", Msg("voucher_settlement.version_needed"), code="int_type"))
    if errors or not isinstance(found, UploadFile):
        raise ValidationFailed(Msg("voucher_settlement.return_invalid"), errors=errors)
    content = await found.read(MAX_RETURN_BYTES + 1)
    if len(content) > MAX_RETURN_BYTES:
        big = Msg("voucher_settlement.return_too_large")
        raise ValidationFailed(big, errors=[FieldError("file", big, code="too_large")])
    return content, int(version)


class VoucherSettlementController(Controller):
    path = "/api/v1/voucher-settlements"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER, summary="Issuer: its settlement batches, newest first")
    async def index(self, principal: Principal, lang: str, programme_id: int | None = None) -> list[BatchOut]:
        return localized(await service.batches_of(principal=principal, programme_id=programme_id), lang)

    @post("/", opt=ISSUER, status_code=HTTP_201_CREATED,
          summary="Issuer: the batch of a programme's captured, unsettled claims up to a cycle's end")  # fmt: skip
    async def create(self, principal: Principal, data: JSONBody[BatchCreateIn], lang: str) -> BatchOut:
        made = await service.create_batch(principal=principal, programme_id=data.programme_id, up_to=data.up_to)
        return localized(await service.get_batch(principal=principal, batch_id=made.id), lang)

    @get("/{voucher_batch_id:int}", opt=ISSUER, summary="Issuer: one batch with its lines")
    async def one(self, principal: Principal, voucher_batch_id: int, lang: str) -> BatchOut:
        return localized(await service.get_batch(principal=principal, batch_id=voucher_batch_id), lang)

    @post("/{voucher_batch_id:int}/propose", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: the maker proposes the batch (the bank file is written, its SHA-256 kept)")  # fmt: skip
    async def propose(self, principal: Principal, voucher_batch_id: int, data: JSONBody[MoveIn], lang: str) -> BatchOut:
        await service.propose(principal=principal, batch_id=voucher_batch_id, expected_version=data.expected_version,
                              text=data.text)  # fmt: skip
        return localized(await service.get_batch(principal=principal, batch_id=voucher_batch_id), lang)

    @post("/{voucher_batch_id:int}/approve", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: a different member approves the proposal (its maker: 403)")  # fmt: skip
    async def approve(self, principal: Principal, voucher_batch_id: int, data: JSONBody[ApproveIn],
                      lang: str) -> BatchOut:  # fmt: skip
        await service.approve(principal=principal, batch_id=voucher_batch_id, proposal_id=data.proposal_id,
                              expected_version=data.expected_version, text=data.text)  # fmt: skip
        return localized(await service.get_batch(principal=principal, batch_id=voucher_batch_id), lang)

    @post("/{voucher_batch_id:int}/send-back", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: send the proposal back (the next proposal reads the accounts again)")  # fmt: skip
    async def send_back(self, principal: Principal, voucher_batch_id: int, data: JSONBody[MoveIn],
                        lang: str) -> BatchOut:  # fmt: skip
        await service.send_back(principal=principal, batch_id=voucher_batch_id,
                                expected_version=data.expected_version, text=data.text)  # fmt: skip
        return localized(await service.get_batch(principal=principal, batch_id=voucher_batch_id), lang)

    @post("/{voucher_batch_id:int}/cancel", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: cancel a batch not yet approved (its claims go to the next batch)")  # fmt: skip
    async def cancel(self, principal: Principal, voucher_batch_id: int, data: JSONBody[MoveIn], lang: str) -> BatchOut:
        await service.cancel(principal=principal, batch_id=voucher_batch_id, expected_version=data.expected_version,
                             text=data.text)  # fmt: skip
        return localized(await service.get_batch(principal=principal, batch_id=voucher_batch_id), lang)

    @post("/{voucher_batch_id:int}/paid", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: every payable line was paid (date, bank reference)")  # fmt: skip
    async def paid(self, principal: Principal, voucher_batch_id: int, data: JSONBody[PaidIn], lang: str) -> BatchOut:
        await service.record_paid(principal=principal, batch_id=voucher_batch_id, paid_on=data.paid_on,
                                  reference=data.reference, expected_version=data.expected_version)  # fmt: skip
        return localized(await service.get_batch(principal=principal, batch_id=voucher_batch_id), lang)

    @post("/{voucher_batch_id:int}/return", opt=ISSUER, status_code=HTTP_200_OK,
          summary="Issuer: the bank's return (multipart file, expected_version): lines paid or failed")  # fmt: skip
    async def bank_return(self, principal: Principal, voucher_batch_id: int, request: Request[Any, Any, Any],
                          lang: str) -> BatchOut:  # fmt: skip
        await service.get_batch(principal=principal, batch_id=voucher_batch_id)  # another's: 404 whatever is posted
        content, version = await return_file(request)
        await service.reconcile(principal=principal, batch_id=voucher_batch_id, content=content,
                                expected_version=version)  # fmt: skip
        return localized(await service.get_batch(principal=principal, batch_id=voucher_batch_id), lang)

    @get("/{voucher_batch_id:int}/file", opt=ISSUER, summary="Issuer: the bank payment file (CSV, UTF-8 with BOM)")
    async def bank_file(self, principal: Principal, voucher_batch_id: int) -> Response[bytes]:
        name, content = await service.bank_file(principal=principal, batch_id=voucher_batch_id)
        return attachment(name, content, CSV)

    @get("/statements", opt=STATEMENT_READERS, summary="A payee's statements (an issuer: its batches' statements)")
    async def statements(self, principal: Principal, batch_id: int | None = None) -> list[StatementOut]:
        return await documents.statements_for(principal=principal, batch_id=batch_id)

    @get("/statements/{voucher_statement_id:int}/pdf", opt=STATEMENT_READERS, summary="One statement's PDF")
    async def statement_pdf(self, principal: Principal, voucher_statement_id: int) -> Response[bytes]:
        name, content = await documents.statement_pdf(principal=principal, statement_id=voucher_statement_id)
        return attachment(name, content, "application/pdf")

    @get("/payee-account", opt=STATEMENT_READERS, summary="The account my batches pay to, and earlier ones")
    async def payee_account(self, principal: Principal) -> PayeeOut:
        return await payees.mine(principal=principal)

    @put("/payee-account", opt=PAYEE_OWNERS, status_code=HTTP_200_OK,
         summary="Record the account batches pay to (户名: the own name); owners")  # fmt: skip
    async def record_payee_account(self, principal: Principal, data: JSONBody[PayeeAccountIn]) -> PayeeAccountOut:
        return await payees.record_account(principal=principal, data=data)


class VoucherReportController(Controller):
    path = "/api/v1/voucher-reports"
    tags = ["vouchers"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{voucher_programme_id:int}", opt=ISSUER,
         summary="Issuer: budget committed and paid, redemption rate, days to payment, by category, region, provider")
    async def report(self, principal: Principal, voucher_programme_id: int, lang: str) -> ReportOut:
        return await reports.report_for(principal=principal, programme_id=voucher_programme_id, lang=lang)

    @get("/{voucher_programme_id:int}/csv", opt=ISSUER, summary="Issuer: the report as CSV (UTF-8 with BOM)")
    async def report_csv(self, principal: Principal, voucher_programme_id: int, lang: str) -> Response[bytes]:
        found = await reports.report_for(principal=principal, programme_id=voucher_programme_id, lang=lang)
        return attachment(f"voucher-report-{voucher_programme_id}.csv", reports.to_csv(found), CSV)
