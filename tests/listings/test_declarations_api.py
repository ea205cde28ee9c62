"""The API answers a refused declaration in the reader's language (Accept-Language) and always with the same codes,
fields, articles and parameters: the domain gives codes, the catalogues the words."""

from __future__ import annotations

from datetime import date
from typing import Any

from listings.declarations.eligibility import Suspension
from tests.conftest import Backend, sign_in
from tests.listings.support import eligible, record, university
from tests.support.words import HAN

REFUSED_TERMS = {
    "payment_mode": "entry_plus_royalty",
    "currency": "CNY",
    "entry_fee_minor": 2_500_000_000,  # over the CNY 20 million cap
    "royalty_rate_bp": 2500,  # over 20% of net sales
    "term_years": 20,  # past the patent's expiry
    "other_matters": "国际领先的最佳技术",  # advertising language
}
REASONS = {
    "not_patentee",
    "evaluation_report_missing",
    "proceedings_suspended",
    "annual_fees_unpaid",
    "pledged_without_consent",
    "fixed_fee_over_cap",
    "royalty_over_cap",
    "advertising_language",
    "term_past_expiry",
}


def _without_data(reason: dict[str, Any]) -> str:
    """The message without the names it quotes (the declarant, patentees, the advertising terms found)."""
    text = str(reason["message"])
    for value in reason["params"].values():
        for name in value if isinstance(value, list) else [value]:
            if isinstance(name, str):
                text = text.replace(name, "")
    return text


def _reasons(body: dict[str, Any]) -> list[dict[str, Any]]:
    [result] = body["results"]
    assert result["outcome"] == "refused"
    return list(result["reasons"])


async def test_a_refused_declaration_speaks_the_readers_language_with_the_same_codes(
    backend: Backend, client: Any
) -> None:
    account, principal = await university()
    patent = await record(
        principal,
        eligible(
            "CN202223220665.2",  # a utility model, without its evaluation report
            patentees=["另一所大学"],
            filing_date=date(2022, 12, 2),
            grant_date=date(2023, 3, 28),
            annual_fees_paid_through=None,
            pledged=True,
            suspension=Suspension.court_preservation,
        ),
    )
    await sign_in(client, account)
    request = {"patent_ids": [patent], "terms": REFUSED_TERMS}

    answers = {}
    for accept in ("zh-CN", "en"):
        r = await client.send_json("POST", "/api/declarations/check", request, headers={"Accept-Language": accept})
        assert r.status_code == 200, r.text
        answers[accept] = _reasons(r.json())
    zh, en = answers["zh-CN"], answers["en"]

    assert {r["code"] for r in zh} == REASONS
    same = ("code", "field", "article", "params")
    assert [{k: r[k] for k in same} for r in zh] == [{k: r[k] for k in same} for r in en]
    for z, e in zip(zh, en, strict=True):
        assert z["message"] != e["message"] and z["article_text"] != e["article_text"], z["code"]
        assert HAN.search(z["message"]) and not HAN.search(_without_data(e)), e["message"]
        assert "%(" not in z["message"] + e["message"]
        assert z["article"].startswith("law.")
    by_code = {r["code"]: r for r in en}
    assert "25,000,000.00" in by_code["fixed_fee_over_cap"]["message"]
    assert "25.00%" in by_code["royalty_over_cap"]["message"]
    assert "Art 104 (court preservation)" in by_code["proceedings_suspended"]["message"]
    assert by_code["evaluation_report_missing"]["message"].startswith("A utility model needs")
    assert by_code["fixed_fee_over_cap"]["params"]["amount"] == {"currency": "CNY", "minor": 2_500_000_000}
    assert {r["code"]: r for r in zh}["not_patentee"]["article_text"] == "专利法第五十条；实施细则第八十五条"

    # an error (problem+json) too: the same code, the words in the reader's language
    texts = []
    for accept in ("zh-CN", "en"):
        r = await client.get("/api/declarations/999999", headers={"Accept-Language": accept})
        assert r.status_code == 404
        texts.append(r.json()["detail"])
    assert texts[0] == "没有这份声明。" and texts[1] == "No such declaration."


async def test_the_terms_summary_is_in_the_readers_language(backend: Backend, client: Any) -> None:
    account, principal = await university()
    patent = await record(principal, eligible())
    await sign_in(client, account)
    terms = {"payment_mode": "running_royalty", "royalty_rate_bp": 350, "term_years": 3}
    r = await client.send_json("POST", "/api/declarations", {"patent_ids": [patent], "terms": terms})
    assert r.status_code == 200, r.text
    [result] = r.json()["results"]
    assert result["outcome"] == "published", result
    summaries = {}
    for accept in ("zh-CN,zh;q=0.9", "en-GB,en;q=0.8"):
        listing = await client.get(f"/api/listings/{result['declaration_id']}", headers={"Accept-Language": accept})
        assert listing.status_code == 200, listing.text
        summaries[accept[:2]] = listing.json()["terms"]["summary"]
    assert [m["code"] for m in summaries["zh"]] == [m["code"] for m in summaries["en"]] == [
        "declaration.terms.running_royalty",
        "declaration.terms.years",
        "declaration.terms.open_licence",
    ]
    assert summaries["zh"][0]["message"] == "按净销售额的 3.50% 提成支付，按期报告并支付。"
    assert summaries["en"][0]["message"] == "A running royalty of 3.50% of net sales, reported and paid per period."
    assert summaries["en"][0]["params"] == {"rate": {"value": 350}}


async def test_publishing_a_draft_that_became_ineligible_is_refused_in_the_readers_language(
    backend: Backend, client: Any
) -> None:
    account, principal = await university()
    patent = await record(principal, eligible())
    await sign_in(client, account)
    terms = {"payment_mode": "running_royalty", "royalty_rate_bp": 350}
    r = await client.send_json("POST", "/api/declarations", {"patent_ids": [patent], "terms": terms, "publish": False})
    [draft] = r.json()["results"]
    assert draft["outcome"] == "draft", draft
    facts = {"pledged": True, "suspension": "art103"}  # since drafted: pledged without consent, and suspended
    assert (await client.send_json("PATCH", f"/api/patents/{patent}", facts)).status_code == 200

    problems = {}
    for accept in ("zh-CN", "en"):
        url = f"/api/declarations/{draft['declaration_id']}/publish"
        refused = await client.send_json("POST", url, None, headers={"Accept-Language": accept})
        assert refused.status_code == 422, refused.text
        problems[accept] = refused.json()
    zh, en = problems["zh-CN"], problems["en"]
    assert zh["detail"] == "这份声明不能公告，原因见各项。"
    assert en["detail"] == "The declaration cannot be published; see each reason."
    same = ("field", "code", "article")  # params too, by name (typed values are shown as the reader reads them)
    assert [{k: e.get(k) for k in same} for e in zh["errors"]] == [{k: e.get(k) for k in same} for e in en["errors"]]
    assert [set(e.get("params", {})) for e in zh["errors"]] == [set(e.get("params", {})) for e in en["errors"]]
    assert {e["code"] for e in zh["errors"]} == {"pledged_without_consent", "proceedings_suspended"}
    for z, e in zip(zh["errors"], en["errors"], strict=True):
        assert z["message"] != e["message"] and z["article_text"] != e["article_text"]
        assert HAN.search(z["message"]) and not HAN.search(e["message"])
