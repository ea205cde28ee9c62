"""Phones and keyboards in the browser (issue 16, point 2 and 6): at 375 px no page is wider than the screen (dashboard,
search, a listing, its licence request), the header stays small, the menu button opens the navigation from the
keyboard (aria-expanded), the "more" menu opens and closes with the keyboard at 1280 px, tables become labelled cards,
and the search filters sit in a drawer after the results and apply as soon as a facet changes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from market.seed import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}

# the widest element past the right edge, to say what overflows
OVERFLOW = """() => {
  const d = document.documentElement, w = d.clientWidth;
  let widest = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > w + 1 && (!widest || r.right > widest.right)) {
      widest = {right: Math.round(r.right), what: el.tagName + (el.id ? '#' + el.id : '') + '.' + el.className};
    }
  }
  return {scroll: d.scrollWidth, client: w, widest};
}"""


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> LiveServer:
    done = live_server.cli("seed", "--demo", "--listings", "40")
    assert done.returncode == 0, done.stderr
    return live_server


async def sign_in_as(page: Any, email: str) -> None:
    await page.goto("/sign-in")
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(DEMO_PASSWORD)
    await page.locator("#password").press("Enter")
    await page.wait_for_url(re.compile(r"/dashboard"))


async def assert_fits(page: Any, path: str) -> None:
    response = await page.goto(path)
    assert response.status == 200, path
    measured = await page.evaluate(OVERFLOW)
    assert measured["scroll"] <= measured["client"], f"{path} is wider than the phone: {measured}"


async def test_pages_fit_a_phone_and_the_header_stays_small(seeded: LiveServer, browser_page: Any) -> None:
    page = browser_page
    await page.set_viewport_size(PHONE)
    await sign_in_as(page, "sme@demo.market")
    for lang in ("zh", "en"):
        await page.goto(f"/lang/{lang}?next=/dashboard")
        await assert_fits(page, "/dashboard")
        header = await page.locator("header.top").bounding_box()
        assert header["height"] < 0.15 * PHONE["height"], header  # not 40% of the first screen
        assert not await page.locator("#site-nav").is_visible()  # folded behind the menu button
        await assert_fits(page, "/search?q=%E6%98%BE%E7%A4%BA")  # 显示
        listing = await page.locator("#hits li h2 a").first.get_attribute("href")
        await assert_fits(page, listing)
        request = page.locator("main a[href*='/licence']").first
        if await request.count():
            await assert_fits(page, await request.get_attribute("href"))
        await assert_fits(page, "/listings")
        await assert_fits(page, "/needs/new")


async def test_a_table_is_a_list_of_labelled_cards_on_a_phone(seeded: LiveServer, browser_page: Any) -> None:
    page = browser_page
    await page.set_viewport_size(PHONE)
    await sign_in_as(page, "university@demo.market")
    await page.goto("/dashboard")
    table = page.locator("main table.cards").first
    assert await table.count() == 1
    first_cell = table.locator("tbody td").first
    heading = (await table.locator("thead th").first.inner_text()).strip()
    assert await first_cell.get_attribute("data-label") == heading
    assert await table.locator("thead").evaluate("e => getComputedStyle(e).position") == "absolute"
    assert await table.locator("tbody tr").first.evaluate("e => getComputedStyle(e).display") == "block"
    label = await first_cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert heading in label


async def test_the_menu_button_opens_the_navigation_from_the_keyboard(seeded: LiveServer, browser_page: Any) -> None:
    page = browser_page
    await page.set_viewport_size(PHONE)
    await sign_in_as(page, "sme@demo.market")
    toggle = page.locator("#menu-toggle")
    assert await toggle.get_attribute("aria-expanded") == "false"
    for _ in range(6):  # skip link, brand, language, then the menu button
        await page.keyboard.press("Tab")
        if await toggle.evaluate("e => e === document.activeElement"):
            break
    assert await toggle.evaluate("e => e === document.activeElement"), "the menu button is not reached by Tab"
    await page.keyboard.press("Enter")
    assert await toggle.get_attribute("aria-expanded") == "true"
    assert await page.locator("#site-nav").is_visible()
    assert await page.locator("#site-nav a[href='/needs']").is_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    await page.keyboard.press("Escape")
    assert await toggle.get_attribute("aria-expanded") == "false"
    assert not await page.locator("#site-nav").is_visible()
    assert await toggle.evaluate("e => e === document.activeElement")  # focus back on the button


async def test_the_more_menu_opens_and_closes_with_the_keyboard(seeded: LiveServer, browser_page: Any) -> None:
    page = browser_page
    await page.set_viewport_size(DESKTOP)
    await sign_in_as(page, "sme@demo.market")
    for lang in ("zh", "en"):
        await page.goto(f"/lang/{lang}?next=/dashboard")
        # one line: every primary link and the menus on the header's single row
        tops = await page.locator("#site-nav > ul > li").evaluate_all(
            "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
        )
        assert len(set(tops)) == 1, f"the navigation wraps at 1280 px ({lang}): {tops}"
        assert not await page.locator("#menu-toggle").is_visible()
    more = page.locator("#nav-more")
    await more.locator("summary").focus()
    await page.keyboard.press("Enter")
    saved = more.locator("a[href='/saved-searches']")
    assert await saved.is_visible()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Escape")
    assert not await saved.is_visible()
    assert await more.locator("summary").evaluate("e => e === document.activeElement")


async def test_filters_sit_after_the_results_and_apply_on_change(seeded: LiveServer, browser_page: Any) -> None:
    page = browser_page
    await page.set_viewport_size(PHONE)
    await page.goto("/search?q=%E6%98%BE%E7%A4%BA")
    results = await page.locator("#hits").bounding_box()
    drawer = page.locator("#filters")
    assert await drawer.get_attribute("open") is None  # closed on a phone
    assert (await drawer.bounding_box())["y"] > results["y"]  # after the results
    await drawer.locator("summary").click()
    option = page.locator("#facet-payment_mode input[type=checkbox]").first
    expected = int(await option.get_attribute("data-count"))
    await option.check()  # no button pressed
    await page.wait_for_url(re.compile(r"payment_mode="))
    assert int(await page.locator("#result-count").get_attribute("data-total")) == expected
    assert await page.locator("#filters").get_attribute("open") is not None  # still open to pick the next facet
    assert await page.locator("#facet-payment_mode input[type=checkbox]:checked").count() == 1
