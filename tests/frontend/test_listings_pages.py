"""The university's pages and the public listing pages, on SQLite and PostgreSQL: each renders, a non-university is
refused, form errors show on the page, and amounts typed in yuan reach the services as exact integer fen."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from frontend.forms import FieldProblem, TermsForm, percent_to_bp, yuan_to_fen
from listings.declarations import service as declarations
from listings.patents import service as patents
from listings.patents.schemas import PatentIn
from market import jobs
from market.accounts import service as accounts
from market.accounts.principal import Principal
from tests.conftest import Account, Backend, Client, make_account, sign_in

HTML = {"accept": "text/html"}
NEXT_YEAR = date.today() + timedelta(days=365)


async def principal_of(account: Account) -> Principal:
    principal = await accounts.principal_for(user_id=account.user_id, org_id=account.org_id)
    assert principal is not None
    return principal


async def eligible_patent(account: Account, **changes: Any) -> int:
    """A granted invention of the account's university, fees paid, in force: it may be declared."""
    values: dict[str, Any] = {
        "number": "CN108982325B",
        "title_zh": "地下防污屏障材料化学相容性测试装置及方法",
        "abstract": "一种测试装置。",
        "patentees": [account.org_name],
        "filing_date": "2018-07-30",
        "grant_date": "2020-05-12",
        "annual_fees_paid_through": NEXT_YEAR.isoformat(),
        "ipc_codes": ["G01N 15/08"],
        "claims_count": 8,
        **changes,
    }
    async with jobs.unit_of_work():
        out = await patents.create(principal=await principal_of(account), data=PatentIn(**values))
    return out.id


async def ineligible_patent(account: Account) -> int:
    """A utility model without an evaluation report and with no annual fees recorded: refused twice over."""
    async with jobs.unit_of_work():
        out = await patents.create(
            principal=await principal_of(account),
            data=PatentIn(
                number="CN202223220665.2",
                title_zh="一种无人机机载多功能盒",
                patentees=[account.org_name],
                filing_date="2022-12-02",
                grant_date="2023-03-28",
            ),
        )
    return out.id


async def post_form(client: Client, url: str, data: Any, **kw: Any) -> Any:
    headers = {"x-csrftoken": await client.csrf(), **HTML}
    return await client.post(url, data=data, headers=headers, **kw)


def terms_form(**changes: str) -> dict[str, str]:
    return {
        "payment_mode": "running_royalty",
        "royalty_pct": "3.00",
        "term_kind": "expiry",
        "other_matters": "许可范围：中国大陆。",
        **changes,
    }


async def signed_in_university(client: Client) -> Account:
    account = await make_account("university")
    await sign_in(client, account)
    return account


# ------------------------------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("12345.67", 1234567), ("0", 0), ("0.1", 10), ("1.50", 150), ("20,000,000", 2_000_000_000), ("¥8.08", 808)],
)
def test_yuan_become_exact_fen(typed: str, fen: int) -> None:
    assert yuan_to_fen(typed) == fen


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("1.005", "ui.err_two_decimals"),
        ("0.001", "ui.err_two_decimals"),
        ("abc", "ui.err_not_a_number"),
        ("NaN", "ui.err_not_a_number"),
        ("-5", "ui.err_negative"),
        ("1e40", "ui.err_number_too_large"),
    ],
)
def test_yuan_that_are_not_fen_are_refused(typed: str, key: str) -> None:
    with pytest.raises(FieldProblem) as caught:
        yuan_to_fen(typed, "lump_sum_yuan")
    assert (caught.value.field, caught.value.key) == ("lump_sum_yuan", key)


