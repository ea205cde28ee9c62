"""The university's daily work on the pages (PostgreSQL): patentee aliases recorded on their page and used at
declaration; an import's warnings in its report; a bulk declaration priced per patent with each one's check shown
before the university confirms; a confirmation step before publish, withdraw and cancel (a POST without
``confirmed=yes`` does nothing); a withdrawn listing's page is a notice (410), with no licence on offer, and search
no longer finds it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from finance.licences import service as licences
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.imports.service import import_file
from market import jobs
from market.app import create_app
from market.integrations.search import build_search
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.support import ENTRY, offer
from tests.frontend.test_finance_pages import take
from tests.frontend.test_listings_pages import eligible_patent, principal_of, signed_in_university, terms_form

HTML = {"accept": "text/html"}
FORMER = "浙江农业大学"  # words: data


@pytest.fixture
async def app(backend: Backend, tmp_path: Path) -> Any:
    index = build_search(backend.settings, path=tmp_path / "index")
    return create_app(backend.settings, queue=jobs.InProcessQueue(max_tries=3, backoff_base=0.01), search=index)


async def post_form(client: Client, url: str, data: Any = None) -> Any:
    return await client.post(url, data=data or {}, headers={"x-csrftoken": await client.csrf(), **HTML})


async def test_an_alias_recorded_on_its_page_lets_a_patent_under_that_name_be_declared(
    backend: Backend, client: Client
) -> None:
    account = await signed_in_university(client)
    patent = await eligible_patent(account, patentees=[FORMER])
    data = {"patent_id": str(patent), **terms_form(), "action": "check"}
    refused = await post_form(client, "/declarations", data)
    assert 'data-outcome="refused"' in refused.text and 'data-code="not_patentee"' in refused.text
    assert FORMER in refused.text and "专利权人别名" in refused.text  # names the patentee, says what to do

    page = await client.get("/university/aliases", headers=HTML)
    assert page.status_code == 200 and 'id="alias-form"' in page.text and 'id="no-aliases"' in page.text
    assert 'href="/university/aliases"' in (await client.get("/university/settings", headers=HTML)).text
    missing = await post_form(client, "/university/aliases", {"name": FORMER, "kind": "former"})
    assert missing.status_code == 400 and 'data-field="evidence_note"' in missing.text  # evidence is required
    recorded = await post_form(
        client,
        "/university/aliases",
        {"name": FORMER, "kind": "former", "evidence_note": "1998年并入浙江大学", "evidence_ref": "教发〔1998〕10号"},
    )
    assert recorded.status_code == 200 and "别名已登记" in recorded.text and "教发〔1998〕10号" in recorded.text
    again = await post_form(
        client, "/university/aliases", {"name": FORMER, "kind": "former", "evidence_note": "再次", "evidence_ref": "X1"}
    )
    assert again.status_code == 409 and 'data-field="name"' in again.text

    accepted = await post_form(client, "/declarations", data)
    assert 'data-outcome="eligible"' in accepted.text and 'data-code="not_patentee"' not in accepted.text


async def test_an_import_report_shows_its_warnings(backend: Backend, client: Client, tmp_path: Path) -> None:
    account = await signed_in_university(client)
    path = tmp_path / "patents.csv"
    path.write_text(f"number,title_zh,patentees\nCN108982325A,本校,{account.org_name}\nCN108982327A,他校,清华大学\n")
    run = await import_file(org_id=account.org_id, user_id=account.user_id, path=path)
    page = await client.get(f"/patents/import/{run.id}", headers=HTML)
    assert page.status_code == 200 and 'id="warnings"' in page.text
    warnings = page.text[page.text.index('id="warnings"') :]
    assert 'data-code="import.patentee_not_yours"' in warnings and "清华大学" in warnings
    assert 'id="rejections"' not in page.text  # nothing was rejected


async def test_a_bulk_declaration_prices_each_patent_and_shows_each_check_before_it_is_confirmed(
    backend: Backend, client: Client
) -> None:
    account = await signed_in_university(client)
    first = await eligible_patent(account)
    second = await eligible_patent(
        account, number="CN109637352B", title_zh="一种锂离子电池正极材料", ipc_codes=["H01M 4/131"]
    )
    new = await client.get(f"/declarations/new?patent_id={first}&patent_id={second}", headers=HTML)
    assert new.status_code == 200
    for patent in (first, second):  # each pre-filled with its own suggestion
        assert re.search(rf'name="royalty_pct-{patent}"[^>]*value="\d+\.\d\d"', new.text)

    data = {
        "patent_id": [str(first), str(second)],
        **terms_form(),
        f"royalty_pct-{first}": "1.50",
        f"royalty_pct-{second}": "4.25",
        "action": "publish",
    }
    asked = await post_form(client, "/declarations", data)
    assert asked.status_code == 200 and 'id="confirm-publish"' in asked.text and 'id="confirm-button"' in asked.text
    assert asked.text.count('data-outcome="eligible"') == 2  # each one's check, with the price it was checked at
    assert "1.50%" in asked.text and "4.25%" in asked.text
    assert asked.text.count('class="badge badge-') == 2  # each price against its own suggested band
    assert await declarations.list_mine(principal=await principal_of(account)) == []  # nothing published yet
    confirm_form = asked.text[asked.text.index('id="confirm-form"') :]
    assert f'name="royalty_pct-{second}" value="4.25"' in confirm_form  # the confirmation posts the same prices

    done = await post_form(client, "/declarations", {**data, "confirmed": "yes"})
    assert done.status_code == 200 and done.text.count('data-outcome="published"') == 2
    rates = {
        d.patent_id: d.terms.royalty_rate_bp
        for d in await declarations.list_mine(principal=await principal_of(account))
    }
    assert rates == {first: 150, second: 425}  # each at its own price, not the first one's


async def test_publishing_a_draft_asks_first(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    patent = await eligible_patent(account)
    async with jobs.unit_of_work():
        report = await declarations.declare(
            principal=await principal_of(account),
            data=DeclareIn(
                patent_ids=[patent], terms=TermsIn(payment_mode="running_royalty", royalty_rate_bp=300), publish=False
            ),
        )
    declaration_id = report.results[0].declaration_id
    asked = await post_form(client, f"/declarations/{declaration_id}/publish")
    assert asked.status_code == 200 and 'id="confirm-step"' in asked.text and "3.00%" in asked.text
    assert f'action="/declarations/{declaration_id}/publish"' in asked.text
    assert f'href="/declarations/{declaration_id}" id="confirm-back"' in asked.text  # a way back, nothing done
    current = await declarations.get(principal=await principal_of(account), declaration_id=declaration_id)
    assert current.status == "draft"
    done = await post_form(client, f"/declarations/{declaration_id}/publish", {"confirmed": "yes"})
    assert done.status_code == 200 and 'data-status="published"' in done.text


async def test_a_withdrawal_asks_first_then_the_listing_says_so_and_offers_no_licence(
    backend: Backend, client: Client, app: Any
) -> None:
    account = await signed_in_university(client)
    patent = await eligible_patent(account)
    await post_form(
        client, "/declarations", {"patent_id": str(patent), **terms_form(), "action": "publish", "confirmed": "yes"}
    )
    [declaration] = await declarations.list_mine(principal=await principal_of(account))
    await app.state.job_queue.drain()
    found = await client.get("/search", params={"q": "防污屏障"}, headers=HTML)
    assert f'data-declaration="{declaration.id}"' in found.text

    asked = await post_form(client, f"/declarations/{declaration.id}/withdraw", {"reason": "专利权转让"})
    assert asked.status_code == 200 and 'id="confirm-step"' in asked.text
    assert 'name="reason" value="专利权转让"' in asked.text and 'name="confirmed" value="yes"' in asked.text
    assert (await client.get(f"/listings/{declaration.id}", headers=HTML)).status_code == 200  # still published

    done = await post_form(
        client, f"/declarations/{declaration.id}/withdraw", {"reason": "专利权转让", "confirmed": "yes"}
    )
    assert done.status_code == 200 and 'data-status="withdrawn"' in done.text
    await app.state.job_queue.drain()
    client.cookies.clear()
    notice = await client.get(f"/listings/{declaration.id}", headers=HTML)
    assert notice.status_code == 410 and 'id="withdrawn-notice"' in notice.text
    withdrawn_on = await declarations.get(principal=await principal_of(account), declaration_id=declaration.id)
    assert withdrawn_on.withdrawn_at is not None and withdrawn_on.withdrawn_at.strftime("%Y") in notice.text
    assert "已经给予的开放许可继续有效" in notice.text and "专利法第五十条第二款" in notice.text
    assert 'id="request-licence"' not in notice.text and f"/listings/{declaration.id}/request" not in notice.text
    assert (await client.get(f"/listings/{declaration.id}/request", headers=HTML)).status_code == 404
    client.cookies.set("lang", "en")
    english = await client.get(f"/listings/{declaration.id}", headers=HTML)
    assert "Licences already granted before the withdrawal stay valid (Patent Law Art 50(2))" in english.text
    gone = await client.get("/search", params={"q": "防污屏障"}, headers=HTML)
    assert f'data-declaration="{declaration.id}"' not in gone.text  # search no longer finds it
    api = await client.get(f"/api/listings/{declaration.id}")
    assert api.status_code == 404  # the API is unchanged


async def test_cancelling_a_licence_request_asks_first(backend: Backend, client: Client) -> None:
    _, _, declaration_id = await offer(ENTRY, name="浙江大学")
    firm = await make_account("sme", org_name="深圳市青禾智能科技有限公司")
    await sign_in(client, firm)
    licence_id = await take(client, declaration_id)
    asked = await post_form(client, f"/licences/{licence_id}/cancel")
    assert asked.status_code == 200 and 'id="confirm-step"' in asked.text and 'id="confirm-button"' in asked.text
    principal = await principal_of(firm)
    assert (await licences.get(principal=principal, licence_id=licence_id)).status == "pending_payment"
    done = await post_form(client, f"/licences/{licence_id}/cancel", {"confirmed": "yes"})
    assert done.status_code == 200
    assert (await licences.get(principal=principal, licence_id=licence_id)).status == "cancelled"
