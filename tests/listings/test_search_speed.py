"""What a search request reads, on SQLite and PostgreSQL: a hit shows the same number, university, terms and price
badge as the listing's own page (the stored payload and the one statement of current terms agree with what the
listing page computes); a revision the index has not caught up on shows its new terms and badge; a withdrawn hit is
left out at once; and a request runs the same two statements whatever the size of its page. (The API tests run on
PostgreSQL only, as the suite decides; the repository and service tests on both databases.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from listings.advice.schemas import PriceCheckOut
from listings.declarations import service as declarations
from listings.declarations.schemas import TermsIn, WithdrawIn
from listings.declarations.tables import Declaration, DeclarationVersion
from listings.patents.tables import Patent
from listings.search import payload, repository
from listings.search import service as search
from listings.search.documents import document_id
from listings.search.schemas import SearchParams
from market import jobs
from market.app import create_app
from market.i18n.localized import localized
from market.integrations.search import SearchIndex, build_search
from market.kit.messages import Bp, Msg
from market.kit.money import Money
from market.kit.words import MsgOut
from market.orgs.tables import Organisation
from tests.conftest import Backend, Client
from tests.listings.search_support import LUMP, ROYALTY, publish, using_index
from tests.listings.support import university

CHEAP = TermsIn(payment_mode="lump_sum", lump_sum_minor=100)  # its badge names the amount


@pytest.fixture
async def app(backend: Backend, tmp_path: Path) -> Any:
    """The app with a search index of this test's own (its jobs run when the test drains the queue)."""
    index = build_search(backend.settings, path=tmp_path / "index")
    return create_app(backend.settings, queue=jobs.InProcessQueue(max_tries=3, backoff_base=0.01), search=index)


@pytest.fixture
async def published(client: Client, app: Any) -> dict[str, Any]:
    _, uni = await university("浙江大学")
    ids = {
        "battery": await publish(
            uni, "CN109637352B", title_zh="一种锂离子电池正极材料及其制备方法", ipc_codes=["H01M 4/131"],
            terms=ROYALTY,
        ),
        "membrane": await publish(
            uni, "CN108859303B", title_zh="一种处理污水的陶瓷膜过滤装置", ipc_codes=["C02F 1/44"], terms=CHEAP,
        ),
        "barrier": await publish(uni, "CN108982325B", title_zh="一种处理地下水的防污屏障", terms=LUMP),
    }  # fmt: skip
    await app.state.job_queue.drain()
    return {"ids": ids, "uni": uni, "app": app}


async def _hits(client: Client, **params: Any) -> dict[int, dict[str, Any]]:
    r = await client.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    return {h["declaration_id"]: h for h in r.json()["hits"]}


async def _listing(client: Client, declaration_id: int) -> dict[str, Any]:
    r = await client.get(f"/api/listings/{declaration_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_a_hit_shows_what_the_listing_page_shows(client: Client, published: dict[str, Any]) -> None:
    hits = await _hits(client, per_page=20)
    assert set(hits) == set(published["ids"].values())
    badges = []
    for declaration_id, hit in hits.items():
        page = await _listing(client, declaration_id)
        assert hit["patent_number"] == page["patent_number"] and hit["title_zh"] == page["title_zh"]
        assert hit["university"] == page["university"] == "浙江大学"
        assert hit["university_org_id"] == page["university_org_id"]
        assert hit["terms_summary"] == page["terms"]["summary"] and hit["cnipa"] == page["terms"]["cnipa"]
        assert hit["price_badge"] == page["price_check"]  # stored with the document, rendered as if computed now
        assert hit["remaining_years"] == pytest.approx(float(page["remaining_years"]))
        badges.append(hit["price_badge"])
    assert all(b is not None for b in badges)
    cheap = hits[published["ids"]["membrane"]]["price_badge"]
    assert "¥1.00" in cheap["messages"][0]["message"]  # the stored amount renders as money


async def test_a_revision_the_index_has_not_caught_up_on_shows_its_new_terms_and_badge(
    client: Client, published: dict[str, Any]
) -> None:
    membrane = published["ids"]["membrane"]
    async with jobs.unit_of_work():
        await declarations.revise(
            principal=published["uni"], declaration_id=membrane,
            terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=90_000_000),
        )  # fmt: skip
    # the index still holds the document of version 1 (the drain has not run) ...
    [stored] = await search.current_index().fetch([document_id(membrane)])
    old = payload.load(stored.payload)
    assert old is not None and old.version == 1 and stored.price_minor == 100
    # ... yet the hit shows version 2's terms and badge, as the listing page does
    hit = (await _hits(client, q="陶瓷膜"))[membrane]
    page = await _listing(client, membrane)
    assert hit["price_minor"] == 90_000_000 and hit["terms_summary"] == page["terms"]["summary"]
    assert hit["price_badge"] == page["price_check"] and hit["price_badge"] != old.price_badge


async def test_a_withdrawn_hit_is_left_out_before_the_index_catches_up(
    client: Client, published: dict[str, Any]
) -> None:
    membrane, barrier = published["ids"]["membrane"], published["ids"]["barrier"]
    assert set(await _hits(client, q="处理")) == {membrane, barrier}
    async with jobs.unit_of_work():
        await declarations.withdraw(principal=published["uni"], declaration_id=membrane, data=WithdrawIn())
    assert await search.current_index().fetch([document_id(membrane)])  # still indexed: no drain yet
    assert set(await _hits(client, q="处理")) == {barrier}
    assert set(await repository.hit_states([membrane, barrier])) == {barrier}


