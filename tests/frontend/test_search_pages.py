"""The search page, saved searches, technology needs and a listing's matching needs, rendered by the app on SQLite and
PostgreSQL: Chinese by default and English on the switch, marked matches (and only those unescaped), facet
checkboxes, suggestions for an empty result, forms that save, and other organisations' objects not found."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from listings.declarations.schemas import TermsIn
from market import jobs
from market.app import create_app
from market.integrations.search import build_search
from tests.conftest import Backend, Client, make_account, sign_in
from tests.listings.search_support import ROYALTY, publish
from tests.listings.support import university

HTML = {"accept": "text/html"}


@pytest.fixture
async def app(backend: Backend, tmp_path: Path) -> Any:
    index = build_search(backend.settings, path=tmp_path / "index")
    return create_app(backend.settings, queue=jobs.InProcessQueue(max_tries=3, backoff_base=0.01), search=index)


@pytest.fixture
async def listings(client: Client, app: Any) -> dict[str, Any]:
    account, uni = await university("浙江大学")
    ids = {
        "account": account,
        "membrane": await publish(
            uni, "CN108859303B", title_zh="一种待处理污水的陶瓷膜过滤装置 <script>alert(1)</script>",
            ipc_codes=["C02F 1/44"], abstract="本发明公开了一种陶瓷膜过滤装置，用于印染废水的深度处理。",
            terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=30_000_000),
        ),
        "battery": await publish(
            uni, "CN109637352B", title_zh="一种锂离子电池正极材料", title_en="Cathode material for lithium batteries",
            ipc_codes=["H01M 4/131"], terms=ROYALTY,
        ),
    }  # fmt: skip
    await app.state.job_queue.drain()
    return ids


async def post_form(client: Client, url: str, data: Any) -> Any:
    return await client.post(url, data=data, headers={"x-csrftoken": await client.csrf(), **HTML})


async def test_the_search_page_marks_matches_and_counts_facets(client: Client, listings: dict[str, Any]) -> None:
    r = await client.get("/search", params={"q": "处理"}, headers=HTML)
    assert r.status_code == 200
    html = r.text
    assert '<html lang="zh-CN">' in html and "搜索开放许可专利" in html
    assert 'data-total="1"' in html and f'data-declaration="{listings["membrane"]}"' in html
    assert "<mark>处理</mark>" in html  # the engine's marks, unescaped
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html  # everything else escaped
    assert re.search(r'name="tech_fields" value="f24" data-count="1"', html)
    assert "环境技术" in html and "首付 ¥300,000.00" in html
    assert 'form="search-form"' in html  # the filters submit with the query, no script needed
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html)  # no inline script at all (app.js is a file)

    client.cookies.set("lang", "en")
    r = await client.get("/search", params=[("q", "lithium"), ("payment_mode", "running_royalty")], headers=HTML)
    assert '<html lang="en">' in r.text and "1 open licence found." in r.text  # one licence: the singular
    assert "<mark>lithium</mark>" in r.text and "Running royalty" in r.text
    assert re.search(r'name="payment_mode" value="running_royalty" data-count="1" checked', r.text)


async def test_an_empty_search_offers_its_way_out(client: Client, listings: dict[str, Any]) -> None:
    r = await client.get("/search", params=[("q", "电池"), ("kind", "design")], headers=HTML)
    assert 'id="empty-result"' in r.text and "没有找到符合条件的开放许可" in r.text
    link = re.search(r'<li data-kind="remove_filter"><a href="([^"]+)">去掉筛选“专利类型”（1 项）</a>', r.text)
    assert link, r.text
    follow = await client.get(link.group(1).replace("&amp;", "&"), headers=HTML)
    assert 'data-total="1"' in follow.text
    r = await client.get("/search", params={"price_max_yuan": "abc"}, headers=HTML)
    assert r.status_code == 400 and 'id="form-errors"' in r.text


async def test_an_sme_saves_a_search_and_sees_it(client: Client, listings: dict[str, Any]) -> None:
    anonymous = await client.get("/search", params={"q": "膜过滤"}, headers=HTML)
    assert 'id="save-search"' not in anonymous.text
    sme = await make_account("sme")
    await sign_in(client, sme)
    r = await client.get("/search", params=[("q", "膜过滤"), ("kind", "invention")], headers=HTML)
    query = re.search(r'name="query" value="([^"]+)"', r.text).group(1).replace("&amp;", "&")
    r = await post_form(client, "/search/save", {"query": query, "name": "膜过滤发明"})
    assert r.status_code == 200 and 'id="search-saved"' in r.text and str(r.url).endswith("saved=1")
    saved = await client.get("/saved-searches", headers=HTML)
    assert "膜过滤发明" in saved.text and "/search?q=%E8%86%9C%E8%BF%87%E6%BB%A4&amp;kind=invention" in saved.text
    blank = await post_form(client, "/search/save", {"query": "", "name": "all"})
    assert blank.status_code == 400 and 'id="form-errors"' in blank.text


async def test_an_sme_posts_a_need_and_sees_ranked_matches_with_reasons(
    client: Client, listings: dict[str, Any]
) -> None:
    await sign_in(client, await make_account("sme"))
    form = {
        "title": "污水处理设备的膜过滤技术",
        "description": "希望获得膜过滤方面的专利许可，用于印染废水。",
        "tech_field": "24",
        "budget_yuan": "500000",
        "region": "330000",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }
    bad = await post_form(client, "/needs", {**form, "budget_yuan": "1.005"})
    assert bad.status_code == 400 and "首付预算上限" in bad.text
    r = await post_form(client, "/needs", form)
    assert r.status_code == 200 and re.search(r"/needs/\d+$", str(r.url))
    html = r.text
    assert 'id="matches"' in html and f'data-declaration="{listings["membrane"]}"' in html
    assert f'data-declaration="{listings["battery"]}"' not in html
    assert "膜过滤" in html and 'data-reason="budget"' in html and "在预算" in html and "属于需求的技术领域" in html
    need_path = str(r.url).removeprefix("http://testserver")
    listed = await client.get("/needs", headers=HTML)
    assert "污水处理设备的膜过滤技术" in listed.text

    client.cookies.clear()
    await sign_in(client, listings["account"])
    mine = await client.get(f"/listings/{listings['membrane']}/needs", headers=HTML)
    assert mine.status_code == 200 and "污水处理设备的膜过滤技术" in mine.text and 'data-reason="terms"' in mine.text
    client.cookies.clear()
    await sign_in(client, await make_account("sme"))
    assert (await client.get(need_path, headers=HTML)).status_code == 404
    await sign_in(client, await make_account("university"))
    assert (await client.get(f"/listings/{listings['membrane']}/needs", headers=HTML)).status_code == 404


async def test_english_pages_prefer_english_data_where_it_exists(client: Client, listings: dict[str, Any]) -> None:
    """A listing with an English title shows it on English pages and its Chinese title on Chinese pages; one with
    none shows its Chinese title, marked as patent data (translate="no") - issue 16, point 1."""
    battery, membrane = listings["battery"], listings["membrane"]
    zh = await client.get(f"/listings/{battery}", headers=HTML)
    assert "一种锂离子电池正极材料" in zh.text and "Cathode material for lithium batteries" not in zh.text
    client.cookies.set("lang", "en")
    en = await client.get(f"/listings/{battery}", headers=HTML)
    assert '<html lang="en">' in en.text
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", en.text, re.S)
    assert h1 and "Cathode material for lithium batteries" in h1.group(1) and "锂离子" not in h1.group(1)
    hits = await client.get("/search", params={"q": "lithium"}, headers=HTML)
    assert "Cathode material for lithium batteries" in re.sub(r"</?mark>", "", hits.text)
    untitled = await client.get(f"/listings/{membrane}", headers=HTML)
    h1 = re.search(r"<h1[^>]*>.*?</h1>", untitled.text, re.S)
    assert h1 and "陶瓷膜过滤装置" in h1.group(0) and 'translate="no"' in h1.group(0)
