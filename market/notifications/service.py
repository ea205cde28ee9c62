"""Notify a user: one row per dedupe key, so a job that runs twice notifies once.

A notification is stored as a catalogue code with parameters (and a body code), never as text: it is rendered in
the reader's language when listed (the API in ``Accept-Language``, pages in the page's language) and in an e-mail
in the recipient's locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.errors import NotFound, json_params
from market.i18n import Msg, gettext, language_of, render
from market.kit.message_json import params_from_json, params_to_json
from market.notifications import repository
from market.notifications.links import LINK_PARAM, path_of
from market.notifications.records import NotificationRecord
from market.notifications.schemas import NotificationOut
from market.orgs import service as orgs

TITLE_LENGTH = 200
LEGACY = "notification.legacy"  # a text written in one language at the time (old rows, listings alerts)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# What other modules read of notifications: through this service, never the repository.
notification_by_dedupe_key = repository.by_dedupe_key


@dataclass(frozen=True)
class Rendered:
    """A notification as its recipient reads it: for an e-mail."""

    user_id: int
    email: str
    lang: str
    title: str
    body: str
    link: str = ""  # absolute: MARKET_BASE_URL and the object's path ("" for none)


async def notify(
    *, user_id: int, kind: str, message: Msg, dedupe_key: str, body: Msg | None = None, link: str = ""
) -> bool:
    """Write the notification unless one with this key exists; True if written. ``message`` is the title and
    ``body`` the text under it; they share one set of parameters (the body's win on a clash). ``link`` is the path
    of its object when its dedupe key does not name it (market.notifications.links)."""
    if await repository.exists(dedupe_key):
        return False
    params = {**message.params, **(body.params if body else {})}
    stored = params_to_json(params)
    if link:
        stored[LINK_PARAM] = link
    await repository.insert(
        user_id=user_id,
        kind=kind,
        code=message.code,
        params=stored,
        body_code=body.code if body else "",
        dedupe_key=dedupe_key,
    )
    return True


async def notify_members(
    *, org_id: int, kind: str, message: Msg, dedupe_key: str, body: Msg | None = None, link: str = ""
) -> None:
    """Tell every member of the organisation, one notification each (``dedupe_key`` gets the member's id)."""
    for member in await orgs.members_of_org(org_id):
        await notify(user_id=member.user_id, kind=kind, message=message, body=body, link=link,
                     dedupe_key=f"{dedupe_key}:{member.user_id}")  # fmt: skip


def _messages(row: NotificationRecord) -> tuple[Msg, Msg | None]:
    params = params_from_json({k: v for k, v in row.params.items() if k != LINK_PARAM})
    title = Msg(row.code, params)
    return title, (Msg(row.body_code, params) if row.body_code else None)


def rendered_title_and_body(row: NotificationRecord, lang: str) -> tuple[str, str]:
    title, body = _messages(row)
    return render(title, lang)[:TITLE_LENGTH], render(body, lang) if body else ""


def written_in(row: NotificationRecord, text: str, lang: str) -> str:
    """The language the reader sees it in: theirs, except a text written at the time in another (a legacy row)."""
    if row.code != LEGACY:
        return lang
    return "zh" if _HAN.search(text) else "en"


def link_of(row: NotificationRecord, org_kind: str) -> str:
    """The path of the notification's object for a reader in an organisation of ``org_kind``; "" for none."""
    return path_of(params=row.params, dedupe_key=row.dedupe_key, org_kind=org_kind)


def out(row: NotificationRecord, lang: str, org_kind: str = "") -> NotificationOut:
    title, body = rendered_title_and_body(row, lang)
    message, _ = _messages(row)
    return NotificationOut(
        id=row.id,
        kind=row.kind,
        code=message.code,
        params=json_params(message.params, lang),
        title=title,
        body=body,
        link=link_of(row, org_kind),
        lang=written_in(row, title + body, lang),
        created_at=row.created_at,
        read_at=row.read_at,
    )


async def list_mine(*, principal: Principal, lang: str, limit: int = 50, offset: int = 0) -> list[NotificationOut]:
    """Mine, newest first, in ``lang``, each with the path of its object (for the organisation I act for)."""
    kind = principal.org_kind.value
    return [out(r, lang, kind) for r in await repository.for_user(principal.user_id, limit=limit, offset=offset)]


async def unread_count(user_id: int) -> int:
    return await repository.unread_count(user_id)


async def mark_read(*, principal: Principal, notification_id: int, lang: str) -> NotificationOut:
    row = await repository.get(notification_id)
    if row is None or row.user != principal.user_id:
        raise NotFound(Msg("notification.not_found"))
    if row.read_at is None:
        await repository.mark_read(notification_id, datetime.now(UTC))
        row = await repository.get(notification_id)
        assert row is not None
    return out(row, lang, principal.org_kind.value)


async def mark_all_read(*, principal: Principal) -> int:
    """Mark all mine read; how many were unread."""
    return await repository.mark_all_read(principal.user_id, datetime.now(UTC))


async def for_email(dedupe_key: str, base_url: str = "") -> Rendered | None:
    """The notification of this key as its recipient reads it (the account's locale), or None if there is none.
    The body ends with the absolute link to its object (``base_url``: MARKET_BASE_URL) when it has one."""
    row = await repository.by_dedupe_key(dedupe_key)
    if row is None:
        return None
    contact = await accounts.contact(row.user)
    if contact is None:
        return None
    lang = language_of(contact.locale)
    title, body = rendered_title_and_body(row, lang)
    memberships = await orgs.memberships_of_user(row.user)
    path = link_of(row, memberships[0].org_kind if memberships else "")
    link = f"{base_url.rstrip('/')}{path}" if path and base_url else ""
    if link:
        body = "\n\n".join(part for part in (body, gettext(lang, "notes.email.open", link=link)) if part)
    return Rendered(user_id=contact.user_id, email=contact.email, lang=lang, title=title, body=body, link=link)
