"""The claim pages, in both languages: the SME notifies a claim from its policy (a claim outside the period gets its
message beside the field, nothing written), adds a cost with its invoice, records the case acceptance; the insurer
reviews, pre-approves, assesses (the lines on the page), pays after the confirmation step; a denial too needs it.
PostgreSQL (page tests run there)."""

from __future__ import annotations

from datetime import date
from typing import Any

from finance.insurance_claims import repository as claims_repo
from tests.conftest import Account, Backend, Client, sign_in
from tests.finance.claim_support import PDF, covered
from tests.finance.insurance_support import sme
from tests.finance.test_insurance_claims_guarantee import guarantee_policy, pledge_application

HTML = {"accept": "text/html"}


async def post_form(client: Client, url: str, data: Any = None, files: Any = None) -> Any:
    return await client.post(url, data=data or {}, files=files, headers={"x-csrftoken": await client.csrf(), **HTML})


async def as_(client: Client, account: Account) -> None:
    client.cookies.clear()
    await sign_in(client, account)


def version_in(page: str) -> str:
    marker = 'name="expected_version" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


async def test_the_sme_notifies_and_the_insurer_assesses_and_pays(backend: Backend, client: Client) -> None:
    c = await covered()
    await as_(client, c.made.sme.account)
    form_url = f"/sme/policies/{c.policy.id}/claims/new"
    policy_page = await client.get(f"/sme/policies/{c.policy.id}", headers=HTML)
    assert f'href="{form_url}"' in policy_page.text  # the claim form is reached from the policy
    page = await client.get(form_url, headers=HTML)
    assert page.status_code == 200 and 'id="claim-form"' in page.text and "立案/受理案号" in page.text
    fields = {
        "patent_id": str(c.policy.patent_ids[0]), "counterparty": "深圳某电子有限公司", "forum": "court",  # words: data
        "event_on": c.day(-10).isoformat(), "first_claim_on": c.day(-5).isoformat(),
    }  # fmt: skip
    bad = await post_form(client, form_url, fields)
    assert bad.status_code == 422 and 'id="err-first_claim_on"' in bad.text and "不在保险期间" in bad.text
    assert await claims_repo.for_policy(c.policy.id) == []
    fields |= {"event_on": c.day(5).isoformat(), "first_claim_on": c.day(10).isoformat()}
    made = await post_form(client, form_url, fields)
    assert made.status_code == 200 and 'data-state="notified"' in made.text
    [claim] = await claims_repo.for_policy(c.policy.id)
    url = f"/sme/claims/{claim.id}"

    # a lawyer's invoice before the case is accepted: refused beside the field
    cost = {"expected_version": version_in(made.text), "kind": "lawyer", "amount": "5000",
            "incurred_on": c.day(12).isoformat(), "invoice_number": "44031234"}  # fmt: skip
    files = {"file": ("invoice.pdf", PDF, "application/pdf")}
    refused = await post_form(client, f"{url}/cost", cost, files)
    assert refused.status_code == 422 and "立案/受理" in refused.text and 'id="err-kind"' in refused.text
    accepted = await post_form(client, f"{url}/acceptance", {"expected_version": version_in(refused.text),
                                                             "acceptance_number": "(2026)京73民初1号",  # words: data
                                                             "accepted_on": c.day(11).isoformat()})  # fmt: skip
    assert accepted.status_code == 200 and "(2026)京73民初1号" in accepted.text  # words: data
    added = await post_form(client, f"{url}/cost", {**cost, "expected_version": version_in(accepted.text)}, files)
    assert added.status_code == 200 and 'data-kind="lawyer"' in added.text
    en = await client.get(f"{url}?lang=en", headers={**HTML, "accept-language": "en"})
    assert "Costs and invoices" in en.text and "lawyer&#39;s fees" in en.text

    await as_(client, c.made.insurer.account)
    url = f"/insurer/claims/{claim.id}"
    page = await client.get(url, headers=HTML)
    assert page.status_code == 200 and 'id="review-form"' in page.text
    page = await post_form(client, f"{url}/review", {"expected_version": version_in(page.text)})
    cost_id = str((await claims_repo.costs_of(claim.id))[0].id)
    page = await post_form(client, f"{url}/pre-approve", {"expected_version": version_in(page.text),
                                                          "cost_id": cost_id})  # fmt: skip
    page = await post_form(client, f"{url}/assess", {"expected_version": version_in(page.text)})
    assert page.status_code == 200 and 'id="assessment"' in page.text and 'data-key="payable"' in page.text
    # 5,000 - the 1,000 deductible = 4,000
    assert "应赔付金额：" in page.text and "4,000.00" in page.text
    pay = {"expected_version": version_in(page.text), "paid_on": date.today().isoformat(), "reference": "PAY-9"}
    step = await post_form(client, f"{url}/pay", pay)
    assert 'id="confirm-form"' in step.text and await claims_repo.payment_of(claim.id) is None  # nothing yet
    done = await post_form(client, f"{url}/pay", {**pay, "confirmed": "yes"})
    assert done.status_code == 200 and 'data-state="paid"' in done.text and 'id="paid"' in done.text
    payment = await claims_repo.payment_of(claim.id)
    assert payment is not None and payment.amount_minor == 400_000
    listing = await client.get("/insurer/claims", headers=HTML)
    assert claim_reference(done.text) in listing.text
    book = await client.get("/insurer/book", headers=HTML)  # the policies' book, with the claims figures
    assert book.status_code == 200 and 'id="claims-by-state"' in book.text and "已赔付" in book.text
    assert "4,000.00" in book.text  # claims paid


