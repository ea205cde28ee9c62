"""The ledger's reactions to other modules' events. Each is safe to run twice."""

from __future__ import annotations

from finance.ledger import service
from finance.licences import service as licences
from finance.payments import service as payments
from market.events import on
from market.kit.money import Money


@on("payment.settled")
async def enter_payment(*, payment_id: int, licence_id: int, platform_fee_bp: int, **_: object) -> None:
    """A payment was received: the university's ledger gets its entry, once, with the platform fee in force when the
    payment succeeded (carried by the event) and the inventor reward share in force now."""
    payment = await payments.payment_by_id(payment_id)
    licence = await licences.licence_by_id(licence_id)
    if payment is None or licence is None or payment.status != "succeeded" or payment.succeeded_at is None:
        return
    await service.record_payment(
        payment_id=payment.id,
        licence_id=licence.id,
        university_id=licence.licensor,
        licence_number=licence.number,
        licensee_name=licence.licensee_name,
        patent_id=licence.patent,
        payment_mode=licence.payment_mode,
        purpose=payment.purpose,
        received_at=payment.succeeded_at,
        amount=Money(payment.currency, payment.amount_minor),
        platform_fee_bp=platform_fee_bp,
        platform_fee=Money(payment.currency, payment.platform_fee_minor),
    )
