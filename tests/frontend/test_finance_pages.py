"""The licence pages, on SQLite and PostgreSQL: a firm takes a licence on the request page and pays by bank transfer
or (with a Stripe test key, against localstripe) in test mode; the platform confirms transfers on its page; the
contract downloads for the two parties only; royalties typed in yuan arrive as exact fen; the university's ledger
shows the totals; a stranger firm gets 404 everywhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from finance.contracts import service as contracts
from finance.contracts.service import CONTRACT
from finance.licences import repository as licences_repo
from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.royalties import service as royalties
from listings.declarations import service as declarations
from listings.declarations.schemas import TermsIn
from market import jobs
from market.integrations.pdf import render_html
from tests.conftest import Account, Backend, Client, make_account, sign_in
from tests.finance.conftest import _no_stripe_by_default, stripe_gateway  # noqa: F401 - fixtures used below
from tests.finance.support import ENTRY, LUMP, ROYALTY, move_today_on, offer, principal_of
from tests.finance.test_licence_flow import pdftotext
from tests.integrations.payments.conftest import localstripe_url  # noqa: F401 - fixture

HTML = {"accept": "text/html"}
CREDIT_CODE = "91440300MA5G7K3M2Q"
UNIVERSITY = "浙江大学"
FIRM = "深圳市青禾智能科技有限公司"


async def post_form(client: Client, url: str, data: Any = None, **kw: Any) -> Any:
    return await client.post(url, data=data or {}, headers={"x-csrftoken": await client.csrf(), **HTML}, **kw)


async def signed_in(client: Client, kind: str, org_name: str | None = None) -> Account:
    client.cookies.clear()
    account = await make_account(kind, org_name=org_name)
    await sign_in(client, account)
    return account


def request_form(version: int = 1, **changes: str) -> dict[str, str]:
    return {
        "declaration_version": str(version),
        "licensee_credit_code": CREDIT_CODE,
        "licensee_address": "深圳市南山区创新路 16 号",
        "accept_terms": "on",
        **changes,
    }


async def take(client: Client, declaration_id: int) -> int:
    """The firm signed in on ``client`` takes the licence on the request page; the licence's id."""
    response = await post_form(client, f"/listings/{declaration_id}/request", request_form())
    assert response.status_code == 200, response.text
    found = re.search(r"/licences/(\d+)\?done=", str(response.url))
    assert found, response.url
    return int(found.group(1))


async def drain(client: Client) -> None:
    await client.app.state.job_queue.drain()


# ------------------------------------------------------------------------------------------------- the request


async def test_the_request_page_for_visitors_universities_and_firms(backend: Backend, client: Client) -> None:
    _, _, declaration_id = await offer(ENTRY, name=UNIVERSITY)
    url = f"/listings/{declaration_id}/request"
    visitor = await client.get(url, headers=HTML)
    assert visitor.status_code == 200
    assert f"/sign-in?next=/listings/{declaration_id}/request" in visitor.text
    assert "¥50,000.00" in visitor.text and "入门费" in visitor.text  # the terms in plain words, the amount due now
    assert 'name="licensee_credit_code"' not in visitor.text
    refused = await post_form(client, url, request_form(), follow_redirects=False)
    assert refused.status_code in {302, 303} and refused.headers["location"].startswith("/sign-in")

    await signed_in(client, "university")
    other = await client.get(url, headers=HTML)
    assert other.status_code == 200 and "请以企业账户申请" in other.text and 'id="request-form"' not in other.text
    assert (await post_form(client, url, request_form())).status_code == 403

    await signed_in(client, "sme", FIRM)
    form = await client.get(url, headers=HTML)
    assert form.status_code == 200 and 'id="request-form"' in form.text
    assert 'name="declaration_version" value="1"' in form.text and 'data-minor="5000000"' in form.text
    assert "我接受公告的许可条件（专利法第五十一条）" in form.text
    assert '<label for="licensee_credit_code">' in form.text and "<fieldset>" in form.text


