"""Issue 12's acceptance journey, in the browser, up to the acceptance of the offer: an SME applies with two
patents, one of which the pre-check refuses with its ground and article; it takes that patent out, completes the
checklist and submits; the bank asks for a document, the SME uploads it and resubmits; the maker proposes, a
different user of the bank approves and makes the offer; the SME accepts. The signing of the pledge contract and
its CNIPA registration (``finance.registrations``, H6) continue at the marked place at the end."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from market.seed import DEMO_PASSWORD
from tests.e2e.conftest import LiveServer
from tests.e2e.test_trust_and_money_journey import sign_in, sign_out

pytestmark = pytest.mark.browser

SME_EMAIL = "sme@demo.market"
BANK_EMAIL = "bank@demo.market"  # the bank's owner: the maker
CHECKER_EMAIL = "bank.checker@demo.market"  # the demo bank's second reviewer: the checker
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def setup(live_server: LiveServer) -> tuple[int, int]:
    """Two patents of the demo SME with known facts (ids: the good one, the unpaid one)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.pledge_setup"],
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    good, unpaid = (int(n) for n in done.stdout.split()[-2:])
    return good, unpaid


async def upload(page: Any, requirement: str, path: Path) -> None:
    await page.locator("#requirement").select_option(requirement)
    await page.locator("#issued_on").fill(date.today().isoformat())
    await page.locator("#file").set_input_files(str(path))
    await page.locator("#upload-button").click()
    await page.wait_for_url(re.compile(r"done=documents"))


async def state_of(page: Any) -> str:
    return str(await page.locator("#pledge-state").get_attribute("data-state"))


async def test_an_sme_applies_and_accepts_the_banks_offer(
    live_server: LiveServer, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    seeded = live_server.cli("seed", "--demo", "--listings", "0")
    assert seeded.returncode == 0, seeded.stderr
    good, unpaid = setup(live_server)
    document = tmp_path / "statement.pdf"
    document.write_bytes(PDF)

    # The SME applies with both patents, the form pre-filled by the valuation from its annual sales.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto("/sme/pledges/new")
    await page.locator(f"#patent-{good}").check()
    await page.locator(f"#patent-{unpaid}").check()
    await page.locator("#amount").fill("500000")
    await page.locator("#term_months").fill("12")
    await page.locator("#annual_sales").fill("20000000")
    await page.locator("#create-draft").click()
    await page.wait_for_load_state()
    assert await page.locator("#form-errors").count() == 0, await page.locator("#form-errors").inner_text()
    await page.wait_for_url(re.compile(r"/sme/pledges/\d+$"))
    application = page.url.rsplit("/", 1)[-1]
    assert await state_of(page) == "draft"

    # The pre-check refuses the unpaid patent with its ground and its article; submitting is blocked.
    refused = page.locator('#precheck [data-patent="CN109000001B"] li[data-code="pledge.ground.04"]')
    await refused.wait_for()
    assert await refused.get_attribute("data-severity") == "block"
    assert "专利权质押登记办法" in await refused.locator(".article").inner_text()
    assert await page.locator("#submit-blocked").is_visible()
    await page.locator("#submit-button").click()
    assert await page.locator('#form-errors li[data-field]').count() >= 1
    assert await state_of(page) == "draft"

    # The SME takes that patent out, uploads the checklist's documents and submits.
    await page.locator(f"#edit-form #patent-{unpaid}").uncheck()
    await page.locator("#save-draft").click()
    await page.wait_for_url(re.compile(r"done=edit"))
    assert await page.locator('#precheck [data-patent="CN109000001B"]').count() == 0
    for requirement in await page.locator("#requirement option").evaluate_all("os => os.map(o => o.value)"):
        await upload(page, requirement, document)
    await page.locator("#submit-button").click()
    await page.wait_for_url(re.compile(r"done=submit"))
    assert await state_of(page) == "submitted"
    await sign_out(page)

    # The bank (its owner, the maker) starts the review and asks for the financial statements again.
    await sign_in(page, BANK_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/bank/pledges/{application}")
    await page.locator("#review-button").click()
    await page.wait_for_url(re.compile(r"done=review"))
    await page.locator("#ask-financial_statements").check()
    await page.locator("#more-info-text").fill("请补充最新一期财务报表")
    await page.locator("#more-info-button").click()
    await page.wait_for_url(re.compile(r"done=more-info"))
    assert await state_of(page) == "more_info"
    await sign_out(page)

    # The SME is notified, uploads the document and resubmits.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/sme/pledges/{application}")
    assert "请补充最新一期财务报表" in await page.locator("#more-info-request").inner_text()
    await upload(page, "financial_statements", document)
    await page.locator("#resubmit-button").click()
    await page.wait_for_url(re.compile(r"done=resubmit"))
    assert await state_of(page) == "in_review"
    await sign_out(page)

    # The maker proposes; a different user of the bank approves and makes the offer.
    await sign_in(page, BANK_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/bank/pledges/{application}")
    await page.locator("#prop-rate").fill("4.20")
    await page.locator("#propose-button").click()
    await page.wait_for_url(re.compile(r"done=propose"))
    assert await state_of(page) == "proposed"
    assert await page.locator("#approve-button").count() == 1
    await page.locator("#approve-button").click()  # the maker may not approve his own proposal
    assert await page.locator("#form-errors").is_visible()
    assert await state_of(page) == "proposed"
    await sign_out(page)

    await sign_in(page, CHECKER_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/bank/pledges/{application}")
    await page.locator("#approve-button").click()
    await page.wait_for_url(re.compile(r"done=approve"))
    assert await state_of(page) == "approved"
    await page.locator("#offer-rate").fill("4.20")
    await page.locator("#offer-expires").fill((date.today() + timedelta(days=14)).isoformat())
    await page.locator("#offer-button").click()
    await page.wait_for_url(re.compile(r"done=offer"))
    assert await state_of(page) == "offered"
    await sign_out(page)

    # The SME accepts the offer (a confirmation step first).
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/sme/pledges/{application}")
    await page.locator("#accept-button").click()
    await page.get_by_role("button", name="接受授信方案").click()
    await page.wait_for_url(re.compile(r"done=accept"))
    assert await state_of(page) == "accepted"
    assert await page.locator("#accepted").is_visible()

    # ------------------------------------------------------------------------------------------------------------
    # H6 continues here: both parties sign the pledge contract and the joint registration form (signing port), the
    # CNIPA registration is recorded with its number and date, the patent shows as pledged, and an open-licence
    # declaration of it is refused citing Implementing Regulations Art 86(4) until the bank's consent is recorded.
    # The application is ``application`` above; ``pledges.accepted`` was emitted with its id.
    # ------------------------------------------------------------------------------------------------------------
