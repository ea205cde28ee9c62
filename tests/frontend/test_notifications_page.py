"""The notifications page (issue 16, point 5): newest first; unread said in words (not colour alone); the header counts
the unread; "mark read" and "mark all read" are forms with CSRF; opening a notification marks it read and goes to its
object; another user's notification is not found; a text written in the other language keeps its lang."""

from __future__ import annotations

import re

from frontend.render import helpers, words
from market.accounts import service as accounts
from market.i18n import Msg, gettext, ngettext
from market.jobs import unit_of_work
from market.notifications import service as notifications
from market.notifications.service import notify
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.frontend.test_finance_pages import post_form

HTML = {"accept": "text/html"}


async def three_notifications(account: Account) -> None:
    async with unit_of_work():
        await notify(
            user_id=account.user_id,
            kind="welcome",
            message=Msg("notification.welcome"),
            body=Msg("notification.welcome.body"),
            dedupe_key=f"welcome:{account.user_id}",
        )
        await notify(
            user_id=account.user_id,
            kind="licence_activated",
            message=Msg("notification.licence_activated", {"number": "OL-LC-2026-000042"}),
            dedupe_key=f"licence:42:activated:{account.user_id}",
        )
        await notify(
            user_id=account.user_id,
            kind="need_match",
            message=Msg("notification.legacy", {"title": "旧通知"}),  # words: data (a text written in Chinese)
            body=Msg("notification.legacy.body", {"body": "旧正文"}),  # words: data
            dedupe_key=f"need:5:77:{account.user_id}",
        )


def ids_in_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="n-(\d+)"', html)]


def item(html: str, note_id: int) -> str:
    start = html.index(f'<li id="n-{note_id}"')
    return html[start : html.index("</li>", start)]


async def test_newest_first_unread_in_words_and_counted_in_the_header(backend: Backend, client: Client) -> None:
    firm = await make_account("sme")
    await three_notifications(firm)
    await sign_in(client, firm)
    page = await client.get("/notifications", headers=HTML)
    assert page.status_code == 200
    ids = ids_in_order(page.text)
    assert len(ids) == 3 and ids == sorted(ids, reverse=True)  # newest first
    for note_id in ids:
        assert gettext("zh", "notes.ui.unread") in item(page.text, note_id)  # in words, beside each
    assert ngettext("zh", "notes.ui.nav_unread", "notes.ui.nav_unread", 3) in page.text  # the header's count
    licence = item(page.text, ids[1])
    assert gettext("zh", "notification.licence_activated", number="OL-LC-2026-000042") in licence
    assert f'href="/notifications/{ids[1]}"' in licence  # a link to open it
    assert 'href="/notifications/' not in item(page.text, ids[2]).split("<form")[0]  # a welcome leads nowhere
    dashboard = await client.get("/dashboard", headers=HTML)
    assert 'id="nav-notes"' in dashboard.text and "3" in dashboard.text.split('id="nav-notes"')[1].split("</a>")[0]


async def test_opening_marks_read_and_goes_to_the_object(backend: Backend, client: Client) -> None:
    firm = await make_account("sme")
    await three_notifications(firm)
    await sign_in(client, firm)
    ids = ids_in_order((await client.get("/notifications", headers=HTML)).text)
    opened = await client.get(f"/notifications/{ids[1]}", headers=HTML, follow_redirects=False)
    assert opened.status_code in (302, 303) and opened.headers["location"] == "/licences/42"
    alert = await client.get(f"/notifications/{ids[0]}", headers=HTML, follow_redirects=False)
    assert alert.headers["location"] == "/listings/77"  # the listing an alert found
    welcome = await client.get(f"/notifications/{ids[2]}", headers=HTML, follow_redirects=False)
    assert welcome.headers["location"] == f"/notifications#n-{ids[2]}"  # no object: itself, on the page
    page = await client.get("/notifications", headers=HTML)
    assert gettext("zh", "notes.ui.unread") not in page.text.split('id="notes"')[1]
    assert 'id="read-all"' not in page.text and 'id="nav-notes"' in page.text

    stranger = await make_account("sme")
    client.cookies.clear()
    await sign_in(client, stranger)
    assert (await client.get(f"/notifications/{ids[1]}", headers=HTML)).status_code == 404


async def test_mark_read_and_mark_all_read_are_forms_with_csrf(backend: Backend, client: Client) -> None:
    firm = await make_account("sme")
    await three_notifications(firm)
    await sign_in(client, firm)
    ids = ids_in_order((await client.get("/notifications", headers=HTML)).text)
    forged = await client.post(f"/notifications/{ids[0]}/read", headers=HTML)  # no CSRF token
    assert forged.status_code == 403
    one = await post_form(client, f"/notifications/{ids[0]}/read")
    assert one.status_code == 200 and 'id="done"' in one.text
    assert gettext("zh", "notes.ui.unread") not in item(one.text, ids[0])
    assert gettext("zh", "notes.ui.unread") in item(one.text, ids[1])
    assert ngettext("zh", "notes.ui.unread_count", "notes.ui.unread_count", 2) in one.text
    every = await post_form(client, "/notifications/read-all")
    assert every.status_code == 200 and gettext("zh", "notes.ui.all_read_done") in every.text
    assert all(gettext("zh", "notes.ui.unread") not in item(every.text, n) for n in ids)
    assert 'id="read-all"' not in every.text


async def test_the_english_page_is_english_and_an_old_chinese_text_keeps_its_lang(
    backend: Backend, client: Client
) -> None:
    firm = await make_account("sme")
    await three_notifications(firm)
    await sign_in(client, firm)
    await client.get("/lang/en?next=/notifications", headers=HTML)
    page = await client.get("/notifications", headers=HTML)
    ids = ids_in_order(page.text)
    assert '<html lang="en">' in page.text and "Unread" in page.text and "Mark all read" in page.text
    assert gettext("en", "notification.licence_activated", number="OL-LC-2026-000042") in page.text
    assert 'lang="zh-CN"' in item(page.text, ids[0]) and "旧通知" in item(page.text, ids[0])
    assert "lang=" not in item(page.text, ids[1]).split(">")[0]  # in the page's language


async def test_the_partial_renders_the_dashboards_list_too(backend: Backend, client: Client) -> None:
    """``{% include "_notifications.html" %}`` on the dashboard takes its ``notifications`` as they are."""
    firm = await make_account("sme")
    await three_notifications(firm)
    await sign_in(client, firm)
    principal = await accounts.principal_for(user_id=firm.user_id, org_id=firm.org_id)
    assert principal is not None
    listed = await notifications.list_mine(principal=principal, lang="en")
    template = client.app.template_engine.get_template("_notifications.html")
    html = template.render(lang="en", notifications=listed, **words("en"), **helpers("en"))
    assert ids_in_order(html) == [n.id for n in listed] and 'href="/notifications/' in html
    assert "Mark read" not in html  # the forms are the notifications page's