async def test_an_sme_takes_a_licence_on_the_request_page(backend: Backend, client: Client) -> None:
    uni, _, declaration_id = await offer(ENTRY, name=UNIVERSITY)
    firm = await signed_in(client, "sme", FIRM)
    url = f"/listings/{declaration_id}/request"

    unticked = await post_form(client, url, request_form(accept_terms=""))
    assert unticked.status_code == 400 and "专利法第五十一条规定的书面通知" in unticked.text
    assert 'data-field="accept_terms"' in unticked.text and 'value="深圳市南山区创新路 16 号"' in unticked.text
    bad_code = await post_form(client, url, request_form(licensee_credit_code="12345"))
    assert bad_code.status_code == 400 and "统一社会信用代码：应为 18 位" in bad_code.text
    assert await licences.list_mine(principal=await principal_of(firm)) == []

    licence_id = await take(client, declaration_id)
    page = await client.get(f"/licences/{licence_id}", headers=HTML)
    assert page.status_code == 200
    assert 'data-status="pending_payment"' in page.text and "¥50,000.00" in page.text
    assert UNIVERSITY in page.text and FIRM in page.text and "CN108982325B" in page.text
    assert 'id="pay-bank"' in page.text and 'id="pay-test"' not in page.text  # no Stripe key: bank transfer only
    assert "本离线版本" in page.text  # says plainly that live card entry is not available here
    [licence] = await licences.list_mine(principal=await principal_of(firm))
    assert (licence.id, licence.declaration_version, licence.amount_due_minor) == (licence_id, 1, 5_000_000)
    filing_party = await licences.get(principal=uni, licence_id=licence_id)  # the university sees it too
    assert filing_party.status == "pending_payment" and filing_party.amount_due_minor == 5_000_000

    again = await post_form(client, url, request_form())
    assert again.status_code == 409 and "已持有" in again.text and 'href="/licences"' in again.text
    mine = await client.get("/licences", headers=HTML)
    assert f'href="/licences/{licence_id}"' in mine.text and UNIVERSITY in mine.text


async def test_stale_terms_show_the_new_terms(backend: Backend, client: Client) -> None:
    uni, _, declaration_id = await offer(LUMP, name=UNIVERSITY)
    await signed_in(client, "sme", FIRM)
    form = await client.get(f"/listings/{declaration_id}/request", headers=HTML)
    assert "¥123,456.00" in form.text
    async with jobs.unit_of_work():  # the university changes the terms while the firm reads them
        terms = TermsIn(payment_mode="lump_sum", lump_sum_minor=9_900_000)
        await declarations.revise(principal=uni, declaration_id=declaration_id, terms=terms)
    stale = await post_form(client, f"/listings/{declaration_id}/request", request_form(version=1))
    assert stale.status_code == 409
    assert "现为第 2 版" in stale.text and "¥99,000.00" in stale.text
    assert 'name="declaration_version" value="2"' in stale.text
    assert 'id="accept_terms" name="accept_terms" checked' not in stale.text  # read, then tick again
    licence_id = await take_version(client, declaration_id, 2)
    assert (await client.get(f"/licences/{licence_id}", headers=HTML)).status_code == 200


async def take_version(client: Client, declaration_id: int, version: int) -> int:
    response = await post_form(client, f"/listings/{declaration_id}/request", request_form(version=version))
    found = re.search(r"/licences/(\d+)", str(response.url))
    assert response.status_code == 200 and found, response.text
    return int(found.group(1))


# ------------------------------------------------------------------------------------------------- paying


