"""Issue 14's acceptance journey, in the browser (Chinese pages). The demo university has declared an open licence
of a patent for a lump sum (the setup). The SME requests the licence, pays it by bank transfer, and the university
confirms the transfer's receipt."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from market.seed import DEMO_ORGS, DEMO_PASSWORD
from tests.e2e.conftest import LiveServer
from tests.e2e.test_trust_and_money_journey import sign_in, sign_out

pytestmark = pytest.mark.browser

SME_EMAIL = "sme@demo.market"
UNIVERSITY_EMAIL = "university@demo.market"
ISSUER_EMAIL = "vouchers@demo.market"  # the issuer's owner: proposes the settlement batch (maker)
CHECKER_EMAIL = "vouchers.checker@demo.market"  # the issuer's second member: approves it (checker)
SME_NAME = next(name for _, name, email, _ in DEMO_ORGS if email == SME_EMAIL)
UNIVERSITY = next(name for _, name, email, _ in DEMO_ORGS if email == UNIVERSITY_EMAIL)
SME_CREDIT_CODE = "91330100MA2H3K4L5P"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Four people sign in a dozen times within a few minutes from one address: above the default sign-in rate
    limit (10 a minute per client), which this journey is not about."""
    return {"MARKET_SIGN_IN_RATE_PER_MINUTE": "100"}


def run_setup(live_server: LiveServer, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.voucher_setup", *args],
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def minor(text: str) -> int:
    """The amount of a money text such as ``¥15,000.00`` in minor units."""
    found = re.search(r"(\d[\d,]*)(?:\.(\d{2}))?", text)
    assert found, text
    return int(found.group(1).replace(",", "")) * 100 + int(found.group(2) or 0)


async def confirm(page: Any) -> None:
    """The confirmation step of an irreversible action."""
    await page.locator("#confirm-step").wait_for()
    await page.locator("#confirm-button").click()


async def test_an_sme_pays_half_a_licence_by_voucher_and_the_university_receives_both_parts(
    live_server: LiveServer, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    seeded = live_server.cli("seed", "--demo", "--listings", "0")
    assert seeded.returncode == 0, seeded.stderr
    facts = json.loads(run_setup(live_server))
    lump_sum = facts["lump_sum_minor"]
    voucher_part = lump_sum // 2
    transfer_part = lump_sum - voucher_part

    # ---------------------------------------------------------------------------------------- 4. the licence
    # The SME requests the university's open licence (a lump sum due now).
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/listings/{facts['declaration']}")
    await page.get_by_role("link", name="申请许可").click()
    await page.wait_for_url(re.compile(r"/listings/\d+/request$"))
    assert int(str(await page.locator("#req-due").get_attribute("data-minor"))) == lump_sum
    await page.get_by_label("统一社会信用代码").fill(SME_CREDIT_CODE)
    await page.get_by_label("单位地址").fill("浙江省杭州市西湖区文三路 90 号")
    await page.get_by_label("我接受公告的许可条件（专利法第五十一条）").check()
    await page.get_by_role("button", name="提交，获得许可").click()
    await page.wait_for_url(re.compile(r"/licences/\d+\?done=requested$"))
    licence_url = page.url.split("?")[0]
    number = (await page.locator("#licence-number").inner_text()).strip()
    assert await page.locator("#licence-status").get_attribute("data-status") == "pending_payment"

    # The rest by bank transfer: the university's account and the memo to quote.
    await page.locator("#pay-bank").click()
    block = page.locator("dl.payee-block")
    await block.wait_for()
    assert UNIVERSITY in await block.inner_text()
    reference = (await block.locator("code").last.inner_text()).strip()
    assert reference
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 5. the transfer
    # The university confirms the transfer's receipt (a confirmation step first): the licence is active.
    await sign_in(page, UNIVERSITY_EMAIL, DEMO_PASSWORD)
    await page.goto("/university/transfers")
    row = page.locator("#transfers tr", has_text=reference)
    await row.get_by_role("link", name=re.compile("确认")).click()
    await page.locator("#transfer-facts").wait_for()
    assert reference in await page.locator("#transfer-facts").inner_text()
    await page.locator("#confirm-receipt").click()
    await page.locator("#done").wait_for()
    await page.goto(licence_url)
    assert await page.locator("#licence-status").get_attribute("data-status") == "active"
    assert number and transfer_part > 0
