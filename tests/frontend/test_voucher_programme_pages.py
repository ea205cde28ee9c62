"""Voucher programme and provider pages: the issuer's programme form (percent and yuan as typed, every problem beside
its field, the Zhejiang six-month settlement rule with its article, a new version on edit, open after a
confirmation) in both languages; the public programme page (terms in words, catalogue, objections on notice); the
provider applies with its evidence and the issuer approves it from the case page; the API's problem+json, the
idempotency key on a creating POST, another issuer sees no draft."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from finance.voucher_programmes import service as programmes
from finance.voucher_providers import service as providers
from tests.conftest import Client, make_account, sign_in
from tests.finance.support import principal_of
from tests.finance.voucher_programme_support import PDF, ZHEJIANG, open_programme

HTML = {"accept": "text/html"}

FORM: dict[str, Any] = {
    "code": "zj-2027", "name_zh": "浙江省科技创新券", "name_en": "Zhejiang innovation voucher",
    "mode": "provider_redeems", "value_kind": "amount", "share_tech_results": "50", "share_testing": "40",
    "cap_testing": "5,000", "per_claim": "20000", "per_period": "100000", "period": "year", "validity_months": "12",
    "w_rows": "2", "win_open_0": "2027-01-01", "win_close_0": "2027-12-31", "budget": "5000000", "regions": "33",
    "required": ["specialised"], "favoured": ["little_giant"], "tier_0": "district", "tier_1": "city",
    "th_rows": "2", "th_above_0": "50000", "th_n_0": "1", "settlement_cycle": "half_yearly",
    "documents": ["contract", "invoice", "copay_proof", "deliverable"], "notice_days": "7",
    "source": "浙江省促进科技成果转化条例 第二十二条",
}  # fmt: skip


async def post(client: Client, url: str, data: dict[str, Any], files: Any = None) -> Any:
    headers = {"x-csrftoken": await client.csrf(), **HTML}
    return await client.post(url, data=data, files=files, headers=headers, follow_redirects=False)


async def test_an_issuer_writes_a_programme_with_errors_beside_their_fields_then_opens_it(client: Client) -> None:
    issuer = await make_account("voucher_issuer")
    await sign_in(client, issuer)
    bad = await post(client, "/issuer/vouchers/new", {**FORM, "share_testing": "1.005", "budget": "abc",
                                                      "win_close_0": "2026-12-01"})  # fmt: skip
    assert bad.status_code == 400
    for field in ("share_testing", "budget"):
        assert f'id="{field}-error"' in bad.text, field
    assert 'value="1.005"' in bad.text  # what was typed stays
    longer = await post(client, "/issuer/vouchers/new", {**FORM, "settlement_cycle": "yearly",
                                                         "win_close_0": "2026-12-01"})  # fmt: skip
    assert longer.status_code == 422
    assert 'id="settlement_cycle-error"' in longer.text and "第二十二条" in longer.text  # the rule and its article
    assert 'id="win_close_0-error"' in longer.text
    assert await programmes.programmes_of_issuer(issuer.org_id) == []
    made = await post(client, "/issuer/vouchers/new", FORM)
    assert made.status_code in (302, 303), made.text
    programme_id = int(made.headers["location"].split("/")[3].split("?")[0])
    row = await programmes.programme(programme_id)
    t = row.terms
    assert programmes.share_for(t, "tech_results") == 5000 and t.category("testing").cap_minor == 500_000  # type: ignore[union-attr]
    assert (t.per_claim_minor, t.review_tiers, t.required, t.regions) == (2_000_000, ("district", "city"),
                                                                         ("specialised",), ("33",))
    edited = await post(client, f"/issuer/vouchers/{programme_id}", {**FORM, "share_tech_results": "60",
                                                                     "expected_version": "1"})  # fmt: skip
    assert edited.status_code in (302, 303), edited.text
    page = await client.get(f"/issuer/vouchers/{programme_id}", headers=HTML)
    assert 'id="programme-version">v2' in page.text and 'id="version-1"' in page.text
    assert programmes.share_for(await programmes.version(programme_id, 1), "tech_results") == 5000
    stale = await post(client, f"/issuer/vouchers/{programme_id}", {**FORM, "expected_version": "1"})
    assert stale.status_code == 409
    ask = await post(client, f"/issuer/vouchers/{programme_id}/open", {"expected_version": "2"})
    assert ask.status_code == 200 and 'name="confirmed"' in ask.text
    assert (await programmes.programme(programme_id)).status == "draft"
    done = await post(client, f"/issuer/vouchers/{programme_id}/open", {"expected_version": "2", "confirmed": "yes"})
    assert done.status_code in (302, 303)
    public = await client.get(f"/vouchers/programmes/{programme_id}", headers=HTML)
    assert public.status_code == 200 and "科技成果购买（开放许可）：券付 60.00%" in public.text
    client.cookies.set("lang", "en")
    english = await client.get(f"/vouchers/programmes/{programme_id}", headers=HTML)
    assert "Buying S&amp;T results (open licences): the voucher pays 60.00%" in english.text
    assert "Settled half-yearly" in english.text


async def test_a_provider_applies_the_issuer_approves_anyone_objects_during_the_notice(client: Client) -> None:
    issuer = await make_account("voucher_issuer")
    programme_id = await open_programme(await principal_of(issuer))
    seller = await make_account("service_provider")
    await sign_in(client, seller)
    mine = await client.get("/provider/vouchers", headers=HTML)
    assert mine.status_code == 200 and 'id="apply-form"' in mine.text
    applied = await post(client, "/provider/vouchers", {"programme_id": str(programme_id), "statement": "查新服务"},
                         files={"evidence": ("licence.pdf", PDF, "application/pdf"),
                                "capability": ("statement.pdf", PDF, "application/pdf")})  # fmt: skip
    assert applied.status_code in (302, 303), applied.text
    provider = (await providers.providers_of(programme_id=programme_id))[0]
    await sign_in(client, issuer)
    case = await client.get(f"/issuer/voucher-providers/{provider.id}", headers=HTML)
    assert case.status_code == 200 and "licence.pdf" in case.text and 'id="review"' in case.text
    reviewed = await post(client, f"/issuer/voucher-providers/{provider.id}/review",
                          {"expected_version": str(provider.case_version)})
    assert reviewed.status_code in (302, 303)
    found = await providers.provider(provider.id)
    approved = await post(client, f"/issuer/voucher-providers/{provider.id}/approve",
                          {"expected_version": str(found.case_version)})
    assert approved.status_code in (302, 303)
    found = await providers.provider(provider.id)
    assert found.state == "notice" and found.notice_ends_on == providers.today() + timedelta(days=7)
    bystander = await make_account("sme")
    await sign_in(client, bystander)
    page = await client.get(f"/vouchers/programmes/{programme_id}", headers=HTML)
    assert f'id="notice-{provider.id}"' in page.text
    empty = await post(client, f"/vouchers/programmes/{programme_id}/objections",
                       {"provider_id": str(provider.id), "text": ""})
    assert empty.status_code == 400 and f'id="text_{provider.id}-error"' in empty.text
    objected = await post(client, f"/vouchers/programmes/{programme_id}/objections",
                          {"provider_id": str(provider.id), "text": "该机构的查新报告存在抄袭"})
    assert objected.status_code in (302, 303)
    await sign_in(client, issuer)
    case = await client.get(f"/issuer/voucher-providers/{provider.id}", headers=HTML)
    assert "该机构的查新报告存在抄袭" in case.text and 'id="decide-' in case.text


async def test_the_api_problem_json_idempotency_and_drafts(client: Client) -> None:
    issuer = await make_account("voucher_issuer")
    await sign_in(client, issuer)
    body = {"code": "zj", **ZHEJIANG, "settlement_cycle": "yearly"}
    r = await client.send_json("POST", "/api/v1/voucher-programmes", body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["code"] for e in r.json()["errors"]] == ["voucher_programme.settlement_too_long"]
    good = {**body, "settlement_cycle": "half_yearly"}
    key = {"idempotency-key": "create-zj-1"}
    first = await client.send_json("POST", "/api/v1/voucher-programmes", good, headers=key)
    again = await client.send_json("POST", "/api/v1/voucher-programmes", good, headers=key)
    assert first.status_code == 201 and again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"] and len(await programmes.programmes_of_issuer(issuer.org_id)) == 1
    draft = first.json()["id"]
    part = await client.send_json("POST", f"/api/v1/voucher-programmes/{draft}/part",
                                  {"category": "tech_results", "price_minor": 10_000_000})
    assert part.status_code == 200 and part.json()["amount"]["minor"] == 2_000_000  # the per-claim cap
    other = await make_account("voucher_issuer")
    await sign_in(client, other)
    assert (await client.get(f"/api/v1/voucher-programmes/{draft}")).status_code == 404
    firm = await make_account("sme")
    await sign_in(client, firm)
    assert (await client.send_json("POST", "/api/v1/voucher-programmes", {**good, "code": "x2"})).status_code == 403
    applied = await client.send_json("POST", "/api/v1/voucher-providers", {"programme_id": draft})
    assert applied.status_code == 403


async def test_a_listed_provider_publishes_revises_and_withdraws_from_its_page(client: Client) -> None:
    from finance.voucher_providers import repository
    from tests.finance.voucher_programme_support import apply, approve

    issuer = await make_account("voucher_issuer")
    owner = await principal_of(issuer)
    programme_id = await open_programme(owner, "zj0", {**ZHEJIANG, "notice_days": 0})
    seller = await make_account("service_provider")
    provider_id = await apply(await principal_of(seller), programme_id)
    await approve(owner, provider_id)  # no notice: listed at once
    await sign_in(client, seller)
    bad = await post(client, f"/provider/vouchers/{provider_id}/services",
                     {"category": "novelty_search", "title_zh": "科技查新", "price": "-3"})
    assert bad.status_code == 400 and 'id="price-error"' in bad.text
    made = await post(client, f"/provider/vouchers/{provider_id}/services",
                      {"category": "novelty_search", "title_zh": "科技查新", "unit": "份", "price": "3,000"})
    assert made.status_code in (302, 303), made.text
    [first] = await repository.services(provider=provider_id)
    assert first.price_minor == 300_000
    page = await client.get("/provider/vouchers", headers=HTML)
    assert f'id="revise-{first.id}"' in page.text and 'value="3000.00"' in page.text
    revised = await post(client, f"/provider/vouchers/services/{first.id}/revise",
                         {"category": "novelty_search", "title_zh": "科技查新", "price": "3500"})
    assert revised.status_code in (302, 303), revised.text
    assert (await providers.service(first.id)).status == "superseded"
    [second] = await repository.services(provider=provider_id)
    ask = await post(client, f"/provider/vouchers/services/{second.id}/withdraw", {})
    assert ask.status_code == 200 and 'name="confirmed"' in ask.text
    done = await post(client, f"/provider/vouchers/services/{second.id}/withdraw", {"confirmed": "yes"})
    assert done.status_code in (302, 303)
    assert await repository.services(provider=provider_id) == []