async def test_bank_transfer_confirmed_on_the_admin_page_activates_and_the_contract_downloads(
    backend: Backend, client: Client
) -> None:
    _, _, declaration_id = await offer(ENTRY, name=UNIVERSITY)
    firm = await signed_in(client, "sme", FIRM)
    licence_id = await take(client, declaration_id)
    before = await client.get(f"/licences/{licence_id}/contract", headers=HTML)
    assert before.status_code == 409 and "请先完成付款" in before.text

    paying = await post_form(client, f"/licences/{licence_id}/payments", {"method": "bank_transfer"})
    assert paying.status_code == 200 and "done=transfer" in str(paying.url)
    reference = re.search(r'<code class="reference">(OL-\d{4}-[0-9A-Z]{4}-[0-9A-Z])</code>', paying.text)
    assert reference, paying.text
    assert "附言中注明编号" in paying.text and reference.group(1) in paying.text  # the instructions, in Chinese
    nonsense = await post_form(client, f"/licences/{licence_id}/payments", {"method": "cash"})
    assert nonsense.status_code == 409 and "本站不提供这种付款方式" in nonsense.text

    await signed_in(client, "platform_admin", "平台运营")
    desk = await client.get("/admin/transfers", headers=HTML)
    assert desk.status_code == 200 and reference.group(1) in desk.text and "¥50,000.00" in desk.text
    [transfer] = await payments.pending_transfers()
    step = await post_form(client, f"/admin/transfers/{transfer.id}/confirm")  # the confirmation step only
    assert step.status_code == 200 and 'id="confirm-receipt"' in step.text and 'value="yes"' in step.text
    assert (await payments.pending_transfers()) == [transfer]  # nothing done yet
    confirmed = await post_form(client, f"/admin/transfers/{transfer.id}/confirm", {"confirmed": "yes"})
    assert confirmed.status_code == 200 and 'id="done"' in confirmed.text and 'id="no-transfers"' in confirmed.text
    twice = await post_form(client, f"/admin/transfers/{transfer.id}/confirm", {"confirmed": "yes"})
    assert twice.status_code == 409 and "无需确认" in twice.text

    client.cookies.clear()
    await sign_in(client, firm)
    await drain(client)
    active = await client.get(f"/licences/{licence_id}", headers=HTML)
    assert 'data-status="active"' in active.text and 'data-status="succeeded"' in active.text
    assert 'id="download-contract"' in active.text and 'http-equiv="refresh"' not in active.text
    assert 'id="filing"' in active.text and "实施细则第十五条" in active.text and CREDIT_CODE in active.text
    contract = await client.get(f"/licences/{licence_id}/contract", headers=HTML)
    assert contract.status_code == 200 and contract.headers["content-type"] == "application/pdf"
    assert contract.content.startswith(b"%PDF") and "attachment" in contract.headers["content-disposition"]


async def test_the_contract_page_says_it_is_being_prepared(backend: Backend, client: Client) -> None:
    _, _, declaration_id = await offer(ROYALTY, name=UNIVERSITY)
    firm = await signed_in(client, "sme", FIRM)
    request = LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True)
    async with jobs.unit_of_work():  # active at once; the contract job is sent only after this commits
        licence = await licences.request_licence(principal=await principal_of(firm), data=request)
        waiting = await client.get(f"/licences/{licence.id}/contract", headers=HTML)
        detail = await client.get(f"/licences/{licence.id}", headers=HTML)
    assert waiting.status_code == 200 and "text/html" in waiting.headers["content-type"]
    assert '<meta http-equiv="refresh" content="3">' in waiting.text and "正在生成" in waiting.text
    assert '<meta http-equiv="refresh" content="3">' in detail.text and 'id="download-contract"' not in detail.text
    await drain(client)
    ready = await client.get(f"/licences/{licence.id}/contract", headers=HTML)
    assert ready.status_code == 200 and ready.content.startswith(b"%PDF")


