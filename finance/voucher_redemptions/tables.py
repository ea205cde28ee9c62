from __future__ import annotations

from piccolo.columns import JSON, BigInt, Bytea, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class VoucherRedemption(Table, tablename="finance_voucher_redemption"):
    """One spending of a voucher entitlement: an SME's order of a catalogued service, the voucher's share of a
    licence's amount due, or (enterprise-reimbursed programmes) the SME's own claim for a service it paid in full.
    Its life (``machine.RedemptionMachine``) is a conditional update on (status, version); its claim is reviewed on
    the desk (kind ``voucher_claim``, ``case``). What it was made on is frozen here: the programme version, the price
    as read, the voucher's part line by line, the hold on the entitlement and the cap rows it reserved."""

    id = Serial(primary_key=True)
    source = Varchar(length=12)  # licence, service, reimbursed
    programme = Integer(index=True)  # finance_voucher_programme.id
    programme_version = Integer(default=1)
    entitlement = Integer(index=True)  # finance_voucher_entitlement.id
    hold = Integer(null=True, default=None, index=True)  # finance_voucher_hold.id, once placed
    hold_ref = Varchar(length=80, default="")
    sme = ForeignKey(Organisation, null=False, index=True)  # the voucher's holder
    provider = ForeignKey(Organisation, null=False, index=True)  # the listed provider (a university for licences)
    payee = Integer()  # who the settlement pays: the provider, or the SME in the reimbursed mode
    issuer = Integer(index=True)  # the programme's issuer (the desk's reviewer organisation)
    category = Varchar(length=30)
    licence = Integer(null=True, default=None, index=True)  # finance_licence.id (source licence)
    service = Integer(null=True, default=None)  # finance_voucher_service.id (source service)
    # "licence:L" / "service:S:O..." while the redemption is live; NULL once closed: one live redemption per licence.
    live_key = Varchar(length=80, null=True, default=None, unique=True)
    title = Varchar(length=300, default="")  # the service or licence as read
    price_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    share_bp = Integer(default=0)
    voucher_minor = BigInt(default=0)  # the voucher's part, held
    captured_minor = BigInt(null=True, default=None)
    lines = JSON(default="[]")  # the voucher part's lines as computed
    caps = JSON(default="[]")  # the cap rows' keys it reserved under
    region = Varchar(length=12, default="")  # the SME's region code
    period_key = Varchar(length=12, default="")  # the programme period of the hold ("2027", "2027H1", "programme")
    status = Varchar(length=12, default="ordered")
    version = Integer(default=0)
    case = Integer(null=True, default=None, unique=True)  # finance_desk_case.id, once the claim is filed
    reference = Varchar(length=40, default="")  # the claim's desk reference (VC-2026-000012), once filed
    copay = JSON(default="{}")  # the proof of the co-pay as read (a licence: its succeeded payment)
    refusal = JSON(default="[]")  # the refusal's reason codes (claim refused, order declined or cancelled)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    held_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    captured_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    settled_batch = Integer(null=True, default=None, index=True)  # finance_voucher_batch.id (voucher_settlements)
    settled_at = Timestamptz(null=True, default=None)


class VoucherDeliverable(Table, tablename="finance_voucher_deliverable"):
    """The deliverable a provider hands over with a service (before any claim exists), hashed; copied into the
    claim's dossier when the claim is filed. One per redemption (a new one replaces it while not accepted)."""

    id = Serial(primary_key=True)
    redemption = ForeignKey(VoucherRedemption, null=False, unique=True)
    filename = Varchar(length=120)
    content_type = Varchar(length=80)
    content = Bytea()
    sha256 = Varchar(length=64)
    uploaded_by = Integer(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class VoucherClaimCap(Table, tablename="finance_voucher_claim_cap"):
    """A running total under one of a programme's caps across claims: a firm's total in a period
    (``period:P:O:2027``) and over the programme (``firm:P:O``). A hold adds its amount with a conditional update
    the database decides (``reserved + amount <= limit``); a release gives it back; a capture moves it to
    ``captured`` (the uncaptured rest released)."""

    id = Serial(primary_key=True)
    key = Varchar(length=120, unique=True)
    scope = Varchar(length=12)  # period, firm
    programme = Integer(index=True)
    org = Integer(index=True)
    period_key = Varchar(length=12, default="")
    limit_minor = BigInt(default=0)
    reserved_minor = BigInt(default=0)  # held and captured
    captured_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    updated_at = Timestamptz(default=TimestamptzNow())


class VoucherShareAlert(Table, tablename="finance_voucher_share_alert"):
    """An outsized-share alert raised once per (programme, provider, period): the provider's captured total and the
    programme's when it was raised."""

    id = Serial(primary_key=True)
    natural_key = Varchar(length=120, unique=True)  # "programme:provider:period"
    programme = Integer(index=True)
    provider = Integer()
    period_key = Varchar(length=12)
    provider_minor = BigInt()
    programme_minor = BigInt()
    share_bp = Integer()
    threshold_bp = Integer()
    raised_at = Timestamptz(default=TimestamptzNow())
