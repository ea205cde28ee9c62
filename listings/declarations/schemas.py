"""Declarations in and out: the terms (money as integer minor units with a currency), results and listings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from listings.declarations.eligibility import Reason
from market.kit.law import PaymentMode
from market.kit.schema import BasisPoints, MinorUnits, Out, Schema
from market.kit.words import MsgOut, Renderer

TERMS_EXAMPLE = {
    "payment_mode": "entry_plus_royalty",
    "currency": "CNY",
    "entry_fee_minor": 5_000_000,
    "royalty_rate_bp": 300,
    "term_years": 5,
    "other_matters": "许可范围：中国大陆；被许可人应在每个会计年度结束后三个月内报告净销售额。",  # words: data
}


class TermsIn(Schema, json_schema_extra={"examples": [TERMS_EXAMPLE]}):
    """The announced terms (Implementing Regulations Art 85: payment method and standard, licence term, other
    matters). Amounts are integer minor units (fen for CNY); the royalty rate is in basis points of net sales."""

    payment_mode: PaymentMode
    currency: str = Field(default="CNY", pattern="^CNY$", description="Open licences are announced in CNY.")
    lump_sum_minor: MinorUnits | None = Field(default=None, description="0 means royalty-free.")
    entry_fee_minor: MinorUnits | None = Field(default=None, gt=0)
    royalty_rate_bp: BasisPoints | None = Field(default=None, gt=0)
    royalty_base: Literal["net_sales", "profit"] = Field(
        default="net_sales",
        description="What the running royalty is a share of: net sales (at most 20%) or profit (at most 40%), "
        "2024 CNIPA notice.",
    )
    term_years: int | None = Field(default=None, ge=1, le=20, description="Empty: until the patent expires.")
    other_matters: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _mode_fields(self) -> TermsIn:
        need = {
            PaymentMode.lump_sum: {"lump_sum_minor"},
            PaymentMode.running_royalty: {"royalty_rate_bp"},
            PaymentMode.entry_plus_royalty: {"entry_fee_minor", "royalty_rate_bp"},
        }[self.payment_mode]
        given = {f for f in ("lump_sum_minor", "entry_fee_minor", "royalty_rate_bp") if getattr(self, f) is not None}
        missing, extra = need - given, given - need
        if missing:  # a catalogue code: the pages and the API say it in the reader's language
            raise ValueError(f"declaration.mode_needs.{self.payment_mode.value}")
        if extra:
            raise ValueError(f"declaration.mode_takes_no.{self.payment_mode.value}")
        if self.royalty_base != "net_sales" and self.royalty_rate_bp is None:
            raise ValueError("declaration.royalty_base_without_royalty")
        return self


class DeclareIn(
    Schema, json_schema_extra={"examples": [{"patent_ids": [1, 2], "terms": TERMS_EXAMPLE, "publish": True}]}
):
    """Declare one patent or many on the same terms; each is checked on its own."""

    patent_ids: list[int] = Field(min_length=1, max_length=500)
    terms: TermsIn
    publish: bool = Field(default=True, description="False keeps the declarations as drafts.")


class PricedPatentIn(Schema):
    patent_id: int
    terms: TermsIn


class DeclareEachIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "items": [
                    {"patent_id": 1, "terms": TERMS_EXAMPLE},
                    {"patent_id": 2, "terms": {"payment_mode": "running_royalty", "royalty_rate_bp": 450}},
                ],
                "publish": True,
            }
        ]
    },
):
    """Declare many patents, each on its own terms (its own price); each is checked on its own."""

    items: list[PricedPatentIn] = Field(min_length=1, max_length=500)
    publish: bool = Field(default=True, description="False keeps the declarations as drafts.")


class WithdrawIn(Schema, json_schema_extra={"examples": [{"reason": "专利权转让"}]}):  # words: data
    reason: str = Field(default="", max_length=500)


class ReasonOut(MsgOut):
    """A reason with its ``code`` (``not_granted``), ``field``, ``article`` (a catalogue code such as
    ``law.regs.art85``) and ``params``; ``message`` and ``article_text`` are in the reader's language."""

    field: str
    article: str
    article_text: str = ""

    @classmethod
    def of_reason(cls, reason: Reason) -> ReasonOut:
        return cls(code=reason.code, field=reason.field, article=reason.article, params=dict(reason.params))

    @property
    def catalogue_code(self) -> str:
        return f"declaration.{self.code}"

    def rendered(self, render: Renderer) -> ReasonOut:
        return self.model_copy(
            update={"message": render(self.catalogue_code, self.params), "article_text": render(self.article, {})}
        )