async def test_the_contract_states_the_rate_as_the_pages_do(backend: Backend, client: Client, tmp_path: Path) -> None:
    """One formatter for rates: the licence page and the contract PDF both say 3.50% for 350 basis points."""
    _, _, declaration_id = await offer(ROYALTY, name=UNIVERSITY)  # a running royalty of 350 bp
    firm = await signed_in(client, "sme", FIRM)
    request = LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True)
    async with jobs.unit_of_work():
        licence = await licences.request_licence(principal=await principal_of(firm), data=request)
    await drain(client)
    page = await client.get(f"/licences/{licence.id}", headers=HTML)
    assert "3.50%" in page.text and "3.5%" not in page.text
    stored = await licences_repo.get(licence.id)
    assert stored is not None
    html = render_html(CONTRACT, await contracts.contract_context(stored))
    assert "3.50%" in html and "3.5%" not in html
    pdf = await client.get(f"/licences/{licence.id}/contract", headers=HTML)
    text = pdftotext(pdf.content, tmp_path)
    assert "3.50%" in text and "3.5%" not in text


async def test_a_stranger_firm_gets_404_on_another_firms_licence(backend: Backend, client: Client) -> None:
    _, _, declaration_id = await offer(ROYALTY, name=UNIVERSITY)
    await signed_in(client, "sme", FIRM)
    licence_id = await take(client, declaration_id)
    await drain(client)
    assert (await client.get(f"/licences/{licence_id}/contract", headers=HTML)).status_code == 200

    await signed_in(client, "sme", "另一家企业")
    for url in (f"/licences/{licence_id}", f"/licences/{licence_id}/contract"):
        response = await client.get(url, headers=HTML)
        assert response.status_code == 404, url
        assert FIRM not in response.text and "没有这项许可" in response.text
    for url in (f"/licences/{licence_id}/payments", f"/licences/{licence_id}/royalty-reports",
                f"/licences/{licence_id}/cancel"):  # fmt: skip
        assert (await post_form(client, url, {"method": "bank_transfer"})).status_code == 404, url
    mine = await client.get("/licences", headers=HTML)
    assert mine.status_code == 200 and f"/licences/{licence_id}" not in mine.text
    await signed_in(client, "university", "另一所大学")
    assert (await client.get(f"/licences/{licence_id}/contract", headers=HTML)).status_code == 404
    await signed_in(client, "bank")
    assert (await client.get(f"/licences/{licence_id}", headers=HTML)).status_code == 403
    assert (await client.get("/ledger", headers=HTML)).status_code == 403
    assert (await client.get("/admin/transfers", headers=HTML)).status_code == 403


async def test_pay_in_test_mode_against_localstripe(
    backend: Backend,
    client: Client,
    stripe_gateway: Any,  # noqa: F811 - the fixture imported above
) -> None:
    _, _, declaration_id = await offer(LUMP, name=UNIVERSITY)
    await signed_in(client, "sme", FIRM)
    licence_id = await take(client, declaration_id)
    page = await client.get(f"/licences/{licence_id}", headers=HTML)
    assert 'id="pay-test"' in page.text and 'id="pay-bank"' in page.text
    assert "Stripe.js 或 Checkout" in page.text  # live card entry: said plainly that this build does not load it
    paid = await post_form(client, f"/licences/{licence_id}/payments", {"method": "test_card"})
    assert paid.status_code == 200 and "done=paid" in str(paid.url), paid.text
    assert 'data-status="active"' in paid.text and 'data-method="card"' in paid.text
    await drain(client)
    contract = await client.get(f"/licences/{licence_id}/contract", headers=HTML)
    assert contract.status_code == 200 and contract.content.startswith(b"%PDF")


