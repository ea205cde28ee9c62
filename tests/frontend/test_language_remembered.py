"""The user's language is remembered (issue 16, acceptance: "A user who switched to English gets English e-mails,
notifications and PDFs"): switching to English on a page while signed in keeps English on the account, so the
e-mails and notifications written for them afterwards are English, signing in again (on any device) brings the
English pages back, and the documents they download carry the English text (contracts are bilingual, the Chinese
text prevailing: the same sealed file for both parties)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from finance.licences import service as licences
from market import runtime
from market.accounts import service as accounts
from market.i18n import gettext
from tests.conftest import PASSWORD, Backend, Client, make_account
from tests.finance.support import ENTRY, ROYALTY, offer
from tests.finance.test_licence_flow import pdftotext
from tests.frontend.test_finance_pages import FIRM, drain, post_form, take
from tests.support.mail import record_mail

HTML = {"accept": "text/html"}
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


async def sign_in_on_the_page(client: Client, email: str) -> Any:
    client.cookies.clear()
    return await post_form(client, "/sign-in", {"email": email, "password": PASSWORD, "next": "/dashboard"})


def visible_text(html: str) -> str:
    """The page's text outside elements marked as data (translate="no") or as another language (lang=...)."""
    body = html[html.index("<body") :]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    body = re.sub(r'<(\w+)[^>]*\btranslate="no"[^>]*>.*?</\1>', " ", body, flags=re.S)
    body = re.sub(r'<(\w+)[^>]*\blang="zh[^"]*"[^>]*>.*?</\1>', " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


async def test_a_user_who_switched_to_english_gets_english_emails_notifications_and_pdfs(
    backend: Backend, client: Client, tmp_path: Path
) -> None:
    mail = record_mail()
    _, _, royalty_offer = await offer(ROYALTY, name="浙江大学")
    _, _, entry_offer = await offer(ENTRY, name="清华大学", number="CN108982327B")
    firm = await make_account("sme", org_name=FIRM)  # signed up in Chinese (the account's locale is zh)
    assert (await sign_in_on_the_page(client, firm.email)).status_code == 200
    contact = await accounts.contact(firm.user_id)
    assert contact is not None and contact.locale == "zh"

    switched = await client.get("/lang/en?next=/dashboard", headers=HTML)
    assert switched.status_code == 200 and '<html lang="en">' in switched.text
    contact = await accounts.contact(firm.user_id)
    assert contact is not None and contact.locale == "en"  # kept on the account, not only in this browser

    # Signing in again with no cookie (another device): the pages are English at once.
    again = await sign_in_on_the_page(client, firm.email)
    assert again.status_code == 200 and str(again.url).endswith("/dashboard") and '<html lang="en">' in again.text

    # Notifications written after the switch: English, and links to their object.
    licence_id = await take(client, royalty_offer)  # a running royalty: active at once, its contract made
    await drain(client)
    page = await client.get("/notifications", headers=HTML)
    assert page.status_code == 200 and '<html lang="en">' in page.text
    licence = await licences.licence_by_id(licence_id)
    assert licence is not None
    ready = gettext("en", "notification.contract_ready", number=licence.number)
    assert ready in page.text
    assert not HAN.search(visible_text(page.text)), visible_text(page.text)
    item = page.text[: page.text.index(ready)].rsplit('<li id="n-', 1)[1]
    link = re.search(r'href="(/notifications/\d+)"', item)
    assert link, item
    opened = await client.get(link.group(1), headers=HTML)  # opening it goes to the licence
    assert opened.status_code == 200 and str(opened.url).endswith(f"/licences/{licence_id}")

    # An e-mail written after the switch (the bank transfer instructions): English, with the link to the licence.
    entry_licence = await take(client, entry_offer)
    paying = await post_form(client, f"/licences/{entry_licence}/payments", {"method": "bank_transfer"})
    assert paying.status_code == 200
    await drain(client)
    [(to, subject, text)] = [m for m in mail.sent if m[0] == firm.email]
    entry = await licences.licence_by_id(entry_licence)
    assert entry is not None and to == firm.email
    assert subject == gettext("en", "notification.transfer_requested", number=entry.number)
    base_url = runtime.current().base_url
    assert text.endswith(gettext("en", "notes.email.open", link=f"{base_url}/licences/{entry_licence}")), text
    assert "Open it" in text and not HAN.search(subject)

    # The contract PDF downloaded: its English text is there (bilingual; the Chinese text prevails).
    contract = await client.get(f"/licences/{licence_id}/contract", headers=HTML)
    assert contract.status_code == 200 and contract.content.startswith(b"%PDF")
    text = " ".join(pdftotext(contract.content, tmp_path).split())
    assert "the Chinese text prevails" in text and "Licensee" in text


async def test_switching_language_signed_out_keeps_the_account_as_it_was(backend: Backend, client: Client) -> None:
    firm = await make_account("sme")
    client.cookies.clear()
    switched = await client.get("/lang/en?next=/sign-in", headers=HTML)
    assert switched.status_code == 200 and '<html lang="en">' in switched.text
    contact = await accounts.contact(firm.user_id)
    assert contact is not None and contact.locale == "zh"
    # signing in brings the account's language back (the cookie said English; the account says Chinese)
    back = await post_form(client, "/sign-in", {"email": firm.email, "password": PASSWORD, "next": "/dashboard"})
    assert back.status_code == 200 and '<html lang="zh-CN">' in back.text


async def test_an_invitation_to_an_address_with_an_account_is_mailed_in_that_accounts_language(
    backend: Backend, client: Client
) -> None:
    mail = record_mail()
    owner = await make_account("university")
    invitee = await make_account("sme")
    await sign_in_on_the_page(client, invitee.email)
    await client.get("/lang/en?next=/dashboard", headers=HTML)  # the invitee reads English
    await sign_in_on_the_page(client, owner.email)  # the inviter's pages are Chinese
    invited = await client.send_json("POST", f"/api/orgs/{owner.org_id}/invitations", {"email": invitee.email})
    assert invited.status_code == 201, invited.text
    await drain(client)
    [(_, subject, _)] = [m for m in mail.sent if m[0] == invitee.email]
    assert subject == gettext("en", "mail.invitation.subject", org=owner.org_name)
