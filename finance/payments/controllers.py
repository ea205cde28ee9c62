"""The Stripe webhook, and the platform's confirmation of bank transfers."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from finance.payments import service
from finance.payments.schemas import PaymentOut, PaymentStartIn, StatementReportOut
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
        status_code=HTTP_200_OK,
        request_max_body_size=10 * 1024 * 1024,
        summary="Match a bank statement (CSV) against the open references",
    )
    async def statement(
        self,
        principal: Principal,
        data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
        lang: str,
    ) -> StatementReportOut:
        upload = data.get("file")
        if upload is None:
            required = Msg("payment.statement_file_required")
            raise ValidationFailed(required, errors=[FieldError("file", required, code="required")])
        content = await upload.read()
        return await service.match_statement(principal=principal, data=content, lang=lang)


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
