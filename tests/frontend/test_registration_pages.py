"""The pledge registration and loan pages, in both languages: both parties sign after the confirmation step, the
bank records the registration (errors beside the field), the patent shows as pledged, the bank's consent is
recorded, a repayment is recorded with the balance derived. PostgreSQL (page tests run there)."""

from __future__ import annotations

from typing import Any

from finance.registrations import service as registrations
from finance.registrations.service import PledgeTerms
from market import runtime
from market.jobs import unit_of_work
from market.kit.money import Money
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.finance.support import principal_of
from tests.listings.support import eligible, record

HTML = {"accept": "text/html"}


async def post_form(client: Client, url: str, data: Any = None) -> Any:
    return await client.post(url, data=data or {}, headers={"x-csrftoken": await client.csrf(), **HTML})


async def as_(client: Client, account: Account) -> None:
    client.cookies.clear()
    await sign_in(client, account)


async def test_both_sign_the_bank_registers_consents_and_records_a_repayment(backend: Backend, client: Client) -> None:
    sme = await make_account("sme", org_name="深圳市青禾智能科技有限公司")
    bank = await make_account("bank", org_name="交通银行深圳分行")
    patent_id = await record(await principal_of(sme), eligible("CN108982325B", patentees=[sme.org_name]))
    async with unit_of_work():
        reg = await registrations.start(
            terms=PledgeTerms(12, sme.org_id, bank.org_id, Money("CNY", 300_000_000), 24, (patent_id,)),
            data_dir=runtime.current().settings.data_dir,
        )
    url = f"/pledge-registrations/{reg.id}"

    await as_(client, sme)
    page = await client.get(url, headers=HTML)
    assert page.status_code == 200 and 'id="sign-form"' in page.text and "专利权质押合同" in page.text
    pdf = await client.get(f"{url}/documents/pledge_contract")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    step = await post_form(client, f"{url}/sign", {"version": "1"})
    assert 'id="confirm-form"' in step.text and (await registrations.signatures(reg.id)) == []  # nothing yet
    done = await post_form(client, f"{url}/sign", {"version": "1", "confirmed": "yes"})
    assert done.status_code == 200 and 'id="waiting-other"' in done.text

    await as_(client, bank)
    await post_form(client, f"{url}/sign", {"version": "2", "confirmed": "yes"})
    await post_form(client, f"{url}/filed", {"version": "3", "filed_on": "2026-12-07", "confirmed": "yes"})
    bad = await post_form(
        client,
        f"{url}/registered",
        {"version": "4", "registration_number": "", "registered_on": "2026-12-10", "confirmed": "yes"},
    )
    assert bad.status_code == 400 and 'id="registered-registration_number-error"' in bad.text
    ok = await post_form(
        client,
        f"{url}/registered",
        {"version": "4", "registration_number": "Y2026980001234", "registered_on": "2026-12-10", "confirmed": "yes"},
    )
    assert ok.status_code == 200 and 'data-state="registered"' in ok.text and "Y2026980001234" in ok.text
    assert '<td class="pledged">是</td>' in ok.text and 'id="consent-form"' in ok.text
    # listings' declaration check now refuses an open-licence declaration of it, citing Art 86(4)
    assert f'id="art86-{patent_id}" data-outcome="refused"' in ok.text and "第八十六条第（四）项" in ok.text
    consent = await post_form(
        client, f"{url}/consent", {"patent_id": str(patent_id), "scope": "open_licence", "confirmed": "yes"}
    )
    assert '<td class="consent">是</td>' in consent.text
    assert f'id="art86-{patent_id}" data-outcome="allowed"' in consent.text
    await client.app.state.job_queue.drain()

    loans = await client.get("/loans", headers=HTML)
    assert loans.status_code == 200 and 'id="loans"' in loans.text
    again = await client.get(url, headers=HTML)  # the loan is opened by the registration's event, after the commit
    loan_url = again.text.split('href="/loans/')[1].split('"')[0]
    r = await post_form(
        client,
        f"/loans/{loan_url}/disbursement",
        {"principal_minor": "300000000", "occurred_on": "2026-12-20", "confirmed": "yes"},
    )
    assert r.status_code == 200 and 'data-state="running"' in r.text
    over = await post_form(
        client,
        f"/loans/{loan_url}/repayment",
        {"principal_minor": "300000001", "interest_minor": "0", "occurred_on": "2027-01-20", "confirmed": "yes"},
    )
    assert over.status_code == 422 and 'id="repayment-principal_minor-error"' in over.text
    paid = await post_form(
        client,
        f"/loans/{loan_url}/repayment",
        {"principal_minor": "100000000", "interest_minor": "500000", "occurred_on": "2027-01-20", "confirmed": "yes"},
    )
    assert 'data-minor="200000000"' in paid.text
    en = await client.get(f"/loans/{loan_url}?lang=en", headers={**HTML, "accept-language": "en"})
    assert "Balance" in en.text

    await as_(client, await make_account("bank", org_name="另一家银行"))
    assert (await client.get(url, headers=HTML)).status_code == 404


async def test_the_openapi_document_describes_the_registration_and_loan_operations(
    backend: Backend, client: Client
) -> None:
    doc = (await client.get("/schema/openapi.json")).json()
    paths = doc["paths"]
    for path, method in (
        ("/api/pledge-registrations/{registration_id}/sign", "post"),
        ("/api/pledge-registrations/{registration_id}/registered", "post"),
        ("/api/pledge-registrations/{registration_id}/consents", "post"),
        ("/api/loans/{loan_id}/repayments", "post"),
        ("/api/loans/{loan_id}/default", "post"),
    ):
        assert paths[path][method]["summary"], path
