"""The public search API over listings published through the services, on SQLite and PostgreSQL: summaries, marked
matches, Chinese substrings, English typos, disjunctive facet counts with names, suggestions for an empty result,
problem+json for a bad query, and /health naming the index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from listings.declarations.schemas import TermsIn
from market import jobs
from market.app import create_app
from market.integrations.search import build_search
from tests.conftest import Backend, Client
from tests.listings.search_support import LUMP, ROYALTY, publish
from tests.listings.support import university


@pytest.fixture
async def app(backend: Backend, tmp_path: Path) -> Any:
    """The app with a search index of this test's own."""
    index = build_search(backend.settings, path=tmp_path / "index")
    return create_app(backend.settings, queue=jobs.InProcessQueue(max_tries=3, backoff_base=0.01), search=index)


@pytest.fixture
async def listings(client: Client, app: Any) -> dict[str, int]:
    _, uni = await university("浙江大学")
    ids = {
        "battery": await publish(
            uni, "CN109637352B", title_zh="一种锂离子电池正极材料及其制备方法",
            title_en="Cathode material for a lithium-ion battery and its preparation", ipc_codes=["H01M 4/131"],
            terms=ROYALTY,
        ),
        "membrane": await publish(
            uni, "CN108859303B", title_zh="一种待处理污水的陶瓷膜过滤装置", ipc_codes=["C02F 1/44"],
            abstract="本发明公开了一种陶瓷膜过滤装置，用于印染废水的深度处理。",
            terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=60_000_000),
        ),
        "barrier": await publish(uni, "CN108982325B", terms=LUMP),  # G01N 15/08, Measurement
    }  # fmt: skip
    await app.state.job_queue.drain()
    return ids


async def test_a_chinese_substring_finds_the_longer_word_with_a_summary(
    client: Client, listings: dict[str, int]
) -> None:
    r = await client.get("/api/search", params={"q": "处理"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [h["declaration_id"] for h in body["hits"]] == [listings["membrane"]]  # "处理" inside "待处理"
    hit = body["hits"][0]
    assert hit["patent_number"] == "CN108859303B" and hit["university"] == "浙江大学"
    assert "<mark>处理</mark>" in hit["highlights"]["title_zh"]
    assert hit["price_minor"] == 60_000_000 and hit["terms_summary"][0]["message"].startswith("一次性支付许可使用费")
    assert hit["tech_fields"] == [{"code": "f24", "name_zh": "环境技术", "name_en": "Environmental technology"}]
    assert body["total"] == 1 and body["pages"] == 1 and body["backend"] == "embedded"


async def test_an_english_query_with_two_typos_finds_its_target(client: Client, listings: dict[str, int]) -> None:
    r = await client.get("/api/search", params={"q": "lithuim bettery"})
    assert [h["declaration_id"] for h in r.json()["hits"]] == [listings["battery"]]
    assert r.json()["hits"][0]["price_badge"] is None or "position" in r.json()["hits"][0]["price_badge"]


async def test_facets_count_the_other_values_of_a_selected_facet(client: Client, listings: dict[str, int]) -> None:
    r = await client.get("/api/search", params={"payment_mode": "lump_sum"})
    body = r.json()
    assert {h["declaration_id"] for h in body["hits"]} == {listings["membrane"], listings["barrier"]}
    modes = {v["value"]: v for f in body["facets"] if f["name"] == "payment_mode" for v in f["values"]}
    assert modes["lump_sum"]["selected"] and modes["lump_sum"]["count"] == 2
    assert modes["running_royalty"]["count"] == 1 and modes["running_royalty"]["label_zh"] == "按销售额提成"
    fields = {v["value"]: v for f in body["facets"] if f["name"] == "tech_fields" for v in f["values"]}
    assert fields["f10"]["label_en"] == "Measurement" and fields["f10"]["count"] == 1
    bands = {v["value"] for f in body["facets"] if f["name"] == "price_band" for v in f["values"]}
    assert bands == {"10k_100k", "500k_1m"}


async def test_an_empty_result_suggests_what_to_drop(client: Client, listings: dict[str, int]) -> None:
    r = await client.get("/api/search", params=[("q", "电池"), ("kind", "design")])
    body = r.json()
    assert body["total"] == 0 and body["hits"] == []
    [drop] = [s for s in body["suggestions"] if s["kind"] == "remove_filter"]
    assert drop["removed"] == "kind" and drop["total"] == 1 and drop["params"]["kind"] == []
    assert drop["params"]["q"] == "电池"
    r = await client.get("/api/search", params={"q": "ceramik membrame"})
    spelled = [s for s in r.json()["suggestions"] if s["kind"] == "spelling"]
    assert r.json()["total"] == 0 or spelled  # either forgiven or a spelling offered


async def test_a_bad_query_is_a_problem_and_search_is_public(client: Client, listings: dict[str, int]) -> None:
    r = await client.get("/api/search", params={"price_min_minor": 100, "price_max_minor": 1})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    r = await client.get("/api/search", params={"sort": "cheapest"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    health = (await client.get("/health")).json()["components"]["search"]
    assert health["status"] == "ok" and health["documents"] == 3


async def test_a_withdrawn_listing_leaves_the_results(client: Client, app: Any, listings: dict[str, int]) -> None:
    from listings.declarations import service as declarations
    from listings.declarations.schemas import WithdrawIn
    from listings.search import repository
    from market.accounts import service as accounts

    row = await repository.declaration(listings["membrane"])
    assert row is not None
    from market.orgs import repository as orgs_repo

    owner = (await orgs_repo.members_of_org(row.organisation))[0]
    principal = await accounts.principal_for(user_id=owner.user_id, org_id=row.organisation)
    assert principal is not None
    async with jobs.unit_of_work():
        await declarations.withdraw(principal=principal, declaration_id=listings["membrane"], data=WithdrawIn())
    # before the drain the hit is dropped (it is read from the database), after it the index no longer has it
    assert (await client.get("/api/search", params={"q": "处理"})).json()["hits"] == []
    await app.state.job_queue.drain()
    assert (await client.get("/api/search", params={"q": "处理"})).json()["total"] == 0