async def test_a_royalty_paid_in_test_mode_against_localstripe(
    backend: Backend,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    stripe_gateway: Any,  # noqa: F811 - the fixture imported above
) -> None:
    move_today_on(monkeypatch)  # the licence's first quarter has ended
    _, _, declaration_id = await offer(ROYALTY, name=UNIVERSITY)
    firm = await signed_in(client, "sme", FIRM)
    licence_id = await take(client, declaration_id)
    page = await client.get(f"/licences/{licence_id}", headers=HTML)
    start = re.search(r'name="period_start" type="date" value="([\d-]+)"', page.text)
    end = re.search(r'name="period_end" type="date" value="([\d-]+)"', page.text)
    assert start and end
    period = {"period_start": start.group(1), "period_end": end.group(1), "net_sales_yuan": "10000"}
    await post_form(client, f"/licences/{licence_id}/royalty-reports", period)
    [report] = await royalties.list_reports(principal=await principal_of(firm), licence_id=licence_id)
    assert (report.royalty_due_minor, report.status) == (35_000, "invoiced")
    url = f"/licences/{licence_id}/royalty-reports/{report.id}/payments"
    paid = await post_form(client, url, {"method": "test_card"})
    assert paid.status_code == 200 and "done=royalty_paid" in str(paid.url), paid.text
    await drain(client)  # the report is marked paid by its reaction to ``payment.settled``, a job after the commit
    page = await client.get(f"/licences/{licence_id}", headers=HTML)
    assert f'data-report="{report.id}" data-status="paid"' in page.text


# ------------------------------------------------------------------------------------------------- royalties and ledger