def test_percent_becomes_basis_points_and_only_the_chosen_mode_is_sent() -> None:
    assert percent_to_bp("3.5") == 350
    assert percent_to_bp("0.01") == 1
    with pytest.raises(FieldProblem):
        percent_to_bp("3.555")
    terms = TermsForm.of(
        {"payment_mode": "entry_plus_royalty", "entry_fee_yuan": "50000", "entry_royalty_pct": "2.25",
         "royalty_pct": "9", "lump_sum_yuan": "1", "term_kind": "years", "term_years": "5"}
    ).terms()  # fmt: skip
    assert (terms.entry_fee_minor, terms.royalty_rate_bp, terms.lump_sum_minor, terms.term_years) == (
        5_000_000,
        225,
        None,
        5,
    )


# ------------------------------------------------------------------------------------------ access


async def test_a_non_university_is_refused_and_a_visitor_sent_to_sign_in(backend: Backend, client: Client) -> None:
    owner = await make_account("university")
    patent_id = await eligible_patent(owner)
    response = await client.get("/patents", headers=HTML, follow_redirects=False)
    assert response.status_code in {302, 303} and response.headers["location"].startswith("/sign-in")
    firm = await make_account("sme")
    await sign_in(client, firm)
    for url in ("/declarations", "/university/settings", f"/declarations/new?patent_id={patent_id}"):
        response = await client.get(url, headers=HTML)
        assert response.status_code == 403, url
        assert "text/html" in response.headers["content-type"]
    # an SME holds patents of its own (its list and import pages); a university's patent is not found
    assert (await client.get(f"/patents/{patent_id}", headers=HTML)).status_code == 404
    for url in ("/patents", "/patents/import"):
        assert (await client.get(url, headers=HTML)).status_code == 200, url
    response = await post_form(client, "/declarations", {"patent_id": str(patent_id), **terms_form()})
    assert response.status_code == 403
    assert (await client.get("/listings", headers=HTML)).status_code == 200  # public pages stay open to everyone


async def test_another_universitys_patent_is_not_found(backend: Backend, client: Client) -> None:
    other = await make_account("university")
    theirs = await eligible_patent(other)
    await signed_in_university(client)
    assert (await client.get(f"/patents/{theirs}", headers=HTML)).status_code == 404
    assert (await client.get(f"/declarations/new?patent_id={theirs}", headers=HTML)).status_code == 404
    response = await post_form(client, "/declarations", {"patent_id": str(theirs), **terms_form(), "action": "publish"})
    assert response.status_code == 404
    response = await post_form(client, f"/patents/{theirs}/facts", {"evaluation_report_ref": "X"})
    assert response.status_code == 404


# ------------------------------------------------------------------------------------------ pages render


