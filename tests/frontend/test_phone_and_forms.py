"""Phones, keyboards and forms at the HTTP level (issue 16, points 2 and 6): every error of a form at once, beside its
field, with aria-invalid and aria-describedby pointing at a message that names the field; the header's menu button and
"more" menu; the search page's results before its filters, facets that apply on change and no search time shown; one
confirmation page before actions that cannot be undone."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from frontend.nav import BY_KIND
from listings.needs import service as needs
from market.accounts import service as accounts
from market.i18n import gettext
from tests.conftest import Client, make_account, sign_in
from tests.finance.support import principal_of

HTML = {"accept": "text/html"}


async def post_form(client: Client, url: str, data: dict[str, str]) -> Any:
    return await client.post(url, data=data, headers={"x-csrftoken": await client.csrf(), **HTML})


def tree(text: str) -> Any:
    return lxml.html.fromstring(text)


def described_errors(doc: Any) -> dict[str, str]:
    """Each invalid input's name -> the text of the error element its aria-describedby points at."""
    out = {}
    for field in doc.xpath('//main//*[@aria-invalid="true"]'):
        ids = (field.get("aria-describedby") or "").split()
        texts = [doc.get_element_by_id(i).text_content().strip() for i in ids if i.startswith("err-")]
        assert texts, f"{field.get('name')} is invalid but no error message is attached to it"
        out[field.get("name")] = texts[0]
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_sign_up_shows_every_error_at_once_beside_its_field(client: Client, lang: str) -> None:
    client.cookies.set("lang", lang)
    r = await post_form(
        client,
        "/sign-up",
        {"email": "not-an-address", "password": "short", "display_name": "", "org_name": "x",
         "org_kind": "sme", "credit_code": ""},
    )  # fmt: skip
    assert r.status_code == 400
    errors = described_errors(tree(r.text))
    assert set(errors) >= {"email", "password", "display_name", "org_name", "credit_code"}, errors
    for name, code in [("email", "ui.email"), ("password", "ui.password"), ("org_name", "ui.org_name")]:
        assert errors[name].startswith(gettext(lang, code)), errors[name]  # the message names its field


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_need_form_with_four_mistakes_reports_all_four(client: Client, lang: str) -> None:
    sme = await make_account("sme")
    await sign_in(client, sme)
    client.cookies.set("lang", lang)
    r = await post_form(
        client,
        "/needs",
        {"title": "x", "description": "", "tech_field": "", "budget_yuan": "a lot", "region": "12",
         "deadline": "2026-13-45"},
    )  # fmt: skip
    assert r.status_code == 400
    doc = tree(r.text)
    errors = described_errors(doc)
    assert set(errors) == {"title", "budget_yuan", "region", "deadline"}, errors
    labels = {"title": "ui.need_title", "budget_yuan": "ui.need_budget", "region": "ui.need_region",
              "deadline": "ui.need_deadline"}  # fmt: skip
    for name, code in labels.items():
        assert errors[name].startswith(gettext(lang, code)), errors[name]
    # the summary at the top lists them all too, each naming its field
    summary = [li.text_content() for li in doc.xpath('//*[@id="form-errors"]//li')]
    assert len(summary) == 4 and all(any(s.startswith(gettext(lang, c)) for c in labels.values()) for s in summary)
    # what was typed is kept
    assert doc.get_element_by_id("need-budget").get("value") == "a lot"


@pytest.mark.parametrize("kind", sorted(BY_KIND))
async def test_the_header_has_a_menu_button_and_a_more_menu(client: Client, kind: str) -> None:
    account = await make_account(kind)
    await sign_in(client, account)
    r = await client.get("/dashboard", headers=HTML)
    assert r.status_code == 200
    doc = tree(r.text)
    toggle = doc.get_element_by_id("menu-toggle")
    assert toggle.tag == "button" and toggle.get("aria-expanded") == "false"
    assert toggle.get("aria-controls") == "site-nav" and doc.get_element_by_id("site-nav").tag == "nav"
    primary = doc.xpath('//ul[@class="nav-primary"]/li[not(contains(@class, "nav-menu-item"))]/a')
    assert 3 <= len(primary) <= 6, [a.text_content() for a in primary]  # one line at 1280 px
    assert doc.xpath('//*[@id="nav-account"]//a[@href="/tokens"]')  # the user's own links under the name
    current = doc.xpath('//*[@id="site-nav"]//a[@aria-current="page"]/@href')
    assert current == ["/dashboard"]
    assert doc.xpath('//head/script[@src="/static/app.js"][@defer]')


