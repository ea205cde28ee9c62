from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class VoucherProgramme(Table, tablename="finance_voucher_programme"):
    """A service or innovation voucher programme (服务券 / 创新券) run by a ``voucher_issuer`` organisation: the
    series whose terms are versioned (``VoucherProgrammeVersion``). ``version`` is the version in force; an edit
    inserts the next version and moves it conditionally (of two editors, one wins). Every decision made under the
    programme (an entitlement, a provider's listing, a claim) keeps the version it was made under. ``closed_reason``
    says why a programme closed ("issuer", or "budget_exhausted" when its budget is all committed)."""

    id = Serial(primary_key=True)
    issuer = ForeignKey(Organisation, null=False, index=True)
    code = Varchar(length=60)
    natural_key = Varchar(length=120, unique=True)  # "issuer:code"
    status = Varchar(length=12, default="draft")  # draft, open, closed
    closed_reason = Varchar(length=30, default="")
    version = Integer(default=1)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    opened_at = Timestamptz(null=True, default=None)


class VoucherProgrammeVersion(Table, tablename="finance_voucher_programme_version"):
    """One version of a programme's terms, never changed once written (unique per programme and version): the mode,
    the categories (code → share of the price in basis points and an optional per-claim cap), the caps (per claim,
    per period, per firm) in minor units, the value kind (an amount, or vouchers of a face value), validity in
    months, application windows, budget, accepted regions (prefixes of org region codes), qualifications required
    and favoured, review tiers, four-eyes thresholds, settlement cycle, redemption documents, the providers' public
    notice period, the no-double-funding declaration, and where the figures come from."""

    id = Serial(primary_key=True)
    programme = ForeignKey(VoucherProgramme, null=False, index=True)
    version = Integer()
    natural_key = Varchar(length=80, unique=True)  # "programme:version"
    name_zh = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    mode = Varchar(length=30, default="provider_redeems")  # provider_redeems (通兑), enterprise_reimbursed (通用)
    value_kind = Varchar(length=20, default="amount")  # amount, face_value
    face_value_minor = BigInt(null=True, default=None)
    max_vouchers_per_use = Integer(null=True, default=None)
    currency = Varchar(length=3, default="CNY")
    categories = JSON(default="{}")  # {code: {"share_bp": int, "cap_minor": int | null}}
    per_claim_minor = BigInt(null=True, default=None)
    per_period_minor = BigInt(null=True, default=None)
    period = Varchar(length=20, default="year")  # year, half_year, programme
    per_firm_minor = BigInt(null=True, default=None)
    validity_months = Integer(default=12)
    windows = JSON(default="[]")  # [[opens_on, closes_on], ...] ISO dates
    budget_minor = BigInt(null=True, default=None)
    regions = JSON(default="[]")  # region code prefixes; empty: any
    required = JSON(default="[]")  # qualification kinds, all required
    favoured = JSON(default="[]")  # qualification kinds raising priority
    review_tiers = JSON(default="[]")  # ["district", "city"]
    approval_thresholds = JSON(default="[]")  # [[above_minor, approvals], ...]
    refusal_needs_second = Boolean(default=False)
    settlement_cycle = Varchar(length=20, default="half_yearly")  # monthly, quarterly, half_yearly
    documents = JSON(default="[]")  # redemption documents required
    notice_days = Integer(default=7)
    declaration_zh = Text(default="")
    declaration_en = Text(default="")
    source = Text(default="")
    reliability = Varchar(length=20, default="")
    note = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
