"""Issue 14's acceptance journey, in the browser (Chinese pages). The demo university has declared an open licence
of a patent for a lump sum of 30,000 yuan (the setup).

The demo voucher issuer opens a provider-redeems (通兑) programme that pays 50% of S&T results (科技成果购买), at most
20,000 yuan a claim, to Zhejiang firms holding 专精特新, reviewed by the district then the city. The university
applies to its catalogue with its evidence; the issuer approves it into a 7-day public notice, which runs out with
no objection (the setup moves it back: the clock) and the daily job lists it, its open licences catalogued. The demo
SME, which holds 专精特新 (the demo seed, verified), applies for 50,000 yuan with the declaration of no double
public funding (refused beside the box without it) and is approved tier by tier by two issuer users. It requests
the university's licence and pays half by voucher (a hold on its entitlement; the licence asks the rest only) and
half by bank transfer, which the university confirms. The university files the voucher claim (contract and co-pay
proof attached by the platform, invoice and deliverable uploaded); the issuer approves it and the hold is captured.
The next settlement batch is proposed by the issuer's owner, who may not approve it himself, and approved by its
second member; the bank file's SHA-256 is the one shown; the batch is recorded paid. The university sees both
parts: the transfer on the licence and in its ledger, the voucher payout in its statement and its ledger."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from datetime import date
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
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ENTITLEMENT_YUAN = 50_000  # asked and granted; the licence's voucher part (15,000) is under the per-claim cap
PROGRAMME_CODE = "hz-tech-transfer-test"
PROGRAMME_ZH = "杭州市科技成果转化创新券（测试）"  # words: data
NOTICE_DAYS = 7  # the programme's public notice of a provider (Shanghai's figure)
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
    document = tmp_path / "document.pdf"
    document.write_bytes(PDF)

    # ---------------------------------------------------------------------------------------- 1. the programme
    # The issuer opens a provider-redeems (通兑) programme: S&T results (科技成果购买) at 50%, at most 20,000 yuan
    # a claim, for firms of Zhejiang holding 专精特新, reviewed by the district then the city.
    await sign_in(page, ISSUER_EMAIL, DEMO_PASSWORD)
    await page.goto("/issuer/vouchers/new")
    await page.locator("#code").fill(PROGRAMME_CODE)
    await page.locator("#name_zh").fill(PROGRAMME_ZH)
    await page.locator("#name_en").fill("Hangzhou technology transfer voucher (test)")
    await page.locator("#mode_provider_redeems").check()
    await page.locator("#value_kind_amount").check()
    await page.locator("#share_tech_results").fill("50")
    await page.locator("#per_claim").fill("20000")
    await page.locator("#per_period").fill("100000")
    await page.locator("#period").select_option("year")
    await page.locator("#budget").fill("1000000")
    await page.locator("#validity_months").fill("12")
    await page.locator("#regions").fill("33")
    await page.locator("#required_specialised").check()
    await page.locator("#tier_0").select_option("district")
    await page.locator("#tier_1").select_option("city")
    await page.locator("#settlement_cycle").select_option("half_yearly")
    await page.locator("#notice_days").fill(str(NOTICE_DAYS))
    await page.locator("#source").fill("浙江省科技创新券管理办法（测试用）")
    await page.locator("#save").click()
    await page.wait_for_url(re.compile(r"/issuer/vouchers/\d+\?done=created$"))
    programme = int(page.url.split("?")[0].rsplit("/", 1)[-1])
    await page.locator("#open").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"done=open"))
    assert await page.locator("#close").count() == 1  # open: it may now be closed
    terms = await page.locator("#terms-words").inner_text()
    assert "50" in terms and "20,000" in terms, terms
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 2. the provider
    # The university applies to the programme's catalogue with its evidence (its qualification and its capability
    # statement).
    await sign_in(page, UNIVERSITY_EMAIL, DEMO_PASSWORD)
    await page.goto("/provider/vouchers")
    await page.locator("#programme_id").select_option(str(programme))
    await page.locator("#statement").fill("本校技术转移中心以开放许可方式提供专利技术成果")
    await page.locator("#evidence").set_input_files(str(document))
    await page.locator("#capability").set_input_files(str(document))
    await page.locator("#submit-application").click()
    await page.wait_for_url(re.compile(r"done=applied"))
    await sign_out(page)

    # The issuer reviews the application and approves it into the public notice (7 days).
    await sign_in(page, ISSUER_EMAIL, DEMO_PASSWORD)
    await page.goto("/issuer/voucher-providers")
    await page.locator("#providers tr", has_text=UNIVERSITY).filter(has_text=PROGRAMME_ZH).locator("a").click()
    await page.wait_for_url(re.compile(r"/issuer/voucher-providers/\d+$"))
    provider = page.url.rsplit("/", 1)[-1]
    await page.locator("#review").click()
    await page.wait_for_url(re.compile(r"done=review"))
    await page.locator("#approve").click()
    await page.wait_for_url(re.compile(r"done=approve"))
    assert await page.locator("#notice-days").count() == 1
    await sign_out(page)

    # The notice is public on the programme's page, where anyone signed in may object.
    await page.goto(f"/vouchers/programmes/{programme}")
    assert UNIVERSITY in await page.locator("#notices").inner_text()

    # The notice runs out with no objection (the setup moves it back 7 days); the daily job lists the university
    # and its open licences join the catalogue as S&T results, priced at their lump sum.
    assert run_setup(live_server, "notice-over", provider) == "1"
    await page.goto(f"/vouchers/programmes/{programme}")
    catalogue = page.locator("#catalogue")
    assert UNIVERSITY in await catalogue.inner_text()
    licence_service = catalogue.locator(f"tr:has(a[href='/listings/{facts['declaration']}'])")
    assert await licence_service.count() == 1
    assert minor(await licence_service.locator("td").last.inner_text()) == lump_sum

    # ---------------------------------------------------------------------------------------- 3. the entitlement
    # The SME holds the qualification the programme requires (the demo seed: 专精特新, verified): eligible.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto("/sme/vouchers")
    offer = page.locator(f"#programme-{programme}")
    assert await offer.get_attribute("data-eligible") == "yes", await offer.inner_text()
    await page.locator(f"#apply-{programme}").click()
    await page.wait_for_url(re.compile(rf"/sme/vouchers/apply\?programme_id={programme}$"))
    await page.locator("#amount").fill(str(ENTITLEMENT_YUAN))
    await page.locator("#purpose").fill("购买高校开放许可的专利技术，用于新产品研发")
    await page.locator("#apply-button").click()  # the declaration not ticked: refused beside the box
    assert await page.locator("#declarations-error").is_visible()
    await page.locator("#amount").fill(str(ENTITLEMENT_YUAN))
    await page.locator("#purpose").fill("购买高校开放许可的专利技术，用于新产品研发")
    await page.locator("#declare-no-double-funding").check()
    await page.locator("#apply-button").click()
    await page.wait_for_url(re.compile(r"/sme/vouchers/applications/\d+"))
    application = page.url.split("?")[0].rsplit("/", 1)[-1]
    reference = (await page.locator("h1").inner_text()).split()[-1]
    assert reference.startswith("VE"), reference
    assert "专精特新" in await page.locator("#qualifications").inner_text()  # the required one, held and verified
    await sign_out(page)

    # Reviewed tier by tier on the issuer's desk: the district tier (the issuer's owner), then the city tier (its
    # second member), who sets the amount; the application shows which tier it is at.
    for tier, email in enumerate((ISSUER_EMAIL, CHECKER_EMAIL)):
        await sign_in(page, email, DEMO_PASSWORD)
        await page.goto("/issuer/voucher-applications")
        await page.locator("#applications a", has_text=reference).click()
        await page.wait_for_url(re.compile(rf"/issuer/voucher-applications/{application}$"))
        if tier == 0:
            await page.locator("#review-button").click()
            await page.wait_for_url(re.compile(r"done="))
        steps = page.locator("#application-tiers > span")
        assert await steps.count() == 2
        assert await steps.nth(tier).get_attribute("aria-current") == "step"
        if tier == 1:
            await page.locator("#amount").fill(str(ENTITLEMENT_YUAN))
        await page.locator("#approve-text").fill("审核通过")
        await page.locator("#approve-button").click()
        await page.wait_for_url(re.compile(r"done="))
        await sign_out(page)

    # The SME's entitlement: granted and available in full, a grant entry in its ledger.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/sme/vouchers/applications/{application}")
    await page.locator("#see-entitlement").click()
    await page.wait_for_url(re.compile(r"/sme/vouchers/entitlements/\d+$"))
    entitlement = page.url.rsplit("/", 1)[-1]
    assert minor(await page.locator("#entitlement-available").inner_text()) == ENTITLEMENT_YUAN * 100
    assert await page.locator('#ledger tr[data-kind="grant"]').count() == 1
    entitlement_url = page.url

    # ---------------------------------------------------------------------------------------- 4. the licence
    # The SME requests the university's open licence (a lump sum due now).
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

    # Half by voucher: the programme pays 50% of a licence of S&T results (科技成果购买), line by line; the hold
    # is placed and the licence asks the rest only.
    await page.locator(f"#voucher-use-{entitlement}").click()
    await page.wait_for_url(re.compile(r"done=voucher"))
    assert await page.locator("#voucher-held").get_attribute("data-status") == "held"
    assert int(str(await page.locator("#voucher-amount").get_attribute("data-minor"))) == voucher_part
    assert int(str(await page.locator("#voucher-copay").get_attribute("data-minor"))) == transfer_part
    assert await page.locator("#voucher .lines li").count() >= 1
    await page.goto(entitlement_url)  # the hold on the entitlement: available less the voucher's part
    assert await page.locator('#ledger tr[data-kind="hold"]').count() == 1
    available = ENTITLEMENT_YUAN * 100 - voucher_part
    assert minor(await page.locator("#entitlement-available").inner_text()) == available
    await page.goto(licence_url)

    # The rest by bank transfer: the university's account, the amount (the co-pay) and the memo to quote.
    await page.locator("#pay-bank").click()
    block = page.locator("dl.payee-block")
    await block.wait_for()
    shown = await block.inner_text()
    assert UNIVERSITY in shown
    transfer = page.locator('#payments-table tr[data-method="bank_transfer"][data-status="awaiting_payer"]')
    assert minor(await transfer.locator("td.num").inner_text()) == transfer_part
    memo = (await block.locator("code").last.inner_text()).strip()
    assert memo
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 5. the transfer
    # The university confirms the transfer's receipt (a confirmation step first): the licence is active.
    await sign_in(page, UNIVERSITY_EMAIL, DEMO_PASSWORD)
    await page.goto("/university/transfers")
    row = page.locator("#transfers tr", has_text=memo)
    await row.get_by_role("link", name=re.compile("确认")).click()
    await page.locator("#transfer-facts").wait_for()
    assert memo in await page.locator("#transfer-facts").inner_text()
    await page.locator("#confirm-receipt").click()
    await page.locator("#done").wait_for()
    await page.goto(licence_url)
    assert await page.locator("#licence-status").get_attribute("data-status") == "active"
    paid = page.locator("#payments-table tr[data-status='succeeded']")
    assert await paid.count() == 1 and minor(await paid.locator("td.num").inner_text()) == transfer_part

    # ---------------------------------------------------------------------------------------- 6. the claim
    # The university files the voucher claim: the contract and the proof of the co-pay (the transfer just
    # confirmed) are attached by the platform; the invoice and the deliverable are uploaded.
    for _ in range(60):  # the contract is rendered by a job; the claim attaches it once it is there
        if await page.locator("#download-contract").count():
            break
        await page.wait_for_timeout(1000)
        await page.goto(licence_url)
    await page.locator("#voucher-file-link").click()
    await page.wait_for_url(re.compile(r"/provider/voucher-claims/\d+$"))
    redemption = page.url.rsplit("/", 1)[-1]
    for automatic in ("contract", "copay_proof"):
        assert await page.locator(f"#auto-{automatic}").count() == 1, automatic
    uploads = await page.locator('#file-form input[type="file"]').evaluate_all("xs => xs.map(x => x.id)")
    assert sorted(uploads) == ["doc-deliverable", "doc-invoice"], uploads
    for upload in uploads:
        await page.locator(f"#{upload}").set_input_files(str(document))
    await page.locator("#file-button").click()
    await page.wait_for_url(re.compile(r"done="))
    claim = (await page.locator("#claim-state").inner_text()).split()[0]
    assert claim.startswith("VC"), claim
    assert SME_NAME in await page.locator("#redemption-facts").inner_text()
    assert await page.locator("#claim-state").get_attribute("data-state") == "submitted"
    await sign_out(page)

    # The issuer reviews it and approves: the hold is captured.
    await sign_in(page, ISSUER_EMAIL, DEMO_PASSWORD)
    await page.goto("/issuer/voucher-claims")
    await page.locator("#redemptions a", has_text=redemption).first.click()
    await page.wait_for_url(re.compile(rf"/issuer/voucher-claims/{redemption}$"))
    assert await page.locator("#documents tbody tr").count() >= 4
    await page.locator("#review-button").click()
    await page.wait_for_url(re.compile(r"done="))
    await page.locator("#approve-text").fill("材料齐全，同意兑付")
    await page.locator("#approve-button").click()
    await page.wait_for_url(re.compile(r"done="))
    assert await page.locator("#redemption-status").get_attribute("data-status") == "captured"
    assert minor(await page.locator("#redemption-captured").inner_text()) == voucher_part
    await sign_out(page)

    # The SME's entitlement: the voucher's part captured, the ledger's entries summing to the balance shown.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(entitlement_url)
    assert await page.locator('#ledger tr[data-kind="capture"]').count() == 1
    assert minor(await page.locator("#entitlement-available").inner_text()) == available
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 7. the settlement
    # The next settlement batch: the half-year ends and the daily job batches the claims captured in it (the
    # issuer's page has no form to make one by hand). The issuer's owner proposes it; approving his own proposal
    # is refused; the issuer's second member approves it. The bank file's SHA-256 is the one shown.
    await sign_in(page, ISSUER_EMAIL, DEMO_PASSWORD)
    up_to = date.fromisoformat(run_setup(live_server, "cycle-end"))  # the half-year ends: the daily job's batch
    await page.goto("/issuer/voucher-settlements")
    made = page.locator("#batches tbody tr", has_text=PROGRAMME_ZH)
    assert await made.count() == 1 and await made.get_attribute("data-state") == "assembled"
    assert f"{up_to.year}H{1 if up_to.month == 6 else 2}" in await made.inner_text()  # the cycle, by its key
    await made.locator("a").click()
    await page.wait_for_url(re.compile(r"/issuer/voucher-settlements/\d+$"))
    batch = page.url.rsplit("/", 1)[-1]
    line = page.locator("#lines tbody tr", has_text=claim)
    assert await line.count() == 1 and UNIVERSITY in await line.inner_text()
    assert minor(await line.locator("td.num").inner_text()) == voucher_part
    await page.locator("#propose-button").click()
    await page.wait_for_url(re.compile(r"done=propose"))
    assert await page.locator("#maker-note").is_visible()
    await page.locator("#approve-button").click()
    assert await page.locator("#state").get_attribute("data-state") == "proposed"
    assert await page.locator("#form-errors").is_visible()
    await sign_out(page)

    await sign_in(page, CHECKER_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/issuer/voucher-settlements/{batch}")
    await page.locator("#approve-button").click()
    await page.wait_for_url(re.compile(r"done=approve"))
    assert await page.locator("#state").get_attribute("data-state") == "approved"
    shown_hash = (await page.locator("#file-sha256").inner_text()).strip()
    bank_file = await page.request.get(str(await page.locator("#file-link").get_attribute("href")))
    assert bank_file.ok
    content = await bank_file.body()
    assert hashlib.sha256(content).hexdigest() == shown_hash
    assert claim in content.decode("utf-8-sig")

    # The bank has paid it: recorded with the day and the bank's reference (a confirmation step first).
    await page.locator("#paid_on").fill(date.today().isoformat())
    await page.locator("#reference").fill("ZJ-BANK-0001")
    await page.locator("#paid-button").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"done=paid"))
    assert await page.locator("#state").get_attribute("data-state") == "paid"
    assert minor(await page.locator("#paid").inner_text()) == voucher_part
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 8. both parts
    # The university sees both parts of the licence's price: the transfer on the licence, the voucher payout in
    # its statement and its income ledger.
    await sign_in(page, UNIVERSITY_EMAIL, DEMO_PASSWORD)
    await page.goto(licence_url)
    assert await page.locator("#voucher-held").get_attribute("data-status") == "captured"
    assert minor(await page.locator("#payments-table tr[data-status='succeeded'] td.num").inner_text()) == transfer_part
    statement = page.locator("#statements tbody tr")
    for _ in range(30):  # the statement is rendered by a job once the batch is paid
        await page.goto("/provider/voucher-statements")
        if await statement.count():
            break
        await page.wait_for_timeout(1000)
    assert await statement.count() == 1
    assert minor(await statement.locator("td.num").first.inner_text()) == voucher_part
    pdf = await page.request.get(str(await statement.locator("a[download]").get_attribute("href")))
    assert pdf.ok and (await pdf.body()).startswith(b"%PDF")
    shown_prefix = (await statement.locator("code").inner_text()).strip().rstrip("…")
    assert hashlib.sha256(await pdf.body()).hexdigest().startswith(shown_prefix)
    await page.goto("/ledger")
    assert await page.locator(f"#ledger tr[data-licence='{number}']").count() == 1
    assert minor(await page.locator(f"#ledger tr[data-licence='{number}'] td.num").first.inner_text()) == transfer_part
    voucher_line = page.locator(f"#ledger-vouchers tr[data-claim='{claim}']")
    assert await voucher_line.count() == 1 and SME_NAME in await voucher_line.inner_text()
    assert minor(await page.locator("#total-vouchers").inner_text()) == voucher_part
    await sign_out(page)

    # The SME's entitlement after the payout: a payout entry, the balance unmoved (the entries still sum to it).
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(entitlement_url)
    assert await page.locator('#ledger tr[data-kind="payout"]').count() == 1
    assert minor(await page.locator("#entitlement-available").inner_text()) == available
