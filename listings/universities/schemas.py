from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, field_validator

from market.kit.schema import INTEGER_ONLY, Out, Schema

DEFAULT_SHARE_BP = 5000  # 促进科技成果转化法第四十五条: absent an agreement, at least 50% of net licensing income
MIN_SHARE_BP = 2000  # the product's floor (Beijing's rule of 20%); below it the setting is refused
SHARE_ARTICLE = "law.transformation.art45"


class UniversitySettingsIn(Schema, json_schema_extra={"examples": [{"inventor_reward_share_bp": 5000}]}):
    inventor_reward_share_bp: Annotated[int, INTEGER_ONLY] = Field(
        ge=MIN_SHARE_BP,
        le=10_000,
        description="Share of net licensing income paid to inventors, in basis points (5000 = 50%); at least 20%.",
    )


class UniversitySettingsOut(Out):
    org_id: int
    inventor_reward_share_bp: int
    is_default: bool
    article: str = SHARE_ARTICLE
    updated_at: datetime | None


ALIAS_KINDS = ("former", "formal", "english")
ALIAS_ARTICLE = "law.patent.art50+regs.art85"  # the declaration states the patentee's name


class AliasIn(
    Schema,
    json_schema_extra={
        "examples": [
            {
                "name": "浙江农业大学",  # words: data
                "kind": "former",
                "evidence_note": "1998年并入浙江大学",  # words: data
                "evidence_ref": "教发〔1998〕10号",  # words: data
            }
        ]
    },
):
    """Another name the university is recorded under as patentee, with its evidence: a note and a document reference
    (the number of a notice of the name change, or of a registration certificate)."""

    name: str = Field(min_length=2, max_length=200)
    kind: str = Field(default="former", pattern="^(former|formal|english)$")
    evidence_note: str = Field(min_length=2, max_length=2000)
    evidence_ref: str = Field(min_length=2, max_length=300)

    @field_validator("name", "evidence_note", "evidence_ref", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class AliasOut(Out):
    id: int
    name: str
    kind: str
    evidence_note: str
    evidence_ref: str
    created_at: datetime
