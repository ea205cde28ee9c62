"""An SME imports its own patents through the upload page (a per-row report), opens one (it declares no open licence
here) and, on a phone-sized screen, reads what finance each may support."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser

SME_EMAIL = "sme@demo.market"
DEMO_PASSWORD = "demo-password-2026"
FIRM = "杭州智造科技有限公司（演示）"  # the demo seed's SME
PAID = (date.today() + timedelta(days=365)).isoformat()
PATENTS_CSV = f"""number,title_zh,patentees,filing_date,grant_date,ipc_codes,claims_count,annual_fees_paid_through
CN108982325B,地下防污屏障材料化学相容性测试装置及方法,{FIRM},2018-07-30,2020-05-12,G01N15/08,8,{PAID}
CN202223220665.2,一种无人机机载多功能盒,{FIRM},2022-12-02,2023-03-28,B64U20/80,,
CN202223220665.3,校验位错误,{FIRM},2022-12-02,,,,
"""


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> LiveServer:
    done = live_server.cli("seed", "--demo", "--listings", "0")
    assert done.returncode == 0, done.stderr
    return live_server


async def test_an_sme_imports_its_patents_and_sees_what_finance_they_may_support(
    seeded: LiveServer, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    await page.goto("/sign-in")
    await page.get_by_label("电子邮箱").fill(SME_EMAIL)
    await page.get_by_label("密码").fill(DEMO_PASSWORD)
    await page.get_by_label("密码").press("Enter")  # keyboard submission
    await page.wait_for_url(re.compile(r"/dashboard"))

    await page.locator("#dash-sme-import").click()
    await page.wait_for_url(re.compile(r"/patents/import$"))
    upload = tmp_path / "firm-patents.csv"
    upload.write_text(PATENTS_CSV, encoding="utf-8")
    await page.get_by_label("文件（CSV 或 JSON Lines，最大 50 MB）").set_input_files(str(upload))
    await page.get_by_role("button", name="上传并导入").click()
    await page.wait_for_url(re.compile(r"/patents/import/\d+$"))
    await page.locator("#import-report").wait_for(timeout=30_000)
    assert await page.locator("#count-accepted").inner_text() == "2"
    assert await page.locator("#count-rejected").inner_text() == "1"
    [line, field, _] = await page.locator("#rejections tbody tr td").all_inner_texts()
    assert (line, field) == ("4", "专利号")  # the bad check digit, by its line and field named in words
    assert await page.locator("#rejections tbody tr").get_attribute("data-field") == "number"

    await page.goto("/patents")
    assert await page.locator("#sme-no-declarations").is_visible()
    assert await page.locator("#declare-selected").count() == 0
    await page.get_by_role("link", name="CN108982325B").click()
    await page.wait_for_url(re.compile(r"/patents/\d+$"))
    assert "企业不能在此声明开放许可" in await page.locator("#sme-no-declarations").inner_text()

    # a phone: the finance table scrolls inside its box, the page itself does not spill sideways
    await page.set_viewport_size({"width": 375, "height": 800})
    await page.goto("/sme/patents")
    # the two imported beside the demo firm's own (seeded by `market seed --demo`), each with its products
    imported = ", ".join(
        f"#finance-facts tbody tr[data-number='{number}']" for number in ("CN108982325B", "CN202223220665.2")
    )
    assert await page.locator(imported).count() == 2
    rows = await page.locator("#finance-facts tbody tr[data-number]").count()
    assert await page.locator("#finance-facts td.products").count() == rows
    spill = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert spill <= 1, spill
    assert await page.locator("tr[data-number='CN202223220665.2'] .fees .badge").is_visible()
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors  # nothing inline
