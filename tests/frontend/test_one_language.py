"""One language per page (issue 16, point 1), at the HTTP level: error pages, refused forms, an import's rejected
rows and a bank statement's bad rows speak the page's language only - no Han text on an English page, no English
sentence on a Chinese page - outside proper names and patent data (``translate="no"``)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from babel.messages.pofile import read_po
from pydantic import ValidationError

from frontend.render import field_messages
from listings.declarations.schemas import TermsIn
from listings.search.schemas import SearchParams
from market.i18n import COUNTS, LOCALE_DIR, gettext
from tests.conftest import Backend, Client, make_account, sign_in
from tests.support.one_language import other_language

HTML = {"accept": "text/html"}
LANGS = ("zh", "en")
MAIN = "//main"


async def post_form(client: Client, url: str, data: Any = None, **kw: Any) -> Any:
    return await client.post(url, data=data or {}, headers={"x-csrftoken": await client.csrf(), **HTML}, **kw)


def one_language(page: Any, lang: str, *, within: str = MAIN) -> None:
    found = other_language(page.text, lang, within=within)
    assert not found, f"{page.url} ({lang}) says in the other language: {found}"


def test_the_check_itself_tells_the_languages_apart() -> None:
    zh = '<main><p>出错了 · Not allowed</p><p translate="no">Tsinghua University</p><a lang="en">English</a></main>'
    en = '<main><p>Something went wrong · 未找到</p><p translate="no">清华大学</p><a lang="zh">中文</a></main>'
    assert other_language(zh, "zh", within=MAIN) == ["出错了 · Not allowed"]
    assert other_language(en, "en", within=MAIN) == ["Something went wrong · 未找到"]
    fine = "<main><p>请用 API 令牌，发票 PDF 发到 a.b@demo.market；代码 import.bad_number，CN108982325B</p></main>"
    assert other_language(fine, "zh", within=MAIN) == []


# ------------------------------------------------------------------------------------------------- counts


def test_a_service_message_with_a_count_takes_the_plural_form_of_the_language() -> None:
    assert gettext("en", "declaration.terms.years", years=1) == "Licence term: 1 year from the licence taking effect."
    assert gettext("en", "declaration.terms.years", years=5) == "Licence term: 5 years from the licence taking effect."
    assert gettext("en", "need.reason.life", years=1) == "About 1 year of protection left"
    assert gettext("en", "ui.insprod_years", n="1") == "1 year"  # a count given as text
    assert gettext("en", "valuation.line.legal_years", years=Decimal("1.5"), expiry="2030-01-01").startswith(
        "Legal term left: 1.5 years"
    )
    assert gettext("zh", "declaration.terms.years", years=1) == "许可期限：自许可生效起 1 年。"


def test_every_english_count_of_years_days_or_months_has_plural_forms() -> None:
    unit = re.compile(r"%\((\w+)\)s (years|days|working days|months)\b")  # "%(x)s years", whatever counts
    singular_only = []
    for po in sorted((LOCALE_DIR / "en" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for m in read_po(fh, locale="en"):
                if m.id and isinstance(m.string, str) and unit.search(m.string):
                    singular_only.append(f"{po.name}: {m.id}")
                elif m.id and isinstance(m.string, tuple):  # plural forms follow a counting parameter
                    shown = {found[0] for found in unit.findall(m.string[-1])}
                    assert shown <= set(COUNTS), f"{po.name}: {m.id} counts {shown - set(COUNTS)}"
    assert not singular_only, f"'1 years' waiting to happen (give them msgid_plural): {singular_only}"


# ------------------------------------------------------------------------------------------------- validators


@pytest.mark.parametrize(
    ("lang", "needs", "takes_no", "prices"),
    [
        ("zh", "按销售额提成须填写提成比例", "一次性付款不填写入门费或提成比例", "最低价格不能高于最高价格"),
        ("en", "A running royalty needs its rate", "A lump sum takes no entry fee and no royalty rate",
         "The lowest price cannot be above the highest"),
    ],
)  # fmt: skip
def test_a_validators_refusal_is_said_in_the_page_language(lang: str, needs: str, takes_no: str, prices: str) -> None:
    said = []
    for bad in (
        lambda: TermsIn(payment_mode="running_royalty"),
        lambda: TermsIn(payment_mode="lump_sum", lump_sum_minor=100, royalty_rate_bp=300),
        lambda: SearchParams(price_min_minor=500, price_max_minor=100),
    ):
        with pytest.raises(ValidationError) as caught:
            bad()
        said.append(field_messages(caught.value, lang)[0]["message"])
    assert said == [needs, takes_no, prices]


# ------------------------------------------------------------------------------------------------- error pages


@pytest.mark.parametrize("lang", LANGS)
async def test_error_pages_speak_the_page_language_and_name_kinds_in_words(
    backend: Backend, client: Client, lang: str
) -> None:
    await sign_in(client, await make_account("sme"))
    client.cookies.set("lang", lang)
    missing = await client.get("/nothing-here", headers=HTML)
    refused = await client.get("/declarations", headers=HTML)  # a university's page: an SME is refused
    admin_only = await client.get("/admin/orgs", headers=HTML)
    bad_query = await client.get("/ledger?month=junk", headers=HTML)
    no_csrf = await client.post("/needs", data={"title": "x"}, headers=HTML)
    assert [r.status_code for r in (missing, refused, admin_only, no_csrf)] == [404, 403, 403, 403]
    assert bad_query.status_code in (400, 403)
    for page in (missing, refused, admin_only, bad_query, no_csrf):
        one_language(page, lang, within="//body")
    alert = refused.text[refused.text.index('role="alert"') :]
    assert "sme" not in alert and "university" not in alert  # kinds in words, not codes
    assert ("高校" if lang == "zh" else "universities") in alert


# ------------------------------------------------------------------------------------------------- refused forms


@pytest.mark.parametrize("lang", LANGS)
async def test_a_refused_sign_up_says_every_reason_in_the_page_language(client: Client, lang: str) -> None:
    client.cookies.set("lang", lang)
    form = {"email": "nope", "password": "short", "display_name": "", "org_name": "", "org_kind": "nothing"}
    refused = await post_form(client, "/sign-up", form)
    assert refused.status_code == 400
    one_language(refused, lang)


# ------------------------------------------------------------------------------------------------- imports


BAD_ROWS = (
    "number,kind,title_zh,title_en,patentees,filing_date,grant_date,ipc_codes,claims_count,legal_status,"
    "other_fee_reduction_pct\n"
    "CN202223220665.3,,校验位错误,Wrong check digit,{org},2022-12-02,,,,,\n"
    "NOT-A-NUMBER,,坏号码,Bad number,{org},2022-12-02,,,,,\n"
    "CN108982325B,invention,日期错误,Bad date,{org},2018-13-45,yesterday,,,,\n"
    "CN108982326B,nothing,类型错误,Bad kind,{org},2018-07-30,2020-05-12,NOT AN IPC,-3,weird,150\n"
    "CN108982327B,invention,,,{org},2018-07-30,2020-05-12,,abc,,x\n"
    ",,,,,,,,,,\n"
)


@pytest.mark.parametrize("lang", LANGS)
async def test_an_import_report_names_rejected_rows_and_fields_in_the_page_language(
    backend: Backend, client: Client, lang: str
) -> None:
    account = await make_account("university")
    await sign_in(client, account)
    client.cookies.set("lang", lang)
    csv_text = BAD_ROWS.format(org=account.org_name)
    queued = await client.post(
        "/patents/import",
        files={"file": ("patents.csv", csv_text.encode(), "text/csv")},
        headers={"x-csrftoken": await client.csrf(), **HTML},
        follow_redirects=False,
    )
    assert queued.status_code in (302, 303)
    await client.app.state.job_queue.drain()
    report = await client.get(queued.headers["location"], headers=HTML)
    assert 'id="rejections"' in report.text
    rows = report.text[report.text.index('id="rejections"') :]
    assert ">number<" not in rows and ">filing_date<" not in rows  # the field in words, not its code
    one_language(report, lang)


# ------------------------------------------------------------------------------------------------- bank statements


STATEMENT = (
    "交易日期,金额,币种,付款人,摘要\n"
    "2026-11-20,abc,CNY,某公司,提成\n"
    "2026-13-45,100.00,CNY,某公司,提成\n"
    "2026-11-20,100.00,XYZ,某公司,提成\n"
    "2026-11-20,100.001,CNY,某公司,提成\n"
    "2026-11-20,100.00,CNY,某公司,OL-2026-ZZZZZZ-Q 无效\n"
    "2026-11-20,100.00,CNY,某人,无关款项\n"
)


@pytest.mark.parametrize("lang", LANGS)
async def test_a_statement_run_says_its_bad_rows_in_the_page_language(
    backend: Backend, client: Client, lang: str
) -> None:
    await sign_in(client, await make_account("platform_admin"))
    client.cookies.set("lang", lang)
    empty = await client.post(
        "/admin/transfers/statement",
        files={"file": ("s.csv", b"", "text/csv")},
        headers={"x-csrftoken": await client.csrf(), **HTML},
    )
    assert empty.status_code == 400
    one_language(empty, lang)
    unreadable = await client.post(
        "/admin/transfers/statement",
        files={"file": ("s.csv", b"\x00\x01\x02 not a statement", "text/csv")},
        headers={"x-csrftoken": await client.csrf(), **HTML},
    )
    await client.app.state.job_queue.drain()
    one_language(await client.get(unreadable.url.path, headers=HTML), lang)
    run = await client.post(
        "/admin/transfers/statement",
        files={"file": ("statement.csv", STATEMENT.encode("gbk"), "text/csv")},
        headers={"x-csrftoken": await client.csrf(), **HTML},
    )
    assert run.status_code == 200, run.text
    await client.app.state.job_queue.drain()
    done = await client.get(run.url.path, headers=HTML)
    assert 'id="statement-rows"' in done.text and 'data-status="invalid"' in done.text
    statuses = re.findall(r'<span class="status status-(\w+)">([^<]*)</span>', done.text)
    assert statuses and all(words != status for status, words in statuses), statuses  # each status in words
    one_language(done, lang)
    one_language(await client.get("/admin/transfers", headers=HTML), lang)
