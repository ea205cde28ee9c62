"""Suggested royalties where users see them: the API for a recorded patent or given facts, the listing badge,
and `market pricing import` (a bad file is refused with its rows and changes nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

from listings.advice import service as advice
from market import jobs
from tests.conftest import Backend, make_account, sign_in
from tests.listings.support import eligible, record, university
from tests.market.test_audit import market_cli

SHIPPED = Path(__file__).parents[2] / "pricing" / "data" / "royalty_statistics_default.csv"


async def test_a_university_gets_an_explained_suggestion_for_its_patent(backend: Backend, client) -> None:
    account, principal = await university()
    patent = await record(principal, eligible(ipc_codes=["G06N 3/08"]))
    await sign_in(client, account)
    r = await client.get(f"/api/pricing/patents/{patent}", params={"expected_annual_net_sales_minor": 500_000_000})
    assert r.status_code == 200, r.text
    body = r.json()
    band = body["running_royalty_bp"]
    assert 0 < band["low"] <= band["mid"] <= band["high"] <= 2000  # ordered, never above the 20% cap
    assert body["lump_sum_minor"]["high"] <= 2_000_000_000  # never above CNY 20 million
    keys = {f["key"] for f in body["factors"]}
    assert {
        "industry_distribution",
        "patent_kind",
        "open_licence_non_exclusive",
        "claims_breadth",
        "remaining_life",
    } <= keys
    assert all(f["source"] and f["code"].startswith("pricing.") and f["message"] for f in body["factors"])
    english = await client.get(
        f"/api/pricing/patents/{patent}",
        params={"expected_annual_net_sales_minor": 500_000_000},
        headers={"Accept-Language": "en"},
    )
    factors_en = english.json()["factors"]
    assert [f["code"] for f in factors_en] == [f["code"] for f in body["factors"]]
    assert all(e["message"] != z["message"] for e, z in zip(factors_en, body["factors"], strict=True))
    assert "Patent kind: invention patent" in {f["key"]: f for f in factors_en}["patent_kind"]["message"]
    assert body["data_is_official"] is False and any(n["code"] == "starting_default" for n in body["notes"])
    other = await make_account("university", org_name="另一所大学")
    client.cookies.clear()
    await sign_in(client, other)
    assert (await client.get(f"/api/pricing/patents/{patent}")).status_code == 404


async def test_anyone_signed_in_can_price_facts_given_directly(backend: Backend, client) -> None:
    await sign_in(client, await make_account("sme"))
    facts = {"kind": "invention", "ipc_codes": ["A61K 31/00"], "remaining_years": "12.5", "claims_count": 12}
    r = await client.send_json("POST", "/api/pricing/suggest", facts)
    assert r.status_code == 200, r.text
    assert r.json()["lump_sum_minor"] is None  # no sales given: no invented turnover, a note says so
    r = await client.send_json("POST", "/api/pricing/suggest", {**facts, "remaining_years": "25"})
    assert r.status_code == 422  # an invention has at most 20 years (Patent Law Art 42)
    assert r.json()["errors"][0]["article"] == "law.patent.art42"  # cited, in the reader's words (issue 16)


async def test_platform_licences_in_the_same_field_join_the_evidence(backend: Backend) -> None:
    from datetime import date

    from listings.declarations import service as declarations
    from listings.declarations.schemas import DeclareIn, TermsIn
    from listings.patents import repository as patents_repo

    _, principal = await university()
    first = await record(principal, eligible(ipc_codes=["G06N 3/08"]))
    second = await record(principal, eligible("CN109637352B", ipc_codes=["G06N 3/04"]))
    before = await advice.suggest_for_patent(principal=principal, patent_id=second, data_dir=Path("var"))
    async with jobs.unit_of_work():
        report = await declarations.declare(
            principal=principal,
            data=DeclareIn(patent_ids=[first], terms=TermsIn(payment_mode="running_royalty", royalty_rate_bp=800)),
        )
        version = await declarations.get(principal=principal, declaration_id=report.results[0].declaration_id)
        from listings.declarations import repository as declarations_repo

        [row] = await declarations_repo.versions(version.id)
        for n in range(3):
            await patents_repo.add_licence(
                first,
                {
                    "kind": "open",
                    "licensee_name": f"企业{n}",
                    "starts_on": date.today(),
                    "reference": f"OL-LC-{n}",
                    "declaration_version": row.id,
                },
            )
    after = await advice.suggest_for_patent(principal=principal, patent_id=second, data_dir=Path("var"))
    assert (before.comparables_used, after.comparables_used) == (0, 3)
    assert any(f.key == "comparables" for f in after.factors)


async def test_pricing_import_installs_a_good_file_and_refuses_a_bad_one(backend: Backend, tmp_path: Path) -> None:
    good = tmp_path / "cnipa.csv"
    shutil.copyfile(SHIPPED, good)
    installed = backend.settings.data_dir / advice.OPERATOR_TABLE
    installed.unlink(missing_ok=True)
    result = market_cli(backend.settings, "pricing", "import", str(good))
    assert result.returncode == 0, result.stderr
    assert installed.read_bytes() == good.read_bytes()
    bad = tmp_path / "bad.csv"
    lines = good.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",5.50,", ",fifty,")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = market_cli(backend.settings, "pricing", "import", str(bad))
    assert refused.returncode == 1
    assert "row 3" in refused.stderr and "rate_median" in refused.stderr
    assert installed.read_bytes() == good.read_bytes()  # unchanged
    installed.unlink()
