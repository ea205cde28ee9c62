"""Insurance products: an insurer publishes, versions (an old version never changes, the questionnaire's version
moves only when its questions do), withdraws; everyone reads the published ones and their versions; every problem
is named beside its field (API: problem+json; pages: beside the input); twenty editors at once give one version;
another insurer's withdrawn product is not found; the insurer pages (create, new version, sample quote, withdraw
after the confirmation step)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from finance.insurance_products import service as products
from finance.insurance_products.schemas import ProductCreateIn, VersionIn
from market import jobs
from market.errors import Conflict, NotFound, ValidationFailed
from tests.conftest import Client, make_account, sign_in
from tests.finance.support import principal_of

HTML = {"accept": "text/html"}
TERMS: dict[str, Any] = {
    "name_zh": "专利执行保险",
    "name_en": "Patent enforcement insurance",
    "wording_version": "2026-01",
    "deductible_minor": 100_000,
    "premium_table": {
        "shape": "base_plus_per_patent",
        "base_tiers": [
            {"max_patents": 10, "base_minor": 200_000, "limit_multiple": 15, "per_patent_minor": 20_000},
            {"max_patents": None, "base_minor": 400_000, "limit_multiple": 30, "per_patent_minor": 40_000},
        ],
    },
    "questions": [
        {"key": "known_disputes", "kind": "yes_no"},
        {"key": "export_share", "kind": "number", "label_zh": "出口占比", "label_en": "Export share"},
    ],
    "documents": [{"code": "patent_certificate", "accepted_types": ["application/pdf"]}],
    "approval_thresholds": [{"above_minor": 100_000_000, "approvals": 2}],
    "min_remaining_years": 3,
}
BEIJING = {
    "shape": "per_patent_by_tier",
    "by_firm_tier": [
        {"tier": "sme", "per_patent_premium_minor": 1_000_000, "per_patent_limit_minor": 85_000_000},
        {"tier": "champion", "per_patent_premium_minor": 2_500_000, "per_patent_limit_minor": 240_000_000},
    ],
}


async def insurer() -> Any:
    return await principal_of(await make_account("insurer"))


async def test_a_new_version_leaves_the_old_one_as_it_was(backend: Any) -> None:
    owner = await insurer()
    async with jobs.unit_of_work():
        made = await products.create_product(
            principal=owner, data=ProductCreateIn(code="enf", kind="enforcement", **TERMS)
        )
    assert (made.version, made.status, made.questionnaire.version) == (1, "published", 1)
    first_id = made.id
    same_questions = {**TERMS, "deductible_minor": 200_000, "premium_table": BEIJING}
    async with jobs.unit_of_work():
        second = await products.new_version(
            principal=owner, product_id=made.product, data=VersionIn(expected_version=1, **same_questions)
        )
    assert (second.version, second.questionnaire.version, second.deductible.minor) == (2, 1, 200_000)
    assert second.id != first_id
    new_questions = {**same_questions, "questions": [*TERMS["questions"], {"key": "prior_claims"}]}
    async with jobs.unit_of_work():
        third = await products.new_version(
            principal=owner, product_id=made.product, data=VersionIn(expected_version=2, **new_questions)
        )
    assert (third.version, third.questionnaire.version, len(third.questionnaire.questions)) == (3, 2, 3)

    old = await products.version(first_id)  # what an application on version 1 reads back
    assert (old.version, old.current_version, old.deductible_minor) == (1, 3, 100_000)
    assert old.premium_table.shape == "base_plus_per_patent" and old.questionnaire.version == 1
    assert [q.key for q in old.questionnaire.questions] == ["known_disputes", "export_share"]
    assert old.questionnaire.questions[0].label.code == "insurance_products.question.known_disputes"
    assert old.questionnaire.questions[1].label.params == {"label_zh": "出口占比", "label_en": "Export share"}
    assert old.documents[0].label.code == "insurance_products.document.patent_certificate"
    assert products.compute_quote(old, patents=5, firm_tier="sme").premium.minor == 300_000
    assert products.compute_quote(await products.current_version(made.product), patents=3,
                                  firm_tier="sme").premium.minor == 3_000_000  # fmt: skip
    assert [v.version for v in await products.versions(made.product)] == [3, 2, 1]
    with pytest.raises(Conflict):  # version 1 is no longer in force
        async with jobs.unit_of_work():
            await products.new_version(
                principal=owner, product_id=made.product, data=VersionIn(expected_version=1, **TERMS)
            )
    policy = products.approval_policy(old)
    assert policy.required("approve", 100_000_001) == 2 and policy.required("approve", 100_000_000) == 1
    assert old.four_eyes_above_minor == 100_000_000


async def test_withdrawn_products_are_their_insurers_only(backend: Any) -> None:
    owner, other = await insurer(), await insurer()
    async with jobs.unit_of_work():
        made = await products.create_product(
            principal=owner, data=ProductCreateIn(code="enf", kind="enforcement", **TERMS)
        )
    assert [p.id for p in await products.published("enforcement")] == [made.id]
    assert await products.published("overseas_liability") == []
    with pytest.raises(NotFound):
        await products.insurer_product(principal=other, product_id=made.product)
    async with jobs.unit_of_work():
        await products.change_status(principal=owner, product_id=made.product, action="withdraw", expected_version=1)
    assert await products.published() == []
    with pytest.raises(NotFound):
        await products.readable_version(principal=other, version_id=made.id)
    assert (await products.readable_version(principal=owner, version_id=made.id)).status == "withdrawn"
    assert (await products.version(made.id)).status == "withdrawn"  # applications still read it
    with pytest.raises(Conflict):
        async with jobs.unit_of_work():
            await products.change_status(
                principal=owner, product_id=made.product, action="withdraw", expected_version=1
            )
    with pytest.raises(NotFound):
        await products.version(999_999)


async def test_terms_are_checked_beside_each_field(backend: Any) -> None:
    owner = await insurer()
    bad = {
        **TERMS,
        "per_claim_limit_minor": 2_000,
        "aggregate_limit_minor": 1_000,
        "premium_table": {"shape": "base_plus_per_patent", "base_tiers": [
            {"max_patents": None, "base_minor": 1, "limit_multiple": 2},
            {"max_patents": 5, "base_minor": 1, "limit_multiple": 2}]},
        "questions": [{"key": "known_disputes"}, {"key": "known_disputes"}, {"key": "own_question"}],
        "documents": [{"code": "own_document", "accepted_types": ["application/pdf"]}],
        "loss_share_bp": 1600,
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        async with jobs.unit_of_work():
            await products.create_product(principal=owner, data=ProductCreateIn(code="bad", kind="enforcement", **bad))
    assert {e.field for e in caught.value.errors} == {
        "premium_table.base_tiers.0.max_patents", "per_claim_limit_minor", "loss_share_bp", "questions.1.key",
        "questions.2.label_zh", "documents.0.label_zh",
    }  # fmt: skip
    no_sme = {**TERMS, "premium_table": {"shape": "per_patent_by_tier", "by_firm_tier": [BEIJING["by_firm_tier"][1]]}}
    with pytest.raises(ValidationFailed) as tier:
        async with jobs.unit_of_work():
            await products.create_product(
                principal=owner, data=ProductCreateIn(code="bj", kind="enforcement", **no_sme)
            )
    assert [e.field for e in tier.value.errors] == ["premium_table.by_firm_tier"]
    with pytest.raises(ValidationFailed) as share:
        async with jobs.unit_of_work():
            await products.create_product(
                principal=owner, data=ProductCreateIn(code="gu", kind="pledge_guarantee", **TERMS)
            )
    assert [e.field for e in share.value.errors] == ["loss_share_bp"]
    async with jobs.unit_of_work():
        await products.create_product(principal=owner, data=ProductCreateIn(code="taken", kind="enforcement", **TERMS))
    with pytest.raises(Conflict):
        async with jobs.unit_of_work():
            await products.create_product(
                principal=owner, data=ProductCreateIn(code="taken", kind="enforcement", **TERMS)
            )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)  # the API and pages on both databases
async def test_the_api_publishes_versions_and_quotes(client: Client) -> None:
    owner = await make_account("insurer")
    await sign_in(client, owner)
    made = await client.send_json("POST", "/api/insurance/products", {"code": "enf", "kind": "enforcement", **TERMS})
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["version"], body["status"], body["insurer_name"]) == (1, "published", owner.org_name)
    assert body["questionnaire"]["questions"][0]["label"]["message"]  # rendered in the reader's language
    product, first = body["product"], body["id"]

    bad = await client.send_json(
        "POST", "/api/insurance/products",
        {"code": "bad", "kind": "enforcement", **TERMS, "deductible_minor": 10.5},
    )  # fmt: skip
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    invalid = await client.send_json(
        "POST", "/api/insurance/products",
        {"code": "bad", "kind": "enforcement", **TERMS, "premium_table": {"shape": "per_patent_by_tier"}},
    )  # fmt: skip
    assert invalid.status_code == 422 and invalid.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in invalid.json()["errors"]] == ["premium_table.by_firm_tier"]

    versioned = await client.send_json(
        "POST", f"/api/insurance/products/{product}/versions",
        {"expected_version": 1, **TERMS, "premium_table": BEIJING},
    )  # fmt: skip
    assert versioned.status_code == 201 and versioned.json()["version"] == 2
    old = (await client.get(f"/api/insurance/product-versions/{first}")).json()
    assert (old["version"], old["premium_table"]["shape"]) == (1, "base_plus_per_patent")
    stale = await client.send_json(
        "POST", f"/api/insurance/products/{product}/versions", {"expected_version": 1, **TERMS}
    )
    assert stale.status_code == 409

    sme = await make_account("sme")
    await sign_in(client, sme)
    listed = (await client.get("/api/insurance/products?kind=enforcement")).json()
    assert [(p["product"], p["version"]) for p in listed] == [(product, 2)]
    quote = await client.get(
        f"/api/insurance/product-versions/{first}/quote?patents=5&firm_tier=sme", headers={"accept-language": "en"}
    )
    assert quote.status_code == 200, quote.text
    q = quote.json()
    assert (q["premium"]["minor"], q["aggregate_limit"]["minor"], q["deductible"]["minor"]) == (
        300_000, 4_500_000, 100_000,
    )  # fmt: skip
    assert q["lines"][1]["label"]["message"].startswith("add-on: 5 patents")
    refused = await client.get(f"/api/insurance/product-versions/{first}/quote?patents=0")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "patents"
    assert (await client.send_json("POST", "/api/insurance/products", {"code": "xx", "kind": "enforcement", **TERMS}))\
        .status_code == 403  # an SME publishes nothing
    versions = (await client.get(f"/api/insurance/products/{product}/versions")).json()
    assert [v["version"] for v in versions] == [2, 1]

    other = await make_account("insurer")
    await sign_in(client, other)
    foreign = await client.send_json(
        "POST", f"/api/insurance/products/{product}/versions", {"expected_version": 2, **TERMS}
    )
    assert foreign.status_code == 404
    await sign_in(client, owner)
    gone = await client.send_json("POST", f"/api/insurance/products/{product}/withdraw", {"expected_version": 2})
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    await sign_in(client, other)
    assert (await client.get(f"/api/insurance/product-versions/{first}")).status_code == 404
    assert (await client.get(f"/api/insurance/products/{product}")).status_code == 404
    assert (await client.get("/api/insurance/products")).json() == []


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_editors_at_once_make_one_version(client: Client) -> None:
    owner = await make_account("insurer")
    await sign_in(client, owner)
    made = (await client.send_json("POST", "/api/insurance/products", {"code": "en", "kind": "enforcement", **TERMS}))
    product = made.json()["product"]
    csrf = await client.csrf()

    async def edit(n: int) -> int:
        body = {"expected_version": 1, **TERMS, "deductible_minor": 1_000 + n}
        r = await client.post(f"/api/insurance/products/{product}/versions", json=body, headers={"x-csrftoken": csrf})
        return r.status_code

    codes = await asyncio.gather(*(edit(n) for n in range(20)))
    assert sorted(codes) == [201] + [409] * 19
    versions = (await client.get(f"/api/insurance/products/{product}/versions")).json()
    assert [v["version"] for v in versions] == [2, 1]


async def post_form(client: Client, url: str, data: Any) -> Any:
    return await client.post(url, data=data, headers={"x-csrftoken": await client.csrf(), **HTML})


FORM: dict[str, Any] = {
    "code": "enf",
    "kind": "enforcement",
    "name_zh": "专利执行保险",
    "wording_version": "2026-01",
    "territory": "CN",
    "retroactive_days": "0",
    "deductible": "1000",
    "shape": "base_plus_per_patent",
    "tier_rows": "3",
    "tier_max_0": "10", "tier_base_0": "2000", "tier_addon_0": "200", "tier_multiple_0": "15",
    "tier_max_1": "", "tier_base_1": "4000", "tier_addon_1": "400", "tier_multiple_1": "30",
    "q_rows": "2",
    "q_key_0": "known_disputes", "q_kind_0": "yes_no", "q_material_0": "on",
    "q_key_1": "",
    "doc_rows": "1",
    "doc_code_0": "patent_certificate", "doc_required_0": "on", "doc_types_0": "application/pdf",
    "th_rows": "1", "th_above_0": "1000000", "th_n_0": "2",
    "min_remaining_years": "3",
    "term_months": "12",
    "quote_valid_days": "30",
    "patent_kinds": ["invention", "utility_model"],
}  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)  # the API and pages on both databases
async def test_the_insurer_pages_create_version_quote_and_withdraw(client: Client) -> None:
    owner = await make_account("insurer")
    await sign_in(client, owner)
    dashboard = await client.get("/dashboard", headers=HTML)
    assert 'href="/insurer/products"' in dashboard.text
    bad = await post_form(client, "/insurer/products/new", {**FORM, "tier_base_0": "lots", "term_months": "0"})
    assert bad.status_code == 400
    assert 'id="tier_base_0-error"' in bad.text and 'id="term_months-error"' in bad.text
    assert 'value="lots"' in bad.text  # what was typed stays
    wrong = await post_form(client, "/insurer/products/new", {**FORM, "tier_max_0": "", "tier_max_1": "5"})
    assert wrong.status_code == 422 and 'id="tier_max_0-error"' in wrong.text
    unlabelled = await post_form(client, "/insurer/products/new", {**FORM, "q_key_1": "own_question"})
    assert unlabelled.status_code == 422 and 'id="q_zh_1-error"' in unlabelled.text
    made = await post_form(client, "/insurer/products/new", FORM)
    assert made.status_code == 200 and 'id="done"' in made.text, made.text
    url = str(made.url).split("?")[0]
    assert 'id="product-version">v1<' in made.text
    assert 'id="quote-lines"' in made.text and "3,000" in made.text  # 5 patents: 2,000 + 5 x 200
    api = (await client.get("/api/insurance/products/mine")).json()[0]
    assert api["premium_table"]["base_tiers"][0] == {
        "max_patents": 10, "base_minor": 200_000, "limit_multiple": 15, "per_patent_minor": 20_000,
    }  # fmt: skip
    assert api["approval_thresholds"] == [{"above_minor": 100_000_000, "approvals": 2}]
    assert api["patent_kinds"] == ["invention", "utility_model"]

    english = await client.get(f"{url}?patents=11&firm_tier=sme", headers={**HTML, "accept-language": "en"})
    assert "8,400" in english.text  # 11 patents: tier 2, 4,000 + 11 x 400

    form = await client.get(url, headers=HTML)
    assert 'name="tier_base_1" inputmode="decimal" size="10" value="4000' in form.text  # the version in force
    edited = await post_form(client, url, {**FORM, "expected_version": "1", "deductible": "2000"})
    assert edited.status_code == 200 and 'id="product-version">v2<' in edited.text
    stale = await post_form(client, url, {**FORM, "expected_version": "1"})
    assert stale.status_code == 409
    bad_version = await post_form(client, url, {**FORM, "expected_version": "2", "deductible": "-1"})
    assert bad_version.status_code == 400 and 'id="deductible-error"' in bad_version.text

    asked = await post_form(client, f"{url}/withdraw", {"expected_version": "2"})
    assert 'id="confirm-step"' in asked.text
    assert (await client.get("/api/insurance/products/mine")).json()[0]["status"] == "published"  # nothing yet
    done = await post_form(client, f"{url}/withdraw", {"expected_version": "2", "confirmed": "yes"})
    assert done.status_code == 200 and (await client.get("/api/insurance/products/mine")).json()[0]["status"] == (
        "withdrawn"
    )
    listing = await client.get("/insurer/products", headers=HTML)
    assert "专利执行保险" in listing.text and 'data-code="enf"' in listing.text

    other = await make_account("insurer")
    await sign_in(client, other)
    assert (await client.get(url, headers=HTML)).status_code == 404
    sme = await make_account("sme")
    await sign_in(client, sme)
    assert (await client.get("/insurer/products", headers=HTML)).status_code == 403