async def test_a_university_that_publishes_nothing_is_not_named_in_the_facet(
    client: Client, published: dict[str, Any]
) -> None:
    org = published["uni"].org_id
    assert await repository.org_names([org]) == {org: "浙江大学"}
    async with jobs.unit_of_work():
        for declaration_id in published["ids"].values():
            await declarations.withdraw(principal=published["uni"], declaration_id=declaration_id, data=WithdrawIn())
    assert await repository.org_names([org]) == {}  # the index, not drained yet, still counts its listings


@pytest.fixture
async def index(backend: Backend, tmp_path: Path) -> Any:
    async for idx in using_index(backend.settings, tmp_path / "index"):
        yield idx


async def test_the_page_read_agrees_with_the_listing_read(
    backend: Backend, index: SearchIndex, job_queue: jobs.InProcessQueue
) -> None:
    _, uni = await university("浙江大学")
    a = await publish(uni, "CN108982325B", terms=LUMP)
    b = await publish(uni, "CN109637352B", title_zh="一种锂离子电池正极材料", ipc_codes=["H01M 4/131"], terms=ROYALTY)
    c = await publish(uni, "CN108859303B", title_zh="一种陶瓷膜过滤装置", terms=LUMP)
    async with jobs.unit_of_work():
        await declarations.revise(principal=uni, declaration_id=a, terms=CHEAP)
        await declarations.withdraw(principal=uni, declaration_id=c, data=WithdrawIn())
    states, full = await repository.hit_states([a, b, c]), await repository.listing_states([a, b, c])
    assert set(states) == set(full) == {a, b}
    for d, state in states.items():
        assert state.version == full[d].version and state.version.version == (2 if d == a else 1)
        assert state.published_at == full[d].declaration.published_at
        assert (
            state.expiry_date == full[d].patent.expiry_date and state.organisation == full[d].declaration.organisation
        )
        assert full[d].university is not None and state.university == full[d].university.name == "浙江大学"


async def test_a_request_runs_two_statements_whatever_the_size_of_its_page(
    backend: Backend, index: SearchIndex, job_queue: jobs.InProcessQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, uni = await university("浙江大学")
    for n in range(12):
        await publish(uni, f"CN11000{n:04d}B", title_zh=f"一种处理装置{n}", terms=LUMP)
    await job_queue.drain()
    engine_type = type(Declaration._meta.db)
    statements: list[str] = []
    original = engine_type.run_querystring

    async def counted(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_type, "run_querystring", counted)
    counts = {}
    for per_page in (2, 12):
        statements.clear()
        page = await search.search(params=SearchParams(q="处理", per_page=per_page))
        assert len(page.hits) == per_page and page.total == 12 and page.hits[0].price_badge is not None
        counts[per_page] = len(statements)
    # the page's current terms, and the names of the universities in the facet; nothing per hit
    assert counts == {2: 2, 12: 2}


def test_the_written_out_statements_name_the_tables_as_they_are() -> None:
    tables = {Declaration: "listings_declaration", DeclarationVersion: "listings_declaration_version",
              Organisation: "market_organisation", Patent: "listings_patent"}  # fmt: skip
    for table, name in tables.items():
        assert table._meta.tablename == name
        assert name in repository.HIT_STATES_SQL
    assert "listings_declaration" in repository.PUBLISHES_SQL and "market_organisation" in repository.PUBLISHES_SQL


def test_a_stored_badge_reads_back_with_its_typed_parameters() -> None:
    badge = PriceCheckOut(
        position="above",
        over_legal_cap=True,
        messages=[
            MsgOut.of(
                Msg(
                    "pricing.check.rate",
                    {"rate": "3.50%", "position": Msg("pricing.position.above"), "low": "1.00%", "high": "3.00%"},
                )
            ),
            MsgOut.of(
                Msg(
                    "pricing.check.amount",
                    {
                        "what": Msg("pricing.check.lump_sum"),
                        "amount": Money("CNY", 12_345_600),
                        "position": Msg("pricing.position.above"),
                        "low": Money("CNY", 100),
                        "high": Money("CNY", 5_000_000),
                    },
                )
            ),
            MsgOut.of(Msg("pricing.check.over_legal_cap", {"notice": Msg("pricing.position.above")})),
            # every other type a parameter may have (an unknown code renders as itself: only the round trip counts)
            MsgOut.of(
                Msg(
                    "search.test.params",
                    {
                        "on": date(2030, 1, 2),
                        "at": datetime(2030, 1, 2, 3, 4, tzinfo=UTC),
                        "share": Decimal("0.25"),
                        "names": ("甲", "乙"),
                        "z": None,
                        "n": 3,
                        "rate": Bp(350),
                        "text": "文字",
                    },
                )
            ),
        ],
    )
    stored = payload.HitPayload(
        version=3, patent_number="CN1", kind="invention", title_zh="甲", title_en="A", patentee="乙",
        tech_fields=("f10",), price_badge=badge,
    )  # fmt: skip
    back = payload.load(payload.dump(stored))
    assert back == stored
    assert back is not None and back.price_badge is not None
    assert localized(back.price_badge, "zh") == localized(badge, "zh")
    assert localized(back.price_badge, "en") == localized(badge, "en")
    assert payload.load("") is None and payload.load('{"format": 0}') is None and payload.load("not json") is None