async def test_every_university_page_renders(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    good = await eligible_patent(account)
    bad = await ineligible_patent(account)
    dashboard = await client.get("/dashboard", headers=HTML)
    assert dashboard.status_code == 200 and 'id="count-patents">2<' in dashboard.text
    listing = await client.get("/patents", headers=HTML)
    assert listing.status_code == 200
    assert "CN108982325B" in listing.text and "CN202223220665.2" in listing.text
    filtered = await client.get("/patents?kind=utility_model&q=无人机", headers=HTML)
    assert "CN202223220665.2" in filtered.text and "CN108982325B" not in filtered.text
    assert (await client.get("/patents?kind=nonsense&status=&page=9", headers=HTML)).status_code == 200

    detail = await client.get(f"/patents/{good}", headers=HTML)
    assert detail.status_code == 200
    assert "G01N 15/08" in detail.text and "专利法第五十一条第二款" in detail.text  # the fee reduction's article
    assert "15%" in detail.text

    assert (await client.get("/patents/import", headers=HTML)).status_code == 200
    assert (await client.get("/university/settings", headers=HTML)).status_code == 200
    assert (await client.get("/declarations", headers=HTML)).status_code == 200
    none_selected = await client.get("/declarations/new", headers=HTML)
    assert none_selected.status_code == 200 and "请先在专利列表中勾选" in none_selected.text

    form = await client.get(f"/declarations/new?patent_id={good}&patent_id={bad}", headers=HTML)
    assert form.status_code == 200
    assert 'id="factors"' in form.text and "industry_distribution" in form.text  # the explanation, factor by factor
    assert 'id="confidence"' in form.text and 'id="starting-default"' in form.text
    assert re.search(r'name="royalty_pct"[^>]*value="2\.\d\d"', form.text)  # pre-filled with the suggestion
    assert form.text.count('name="patent_id"') == 4  # both patents, in the recalculation and the declare forms


async def test_declare_publishes_one_refuses_the_other_with_every_reason_and_article(
    backend: Backend, client: Client
) -> None:
    account = await signed_in_university(client)
    good = await eligible_patent(account)
    bad = await ineligible_patent(account)
    data = {"patent_id": [str(good), str(bad)], **terms_form(), "action": "check"}
    checked = await post_form(client, "/declarations", data)
    assert checked.status_code == 200
    assert "可以发布" in checked.text and "专利法第五十条" in checked.text
    assert await declarations.list_mine(principal=await principal_of(account)) == []  # a check writes nothing

    result = await post_form(client, "/declarations", {**data, "action": "publish", "confirmed": "yes"})
    assert result.status_code == 200
    published = re.search(r'href="/listings/(\d+)" class="public-link"', result.text)
    assert published is not None
    refused = result.text[result.text.index('data-number="CN202223220665.2"') :]
    for article in ("专利法第五十条", "实施细则第八十六条第（三）项"):
        assert article in refused
    assert 'data-code="evaluation_report_missing"' in refused and 'data-code="annual_fees_unpaid"' in refused
    assert "没有按照规定缴纳年费" in refused and "实用新型专利提出开放许可声明应当提供专利权评价报告" in refused

    public = await client.get(f"/listings/{published.group(1)}", headers=HTML)
    assert public.status_code == 200
    assert "地下防污屏障材料化学相容性测试装置及方法" in public.text and "3.00%" in public.text
    assert "测量" in public.text  # the IPC code's technology field
    assert 'id="request-licence"' in public.text

    client.cookies.set("lang", "en")
    english = await post_form(client, "/declarations", {"patent_id": str(bad), **terms_form(), "action": "check"})
    assert "Implementing Regulations Art 86(3)" in english.text and "Patent Law Art 50" in english.text
    # the reasons themselves in English, the same codes, no Chinese reason left
    assert "Annual fees are not paid as required (no payment recorded" in english.text
    assert "A utility model needs a patent evaluation report" in english.text
    assert 'data-code="evaluation_report_missing"' in english.text and "没有按照规定缴纳年费" not in english.text
    assert '<html lang="en">' in english.text


async def test_amounts_typed_in_yuan_are_declared_in_exact_fen(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    good = await eligible_patent(account)
    base = {"patent_id": str(good), "action": "publish", "term_kind": "expiry"}
    refused = await post_form(client, "/declarations", {**base, "payment_mode": "lump_sum", "lump_sum_yuan": "1.005"})
    assert refused.status_code == 400
    assert 'data-field="lump_sum_yuan"' in refused.text and "最多两位小数" in refused.text
    assert 'value="1.005"' in refused.text  # what was typed is shown back
    principal = await principal_of(account)
    assert await declarations.list_mine(principal=principal) == []

    done = await post_form(
        client,
        "/declarations",
        {**base, "payment_mode": "lump_sum", "lump_sum_yuan": "12345.67", "confirmed": "yes"},
    )
    assert done.status_code == 200 and "已发布" in done.text
    [declaration] = await declarations.list_mine(principal=principal)
    assert declaration.terms.lump_sum_minor == 1234567 and declaration.terms.royalty_rate_bp is None


async def test_a_price_outside_the_band_warns_but_publishes(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    good = await eligible_patent(account)
    data = {"patent_id": str(good), **terms_form(royalty_pct="15"), "action": "check"}
    checked = await post_form(client, "/declarations", data)
    assert 'id="price-check" data-position="above"' in checked.text and "价格不在建议区间内" in checked.text
    published = await post_form(client, "/declarations", {**data, "action": "publish", "confirmed": "yes"})
    assert 'data-outcome="published"' in published.text and 'data-position="above"' in published.text


async def test_form_errors_show_messages_on_the_page(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    good = await eligible_patent(account)
    missing_rate = await post_form(
        client, "/declarations", {"patent_id": str(good), **terms_form(royalty_pct=""), "action": "publish"}
    )
    assert missing_rate.status_code == 400 and 'id="form-errors"' in missing_rate.text
    no_years = await post_form(client, "/declarations", {"patent_id": str(good), **terms_form(term_kind="years")})
    assert no_years.status_code == 400 and 'data-field="term_years"' in no_years.text
    bad_date = await post_form(client, f"/patents/{good}/facts", {"annual_fees_paid_through": "2027-13-45"})
    assert bad_date.status_code == 400 and 'id="form-errors"' in bad_date.text
    consent = await post_form(client, f"/patents/{good}/facts", {"pledgee_consent": "on"})
    assert consent.status_code == 422 and "只有已质押的专利才有质权人同意" in consent.text  # in the page's language
    too_low = await post_form(client, "/university/settings", {"share_pct": "10"})
    assert too_low.status_code == 400 and "20%" in too_low.text
    no_file = await post_form(client, "/patents/import", {"nothing": "here"})
    assert no_file.status_code == 400 and 'data-field="file"' in no_file.text
    no_patents = await post_form(client, "/declarations", terms_form())
    assert no_patents.status_code == 400


async def test_facts_and_settings_are_saved(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    bad = await ineligible_patent(account)
    saved = await post_form(
        client,
        f"/patents/{bad}/facts",
        {"legal_status": "granted", "annual_fees_paid_through": NEXT_YEAR.isoformat(),
         "evaluation_report_ref": "PJ2024-001", "suspension": ""},
    )  # fmt: skip
    assert saved.status_code == 200 and "已保存" in saved.text
    detail = await patents.detail(principal=await principal_of(account), patent_id=bad)
    assert (detail.evaluation_report_ref, detail.annual_fees_paid_through) == ("PJ2024-001", NEXT_YEAR)
    share = await post_form(client, "/university/settings", {"share_pct": "62.5"})
    assert share.status_code == 200 and "62.50%" in share.text


async def test_a_member_who_is_not_owner_cannot_change_the_share(backend: Backend, client: Client) -> None:
    member = await make_account("university", role="member")
    await sign_in(client, member)
    page = await client.get("/university/settings", headers=HTML)
    assert page.status_code == 200 and 'name="share_pct"' not in page.text
    assert (await post_form(client, "/university/settings", {"share_pct": "60"})).status_code == 403


async def test_import_upload_shows_progress_then_the_report(backend: Backend, client: Client, app: Any) -> None:
    account = await signed_in_university(client)
    csv_text = (
        "number,kind,title_zh,patentees,filing_date,grant_date,annual_fees_paid_through\n"
        f"CN108982325B,,地下防污屏障材料化学相容性测试装置及方法,{account.org_name},2018-07-30,2020-05-12,"
        f"{NEXT_YEAR}\n"
        f"CN202223220665.3,,校验位错误,{account.org_name},2022-12-02,,\n"
    )
    response = await client.post(
        "/patents/import",
        files={"file": ("patents.csv", csv_text.encode(), "text/csv")},
        headers={"x-csrftoken": await client.csrf(), **HTML},
        follow_redirects=False,
    )
    assert response.status_code in {302, 303}
    run_url = response.headers["location"]
    assert re.fullmatch(r"/patents/import/\d+", run_url)
    await client.app.state.job_queue.drain()
    report = await client.get(run_url, headers=HTML)
    assert report.status_code == 200
    assert 'data-status="done"' in report.text and 'http-equiv="refresh"' not in report.text
    assert 'id="count-accepted">1<' in report.text and 'id="count-rejected">1<' in report.text
    rejected = report.text[report.text.index('id="rejections"') :]
    assert "<td>3</td>" in rejected and "number" in rejected  # the line, the field


async def test_a_queued_import_refreshes_itself(backend: Backend, client: Client) -> None:
    from listings.imports import service as imports

    account = await signed_in_university(client)
    async with jobs.unit_of_work():
        run = await imports.queue_upload(
            principal=await principal_of(account),
            filename="x.csv",
            content=b"number,title_zh\nCN108982325B,x\n",
            upload_dir=backend.settings.data_dir / "uploads",
        )
        page = await client.get(f"/patents/import/{run.id}", headers=HTML)  # before the job is sent
    assert '<meta http-equiv="refresh" content="2">' in page.text and "<progress" in page.text


async def test_revise_keeps_history_and_withdraw_says_licences_stay(backend: Backend, client: Client) -> None:
    account = await signed_in_university(client)
    good = await eligible_patent(account)
    await post_form(
        client, "/declarations", {"patent_id": str(good), **terms_form(), "action": "publish", "confirmed": "yes"}
    )
    [declaration] = await declarations.list_mine(principal=await principal_of(account))
    url = f"/declarations/{declaration.id}"
    page = await client.get(url, headers=HTML)
    assert page.status_code == 200 and "专利法第五十条第二款" in page.text

    refused = await post_form(client, f"{url}/revise", terms_form(other_matters="国际领先的最佳技术"))
    assert refused.status_code == 422 and "实施细则第八十五条" in refused.text  # advertising language, with article
    revised = await post_form(client, f"{url}/revise", terms_form(royalty_pct="4.5"))
    assert revised.status_code == 200 and "4.50%" in revised.text and "3.00%" in revised.text  # both versions
    current = await declarations.get(principal=await principal_of(account), declaration_id=declaration.id)
    assert current.current_version == 2

    withdrawn = await post_form(client, f"{url}/withdraw", {"reason": "专利权转让", "confirmed": "yes"})
    assert withdrawn.status_code == 200 and 'data-status="withdrawn"' in withdrawn.text
    assert (await client.get(f"/listings/{declaration.id}", headers=HTML)).status_code == 410  # the notice
    again = await post_form(client, f"{url}/withdraw", {"reason": ""})
    assert again.status_code == 409


async def test_public_listing_pages_for_visitors_firms_and_english(backend: Backend, client: Client) -> None:
    account = await make_account("university")
    good = await eligible_patent(account)
    async with jobs.unit_of_work():
        from listings.declarations.schemas import DeclareIn, TermsIn

        report = await declarations.declare(
            principal=await principal_of(account),
            data=DeclareIn(patent_ids=[good], terms=TermsIn(payment_mode="running_royalty", royalty_rate_bp=240)),
        )
    listing_id = report.results[0].declaration_id
    index = await client.get("/listings", headers=HTML)
    assert index.status_code == 200 and f'href="/listings/{listing_id}"' in index.text
    public = await client.get(f"/listings/{listing_id}", headers=HTML)
    assert public.status_code == 200
    assert account.org_name in public.text and "G01N 15/08" in public.text and "2.40%" in public.text
    assert 'data-position="within"' in public.text and "价格在建议区间内" in public.text
    visitor = await client.get(f"/listings/{listing_id}/request", headers=HTML)
    assert visitor.status_code == 200 and "/sign-in?next=" in visitor.text
    firm = await make_account("sme")
    await sign_in(client, firm)
    request_page = await client.get(f"/listings/{listing_id}/request", headers=HTML)
    assert 'name="licensee_credit_code"' in request_page.text  # the flow: tests/frontend/test_finance_pages.py
    client.cookies.set("lang", "en")
    english = await client.get(f"/listings/{listing_id}", headers=HTML)
    assert "Within the suggested band" in english.text and "Measurement" in english.text
    assert f"/lang/zh?next=/listings/{listing_id}" in english.text  # the switch comes back to the same page