async def test_royalties_in_yuan_reach_the_ledger_and_the_statement_matches(
    backend: Backend, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    move_today_on(monkeypatch)  # the licence's first quarter has ended
    uni_principal, _, declaration_id = await offer(ROYALTY, name=UNIVERSITY)
    firm = await signed_in(client, "sme", FIRM)
    licence_id = await take(client, declaration_id)
    page = await client.get(f"/licences/{licence_id}", headers=HTML)
    assert 'data-status="active"' in page.text and 'id="report-form"' in page.text  # nothing due now: active
    start = re.search(r'id="period_start" name="period_start" type="date" value="([\d-]+)"', page.text)
    end = re.search(r'id="period_end" name="period_end" type="date" value="([\d-]+)"', page.text)
    assert start and end
    url = f"/licences/{licence_id}/royalty-reports"
    period = {"period_start": start.group(1), "period_end": end.group(1)}
    bad = await post_form(client, url, {**period, "net_sales_yuan": "1.005"})
    assert bad.status_code == 400 and "最多两位小数" in bad.text and 'value="1.005"' in bad.text
    backwards = await post_form(client, url, {"period_start": end.group(1), "period_end": start.group(1),
                                              "net_sales_yuan": "1"})  # fmt: skip
    assert backwards.status_code == 400 and "期间结束日不能早于开始日" in backwards.text
    filed = await post_form(client, url, {**period, "net_sales_yuan": "123,456.78"})
    assert filed.status_code == 200 and "done=reported" in str(filed.url)
    [report] = await royalties.list_reports(principal=await principal_of(firm), licence_id=licence_id)
    assert (report.net_sales_minor, report.royalty_due_minor) == (12_345_678, 432_099)  # exact fen, 3.5% half up
    overlap = await post_form(client, url, {**period, "net_sales_yuan": "1"})
    assert overlap.status_code == 409 and "已经报告过" in overlap.text

    paying = await post_form(client, f"{url}/{report.id}/payments", {"method": "bank_transfer"})
    reference = re.search(r'<code class="reference">(OL-[0-9A-Z-]+)</code>', paying.text)
    assert paying.status_code == 200 and reference

    await signed_in(client, "platform_admin", "平台运营")
    statement = (
        "交易日期,金额,付款人,摘要\n"
        f"2026-11-20,4320.99,{FIRM},提成 {reference.group(1)}\n"
        "2026-11-20,500.00,某人,无关款项\n"
    ).encode("gbk")
    empty = await client.post("/admin/transfers/statement", files={"file": ("s.csv", b"", "text/csv")},
                              headers={"x-csrftoken": await client.csrf(), **HTML})  # fmt: skip
    assert empty.status_code == 400 and "请选择银行流水" in empty.text
    matched = await client.post(
        "/admin/transfers/statement",
        files={"file": ("statement.csv", statement, "text/csv")},
        headers={"x-csrftoken": await client.csrf(), **HTML},
    )
    assert matched.status_code == 200, matched.text  # the run's page: a progress bar, refreshing itself
    assert 'id="statement-progress"' in matched.text and str(matched.url.path).startswith(
        "/admin/transfers/statements/"
    )
    await drain(client)  # matched in the job
    matched = await client.get(matched.url.path, headers=HTML)
    assert 'data-status="matched"' in matched.text and 'data-status="unmatched"' in matched.text
    assert "已确认 1 笔" in matched.text and 'value="100"' in matched.text

    await signed_in(client, "university")  # another university: its own (empty) ledger
    assert "¥4,320.99" not in (await client.get("/ledger", headers=HTML)).text
    client.cookies.clear()
    owner = await uni_account(uni_principal)
    await sign_in(client, owner)
    books = await client.get("/ledger", headers=HTML)
    assert books.status_code == 200
    totals = books.text[books.text.index('id="ledger-totals"') :]
    for amount in ("¥4,320.99", "¥216.05", "¥4,104.94", "¥2,052.47"):  # gross, 5% fee, net, 50% to the inventors
        assert amount in totals, amount
    assert "促进科技成果转化法第四十五条" in books.text and "50.00%" in books.text
    month = re.search(r'data-month="(\d{4}-\d\d)"', books.text)
    assert month
    assert "¥4,320.99" in (await client.get(f"/ledger?month={month.group(1)}", headers=HTML)).text
    assert "¥4,320.99" not in (await client.get("/ledger?month=1999-01", headers=HTML)).text
    assert (await client.get("/ledger?month=junk", headers=HTML)).status_code == 400
    pdf = await client.get(f"/ledger/statements/{month.group(1)}", headers=HTML)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (await client.get("/ledger/statements/1999-01", headers=HTML)).status_code == 404
    granted = await client.get(f"/licences/{licence_id}", headers=HTML)
    assert granted.status_code == 200 and 'data-status="paid"' in granted.text
    assert 'id="report-form"' not in granted.text  # the licensee reports; the university reads
    client.cookies.set("lang", "en")
    english = await client.get("/ledger", headers=HTML)
    assert "Licence income ledger" in english.text and "Law on Promoting the Transformation" in english.text
    dashboard = await client.get("/dashboard", headers=HTML)
    assert 'href="/ledger"' in dashboard.text and 'href="/licences"' in dashboard.text


async def uni_account(principal: Any) -> Account:
    return Account(
        user_id=principal.user_id, org_id=principal.org_id, email=principal.email, org_name=principal.org_name,
        kind="university",
    )  # fmt: skip


async def test_errors_show_in_the_page_language(backend: Backend, client: Client) -> None:
    _, _, declaration_id = await offer(ENTRY, name=UNIVERSITY)
    firm = await signed_in(client, "sme", FIRM)
    licence_id = await take(client, declaration_id)
    async with jobs.unit_of_work():
        await payments.start(
            principal=await principal_of(firm), licence_id=licence_id, data=PaymentStartIn(method="bank_transfer")
        )
    client.cookies.set("lang", "en")
    page = await client.get(f"/licences/{licence_id}", headers=HTML)
    assert "quoting" in page.text and "Waiting for payment" in page.text and "附言" not in page.text
    cancelled = await post_form(client, f"/licences/{licence_id}/cancel", {"confirmed": "yes"})
    assert cancelled.status_code == 200 and "Request cancelled" in cancelled.text
    again = await post_form(client, f"/licences/{licence_id}/cancel")
    assert again.status_code == 409 and "Only a licence still waiting for payment" in again.text
    assert "只有待付款" not in again.text
    missing = await client.get("/licences/999999", headers=HTML)
    assert missing.status_code == 404 and "No such licence." in missing.text and "没有这项许可" not in missing.text
