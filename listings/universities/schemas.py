from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

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
