"""An SME finds a listing, requests the licence, pays in test mode and downloads the contract; the university that
owns the patent sees the licence, the payment and its ledger line.

The live server runs with a Stripe test key against localstripe (started by the suite, as the payments tests do)
through the localstripe bridge (MARKET_STRIPE_LOCALSTRIPE=true, market/integrations/payments/localstripe.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from market.seed import DEMO_ORGS, DEMO_PASSWORD
from tests.e2e.conftest import LiveServer
from tests.integrations.payments.conftest import localstripe_url  # noqa: F401 - the session's localstripe
from tests.integrations.payments.stripe_support import API_KEY, WEBHOOK_SECRET
from tests.support.services import need

pytestmark = pytest.mark.browser

SME_EMAIL = "sme@demo.market"
SME_NAME = next(name for _, name, email, _ in DEMO_ORGS if email == SME_EMAIL)
UNIVERSITY_EMAILS = {name: email for kind, name, email, _ in DEMO_ORGS if kind.value == "university"}
PAID_NOW = ("一次性支付许可使用费", "入门费")  # lump sum or entry fee: terms with an amount due now


@pytest.fixture(scope="module")
def live_server_env(localstripe_url: str) -> dict[str, str]:  # noqa: F811 - the fixture imported above
    return {
        "MARKET_STRIPE_API_KEY": API_KEY,
        "MARKET_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MARKET_STRIPE_API_BASE": localstripe_url,
        "MARKET_STRIPE_LOCALSTRIPE": "true",
    }


def pdf_text(data: bytes, tmp_path: Path) -> str:
    need(shutil.which("pdftotext") is not None, "pdftotext is not installed (apt-get install poppler-utils)")
    path = tmp_path / "contract.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)  # names and numbers may be broken across lines by the layout


async def sign_in_as(page: Any, email: str) -> None:
    await page.goto("/sign-in")
    await page.get_by_label("电子邮箱").fill(email)
    await page.get_by_label("密码").fill(DEMO_PASSWORD)
    await page.get_by_label("密码").press("Enter")  # keyboard submission
    await page.wait_for_url(re.compile(r"/dashboard"))


async def open_a_listing_with_a_payment_due(page: Any) -> str:
    """From /listings, open listings one by one until one's terms ask for a payment now; its university."""
    await page.goto("/listings")
    links = page.locator("main a[href^='/listings/']")
    hrefs = [h for h in await links.evaluate_all("els => els.map(e => e.getAttribute('href'))") if h]
    hrefs = [h for h in hrefs if re.fullmatch(r"/listings/\d+", h)]
    assert hrefs, "no listings on /listings"
    for href in dict.fromkeys(hrefs):
        await page.locator(f"main a[href='{href}']").first.click()
        await page.wait_for_url(re.compile(re.escape(href) + "$"))
        terms = await page.locator("#listing-terms").inner_text()
        university = await page.locator("#listing-university a").inner_text()
        if any(word in terms for word in PAID_NOW) and university in UNIVERSITY_EMAILS:
            return university
        await page.go_back()
    raise AssertionError("no listing on the first page asks for a lump sum or an entry fee")


async def test_sme_takes_pays_and_downloads_then_the_university_sees_it(
    live_server: LiveServer, browser_page: Any, tmp_path: Path
) -> None:
    seeded = live_server.cli("seed", "--demo", "--listings", "30")
    assert seeded.returncode == 0, seeded.stderr
    page = browser_page
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)

    # The SME finds a listing whose terms need a payment now and requests the licence.
    await sign_in_as(page, SME_EMAIL)
    university = await open_a_listing_with_a_payment_due(page)
    await page.get_by_role("link", name="申请许可").click()
    await page.wait_for_url(re.compile(r"/listings/\d+/request$"))
    patent_number = (await page.locator("#req-patent-number").inner_text()).strip()
    due = (await page.locator("#req-due").inner_text()).strip()
    assert int(await page.locator("#req-due").get_attribute("data-minor")) > 0
    await page.get_by_label("统一社会信用代码").fill("91330100MA2H3K4L5P")
    await page.get_by_label("单位地址").fill("浙江省杭州市西湖区文三路 90 号")
    await page.get_by_role("button", name="提交，获得许可").click()  # not ticked: the page says why
    assert "书面通知" in await page.locator("#form-errors").inner_text()
    await page.get_by_label("我接受公告的许可条件（专利法第五十一条）").check()
    await page.get_by_role("button", name="提交，获得许可").click()
    await page.wait_for_url(re.compile(r"/licences/\d+\?done=requested$"))
    licence_url = page.url.split("?")[0]
    number = (await page.locator("#licence-number").inner_text()).strip()
    assert await page.locator("#licence-status").get_attribute("data-status") == "pending_payment"
    assert (await page.locator("#licence-due").inner_text()).strip() == due
    assert "Stripe.js" in await page.locator("#pay-online-note").inner_text()  # live card entry: not in this build

    # Pays in test mode (the server confirms with Stripe's test card on localstripe): active at once.
    await page.get_by_role("button", name="测试模式付款（Stripe 测试卡）").click()
    await page.wait_for_url(re.compile(r"/licences/\d+\?done=paid$"))
    assert await page.locator("#licence-status").get_attribute("data-status") == "active"
    assert await page.locator("#payments-table tr[data-status='succeeded'][data-method='card']").count() == 1

    # The contract is rendered by a job; the page refreshes itself until the download link is there.
    link = page.locator("#download-contract")
    await link.wait_for(timeout=60_000)
    async with page.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert download.suggested_filename == f"{number}.pdf"
    pdf = Path(await download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    response = await page.request.get(licence_url + "/contract")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert await response.body() == pdf
    text = pdf_text(pdf, tmp_path)
    for expected in (SME_NAME, university, patent_number):
        assert re.sub(r"\s+", "", expected) in text, expected
    assert "实施细则第十五条" in await page.locator("#filing").inner_text()  # what the CNIPA filing needs, by when

    # The university that owns the patent sees the licence, the payment and its ledger line.
    await page.get_by_role("button", name="退出").click()
    await page.wait_for_url(re.compile(r"/sign-in"))
    await sign_in_as(page, UNIVERSITY_EMAILS[university])
    await page.locator("#dash-licences").click()
    await page.wait_for_url(re.compile(r"/licences$"))
    row = page.locator(f"#licences tr[data-licence='{number}']")
    assert await row.get_attribute("data-status") == "active"
    assert SME_NAME in await row.inner_text()
    await row.get_by_role("link", name=number).click()
    await page.wait_for_url(re.compile(r"/licences/\d+$"))
    assert (await page.locator("#licence-licensee").inner_text()).strip() == SME_NAME
    paid = page.locator("#payments-table tr[data-status='succeeded']")
    assert await paid.count() == 1 and due in await paid.inner_text() and "已到账" in await paid.inner_text()
    assert await page.locator("#download-contract").is_visible()

    await page.get_by_role("link", name="收入台账").first.click()
    await page.wait_for_url(re.compile(r"/ledger$"))
    line = page.locator(f"#ledger tr[data-licence='{number}']")
    assert await line.count() == 1
    cells = await line.inner_text()
    assert due in cells and patent_number in cells and SME_NAME in cells
    assert due in await page.locator("#total-gross").inner_text()
    assert await page.get_by_role("link", name=re.compile("月度对账单")).count() >= 1
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors  # nothing inline
