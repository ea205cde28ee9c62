from __future__ import annotations

from piccolo.columns import JSON, BigInt, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from finance.licences.tables import Licence


class LicencePayment(Table, tablename="finance_payment"):
    """One payment asked of a licensee: the amount due on a licence, or a royalty invoice."""

    id = Serial(primary_key=True)
    licence = ForeignKey(Licence, null=False, index=True)
    purpose = Varchar(length=12)  # initial, royalty
    royalty_report = Integer(null=True, default=None)
    method = Varchar(length=16)  # card, alipay, wechat_pay, bank_transfer
    provider = Varchar(length=16)  # stripe, bank_transfer
    provider_id = Varchar(length=64, default="", index=True)  # the PaymentIntent id, or the bank reference
    reference = Varchar(length=20, default="")  # bank transfer reference to quote
    amount_minor = BigInt()
    currency = Varchar(length=3, default="CNY")
    platform_fee_minor = BigInt(default=0)
    # awaiting_payer, processing (open); succeeded, canceled, refund_due (money received for something no longer
    # due: to be given back), refunded. Each change is a conditional update on (status, version).
    status = Varchar(length=16, default="awaiting_payer")
    version = Integer(default=0)
    idempotency_key = Varchar(length=80, unique=True)
    confirmed_by = Integer(null=True, default=None)  # the platform admin who confirmed a bank transfer
    created_at = Timestamptz(default=TimestamptzNow())
    succeeded_at = Timestamptz(null=True, default=None)


class PaymentEvent(Table, tablename="finance_payment_event"):
    """A provider's webhook event, stored once by (provider, event id) and processed in a job."""

    id = Serial(primary_key=True)
    provider = Varchar(length=16)
    event_id = Varchar(length=100)
    type = Varchar(length=80)
    object_id = Varchar(length=100, default="")
    payload = JSON(default={})
    received_at = Timestamptz(default=TimestamptzNow())
    deliveries = Integer(default=1)
    processed_at = Timestamptz(null=True, default=None)
    result = Varchar(length=200, default="")
