"""Issue 13's acceptance journey, in the browser (Chinese pages). The demo insurer first publishes a new version of
its enforcement product with a lower four-eyes threshold (30,000 yuan of aggregate limit: the demo version's
1,000,000 is above what an application of at most 50 patents can reach under the PICC 2012 table). The demo SME
holds a licence of the demo university's patent and asks, in one click, the university's consent to insure it; the
university grants it. The SME applies for the enforcement insurance with that patent and one of its own (aggregate
limit 36,000 yuan: above the threshold): eligibility passes for both, it answers the questionnaire once with the duty
of disclosure acknowledged (Insurance Law Art 16; refused beside the box without it), sees the frozen quote line by
line and the issuer's premium subsidy estimate, uploads the checklist's documents and submits. The insurer's
underwriter proposes acceptance and may not approve it himself; the insurer's checker approves. The SME binds the
policy (confirmation step) and pays the premium by bank transfer, the insurer confirms its receipt; the policy is in
force and its sealed schedule downloads as a PDF whose SHA-256 is the one shown. Some weeks later (the setup moves
the policy's period back: it starts the day after payment, and a claim must be first made inside it and not in the
future) the SME notifies a claim with the case's acceptance number and date (立案/受理) and adds a lawyer's fee with
its invoice; the insurer pre-approves the fee, assesses the claim against the limits and the deductible, line by
line, and pays it."""

from __future__ import annotations

