"""Letters' reactions: the applicant's members are told of a letter, with its text as the notification's body
(the same text the PDF shows, in the reader's language)."""

from __future__ import annotations

from finance.letters import service as letters
from market.events import on
from market.i18n import Msg
from market.notifications.links import case_path
from market.notifications.service import notify
from market.orgs import service as org_service


@on("letters.issued")
async def letter_issued(*, letter_id: int) -> None:
    found = await letters.applicant_members(letter_id)
    if found is None:
        return
    letter, case, members = found
    title = Msg("letters.notification.title", {"reference": case.reference})
    body = Msg("letters.notification.body", {"text_zh": letter.text_zh, "text_en": letter.text_en})
    applicant = await org_service.org_by_id(case.applicant_org)
    link = case_path(case.kind, case.subject, applicant.kind if applicant else "")
    for user_id in members:
        await notify(
            user_id=user_id,
            kind="decision_letter",
            message=title,
            body=body,
            dedupe_key=f"letter:{letter_id}:{user_id}",
            link=link,  # the page of what the letter decides
        )