async def test_a_link_under_more_marks_the_more_menu_as_current(client: Client) -> None:
    sme = await make_account("sme")
    await sign_in(client, sme)
    doc = tree((await client.get("/saved-searches", headers=HTML)).text)
    assert doc.xpath('//*[@id="nav-more"]/summary[@class="current"]')
    assert doc.xpath('//*[@id="nav-more"]//a[@href="/saved-searches"][@aria-current="page"]')


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_search_results_come_before_the_filters_which_apply_on_change(client: Client, lang: str) -> None:
    client.cookies.set("lang", lang)
    r = await client.get("/search?q=filter", headers=HTML)
    assert r.status_code == 200
    doc = tree(r.text)
    layout = doc.xpath('//*[@class="search-layout"]')[0]
    assert [child.tag for child in layout] == ["section", "aside"]  # results first, the filters after them
    drawer = doc.get_element_by_id("filters")
    assert drawer.tag == "details" and drawer.get("data-phone-closed") is not None
    assert doc.get_element_by_id("sort").get("data-autosubmit") is not None
    assert doc.get_element_by_id("apply-filters") is not None  # the button stays for pages without JavaScript
    count = doc.get_element_by_id("result-count")
    assert count.get("data-took-ms") is not None  # the time stays in the data, not in the words
    took = gettext(lang, "ui.took", ms="0").split("0")[0].strip()
    assert took and took not in r.text


# ------------------------------------------------------------------------------------ one confirmation component


async def ask_then_do(client: Client, url: str, button: str, data: dict[str, str] | None = None) -> Any:
    """The first POST answers the confirmation page (confirm.html, the button's words) and does nothing; the second,
    with confirmed=yes, does it."""
    asked = await post_form(client, url, dict(data or {}))
    assert asked.status_code == 200, asked.text
    doc = tree(asked.text)
    form = doc.get_element_by_id("confirm-form")
    assert form.get("action") == url
    assert doc.get_element_by_id("confirm-button").text_content().strip() == gettext("zh", button)
    assert doc.get_element_by_id("confirm-back") is not None
    return asked


async def test_irreversible_actions_ask_once_through_the_confirmation_page(client: Client) -> None:
    sme = await make_account("sme")
    await sign_in(client, sme)
    principal = await principal_of(sme)

    await post_form(client, "/tokens", {"name": "ERP"})
    (token,) = await accounts.list_tokens(principal=principal)
    await ask_then_do(client, f"/tokens/{token.id}/revoke", "ui.confirm_revoke_token")
    assert (await accounts.list_tokens(principal=principal))[0].revoked_at is None  # nothing done yet
    await post_form(client, f"/tokens/{token.id}/revoke", {"confirmed": "yes"})
    assert (await accounts.list_tokens(principal=principal))[0].revoked_at is not None

    made = await post_form(client, "/needs", {"title": "membrane filter", "description": ""})
    (need,) = await needs.list_needs(principal=principal)
    assert made.status_code == 200
    await ask_then_do(client, f"/needs/{need.id}/close", "ui.confirm_close_need")
    assert (await needs.get_need(principal=principal, need_id=need.id)).status == "open"
    await post_form(client, f"/needs/{need.id}/close", {"confirmed": "yes"})
    assert (await needs.get_need(principal=principal, need_id=need.id)).status != "open"
    await ask_then_do(client, f"/needs/{need.id}/delete", "ui.confirm_delete_need")
    assert len(await needs.list_needs(principal=principal)) == 1
    await post_form(client, f"/needs/{need.id}/delete", {"confirmed": "yes"})
    assert await needs.list_needs(principal=principal) == []

    await post_form(client, "/search/save", {"query": "q=membrane", "name": "membranes"})
    (saved,) = await needs.list_saved(principal=principal)
    await ask_then_do(client, f"/saved-searches/{saved.id}/delete", "ui.confirm_delete_saved")
    assert len(await needs.list_saved(principal=principal)) == 1
    await post_form(client, f"/saved-searches/{saved.id}/delete", {"confirmed": "yes"})
    assert await needs.list_saved(principal=principal) == []
