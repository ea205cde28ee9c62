"""The loan products API: a bank writes (tokens scoped to it), others read the published products only, twenty
editors at once give one new version and nineteen 409s, and the bank pages (create, errors beside the fields, edit
to a new version, publish through the confirmation step)."""

from __future__ import annotations

import asyncio
from typing import Any

from listings.patents import service as patents
from listings.patents.schemas import PatentIn
from market import jobs
from tests.conftest import Client, make_account, sign_in
from tests.finance.support import principal_of

HTML = {"accept": "text/html"}
TERMS: dict[str, Any] = {
    "name_zh": "知识产权质押贷",
    "kinds": ["invention", "utility_model"],
    "ltv_bp": {"invention": 2500, "utility_model": 1500},
    "min_remaining_years": {"invention": 8, "utility_model": 4},
    "max_amount_minor": 1_000_000_000,
    "max_term_months": 36,
}


async def token_for(client: Client, scopes: list[str]) -> dict[str, str]:
    r = await client.send_json("POST", "/api/tokens", {"name": "core-banking", "scopes": scopes})
    assert r.status_code == 201, r.text
    return {"authorization": f"Bearer {r.json()['token']}"}


async def test_a_bank_token_writes_and_others_read_published_only(client: Client) -> None:
    bank = await make_account("bank")
    await sign_in(client, bank)
    write = await token_for(client, ["read", "write"])
    read = await token_for(client, ["read"])
    client.cookies.clear()
    made = await client.post("/api/bank/products/", json={"code": "ip-loan", **TERMS}, headers=write)
    assert made.status_code == 201, made.text
    product = made.json()
    assert (product["version"], product["status"], product["bank_name"]) == (1, "draft", bank.org_name)
    refused = await client.post("/api/bank/products/", json={"code": "other", **TERMS}, headers=read)
    assert refused.status_code == 403  # a read-only token writes nothing
    bad = await client.post(
        "/api/bank/products/", json={"code": "bad", **TERMS, "max_amount_minor": 10.5}, headers=write
    )
    assert bad.status_code == 400  # money is an integer of minor units

    sme = await make_account("sme")
    await sign_in(client, sme)
    assert (await client.get("/api/loan-products/")).json() == []
    assert (await client.get(f"/api/loan-products/{product['id']}")).status_code == 404  # a draft
    assert (await client.get(f"/api/bank/products/{product['id']}")).status_code == 403  # banks only
    client.cookies.clear()

    published = await client.post(
        f"/api/bank/products/{product['id']}/publish", json={"expected_version": 1}, headers=write
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    edited = await client.put(
        f"/api/bank/products/{product['id']}",
        json={"expected_version": 1, **TERMS, "ltv_bp": {"invention": 3000}},
        headers=write,
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    old = await client.get(f"/api/bank/products/{product['id']}?version=1", headers=read)
    assert old.json()["ltv_bp"] == {"invention": 2500, "utility_model": 1500}
    versions = await client.get(f"/api/bank/products/{product['id']}/versions", headers=read)
    assert [v["version"] for v in versions.json()] == [2, 1]

    other_bank = await make_account("bank")
    await sign_in(client, other_bank)
    assert (await client.get(f"/api/bank/products/{product['id']}")).status_code == 404
    put = await client.send_json("PUT", f"/api/bank/products/{product['id']}", {"expected_version": 2, **TERMS})
    assert put.status_code == 404  # another bank's product: not found, not changed
    await sign_in(client, sme)
    listed = (await client.get("/api/loan-products/")).json()
    assert [(p["id"], p["version"], p["ltv_bp"]) for p in listed] == [(product["id"], 2, {"invention": 3000})]


async def test_twenty_editors_at_once_make_one_version(client: Client) -> None:
    bank = await make_account("bank")
    await sign_in(client, bank)
    write = await token_for(client, ["read", "write"])
    client.cookies.clear()
    made = (await client.post("/api/bank/products/", json={"code": "ip-loan", **TERMS}, headers=write)).json()

    async def edit(n: int) -> int:
        body = {"expected_version": 1, **TERMS, "max_term_months": 12 + n}
        return (await client.put(f"/api/bank/products/{made['id']}", json=body, headers=write)).status_code

    codes = await asyncio.gather(*(edit(n) for n in range(20)))
    assert sorted(codes) == [200] + [409] * 19
    versions = (await client.get(f"/api/bank/products/{made['id']}/versions", headers=write)).json()
    assert [v["version"] for v in versions] == [2, 1]


async def post_form(client: Client, url: str, data: Any) -> Any:
    return await client.post(url, data=data, headers={"x-csrftoken": await client.csrf(), **HTML})


FORM = {
    "code": "ip-loan",
    "name_zh": "知识产权质押贷",
    "kinds": ["invention", "utility_model"],
    "ltv_invention": "25",
    "ltv_utility_model": "15",
    "minyears_invention": "8",
    "max_amount": "10000000",
    "max_term_months": "36",
    "doc_rows": "2",
    "doc_code_0": "identity",
    "doc_required_0": "on",
    "doc_types_0": "application/pdf, image/png",
    "doc_age_0": "90",
    "doc_zh_0": "营业执照",
    "doc_code_1": "",
    "th_rows": "1",
    "th_above_0": "5000000",
    "th_n_0": "2",
    "refusal_needs_second": "on",
}


async def test_the_bank_pages_create_edit_and_publish(client: Client) -> None:
    bank = await make_account("bank")
    await sign_in(client, bank)
    bad = await post_form(client, "/bank/products/new", {**FORM, "ltv_invention": "lots", "max_term_months": "0"})
    assert bad.status_code == 400
    assert 'id="ltv_invention-error"' in bad.text and 'id="max_term_months-error"' in bad.text
    assert 'value="lots"' in bad.text  # what was typed stays
    wrong_kind = await post_form(client, "/bank/products/new", {**FORM, "kinds": ["invention"]})
    assert wrong_kind.status_code == 422 and 'id="ltv_utility_model-error"' in wrong_kind.text
    made = await post_form(client, "/bank/products/new", FORM)
    assert made.status_code == 200 and 'id="done"' in made.text
    product_url = str(made.url).split("?")[0]
    api = (await client.get("/api/bank/products/")).json()[0]
    assert api["ltv_bp"] == {"invention": 2500, "utility_model": 1500}
    assert api["max_amount"] == {"minor": 1_000_000_000, "currency": "CNY"}
    assert api["documents"][0]["accepted_types"] == ["application/pdf", "image/png"]
    assert api["approval_thresholds"] == [{"above_minor": 500_000_000, "approvals": 2}]

    edited = await post_form(client, product_url, {**FORM, "expected_version": "1", "ltv_invention": "30"})
    assert edited.status_code == 200 and 'id="product-version">v2<' in edited.text
    stale = await post_form(client, product_url, {**FORM, "expected_version": "1"})
    assert stale.status_code == 409

    asked = await post_form(client, f"{product_url}/publish", {"expected_version": "2"})
    assert 'id="confirm-step"' in asked.text
    assert (await client.get("/api/bank/products/")).json()[0]["status"] == "draft"  # nothing done yet
    done = await post_form(client, f"{product_url}/publish", {"expected_version": "2", "confirmed": "yes"})
    assert done.status_code == 200 and (await client.get("/api/bank/products/")).json()[0]["status"] == "published"
    listing = await client.get("/bank/products", headers=HTML)
    assert "知识产权质押贷" in listing.text and 'data-code="ip-loan"' in listing.text


async def test_a_bank_records_a_pool_and_a_product_takes_part_in_it(client: Client) -> None:
    bank = await make_account("bank")
    await sign_in(client, bank)
    pool = {"code": "pool-test", "name_zh": "测试资金池", "loss_split_bp": {"fund": 5400, "bank": 2600},
            "cap_first_year_minor": 100_000_000, "pure_ip_only": True, "source": "测试办法"}  # fmt: skip
    made = await client.send_json("POST", "/api/bank/products/pools", pool)
    assert made.status_code == 201, made.text
    assert made.json()["reliability"] == "bank" and made.json()["cap_first_year"]["minor"] == 100_000_000
    assert (await client.send_json("POST", "/api/bank/products/pools", pool)).status_code == 409
    over = {**pool, "code": "pool-over", "loss_split_bp": {"fund": 6000, "city": 5000}}
    assert (await client.send_json("POST", "/api/bank/products/pools", over)).status_code == 400
    product = await client.send_json(
        "POST", "/api/bank/products/", {"code": "ip-loan", **TERMS, "pools": [made.json()["id"]]}
    )
    assert [p["code"] for p in product.json()["pools"]] == ["pool-test"]
    again = await client.send_json("POST", "/api/bank/products/", {"code": "ip-loan", **TERMS})
    assert again.status_code == 409 and "ip-loan" in again.text


async def test_an_sme_sees_which_products_its_patent_may_support(client: Client) -> None:
    bank = await make_account("bank")
    await sign_in(client, bank)
    made = (await client.send_json("POST", "/api/bank/products/", {"code": "ip-loan", **TERMS})).json()
    await client.send_json("POST", f"/api/bank/products/{made['id']}/publish", {"expected_version": 1})
    sme = await make_account("sme", org_name="杭州青禾科技有限公司")
    firm = await principal_of(sme)
    today = patents.today()
    async with jobs.unit_of_work():
        mine = await patents.create(
            principal=firm,
            data=PatentIn(number="CN108982325B", title_zh="测试装置", patentees=["杭州青禾科技有限公司"],
                          filing_date=today.replace(year=today.year - 3), grant_date=today.replace(year=today.year - 1),
                          annual_fees_paid_through=today.replace(year=today.year + 1)),
        )  # fmt: skip
        lapsed = await patents.create(
            principal=firm,
            data=PatentIn(number="CN108982326B", title_zh="测试装置二", patentees=["杭州青禾科技有限公司"],
                          filing_date=today.replace(year=today.year - 3), grant_date=today.replace(year=today.year - 1),
                          legal_status="lapsed"),
        )  # fmt: skip
    await sign_in(client, sme)
    ok = (await client.get(f"/api/loan-products/for-patent/{mine.id}")).json()
    assert [(e["product"]["code"], e["eligible"], e["reasons"]) for e in ok] == [("ip-loan", True, [])]
    assert ok[0]["max_amount"] == {"minor": 1_000_000_000, "currency": "CNY"}
    refused = (await client.get(f"/api/loan-products/for-patent/{lapsed.id}", headers={"accept-language": "en"})).json()
    assert not refused[0]["eligible"] and refused[0]["reasons"][0]["code"] == "reason.pledge.ground.02"
    assert refused[0]["reasons"][0]["message"].startswith("The patent has ended")
    other = await make_account("sme")
    await sign_in(client, other)
    assert (await client.get(f"/api/loan-products/for-patent/{mine.id}")).status_code == 404


async def test_the_bank_records_a_pool_on_its_page(client: Client) -> None:
    bank = await make_account("bank")
    await sign_in(client, bank)
    form = {"pool_code": "pool-zs", "pool_name_zh": "中山资金池", "pool_split": "fund=54; bank=26; insurer=16",
            "pool_cap_first_year": "1000000", "pool_pure_ip_only": "on", "pool_source": "中山市办法"}  # fmt: skip
    bad = await post_form(client, "/bank/products/pools", {**form, "pool_split": "fund=lots", "pool_size": "1.234"})
    assert bad.status_code == 400
    assert 'id="pool_split-error"' in bad.text and 'id="pool_size-error"' in bad.text
    assert 'value="fund=lots"' in bad.text
    over = await post_form(client, "/bank/products/pools", {**form, "pool_split": "fund=60; city=50"})
    assert over.status_code == 400 and 'id="pool_split-error"' in over.text
    assert "各方分担比例合计不得超过 100%" in over.text  # the validator's catalogue code, said in the page's language
    done = await post_form(client, "/bank/products/pools", form)
    assert done.status_code == 200 and 'id="done"' in done.text
    pools = (await client.get("/api/loan-products/pools")).json()
    seen = [(p["code"], p["loss_split_bp"], p["cap_first_year"], p["pure_ip_only"], p["reliability"]) for p in pools]
    assert seen == [
        ("pool-zs", {"fund": 5400, "bank": 2600, "insurer": 1600}, {"minor": 100_000_000, "currency": "CNY"}, True,
         "bank")
    ]  # fmt: skip
    again = await post_form(client, "/bank/products/pools", form)
    assert again.status_code == 409 and 'id="pool_code-error"' in again.text
