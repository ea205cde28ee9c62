"""Notifications are links to their object (issue 16, point 5): derived from the dedupe key for the reader's side of
the object, or stored by the writer; relative on pages and in the API, absolute (MARKET_BASE_URL) in e-mails;
every kind of dedupe key the code writes leads somewhere or is known to have no object."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from market.accounts import service as accounts
from market.i18n import Msg, gettext
from market.jobs import unit_of_work
from market.notifications import service as notifications
from market.notifications.links import ROUTES, case_path, derived_path, path_of
from market.notifications.service import notify
from tests.conftest import Backend, Client, make_account, sign_in

ROOT = Path(__file__).resolve().parents[2]
NO_OBJECT = {"welcome"}  # a greeting: the notifications page shows it whole
KEY = re.compile(
    r'(?:dedupe_key\s*=\s*|^\s*key\s+=\s+|_notify_members\(\s*\w+(?:\.\w+)?,\s*"\w+",\s*)f"([a-z_-]+)[:{]', re.M
)


@pytest.mark.parametrize(
    ("key", "kind", "path"),
    [
        ("licence:12:activated:7", "sme", "/licences/12"),
        ("licence:12:activated:8", "university", "/licences/12"),
        ("voucher-claim:5:filed:3", "voucher_issuer", "/issuer/voucher-claims/5"),
        ("voucher-claim:5:refused:3", "sme", "/sme/vouchers/orders/5"),
        ("voucher-claim-ready:5:3", "service_provider", "/provider/voucher-claims/5"),
        ("pledge:9:approved:4", "bank", "/bank/pledges/9"),
        ("pledge:9:approved:4", "sme", "/sme/pledges/9"),
        ("insurance:3:accepted:2", "insurer", "/insurer/applications/3"),
        ("insurance_claim:4:assessed-1:2", "sme", "/sme/claims/4"),
        ("insurance_claim:4:guarantee-2:2", "bank", "/bank/claims"),
        ("desk:21:breached:6", "bank", "/desk/cases/21"),
        ("cnipa:8:1:published:2", "university", "/declarations/8"),
        ("need:4:77", "sme", "/listings/77"),
        ("need:4:digest:70", "sme", "/needs/4"),
        ("saved:2:77", "sme", "/listings/77"),
        ("welcome:3", "sme", ""),
        ("pledge:9:approved:4", "insurer", ""),  # no page of that object on this side
        ("licence:abc", "sme", ""),  # no id
    ],
)
def test_a_dedupe_key_leads_to_the_page_of_its_object_for_the_readers_side(key: str, kind: str, path: str) -> None:
    assert derived_path(key, kind) == path


def test_a_stored_link_wins_and_only_a_path_of_this_site_is_taken() -> None:
    assert path_of(params={"@link": "/declarations/3"}, dedupe_key="cnipa-reminder:9:1:2", org_kind="") == (
        "/declarations/3"
    )
    assert path_of(params={"@link": "//evil.example/x"}, dedupe_key="licence:4:x:1", org_kind="sme") == "/licences/4"
    assert path_of(params={"@link": "https://evil.example"}, dedupe_key="welcome:1", org_kind="sme") == ""
    assert case_path("voucher_claim", 6, "sme") == "/sme/vouchers/orders/6"
    assert case_path("subsidy_claim", 6, "sme") == "/sme/subsidies/6"


def test_every_kind_of_notification_the_code_writes_leads_somewhere_or_has_no_object() -> None:
    """Each dedupe-key prefix written in the code is routed (or stores its link, or is a greeting): a new kind of
    notification without a page fails here."""
    prefixes: dict[str, set[str]] = {}
    for package in ("market", "listings", "finance"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if "notify" not in text:
                continue
            for found in KEY.finditer(text):
                prefixes.setdefault(found.group(1), set()).add(str(path.relative_to(ROOT)))
    assert {"licence", "voucher-claim", "pledge", "insurance", "cnipa-reminder"} <= set(prefixes), prefixes
    stored = {"cnipa-reminder", "letter"}  # these pass link= (their key names a version, a letter)
    unrouted = {p: files for p, files in prefixes.items() if p not in ROUTES and p not in NO_OBJECT | stored}
    assert not unrouted, unrouted


async def test_the_api_and_the_email_carry_the_link(backend: Backend, client: Client) -> None:
    firm = await make_account("sme")
    async with unit_of_work():
        await notify(
            user_id=firm.user_id,
            kind="licence_activated",
            message=Msg("notification.licence_activated", {"number": "OL-LC-2026-000042"}),
            dedupe_key=f"licence:42:activated:{firm.user_id}",
        )
        await notify(
            user_id=firm.user_id,
            kind="cnipa_reminder",
            message=Msg("notification.welcome"),
            dedupe_key=f"cnipa-reminder:9:1:{firm.user_id}",
            link="/declarations/3",
        )
    await sign_in(client, firm)
    listed = (await client.get("/api/notifications")).json()
    assert [n["link"] for n in listed] == ["/declarations/3", "/licences/42"]  # newest first
    assert all("@link" not in n["params"] for n in listed)

    note = await notifications.for_email(f"licence:42:activated:{firm.user_id}", "https://market.example.cn/")
    assert note is not None and note.link == "https://market.example.cn/licences/42"
    assert note.body.endswith(gettext("zh", "notes.email.open", link="https://market.example.cn/licences/42"))
    unlinked = await notifications.for_email(f"licence:42:activated:{firm.user_id}")
    assert unlinked is not None and unlinked.link == "" and "http" not in unlinked.body


async def test_unread_counted_and_marked_read_all_at_once_and_the_language_kept(backend: Backend) -> None:
    """The repository work under the page (both databases): the count, "mark all read", the account's language."""
    firm = await make_account("sme")
    principal = await accounts.principal_for(user_id=firm.user_id, org_id=firm.org_id)
    assert principal is not None
    async with unit_of_work():
        for n in range(3):
            await notify(user_id=firm.user_id, kind="t", message=Msg("notification.welcome"), dedupe_key=f"t:{n}")
    assert await notifications.unread_count(firm.user_id) == 3
    listed = await notifications.list_mine(principal=principal, lang="zh")
    assert [n.id for n in listed] == sorted((n.id for n in listed), reverse=True)
    async with unit_of_work():
        await notifications.mark_read(principal=principal, notification_id=listed[0].id, lang="zh")
        assert await notifications.mark_all_read(principal=principal) == 2
    assert await notifications.unread_count(firm.user_id) == 0

    assert await accounts.language_of_user(firm.user_id) == "zh"
    assert await accounts.remember_language(user_id=firm.user_id, lang="en-GB") == "en"
    assert await accounts.language_of_user(firm.user_id) == "en"
    assert await accounts.remember_language(user_id=firm.user_id, lang="fr") == "zh"  # unknown: the default


async def test_the_api_counts_unread_and_marks_all_read(backend: Backend, client: Client) -> None:
    firm = await make_account("sme")
    async with unit_of_work():
        for n in range(2):
            await notify(user_id=firm.user_id, kind="t", message=Msg("notification.welcome"), dedupe_key=f"u:{n}")
    await sign_in(client, firm)
    assert (await client.get("/api/notifications/unread")).json() == {"unread": 2, "marked": 0}
    marked = await client.send_json("POST", "/api/notifications/read-all")
    assert marked.status_code == 200 and marked.json() == {"unread": 0, "marked": 2}
    assert all(n["read_at"] for n in (await client.get("/api/notifications")).json())