class DeclareResult(Out):
    patent_id: int
    number: str | None
    outcome: str  # published, draft, refused
    declaration_id: int | None = None
    reasons: list[ReasonOut] = []
    terms_summary: list[MsgOut] = Field(default=[], description="The terms this patent was checked on, in words.")


class DeclareReport(Out):
    published: int
    drafts: int
    refused: int
    results: list[DeclareResult]


class CnipaOut(Out):
    """A version's standing with CNIPA (Patent Law Art 50: CNIPA announces a declaration): ``draft``, ``pending``
    (published on the platform, to be filed with CNIPA: 待国家知识产权局公告) or ``announced`` (number and date)."""

    state: str
    published_on: date | None
    number: str | None
    announced_on: date | None
    status: MsgOut


class CnipaAnnouncementIn(
    Schema, json_schema_extra={"examples": [{"number": "CN2026-OL-000123", "announced_on": "2026-12-08"}]}
):
    """CNIPA's announcement of a published version: its number (公告号) and date (公告日), neither in the future
    nor before the version was published here. ``version``: the current one when left out."""

    number: str = Field(min_length=1, max_length=40, pattern=r"^[^\s<>]+( [^\s<>]+)*$")
    announced_on: date
    version: int | None = Field(default=None, ge=1, le=10_000)


class VersionOut(Out):
    version: int
    payment_mode: PaymentMode
    currency: str
    lump_sum_minor: int | None
    entry_fee_minor: int | None
    royalty_rate_bp: int | None
    royalty_base: str = "net_sales"
    term_years: int | None
    other_matters: str
    created_at: datetime
    published_at: datetime | None
    superseded_at: datetime | None
    summary: list[MsgOut] = Field(description="The terms in plain words, one message per part.")
    cnipa: CnipaOut | None = None


class DeclarationOut(Out):
    id: int
    org_id: int
    patent_id: int
    patent_number: str
    patent_title: str
    status: str
    current_version: int
    published_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str
    terms: VersionOut
    versions: list[VersionOut]
    cnipa: CnipaOut | None = Field(default=None, description="The current version's standing with CNIPA.")


class IpcFieldOut(Out):
    code: str
    field_zh: str
    field_en: str


class CnipaPatentOut(Out):
    number: str
    title: str
    kind: str
    patentees: list[str]
    filing_date: date | None
    grant_date: date | None
    expiry_date: date | None
    evaluation_report_ref: str


class CnipaFilingOut(Out):
    """What the university files with CNIPA for one event of a declaration: the fields the open-licence declaration
    form asks for (Patent Law Art 50; Implementing Regulations Art 85: patent number, patentee, payment method and
    standard, licence term, other matters; the evaluation report of a utility model or design), the previous terms
    of a revision, the reason and date of a withdrawal (licences granted stay valid, Art 50(2))."""

    event: str
    form: MsgOut
    declaration_id: int
    version: int
    published_on: date | None
    withdrawn_on: date | None
    declarant: str
    patent: CnipaPatentOut
    terms: VersionOut
    previous_terms: VersionOut | None = None
    withdrawal_reason: str = ""
    notes: list[MsgOut] = []
    articles: list[str]
    cnipa: CnipaOut
