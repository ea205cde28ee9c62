"""Bad and odd input to the search API and page (issue 15, acceptance): only operators, unbalanced quotes,
control characters and up to 2,000 characters get results; 2,001 characters get a clear 400 problem+json naming
the field; never a 500. A pasted paragraph is searched by its most distinctive terms, not refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from market import jobs
from market.app import create_app
from market.integrations.search import build_search
from tests.conftest import Backend, Client
from tests.listings.search_support import LUMP, ROYALTY, publish
from tests.listings.support import university

BATTERY_ABSTRACT = (
    "A cathode material for a lithium-ion battery is prepared by coating nickel cobalt manganese oxide particles "
    "with a thin layer of lithium phosphate, which suppresses side reactions with the electrolyte at high voltage."
)


@pytest.fixture
async def app(backend: Backend, tmp_path: Path) -> Any:
    index = build_search(backend.settings, path=tmp_path / "index")
    return create_app(backend.settings, queue=jobs.InProcessQueue(max_tries=3, backoff_base=0.01), search=index)


@pytest.fixture
async def listings(client: Client, app: Any) -> dict[str, int]:
    _, uni = await university("浙江大学")
    ids = {
        "battery": await publish(
            uni, "CN109637352B", title_zh="一种锂离子电池正极材料及其制备方法",
            title_en="Cathode material for a lithium-ion battery and its preparation", abstract=BATTERY_ABSTRACT,
            ipc_codes=["H01M 4/131"], terms=ROYALTY,
        ),
        "membrane": await publish(
            uni, "CN108859303B", title_zh="一种待处理污水的陶瓷膜过滤装置", ipc_codes=["C02F 1/44"],
            abstract="本发明公开了一种陶瓷膜过滤装置，用于印染废水的深度处理。", terms=LUMP,
        ),
    }  # fmt: skip
    await app.state.job_queue.drain()
    return ids


async def found(client: Client, q: str) -> list[int]:
    r = await client.get("/api/search", params={"q": q})
    assert r.status_code == 200, (q, r.status_code, r.text[:300])
    return [h["declaration_id"] for h in r.json()["hits"]]


@pytest.mark.parametrize(
    "q", ["OR", "AND", "NOT", "-", "|", "｜", '""', "“”", "OR OR", "AND OR NOT", "- | ｜ -", "--", '-""', "NOT -"]
)
async def test_only_operators_get_results(client: Client, listings: dict[str, int], q: str) -> None:
    await found(client, q)


@pytest.mark.parametrize("q", ['"lithium', 'lithium"', "“锂离子", "锂离子”", '"lithium "battery', "「锂离子"])
async def test_an_unbalanced_quote_is_ignored(client: Client, listings: dict[str, int], q: str) -> None:
    assert await found(client, q) == [listings["battery"]]


CONTROL = ["\x00锂离子", "锂离子\x07\x1b", "lithium\u200bbattery", "\t锂离子\n", "锂离子\x7f\u2028"]


@pytest.mark.parametrize("q", CONTROL)
async def test_control_characters_are_spaces(client: Client, listings: dict[str, int], q: str) -> None:
    hits = await found(client, q)
    assert hits == [listings["battery"]] or (q.startswith("lithium") and hits in ([], [listings["battery"]]))


async def test_operators_work_through_the_api(client: Client, listings: dict[str, int]) -> None:
    assert set(await found(client, "锂离子 OR 陶瓷膜")) == set(listings.values())
    assert await found(client, "装置 | 电池 -锂离子") == [listings["membrane"]]
    assert await found(client, '"lithium-ion battery"') == [listings["battery"]]
    assert await found(client, '"battery lithium"') == []
    assert await found(client, "CN 109637352") == [listings["battery"]]


async def test_two_thousand_characters_are_searched_and_one_more_is_a_clear_400(
    client: Client, listings: dict[str, int]
) -> None:
    pasted = ("We are looking for a licence. " + BATTERY_ABSTRACT + " ") * 20
    at_limit = pasted[:2000]
    assert listings["battery"] in await found(client, at_limit)
    r = await client.get("/api/search", params={"q": at_limit + "x"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert "q" in r.text
    assert (await client.get("/search", params={"q": at_limit + "x"})).status_code == 400  # the page says why
    assert (await client.get("/search", params={"q": at_limit})).status_code == 200


async def test_a_pasted_chinese_paragraph_finds_its_listing(client: Client, listings: dict[str, int]) -> None:
    paragraph = "我们公司需要一种陶瓷膜过滤装置，用于印染废水的深度处理，希望获得专利许可，价格面议，请联系我们。" * 8
    assert len(paragraph) > 300
    assert (await found(client, paragraph))[:1] == [listings["membrane"]]


async def test_a_long_input_of_unknown_words_finds_nothing_rather_than_everything(
    client: Client, listings: dict[str, int]
) -> None:
    r = await client.get("/api/search", params={"q": " ".join(f"zzq{i}x" for i in range(30))})
    assert r.status_code == 200 and r.json()["total"] == 0


async def test_the_search_page_explains_the_query_language(client: Client, listings: dict[str, int]) -> None:
    page = (await client.get("/search", params={"q": "锂离子 OR 陶瓷膜"})).text
    assert "搜索语法" in page and "洗衣机 OR 冰箱" in page and 'maxlength="2000"' in page
    client.cookies.set("lang", "en")
    page = (await client.get("/search")).text
    assert "How to search" in page and "A minus sign or NOT before a word excludes it" in page
