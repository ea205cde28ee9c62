from __future__ import annotations

from piccolo.columns import JSON, BigInt, Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from market.orgs.tables import Organisation


class InsuranceProduct(Table, tablename="finance_insurance_product"):
    """An insurer's product: the series whose terms are versioned (``InsuranceProductVersion``). ``version`` is the
    version in force; a change inserts the next version and moves it (conditionally: of two editors, one wins).
    Published or withdrawn as a whole; an application keeps the version id it used."""

    id = Serial(primary_key=True)
    insurer = ForeignKey(Organisation, null=False, index=True)
    code = Varchar(length=60)
    natural_key = Varchar(length=80, unique=True)  # "insurer:code"
    kind = Varchar(length=30)  # enforcement, infringement_loss, overseas_liability, pledge_guarantee
    status = Varchar(length=12, default="published")  # published, withdrawn
    version = Integer(default=1)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)


class InsuranceProductVersion(Table, tablename="finance_insurance_product_version"):
    """One version of a product's terms, never changed once written (one row per product and version)."""

    id = Serial(primary_key=True)
    product = ForeignKey(InsuranceProduct, null=False, index=True)
    version = Integer()
    natural_key = Varchar(length=80, unique=True)  # "product:version"
    name_zh = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    wording_version = Varchar(length=60, default="")
    territory = Varchar(length=40, default="CN")
    retroactive_days = Integer(default=0)
    per_claim_limit_minor = BigInt(null=True, default=None)  # None: from the premium table
    aggregate_limit_minor = BigInt(null=True, default=None)  # None: from the premium table
    deductible_minor = BigInt(default=0)
    currency = Varchar(length=3, default="CNY")
    premium_table = JSON(default="{}")
    questionnaire_version = Integer(default=1)
    questionnaire = JSON(default="[]")  # [{key, kind, material, label | label_zh, label_en}]
    documents = JSON(default="[]")  # finance.dossiers Requirement.as_json
    approval_thresholds = JSON(default="[]")  # [[above_minor, approvals], ...]
    refusal_needs_second = Boolean(default=False)
    min_remaining_years = Integer(default=0)
    term_months = Integer(default=12)
    quote_valid_days = Integer(default=30)
    loss_share_bp = Integer(default=0)
    patent_kinds = JSON(default="[]")  # empty: every kind
    source = Text(default="")
    reliability = Varchar(length=20, default="")
    note = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
