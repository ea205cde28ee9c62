"""Issue 11's acceptance journey, in the browser: a copy of a demo university's name is refused at sign-up; a new
university signs up, verifies its e-mail, uploads evidence and is approved by the platform administrator, records
the account it is paid into and publishes; an SME takes the licence and is shown that account to pay into; the
university confirms receipt; the contract names both parties' credit codes and says that the declaration awaits
CNIPA's announcement."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from market.seed import DEMO_ORGS, DEMO_PASSWORD
from tests.e2e import test_university_journey as university_journey
from tests.e2e.conftest import LiveServer
from tests.e2e.test_licence_journey import pdf_text

pytestmark = pytest.mark.browser

UNIVERSITY = university_journey.UNIVERSITY
CREDIT_CODE = "12100000400000624D"
EMAIL = "tto@jiangnan-test.edu.cn"
PASSWORD = "a long enough passphrase"
ACCOUNT_NUMBER = "6222 0212 3456 7890"
SME_EMAIL = "sme@demo.market"
SME_CREDIT_CODE = "91330100MA2H3K4L5P"
DEMO_UNIVERSITY = next(name for kind, name, _, _ in DEMO_ORGS if kind.value == "university")
PAID = (date.today() + timedelta(days=365)).isoformat()
PATENT = "CN108982325B"
PATENTS_CSV = f"""number,kind,title_zh,patentees,filing_date,grant_date,ipc_codes,claims_count,annual_fees_paid_through
{PATENT},,{university_journey.GOOD_TITLE},{UNIVERSITY},2018-07-30,2020-05-12,G01N15/08,8,{PAID}
"""


async def fill_sign_up(page: Any, *, org_name: str, email: str) -> None:
    await page.goto("/sign-up")
    await page.get_by_label("电子邮箱").fill(email)
    await page.get_by_label("您的姓名").fill("李老师")
    await page.get_by_label("单位名称").fill(org_name)
    await page.get_by_label("单位类型").select_option("university")
    await page.get_by_label("统一社会信用代码").fill(CREDIT_CODE)
    await page.get_by_label("单位地址").fill("江苏省无锡市测试路 1 号")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_label("密码").press("Enter")


async def sign_in(page: Any, email: str, password: str) -> None:
    if "/sign-in" not in page.url:
        await page.goto("/sign-in")
    await page.get_by_label("电子邮箱").fill(email)
    await page.get_by_label("密码").fill(password)
    await page.get_by_label("密码").press("Enter")
    await page.wait_for_url(re.compile(r"/dashboard"))


async def sign_out(page: Any) -> None:
    await page.get_by_role("button", name="退出").click()
    await page.wait_for_url(re.compile(r"/sign-in"))


async def test_a_verified_university_is_paid_by_transfer_into_its_own_account(
    live_server: LiveServer, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    seeded = live_server.cli("seed", "--demo", "--listings", "0")
    assert seeded.returncode == 0, seeded.stderr

    # The impersonation path: a demo university's name, written with half-width brackets, is refused beside the field.
    copy = DEMO_UNIVERSITY.replace("（", "(").replace("）", ")")
    await fill_sign_up(page, org_name=copy, email="impostor@example.com")
    assert await page.locator("#err-org_name").is_visible()
    assert await page.locator("#sign-up-done").count() == 0

    # A new university signs up, verifies its e-mail, uploads evidence and is approved by the administrator.
    await fill_sign_up(page, org_name=UNIVERSITY, email=EMAIL)
    await page.locator("#sign-up-done").wait_for()
    await sign_in(page, EMAIL, PASSWORD)
    await university_journey.approved_by_the_platform(page, live_server, tmp_path)

    # It records the account it is paid into.
    await page.goto("/university/payee")
    assert await page.locator("#payee-missing").is_visible()
    await page.locator("#account_name").fill(UNIVERSITY)
    await page.locator("#bank_name").fill("中国工商银行无锡分行")
    await page.locator("#account_number").fill(ACCOUNT_NUMBER)
    await page.locator("#payee-form").get_by_role("button", name="保存").click()
    await page.locator("#saved").wait_for()
    assert ACCOUNT_NUMBER.replace(" ", "") in (await page.locator("#payee-current").inner_text()).replace(" ", "")

    # It imports its patent and publishes it for a lump sum, confirming first.
    await page.goto("/patents/import")
    upload = tmp_path / "patents.csv"
    upload.write_text(PATENTS_CSV, encoding="utf-8")
    await page.locator("input[type=file]").set_input_files(str(upload))
    await page.get_by_role("button", name="上传并导入").click()
    await page.wait_for_url(re.compile(r"/patents/import/\d+$"))
    await page.locator("#import-report").wait_for(timeout=30_000)
    assert await page.locator("#count-accepted").inner_text() == "1"
    await page.goto("/patents")
    await page.get_by_label(f"选择 {PATENT}").check()
    await page.get_by_role("button", name="为所选专利声明开放许可").click()
    await page.wait_for_url(re.compile(r"/declarations/new\?"))
    await page.locator("input[name=payment_mode][value=lump_sum]").check()
    await page.locator("#lump_sum_yuan").fill("8000")
    each = page.locator("td.price-each input[id^='lump_sum_yuan-']")
    if await each.count():
        await each.first.fill("8000")
    await page.get_by_role("button", name="发布", exact=True).click()
    await page.locator("#confirm-publish").wait_for()
    await page.locator("#confirm-button").click()
    await page.locator("#results").wait_for()
    published = page.locator('[data-outcome="published"]')
    assert await published.get_attribute("data-number") == PATENT
    await published.get_by_role("link", name="公开页面").click()
    await page.wait_for_url(re.compile(r"/listings/\d+$"))
    listing_url = page.url
    assert await page.locator(".verified").count() >= 1  # the 已认证 mark beside the university
    await sign_out(page)

    # The SME takes the licence and is shown the university's account to pay into.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(listing_url)
    await page.get_by_role("link", name="申请许可").click()
    await page.wait_for_url(re.compile(r"/listings/\d+/request$"))
    await page.get_by_label("统一社会信用代码").fill(SME_CREDIT_CODE)
    await page.get_by_label("单位地址").fill("浙江省杭州市西湖区文三路 90 号")
    await page.get_by_label("我接受公告的许可条件（专利法第五十一条）").check()
    await page.get_by_role("button", name="提交，获得许可").click()
    await page.wait_for_url(re.compile(r"/licences/\d+\?done=requested$"))
    licence_url = page.url.split("?")[0]
    assert await page.locator("#licence-status").get_attribute("data-status") == "pending_payment"
    await page.locator("#pay-bank").click()
    block = page.locator("dl.payee-block")
    await block.wait_for()
    shown = await block.inner_text()
    assert UNIVERSITY in shown and "中国工商银行无锡分行" in shown
    assert ACCOUNT_NUMBER.replace(" ", "") in shown.replace(" ", "")
    reference = (await block.locator("code").last.inner_text()).strip()
    assert reference
    await sign_out(page)

    # The university, whose account received the money, confirms receipt (after a confirmation step).
    await sign_in(page, EMAIL, PASSWORD)
    await page.goto("/university/transfers")
    row = page.locator("#transfers tr", has_text=reference)
    await row.get_by_role("link", name=re.compile("确认")).click()
    await page.locator("#transfer-facts").wait_for()
    assert reference in await page.locator("#transfer-facts").inner_text()
    await page.locator("#confirm-receipt").click()
    await page.locator("#done").wait_for()
    await page.goto(licence_url)
    assert await page.locator("#licence-status").get_attribute("data-status") == "active"

    # The contract: both parties' credit codes, and the declaration awaits CNIPA's announcement.
    link = page.locator("#download-contract")
    for _ in range(60):  # rendered by a job; the page refreshes itself until the link is there
        if await link.count():
            break
        await page.wait_for_timeout(1000)
        await page.goto(licence_url)
    response = await page.request.get(licence_url + "/contract")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(await response.body(), tmp_path)
    assert CREDIT_CODE in text and SME_CREDIT_CODE in text
    assert "国家知识产权局的公告尚待作出" in text
    assert "公告号" not in text
