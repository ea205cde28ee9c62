"""The Stripe webhook; bank transfers confirmed by the payee university or the platform; statement files."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from finance.payments import service
from finance.payments.schemas import PaymentOut, PaymentStartIn, StatementRowOut, StatementRunOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import FieldError, ValidationFailed
from market.i18n import Msg
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import public, signed_in

WEBHOOK_PATH = "/api/payments/stripe/webhook"
ADMIN = signed_in(OrgKind.platform_admin)
PARTIES = signed_in(OrgKind.university, OrgKind.sme)
LICENSEE = signed_in(OrgKind.sme)
UNIVERSITY = signed_in(OrgKind.university)
UNIVERSITY_OWNER = signed_in(OrgKind.university, owner=True)


class StripeWebhookController(Controller):
    path = WEBHOOK_PATH
    tags = ["payments"]

    @post("/", opt=public(), summary="Stripe webhook: verified, stored once by event id, processed in a job")
    async def receive(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        payload = await request.body()
        row_id, event = await service.receive_webhook(
            payload=payload, signature=request.headers.get("stripe-signature")
        )
        return Response(
            {"received": event.id, "duplicate": row_id is None}, status_code=202 if row_id is not None else 200
        )


class AdminPaymentController(Controller):
    path = "/api/admin/payments"
    tags = ["payments"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/transfers", opt=ADMIN, summary="Bank transfers waiting for confirmation")
    async def pending(self, lang: str) -> list[PaymentOut]:
        return localized(await service.pending_transfers(), lang)

    @post("/{payment_id:int}/confirm", opt=ADMIN, status_code=HTTP_200_OK, summary="Confirm a bank transfer arrived")
    async def confirm(self, principal: Principal, payment_id: int, lang: str) -> PaymentOut:
        return localized(await service.confirm_bank_transfer(principal=principal, payment_id=payment_id), lang)

    @get("/refunds-due", opt=ADMIN, summary="Money received for something no longer due: to be given back")
    async def refunds_due(self, lang: str) -> list[PaymentOut]:
        return localized(await service.refunds_due(), lang)

    @post(
        "/{payment_id:int}/refunded",
        opt=ADMIN,
        status_code=HTTP_200_OK,
        summary="Record that a refund-due payment was given back",
    )
    async def refunded(self, principal: Principal, payment_id: int, lang: str) -> PaymentOut:
        return localized(await service.mark_refunded(principal=principal, payment_id=payment_id), lang)

    @post(
        "/statement",
        opt=ADMIN,
        status_code=HTTP_202_ACCEPTED,
        request_max_body_size=service.STATEMENT_BODY_CAP,
        summary="Upload a bank statement (CSV); it is matched against the open references in a job",
        description="Files over `MARKET_STATEMENT_MAX_BYTES` (20 MB) or `MARKET_STATEMENT_MAX_ROWS` (200,000 rows) "
        "are refused with 413. Follow the run at `GET /api/admin/payments/statements/{id}`.",
    )
    async def statement(
        self,
        principal: Principal,
        data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> StatementRunOut:
        upload = data.get("file")
        if upload is None:
            required = Msg("payment.statement_file_required")
            raise ValidationFailed(required, errors=[FieldError("file", required, code="required")])
        content = await upload.read()
        return await service.queue_statement(principal=principal, filename=upload.filename or "", content=content)

    @get("/statements", opt=ADMIN, summary="Recent statement files and their progress")
    async def statement_runs(self) -> list[StatementRunOut]:
        return await service.statement_runs()

    @get("/statements/{run_id:int}", opt=ADMIN, summary="A statement file's progress (rows done of total)")
    async def statement_run(self, run_id: int) -> StatementRunOut:
        return await service.statement_run(run_id=run_id)

    @get("/statements/{run_id:int}/rows", opt=ADMIN, summary="A matched statement's report, one verdict per row")
    async def statement_rows(
        self,
        run_id: int,
        lang: str,
        offset: Annotated[int, Parameter(ge=0, le=10_000_000)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 200,
        status: list[str] | None = None,
    ) -> list[StatementRowOut]:
        return await service.statement_lines(run_id=run_id, lang=lang, offset=offset, limit=limit, statuses=status)


class UniversityTransferController(Controller):
    """The university whose account receives a bank transfer confirms it arrived (its owners)."""

    path = "/api/university/transfers"
    tags = ["payments"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY, summary="Bank transfers waiting to arrive in my university's account")
    async def pending(self, principal: Principal, lang: str) -> list[PaymentOut]:
        return localized(await service.pending_transfers_to(principal=principal), lang)

    @post(
        "/{payment_id:int}/confirm",
        opt=UNIVERSITY_OWNER,
        status_code=HTTP_200_OK,
        summary="Confirm that a bank transfer arrived in my university's account (owners)",
    )
    async def confirm(self, principal: Principal, payment_id: int, lang: str) -> PaymentOut:
        return localized(await service.confirm_receipt(principal=principal, payment_id=payment_id), lang)


class LicencePaymentController(Controller):
    """Paying for a licence, under the licence's path."""

    path = "/api/licences"
    tags = ["licences"]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/{licence_id:int}/payments",
        opt=LICENSEE,
        status_code=HTTP_201_CREATED,
        summary="Pay the amount due now (Stripe methods or bank transfer)",
    )
    async def start_payment(
        self, principal: Principal, licence_id: int, data: JSONBody[PaymentStartIn], lang: str
    ) -> PaymentOut:
        return localized(await service.start(principal=principal, licence_id=licence_id, data=data), lang)

    @get("/{licence_id:int}/payments", opt=PARTIES, summary="Payments of a licence")
    async def list_payments(self, principal: Principal, licence_id: int, lang: str) -> list[PaymentOut]:
        return localized(await service.for_licence(principal=principal, licence_id=licence_id), lang)

    @post(
        "/{licence_id:int}/payments/{payment_id:int}/test-pay",
        opt=LICENSEE,
        status_code=HTTP_200_OK,
        summary="Test mode only: pay with Stripe's test card",
    )
    async def test_pay(self, principal: Principal, licence_id: int, payment_id: int, lang: str) -> PaymentOut:
        return localized(
            await service.pay_in_test_mode(principal=principal, payment_id=payment_id, licence_id=licence_id), lang
        )
