"""The insurance products module's records: what its repository returns, frozen. A version's terms are plain data
(premium table, questionnaire, checklist), so that ``quote`` and other modules read them without the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from finance.dossiers.checklist import Requirement
from market.kit.messages import Msg

INSURANCE_KINDS = ("enforcement", "infringement_loss", "overseas_liability", "pledge_guarantee")
SHAPES = ("base_plus_per_patent", "per_patent_by_tier")
FIRM_TIERS = ("sme", "champion")
QUESTION_KINDS = ("yes_no", "text", "number")
STATUSES = ("published", "withdrawn")
CUSTOM_QUESTION = "insurance_products.question.custom"

Shape = Literal["base_plus_per_patent", "per_patent_by_tier"]
QuestionKind = Literal["yes_no", "text", "number"]


@dataclass(frozen=True, slots=True)
class BaseTier:
    """Shape 1: up to ``max_patents`` patents (None: any number), a base premium, the aggregate limit as a multiple
    of the premium, and this tier's add-on per patent (None: the table's ``per_patent_minor``)."""

    max_patents: int | None
    base_minor: int
    limit_multiple: int
    per_patent_minor: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"max_patents": self.max_patents, "base_minor": self.base_minor, "limit_multiple": self.limit_multiple,
                "per_patent_minor": self.per_patent_minor}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FirmTierPrice:
    """Shape 2: the premium and the limit per patent for one firm tier (``sme``, ``champion``)."""

    tier: str
    per_patent_premium_minor: int
    per_patent_limit_minor: int

    def as_json(self) -> dict[str, Any]:
        return {"tier": self.tier, "per_patent_premium_minor": self.per_patent_premium_minor,
                "per_patent_limit_minor": self.per_patent_limit_minor}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PremiumTable:
    """One of two shapes: base tiers plus a per-patent add-on with limits as a multiple of the premium
    (``base_plus_per_patent``), or a premium and a limit per patent by firm tier (``per_patent_by_tier``)."""

    shape: Shape
    base_tiers: tuple[BaseTier, ...] = ()
    per_patent_minor: int = 0
    by_firm_tier: tuple[FirmTierPrice, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "shape": self.shape,
            "base_tiers": [t.as_json() for t in self.base_tiers],
            "per_patent_minor": self.per_patent_minor,
            "by_firm_tier": [t.as_json() for t in self.by_firm_tier],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PremiumTable:
        shape = str(data.get("shape") or "base_plus_per_patent")
        if shape not in SHAPES:
            raise ValueError(f"unknown premium table shape {shape!r}")
        return cls(
            shape=shape,  # type: ignore[arg-type]
            base_tiers=tuple(
                BaseTier(
                    max_patents=None if t.get("max_patents") is None else int(t["max_patents"]),
                    base_minor=int(t["base_minor"]),
                    limit_multiple=int(t["limit_multiple"]),
                    per_patent_minor=None if t.get("per_patent_minor") is None else int(t["per_patent_minor"]),
                )
                for t in data.get("base_tiers") or ()
            ),
            per_patent_minor=int(data.get("per_patent_minor") or 0),
            by_firm_tier=tuple(
                FirmTierPrice(
                    tier=str(t["tier"]),
                    per_patent_premium_minor=int(t["per_patent_premium_minor"]),
                    per_patent_limit_minor=int(t["per_patent_limit_minor"]),
                )
                for t in data.get("by_firm_tier") or ()
            ),
        )


def custom_question_label(label_zh: str, label_en: str = "") -> Msg:
    """A question an insurer wrote itself (data in both languages, not a catalogue entry)."""
    return Msg(CUSTOM_QUESTION, {"label_zh": label_zh, "label_en": label_en or label_zh})


@dataclass(frozen=True, slots=True)
class Question:
    """One underwriting question: its key (the answer's key), the kind of answer, its label and whether it is
    material (Insurance Law Art 16: a material fact not disclosed lets the insurer rescind)."""

    key: str
    kind: QuestionKind
    label: Msg
    material: bool = True

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "kind": self.kind, "material": self.material}
        if self.label.code == CUSTOM_QUESTION:
            out["label_zh"] = str(self.label.params.get("label_zh") or "")
            out["label_en"] = str(self.label.params.get("label_en") or "")
        else:
            out["label"] = self.label.code
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Question:
        kind = str(data.get("kind") or "yes_no")
        if kind not in QUESTION_KINDS:
            raise ValueError(f"unknown question kind {kind!r}")
        if data.get("label_zh"):
            label = custom_question_label(str(data["label_zh"]), str(data.get("label_en") or ""))
        else:
            label = Msg(str(data.get("label") or f"insurance_products.question.{data['key']}"))
        return cls(key=str(data["key"]), kind=kind, label=label, material=bool(data.get("material", True)))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """The underwriting questionnaire at one version: editing the questions makes the next version; an application
    keeps the version (and the product version) it answered."""

    version: int
    questions: tuple[Question, ...]

    def as_json(self) -> list[dict[str, Any]]:
        return [q.as_json() for q in self.questions]


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February: 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class InsuranceProductVersionRecord:
    """A product at one version: the series (product id, insurer, code, status, the version in force) and that
    version's terms. ``id`` is the version's id (what an application references)."""

    id: int
    product: int
    insurer: int
    code: str
    version: int
    current_version: int
    kind: str
    name_zh: str
    name_en: str
    wording_version: str
    territory: str
    retroactive_days: int
    per_claim_limit_minor: int | None
    aggregate_limit_minor: int | None
    deductible_minor: int
    currency: str
    premium_table: PremiumTable
    questionnaire: Questionnaire
    documents: tuple[Requirement, ...]
    approval_thresholds: tuple[tuple[int, int], ...]
    refusal_needs_second: bool
    min_remaining_years: int
    term_months: int
    quote_valid_days: int
    loss_share_bp: int
    patent_kinds: tuple[str, ...]
    source: str
    reliability: str
    note: str
    status: str
    created_at: datetime
    version_created_at: datetime
    published_at: datetime | None
    insurer_name: str = ""

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def in_force(self) -> bool:
        """This version is the product's version in force (an older one is kept for the applications on it)."""
        return self.version == self.current_version

    @property
    def four_eyes_above_minor(self) -> int | None:
        """The aggregate limit above which a second underwriter must approve (None: never)."""
        aboves = [above for above, approvals in self.approval_thresholds if approvals >= 2]
        return min(aboves) if aboves else None

    def approvals_for(self, amount_minor: int) -> int:
        needed = [n for above, n in self.approval_thresholds if amount_minor > above]
        return max(needed, default=1)

    def min_expiry(self, today: date) -> date:
        """The earliest expiry date a patent may have: ``min_remaining_years`` calendar years after ``today``."""
        return add_years(today, self.min_remaining_years)

    def term_long_enough(self, expiry: date, today: date) -> bool:
        """At least ``min_remaining_years`` left, compared as dates (2 years 364 days is not 3 years)."""
        return expiry >= self.min_expiry(today)

    def accepts_kind(self, patent_kind: str) -> bool:
        return not self.patent_kinds or patent_kind in self.patent_kinds