def claim_reference(page: str) -> str:
    start = page.index("IC-")
    return page[start : start + 14]


async def test_a_denial_needs_the_confirmation_and_writes_the_letter(backend: Backend, client: Client) -> None:
    c = await covered()
    await as_(client, c.made.sme.account)
    fields = {
        "patent_id": str(c.policy.patent_ids[0]), "counterparty": "某公司", "forum": "administrative",  # words: data
        "event_on": c.day(5).isoformat(), "first_claim_on": c.day(10).isoformat(),
        "first_known_on": c.day(-30).isoformat(),
    }  # fmt: skip
    await post_form(client, f"/sme/policies/{c.policy.id}/claims/new", fields)
    [claim] = await claims_repo.for_policy(c.policy.id)
    await as_(client, c.made.insurer.account)
    url = f"/insurer/claims/{claim.id}"
    page = await client.get(url, headers=HTML)
    assert ('id="coverage"' in page.text and "投保前" in page.text) or "保险期间开始" in page.text
    deny = {"expected_version": version_in(page.text), "reasons": "insurance_claim.dispute_known_before_inception"}
    step = await post_form(client, f"{url}/deny", deny)
    assert 'id="confirm-form"' in step.text
    done = await post_form(client, f"{url}/deny", {**deny, "confirmed": "yes"})
    assert done.status_code == 200 and 'data-state="denied"' in done.text and 'id="letters"' in done.text
    await as_(client, c.made.sme.account)
    mine = await client.get(f"/sme/claims/{claim.id}?lang=en", headers={**HTML, "accept-language": "en"})
    assert 'id="denied"' in mine.text and "before the policy started" in mine.text


async def test_the_sme_attaches_its_guarantee_policy_to_its_pledge_loan(backend: Backend, client: Client) -> None:
    applicant = await sme()
    made = await guarantee_policy(applicant)
    _, application_id = await pledge_application(applicant)
    await as_(client, applicant.account)
    policy_page = await client.get(f"/sme/policies/{made.policy_id}", headers=HTML)
    assert 'id="attach-guarantee-link"' in policy_page.text
    form = await client.get(f"/sme/guarantees/new?policy={made.policy_id}", headers=HTML)
    assert form.status_code == 200 and f'value="{application_id}"' in form.text
    fields = {"policy_id": str(made.policy_id), "pledge_application_id": str(application_id)}
    done = await post_form(client, "/sme/guarantees/new", fields)
    assert done.status_code == 200 and str(done.url).endswith(f"/sme/pledges/{application_id}")
    assert 'data-requirement="guarantee_policy"' in done.text
    again = await post_form(client, "/sme/guarantees/new", fields)
    assert again.status_code == 409 and 'id="form-errors"' in again.text
