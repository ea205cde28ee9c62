"""A university signs up, imports a file of its patents through the upload page, declares two of them, sees one
refused with every reason and its article and the other published, and opens the public page of the published one."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from market.seed import DEMO_PASSWORD

pytestmark = pytest.mark.browser

UNIVERSITY = "江南测试大学"
GOOD_TITLE = "地下防污屏障材料化学相容性测试装置及方法"
PAID = (date.today() + timedelta(days=365)).isoformat()

# One granted invention, fees paid, in force (eligible); one utility model with no evaluation report and no annual
# fees recorded (refused under Patent Law Art 50 and Implementing Regulations Art 86(3)).
PATENTS_CSV = f"""number,kind,title_zh,patentees,filing_date,grant_date,ipc_codes,claims_count,annual_fees_paid_through
CN108982325B,,{GOOD_TITLE},{UNIVERSITY},2018-07-30,2020-05-12,G01N15/08,8,{PAID}
CN202223220665.2,,一种无人机机载多功能盒,{UNIVERSITY},2022-12-02,2023-03-28,B64U20/80,,
"""


async def approved_by_the_platform(page: Any, live_server: Any, tmp_path: Path) -> None:
    """The e-mail verified through its link, a scan of the certificate uploaded, then the platform administrator
    (the demo seed's) approves the university on the evidence review page; the university signs in again."""
    seeded = live_server.cli("seed", "--demo", "--listings", "0")
    assert seeded.returncode == 0, seeded.stderr
    await page.goto("/dashboard")
    assert await page.locator("#verification-status").is_visible()
    body = await page.locator(".notes").inner_text()
    link = re.search(r"/verify-email\?token=[\w.]+", body)
    assert link, body
    await page.goto(link.group(0))
    await page.get_by_role("button", name="确认电子邮箱").click()
    assert await page.locator("#email-verified").is_visible()
    await page.goto("/org/verification")
    scan = tmp_path / "法人证书.pdf"
    scan.write_bytes(b"%PDF-1.4\n% certificate scan\n%%EOF\n")
    await page.get_by_label("材料类型").select_option("legal_person_certificate")
    await page.get_by_label("文件").set_input_files(str(scan))
    await page.get_by_role("button", name="上传").click()
    await page.locator("#uploaded").wait_for()
    assert await page.locator("#org-status").get_attribute("data-status") == "pending"
    await page.get_by_role("button", name="退出").click()
    await page.get_by_label("电子邮箱").fill("admin@demo.market")
    await page.get_by_label("密码").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/dashboard"))
    await page.goto("/admin/orgs")
    card = page.locator("section.review", has_text=UNIVERSITY)
    assert "12100000400000624D" in await card.inner_text()
    assert await card.locator(".email-verified").get_attribute("data-verified") == "1"
    await card.locator("form[data-action=approve]").get_by_label("说明").fill("法人证书与代码一致")
    await card.locator("form[data-action=approve]").get_by_role("button", name="通过").click()
    await page.locator("#decided").wait_for()
    await page.get_by_role("button", name="退出").click()
    await page.get_by_label("电子邮箱").fill("tto@jiangnan-test.edu.cn")
    await page.get_by_label("密码").fill("a long enough passphrase")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/dashboard"))
    assert await page.locator("#verification-status").count() == 0


async def test_university_imports_declares_and_publishes(browser_page: Any, live_server: Any, tmp_path: Path) -> None:
    page = browser_page
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    await page.goto("/sign-up")
    await page.get_by_label("电子邮箱").fill("tto@jiangnan-test.edu.cn")
    await page.get_by_label("您的姓名").fill("李老师")
    await page.get_by_label("单位名称").fill(UNIVERSITY)
    await page.get_by_label("单位类型").select_option("university")
    await page.get_by_label("统一社会信用代码").fill("12100000400000624E")  # a wrong check character
    await page.get_by_label("单位地址").fill("江苏省无锡市测试路 1 号")
    await page.get_by_label("密码").fill("a long enough passphrase")
    await page.get_by_label("密码").press("Enter")  # keyboard submission
    assert "校验码" in await page.locator("#err-credit_code").inner_text()  # beside the field
    await page.get_by_label("统一社会信用代码").fill("12100000400000624D")
    await page.get_by_label("密码").fill("a long enough passphrase")
    await page.get_by_label("密码").press("Enter")
    # sign-up answers alike for a new and a taken address (which it does not reveal): then sign in
    await page.locator("#sign-up-done").wait_for()
    await page.locator("#go-sign-in").click()
    await page.get_by_label("电子邮箱").fill("tto@jiangnan-test.edu.cn")
    await page.get_by_label("密码").fill("a long enough passphrase")
    await page.get_by_label("密码").press("Enter")
    await page.wait_for_url(re.compile(r"/dashboard"))
    assert await page.locator("h1").get_attribute("data-kind") == "university"
    await approved_by_the_platform(page, live_server, tmp_path)

    # Import through the upload page, then wait for the report (the page refreshes itself while the job runs).
    await page.locator("#dash-import").click()  # the dashboard leads with the import
    await page.wait_for_url(re.compile(r"/patents/import$"))
    upload = tmp_path / "patents.csv"
    upload.write_text(PATENTS_CSV, encoding="utf-8")
    await page.get_by_label("文件（CSV 或 JSON Lines，最大 50 MB）").set_input_files(str(upload))
    await page.get_by_role("button", name="上传并导入").click()
    await page.wait_for_url(re.compile(r"/patents/import/\d+$"))
    await page.locator("#import-report").wait_for(timeout=30_000)
    assert await page.locator("#count-accepted").inner_text() == "2"
    assert await page.locator("#count-rejected").inner_text() == "0"
    assert await page.locator("#run-progress").get_attribute("value") == "100"

    # The patent list: filter with the keyboard, select both, declare.
    await page.get_by_role("link", name="查看本校专利").click()
    search = page.get_by_label("号码或名称包含")
    await search.fill("CN")
    await search.press("Enter")
    await page.wait_for_url(re.compile(r"/patents\?q=CN"))
    assert await page.locator("#patent-count").inner_text() == "共 2 件专利。"
    await page.get_by_label("选择 CN108982325B").check()
    await page.get_by_label("选择 CN202223220665.2").check()
    await page.get_by_role("button", name="为所选专利声明开放许可").click()
    await page.wait_for_url(re.compile(r"/declarations/new\?"))

    # The form is pre-filled with the suggestion and explains it factor by factor, in plain words; the working
    # and the sources are one click away.
    assert await page.locator("#factors li").count() >= 4
    assert not await page.locator("#factor-working").is_visible()
    await page.locator("#factor-sources summary").click()
    assert await page.locator("#factor-working tbody tr").count() == await page.locator("#factors li").count()
    assert await page.locator("#starting-default").is_visible()
    rate = await page.get_by_label("提成比例（% 净销售额）").input_value()
    assert re.fullmatch(r"\d+\.\d\d", rate) and 0 < float(rate) <= 20
    assert await page.get_by_label("按净销售额提成").is_checked()
    assert await page.get_by_label("至专利权期满").is_checked()
    await page.get_by_role("button", name="发布", exact=True).click()
    # A confirmation first: each patent's price and check, nothing published yet.
    await page.wait_for_url(re.compile(r"/declarations$"))
    assert await page.locator("#confirm-publish").is_visible()
    await page.locator("#confirm-button").click()
    await page.wait_for_url(re.compile(r"/declarations$"))
    await page.locator("#results").wait_for()

    refused = page.locator('[data-outcome="refused"]')
    assert await refused.get_attribute("data-number") == "CN202223220665.2"
    reasons = await refused.locator(".reasons").inner_text()
    assert "专利法第五十条" in reasons  # no evaluation report for a utility model
    assert "实施细则第八十六条第（三）项" in reasons  # annual fees unpaid
    assert await refused.locator(".reasons li").count() == 2
    published = page.locator('[data-outcome="published"]')
    assert await published.get_attribute("data-number") == "CN108982325B"

    # The public page of the published one.
    await published.get_by_role("link", name="公开页面").click()
    await page.wait_for_url(re.compile(r"/listings/\d+$"))
    assert await page.locator("h1").inner_text() == GOOD_TITLE
    terms = await page.locator("#listing-terms").inner_text()
    assert f"{float(rate):.2f}%" in terms and "专利法第五十一条" in terms
    assert await page.locator("#listing-university a").inner_text() == UNIVERSITY
    assert "测量" in await page.locator("#ipc").inner_text()
    assert await page.get_by_role("link", name="申请许可").is_visible()

    await page.locator("#lang-switch").click()
    await page.wait_for_url(re.compile(r"/listings/\d+$"))
    assert await page.locator("html").get_attribute("lang") == "en"
    assert "Measurement" in await page.locator("#ipc").inner_text()
    assert "of net sales" in await page.locator("#listing-terms").inner_text()
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors  # nothing inline