import hashlib
import json
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
UNIVERSITY_EMAIL = "university@demo.market"
INSURER_EMAIL = "insurer@demo.market"  # the insurer's owner: the underwriter (maker)
CHECKER_EMAIL = "insurer.checker@demo.market"  # the demo insurer's second underwriter: the checker
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FOUR_EYES_ABOVE_YUAN = 30_000  # the insurer's threshold in its product's new version (the demo's: 1,000,000)
AGED_DAYS = 40  # how long the policy has been in force when the claim is notified
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Five people sign in a dozen times within a minute or two from one address: above the default sign-in rate
    limit (10 a minute per client), which this journey is not about."""
    return {"MARKET_SIGN_IN_RATE_PER_MINUTE": "100"}


def run_setup(live_server: LiveServer, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.insurance_setup", *args],
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def digits(text: str) -> int:
    """The yuan amount of a money text such as ``¥1,008,000.00`` in minor units."""
    found = re.search(r"(\d[\d,]*)(?:\.(\d{2}))?", text)
    assert found, text
    return int(found.group(1).replace(",", "")) * 100 + int(found.group(2) or 0)


async def state_of(page: Any, selector: str = "#state") -> str:
    return str(await page.locator(selector).get_attribute("data-state"))


async def confirm(page: Any) -> None:
    """The confirmation step of an irreversible action."""
    await page.locator("#confirm-step").wait_for()
    await page.locator("#confirm-button").click()


async def test_an_sme_insures_a_licensed_patent_and_is_paid_on_a_claim(
    live_server: LiveServer, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page
    seeded = live_server.cli("seed", "--demo", "--listings", "0")
    assert seeded.returncode == 0, seeded.stderr
    facts = json.loads(run_setup(live_server))
    licensed, licence, product = facts["patent"], facts["licence"], facts["product"]
    patent_ids = [licensed, *facts["own"]]
    assert facts["aggregate_limit_minor"] > FOUR_EYES_ABOVE_YUAN * 100
    document = tmp_path / "document.pdf"
    document.write_bytes(PDF)
    today = date.today()

    # ---------------------------------------------------------------------------------------- 0. the product
    # The insurer publishes a new version of its enforcement product: above 30,000 yuan of aggregate limit two
    # underwriters decide (the demo version asks for them above 1,000,000, more than 50 patents' cover).
    await sign_in(page, INSURER_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/insurer/products/{product}")
    await page.locator("#th_above_0").fill(str(FOUR_EYES_ABOVE_YUAN))
    await page.locator("#th_n_0").fill("2")
    await page.locator("#save-product").click()
    await page.wait_for_url(re.compile(r"done=versioned"))
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 1. the consent
    # The licensed patent is not yet insurable: the patentee's consent is missing. One click asks for it.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto("/sme/insurance")
    cell = page.locator(f"#patent-{licensed} td").first
    assert await cell.get_attribute("data-ok") == "no"
    assert await cell.locator('li[data-code="insurance.eligibility.licensee_consent_missing"]').count() == 1
    assert await page.locator(f"#licence-{licence}").get_attribute("data-consent") == ""
    await page.locator(f"#ask-consent-{licence}").click()
    await page.wait_for_url(re.compile(r"done=consent"))
    assert await page.locator(f"#licence-{licence}").get_attribute("data-consent") == "requested"
    await sign_out(page)

    # The university grants it (a confirmation step first).
    await sign_in(page, UNIVERSITY_EMAIL, DEMO_PASSWORD)
    await page.goto("/university/insurance-consents")
    request = page.locator('#consents tr[data-state="requested"]')
    assert await request.count() == 1
    consent_row = str(await request.get_attribute("id"))
    await request.locator("form[id^=grant-] button").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"done=grant"))
    assert await state_of(page, f"#{consent_row}") == "granted"
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 2. the application
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto("/sme/insurance")
    assert await page.locator(f"#licence-{licence}").get_attribute("data-consent") == "granted"
    assert await page.locator(f"#patent-{licensed} td").first.get_attribute("data-ok") == "yes"

    # The enforcement product with the licensed patent and the SME's own: eligibility first, every patent passes.
    await page.goto("/sme/insurance/new")
    version = await page.locator("#product option", has_text="专利执行保险").get_attribute("value")
    assert version is not None and int(version) != facts["version"]  # the new version
    await page.locator("#product").select_option(version)
    for patent_id in patent_ids:
        await page.locator(f'#check-form input[name="patent_ids"][value="{patent_id}"]').check()
    await page.locator("#check-button").click()
    await page.locator("#eligibility-result").wait_for()
    assert await page.locator('#eligibility tbody tr[data-ok="yes"]').count() == len(patent_ids)
    assert await page.locator('#eligibility tbody tr[data-ok="no"]').count() == 0
    await page.locator("#apply-button").click()
    await page.wait_for_url(re.compile(r"/sme/insurance/\d+$"))
    application = page.url.rsplit("/", 1)[-1]
    assert await state_of(page) == "draft"
    assert await page.locator("#quote-pending").is_visible()

    # The questionnaire, with the duty of disclosure (Insurance Law Art 16): without the acknowledgement it is
    # refused, the message beside the box; then answered once and frozen with the quote.
    assert "第十六条" in await page.locator("#disclosure").inner_text()
    await page.locator('#q-known_disputes input[value="no"]').check()
    await page.locator('#q-prior_claims input[value="no"]').check()
    await page.locator('#q-litigation_intended input[value="yes"]').check()
    await page.locator("#answer_turnover").fill("20000000")
    await page.locator("#answer-button").click()
    assert await page.locator("#err-ack").is_visible()
    assert await state_of(page) == "draft"
    await page.locator('#q-known_disputes input[value="no"]').check()
    await page.locator('#q-prior_claims input[value="no"]').check()
    await page.locator('#q-litigation_intended input[value="yes"]').check()
    await page.locator("#answer_turnover").fill("20000000")
    await page.locator("#acknowledge_disclosure").check()
    await page.locator("#answer-button").click()
    await page.wait_for_url(re.compile(r"done=answer"))
    assert await page.locator("#acknowledged").is_visible()
    assert await page.locator("#answer-known_disputes").inner_text() == "否"
    assert await page.locator("#answer-form").count() == 0  # answered once: frozen

    # The quote, line by line: base, add-on per patent, premium, limit as a multiple of the premium.
    assert await page.locator("#quote .quote-line").count() >= 4
    assert digits(await page.locator("#premium").inner_text()) == facts["premium_minor"]
    assert digits(await page.locator("#aggregate-limit").inner_text()) == facts["aggregate_limit_minor"]
    assert await page.locator("#valid-until").inner_text()

    # The premium subsidy the issuer's programme would pay on this quote (subsidies' block on the page).
    estimates = page.locator("#subsidies .subsidy-estimate")
    assert await estimates.count() >= 1, await page.locator("#subsidies").inner_text()
    assert int(str(await estimates.first.get_attribute("data-amount"))) > 0
    assert await estimates.first.locator("ol li").count() >= 1

    # The checklist's documents, then the submission.
    for requirement in await page.locator('#checklist li[data-required="yes"]').evaluate_all(
        "ls => ls.map(l => l.dataset.requirement)"
    ):
        await page.locator("#requirement").select_option(requirement)
        await page.locator("#issued_on").fill(today.isoformat())
        await page.locator("#file").set_input_files(str(document))
        await page.locator("#upload-button").click()
        await page.wait_for_url(re.compile(r"done=documents"))
    assert await page.locator('#checklist li[data-required="yes"][data-satisfied="no"]').count() == 0
    await page.locator("#submit-button").click()
    await page.wait_for_url(re.compile(r"done=submit"))
    assert await state_of(page) == "submitted"
    reference = (await page.locator("#reference").inner_text()).strip()
    assert reference.startswith("IN")
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 3. underwriting
    # The underwriter finds it in the insurer's queue, starts the review and proposes acceptance (four eyes: the
    # aggregate limit is above the product's threshold); approving his own proposal is refused beside the form.
    await sign_in(page, INSURER_EMAIL, DEMO_PASSWORD)
    await page.goto("/insurer/applications")
    await page.locator("#applications a", has_text=reference).click()
    await page.wait_for_url(re.compile(rf"/insurer/applications/{application}$"))
    await page.locator("#review-button").click()
    await page.wait_for_url(re.compile(r"done=review"))
    assert await state_of(page) == "in_review"
    assert await page.locator("#four-eyes").is_visible()
    await page.locator("#outcome-accept").check()
    await page.locator("#decide-text").fill("同意承保")
    await page.locator("#decide-button").click()
    await page.wait_for_url(re.compile(r"done=decide"))
    assert await state_of(page) == "proposed"
    await page.locator("#approve-button").click()
    assert await page.locator("#approve #err-approve").is_visible()
    assert await state_of(page) == "proposed"
    await sign_out(page)

    await sign_in(page, CHECKER_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/insurer/applications/{application}")
    await page.locator("#approve-button").click()
    await page.wait_for_url(re.compile(r"done=approve"))
    assert await state_of(page) == "accepted"
    assert await page.locator('#decisions li[data-kind="proposal"]').count() >= 1
    await sign_out(page)

    # ---------------------------------------------------------------------------------------- 4. the policy
    # The SME binds (a confirmation step first) and pays the premium by bank transfer.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/sme/insurance/{application}")
    assert await state_of(page) == "accepted"
    await page.locator("#bind-link").click()
    await page.wait_for_url(re.compile(r"/sme/policies/bind\?application="))
    assert digits(await page.locator("#quote-premium").inner_text()) == facts["premium_minor"]
    await page.locator("#bind-form button[type=submit]").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"/sme/policies/\d+\?done=bind"))
    policy = page.url.split("?")[0].rsplit("/", 1)[-1]
    number = (await page.locator("#policy-number").inner_text()).strip()
    assert await state_of(page, "#policy-state") == "awaiting_premium"
    await page.locator('#pay-form input[name="method"][value="bank_transfer"]').check()
    await page.locator("#pay-form button[type=submit]").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"done=pay"))
    transfer = page.locator('#payments .payment[data-status="awaiting_payer"]')
    assert await transfer.count() == 1
    transfer_reference = (await transfer.locator(".reference").inner_text()).strip()
    assert transfer_reference
    await sign_out(page)

    # The insurer confirms the transfer's receipt: the policy is in force, its schedule issued.
    await sign_in(page, INSURER_EMAIL, DEMO_PASSWORD)
    await page.goto("/insurer/policies")
    assert transfer_reference in await page.locator("#waiting-transfers").inner_text()
    await page.locator("#waiting-transfers a", has_text=number).click()
    await page.wait_for_url(re.compile(rf"/insurer/policies/{policy}$"))
    await page.locator("form[id^=received-form-] button").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"done=received"))
    assert await state_of(page, "#policy-state") == "in_force"
    await sign_out(page)

    # The SME downloads the schedule: a PDF whose SHA-256 is the one shown.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/sme/policies/{policy}")
    assert await state_of(page, "#policy-state") == "in_force"
    assert int(str(await page.locator("#policy-paid").get_attribute("data-minor"))) == facts["premium_minor"]
    shown = (await page.locator("#schedule-sha256").inner_text()).strip()
    href = str(await page.locator("#schedule-link").get_attribute("href"))
    schedule = await page.request.get(href)
    assert schedule.ok
    assert schedule.headers["content-type"].startswith("application/pdf")
    body = await schedule.body()
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == shown
    await page.goto(f"/sme/insurance/{application}")
    assert await state_of(page) == "bound"

    # ---------------------------------------------------------------------------------------- 5. a claim
    # Some weeks pass (the clock, in the setup); an infringer is sued over the licensed patent: the SME notifies
    # the claim with the court's acceptance (立案/受理) and adds its lawyer's fee with the invoice.
    starts_on = date.fromisoformat(run_setup(live_server, "age", policy, str(AGED_DAYS)))
    assert starts_on == today + timedelta(days=1 - AGED_DAYS)
    accepted_on = today - timedelta(days=5)
    await page.goto(f"/sme/policies/{policy}")
    await page.locator("#new-claim-link").click()
    await page.wait_for_url(re.compile(rf"/sme/policies/{policy}/claims/new$"))
    await page.locator("#patent_id").select_option(str(licensed))
    await page.locator("#counterparty").fill("杭州某某科技有限公司")
    await page.locator("#forum").select_option("court")
    await page.locator("#event_on").fill((today - timedelta(days=20)).isoformat())
    await page.locator("#first_claim_on").fill((today - timedelta(days=10)).isoformat())
    await page.locator("#description").fill("对方未经许可制造、销售落入本专利权利要求保护范围的产品")
    await page.locator("#acceptance_number").fill("（2026）浙01知民初1234号")
    await page.locator("#accepted_on").fill(accepted_on.isoformat())
    await page.locator("#notify-button").click()
    await page.wait_for_url(re.compile(r"/sme/claims/\d+$"))
    claim = page.url.rsplit("/", 1)[-1]
    assert await state_of(page) == "notified"
    assert "（2026）浙01知民初1234号" in await page.locator("#acceptance").inner_text()
    assert await page.locator("#coverage").count() == 0  # covered: in the period, a listed patent

    await page.locator("#kind").select_option("lawyer")
    await page.locator("#amount").fill("20000")  # within the limit left (36,000 for two patents)
    await page.locator("#incurred_on").fill((today - timedelta(days=2)).isoformat())
    await page.locator("#invoice_number").fill("33002612345678")
    await page.locator("#cost_description").fill("一审律师代理费")
    await page.locator("#file").set_input_files(str(document))
    await page.locator("#cost-button").click()
    await page.wait_for_url(re.compile(r"done=cost"))
    cost = page.locator('#costs tr[data-kind="lawyer"]')
    assert await cost.count() == 1
    cost_id = str(await cost.get_attribute("id")).removeprefix("cost-")
    await sign_out(page)

    # The insurer reviews, pre-approves the fee, assesses (line by line against the limits and the deductible)
    # and pays, after the confirmation step.
    await sign_in(page, INSURER_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/insurer/claims/{claim}")
    await page.locator("#review-button").click()
    await page.wait_for_url(re.compile(r"done=review"))
    assert await state_of(page) == "in_review"
    await page.locator(f"#pre-approve-{cost_id} button").click()
    await page.wait_for_url(re.compile(r"done=pre-approve"))
    await page.locator("#assess-text").fill("律师费已预先核准，扣除免赔额后赔付")
    await page.locator("#assess-button").click()
    await page.wait_for_url(re.compile(r"done=assess"))
    assert await state_of(page) == "assessed"
    lines = page.locator("#assessment li[data-key]")
    keys = await lines.evaluate_all("ls => ls.map(l => l.dataset.key)")
    assert "deductible" in keys and "payable" in keys, keys
    assert "excluded" not in keys, keys
    payable = 2_000_000 - facts["deductible_minor"]
    assert digits(await page.locator('#assessment li[data-key="payable"]').inner_text()) == payable
    assert "免赔" in await page.locator('#assessment li[data-key="deductible"]').inner_text()
    await page.locator("#reference").fill("PICC-PAY-0001")
    await page.locator("#pay-button").click()
    await confirm(page)
    await page.wait_for_url(re.compile(r"done=pay"))
    assert await state_of(page) == "paid"
    assert await page.locator("#paid").is_visible()
    await sign_out(page)

    # The SME sees its claim paid.
    await sign_in(page, SME_EMAIL, DEMO_PASSWORD)
    await page.goto(f"/sme/claims/{claim}")
    assert await state_of(page) == "paid"
    assert "PICC-PAY-0001" in await page.locator("#paid").inner_text()
