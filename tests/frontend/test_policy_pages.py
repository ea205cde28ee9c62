"""The policy pages, in both languages (PostgreSQL, as page tests run): the SME binds an accepted application after
the confirmation step, pays by bank transfer (the reference and instructions shown), the insurer confirms receipt
(confirmation step), both see the schedule's SHA-256 and download it; a cancellation shows its pro-rata refund on
the confirmation step and a bad date beside the field; the insurer's book shows its charts' tables."""

from __future__ import annotations

from typing import Any

from finance.policies import service as policies
from tests.conftest import Account, Backend, Client, sign_in
from tests.finance.insurance_support import accepted_application
from tests.finance.policy_support import in_force_policy

HTML = {"accept": "text/html"}


async def post_form(client: Client, url: str, data: Any = None) -> Any:
    return await client.post(url, data=data or {}, headers={"x-csrftoken": await client.csrf(), **HTML})


async def as_(client: Client, account: Account) -> None:
    client.cookies.clear()
    await sign_in(client, account)


async def test_bind_pay_confirm_and_download_in_both_languages(backend: Backend, client: Client) -> None:
    accepted = await accepted_application()
    await as_(client, accepted.sme.account)
    listed = await client.get("/sme/policies", headers=HTML)
    assert f'href="/sme/policies/bind?application={accepted.application_id}"' in listed.text
    form = await client.get(f"/sme/policies/bind?application={accepted.application_id}", headers=HTML)
    assert form.status_code == 200 and 'id="bind-form"' in form.text and "确认出单" in form.text
    step = await post_form(client, "/sme/policies/bind", {"application_id": str(accepted.application_id)})
    assert 'id="confirm-form"' in step.text
    assert await policies.policy_of_application(accepted.application_id) is None  # nothing yet
    done = await post_form(client, "/sme/policies/bind",
                           {"application_id": str(accepted.application_id), "confirmed": "yes"})
    assert done.status_code == 200 and 'data-state="awaiting_premium"' in done.text
    row = await policies.policy_of_application(accepted.application_id)
    assert row is not None
    url = f"/sme/policies/{row.id}"
    paid = await post_form(client, f"{url}/pay", {"method": "bank_transfer", "confirmed": "yes"})
    assert paid.status_code == 200 and 'class="reference"' in paid.text and "附言" in paid.text
    payment = (await policies.view(principal=accepted.sme.principal, policy_id=row.id)).payments[0]

    await as_(client, accepted.insurer.account)
    listed = await client.get("/insurer/policies", headers=HTML)
    assert payment.reference in listed.text and 'id="waiting-transfers"' in listed.text
    insurer_url = f"/insurer/policies/{row.id}"
    step = await post_form(client, f"{insurer_url}/received/{payment.id}")
    assert 'id="confirm-form"' in step.text and payment.reference in step.text
    confirmed = await post_form(client, f"{insurer_url}/received/{payment.id}", {"confirmed": "yes"})
    assert confirmed.status_code == 200 and 'data-state="in_force"' in confirmed.text
    fresh = await policies.policy(row.id)
    assert f'id="schedule-sha256">{fresh.schedule_sha256}<' in confirmed.text
    pdf = await client.get(f"/policies/{row.id}/schedule.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    await as_(client, accepted.sme.account)
    await client.get("/lang/en", headers=HTML)
    english = await client.get(url, headers=HTML)
    assert "Policy schedule" in english.text and fresh.schedule_sha256 in english.text
    assert 'id="endorse-form"' in english.text and 'id="cancel-form"' in english.text


async def test_cancellation_shows_its_refund_before_and_a_bad_date_beside_the_field(
    backend: Backend, client: Client
) -> None:
    made = await in_force_policy()
    row = await policies.policy(made.policy_id)
    await as_(client, made.sme.account)
    url = f"/sme/policies/{made.policy_id}"
    bad = await post_form(client, f"{url}/cancel", {"version": str(row.version), "on": "2000-01-01",
                                                    "confirmed": "yes"})
    assert bad.status_code == 422 and 'id="cancel-on-error"' in bad.text
    on = policies.today().isoformat()
    step = await post_form(client, f"{url}/cancel", {"version": str(row.version), "on": on})
    assert 'id="confirm-form"' in step.text and "退费" in step.text
    assert (await policies.policy(made.policy_id)).state == "in_force"
    done = await post_form(client, f"{url}/cancel", {"version": str(row.version), "on": on, "confirmed": "yes"})
    assert done.status_code == 200 and 'data-state="cancelled"' in done.text
    assert 'data-kind="cancellation"' in done.text


async def test_the_insurers_book_in_charts_and_tables(backend: Backend, client: Client) -> None:
    made = await in_force_policy()
    await as_(client, made.insurer.account)
    book = await client.get("/insurer/book", headers=HTML)
    assert book.status_code == 200
    for table in ('id="by-state"', 'id="by-month"', 'id="limits-by-kind"', 'id="loss-ratio"'):
        assert table in book.text
    assert "承保业务概览" in book.text
    await as_(client, made.sme.account)
    assert (await client.get("/insurer/book", headers=HTML)).status_code in (403, 404)
