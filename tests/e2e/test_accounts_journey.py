"""A new user signs up, signs out, signs in, reaches the dashboard, switches language and makes an API token."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser


async def test_sign_up_sign_in_dashboard_language_and_token(browser_page: Any) -> None:
    page = browser_page
    await page.goto("/")
    assert page.url.endswith("/sign-in?next=%2Fdashboard") or "/sign-in" in page.url
    assert await page.locator("html").get_attribute("lang") == "zh-CN"
    assert await page.locator("h1").inner_text() == "登录"

    await page.get_by_role("link", name="注册").first.click()
    await page.get_by_label("电子邮箱").fill("zhang.wei@example.cn")
    await page.get_by_label("密码").fill("短")
    await page.get_by_label("您的姓名").fill("张伟")
    await page.get_by_label("单位名称").fill("苏州精密机械有限公司")
    await page.get_by_label("单位类型").select_option("sme")
    await page.get_by_label("统一社会信用代码").fill("91350100M000100Y43")
    await page.get_by_role("button", name="注册").click()
    error = page.locator("#form-errors [data-field=password]")  # a too-short password is refused on the page
    assert await error.inner_text() == "密码：至少 10 个字符"  # the message names its field
    assert await page.locator("#password").get_attribute("aria-invalid") == "true"
    assert await page.locator("#err-password").inner_text() == "密码：至少 10 个字符"  # beside the field too

    await page.get_by_label("密码").fill("a long enough passphrase")
    await page.get_by_label("密码").press("Enter")  # keyboard submission
    # the same answer for a new and a taken address (not revealed): then sign in
    await page.locator("#sign-up-done").wait_for()
    await page.locator("#go-sign-in").click()
    await page.get_by_label("电子邮箱").fill("zhang.wei@example.cn")
    await page.get_by_label("密码").fill("a long enough passphrase")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/dashboard"))
    heading = page.locator("h1")
    assert await heading.get_attribute("data-kind") == "sme"
    assert "中小企业" in await heading.inner_text()
    assert await page.locator("#org-name").inner_text() == "苏州精密机械有限公司"

    await page.get_by_role("button", name="退出").click()
    await page.wait_for_url(re.compile(r"/sign-in"))
    await page.get_by_label("电子邮箱").fill("zhang.wei@example.cn")
    await page.get_by_label("密码").fill("a long enough passphrase")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(re.compile(r"/dashboard"))
    assert await page.locator("#org-name").inner_text() == "苏州精密机械有限公司"

    await page.locator("#lang-switch").click()
    await page.wait_for_url(re.compile(r"/dashboard"))
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.locator("h1").inner_text() == "Dashboard · Small or medium firm"

    await page.locator("#nav-account summary").click()  # the account menu holds the user's own links
    await page.locator("#nav-account").get_by_role("link", name="API tokens").click()
    await page.get_by_label("Token name").fill("ERP link")
    await page.get_by_role("button", name="Create token").click()
    secret = await page.locator("#new-token").inner_text()
    assert secret.startswith("mkt_")
    assert "ERP link" in await page.locator("table").inner_text()
