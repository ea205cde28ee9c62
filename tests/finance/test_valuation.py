"""Relief-from-royalty valuation: each year a line, the life capped by the legal term, the rate from the pricing
benchmarks of the patent's field, the method allowed below the shared data's threshold only, and the API on a
stored patent of the caller's own."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from finance.valuation import relief
from finance.valuation import service as valuation
from finance.valuation.records import Method, ValuationInputs
from market.kit.law import PatentKind
from market.kit.money import Money
from pricing import PatentFacts, relief_from_royalty
from tests.conftest import make_account, sign_in
from tests.listings.support import eligible, record, university

TODAY = date(2026, 11, 29)
YUAN = 100


def inputs(**changes: Any) -> ValuationInputs:
    values: dict[str, Any] = {
        "kind": PatentKind.invention,
        "ipc_codes": ("G01N 15/08",),
        "claims_count": 8,
        "expiry_date": TODAY + timedelta(days=3653),
        "today": TODAY,
        "projected_revenue": (Money("CNY", 1_000_000 * YUAN),),
        "discount_rate_bp": 1000,
        "method": Method.internal,
        "economic_life_years": Decimal(2),
        "royalty_rate_bp": 500,
    }
    values.update(changes)
    return ValuationInputs(**values)


def test_each_year_is_a_line_and_the_sum_is_the_value() -> None:
    result = relief.value(inputs())
    # year 1: 1 m x 5% = 50,000; x 75% = 37,500; x 1/1.1 (0.909091) = 34,090.9125 -> 34,090.91
    # year 2: 37,500 x 1/1.21 (0.826446) = 30,991.725 -> 30,991.73
    assert result.amount == Money("CNY", 3_409_091 + 3_099_173)
    years = [line for line in result.lines if line.key == "year"]
    assert [line.message.params["pv"] for line in years] == [Money("CNY", 3_409_091), Money("CNY", 3_099_173)]
    assert {line.key for line in result.lines} >= {
        "method", "royalty_rate_given", "legal_years", "economic_life", "years_used", "discount_rate", "tax_rate",
        "value",
    }  # fmt: skip
    assert result.method is Method.internal and result.reasons == ()


def test_the_legal_term_caps_the_economic_life_and_later_years_keep_the_last_revenue() -> None:
    short = relief.value(
        inputs(
            expiry_date=TODAY + timedelta(days=913),  # 2.5 years
            economic_life_years=Decimal(15),
            projected_revenue=(Money("CNY", 1_000_000 * YUAN), Money("CNY", 2_000_000 * YUAN)),
        )
    )
    assert short.years == Decimal("2.50")
    years = [line for line in short.lines if line.key == "year"]
    assert [line.message.params["share"] for line in years] == [1, 1, Decimal("0.50")]
    assert [line.message.params["revenue"] for line in years][-1] == Money("CNY", 2_000_000 * YUAN)
    assert years[-1].source == "last projected revenue held"


def test_the_rate_comes_from_the_pricing_benchmark_of_the_field() -> None:
    result = relief.value(inputs(royalty_rate_bp=None))
    facts = PatentFacts(kind=PatentKind.invention, ipc_codes=("G01N 15/08",), remaining_years=Decimal(10),
                        claims_count=8)  # fmt: skip
    benchmark = relief_from_royalty(facts, annual_net_sales=Money("CNY", 1_000_000 * YUAN))
    assert result.royalty_rate_bp == int(benchmark.royalty_rate * 100)
    keys = [line.key for line in result.lines]
    assert {"royalty_rate", "industry_distribution", "patent_kind", "claims_breadth"} <= set(keys)  # with sources
    open_licence = relief.value(inputs(royalty_rate_bp=None, open_licence_declared=True))
    assert open_licence.royalty_rate_bp < result.royalty_rate_bp  # the open-licence factor applies


def test_internal_or_agreed_only_below_the_threshold_of_the_shared_data() -> None:
    threshold = valuation.threshold()
    assert threshold is not None  # read from ../shared/domain, never a constant
    big = {"projected_revenue": (Money("CNY", 400_000_000 * YUAN),)}
    for method in (Method.internal, Method.agreed):
        result = relief.value(inputs(method=method, **big), threshold=threshold)
        assert result.amount.minor >= threshold.minor
        assert [(r.code, r.severity.value) for r in result.reasons] == [(relief.EXTERNAL_REQUIRED, "block")]
        assert result.reasons[0].source == "law.ipfinance_pilot.valuation"
    external = relief.value(inputs(method=Method.external, report_document=7, **big), threshold=threshold)
    assert external.reasons == ()
    no_report = relief.value(inputs(method=Method.external, **big), threshold=threshold)
    assert [r.code for r in no_report.reasons] == [relief.REPORT_MISSING]
    small = relief.value(inputs(method=Method.agreed), threshold=threshold)
    assert small.reasons == ()


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="one currency"):
        relief.value(inputs(projected_revenue=(Money("CNY", 1), Money("USD", 1))))
    with pytest.raises(ValueError, match="at least one year"):
        relief.value(inputs(projected_revenue=()))


async def test_the_api_values_my_own_patent_and_no_other(client: Any) -> None:
    account, uni = await university("浙江大学")
    mine = await record(uni, eligible("CN108982325B", patentees=["浙江大学"]))
    _, other = await university("清华大学")
    theirs = await record(other, eligible("CN108982326B", patentees=["清华大学"]))
    await sign_in(client, account)
    body = {"projected_revenue_minor": [100_000_000], "discount_rate_bp": 1000, "method": "internal",
            "economic_life_years": "2", "royalty_rate_bp": 500}  # fmt: skip
    answer = await client.send_json("POST", "/api/valuations/relief-from-royalty", {"patent_id": mine, **body})
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert out["amount"] == {"minor": 3_409_091 + 3_099_173, "currency": "CNY"}
    assert out["lines"][0]["message"]["message"]  # rendered in the reader's language
    refused = await client.send_json("POST", "/api/valuations/relief-from-royalty", {"patent_id": theirs, **body})
    assert refused.status_code == 404
    floats = await client.send_json(
        "POST", "/api/valuations/relief-from-royalty", {"patent_id": mine, **body, "projected_revenue_minor": [1.5]}
    )
    assert floats.status_code == 400
    bank = await make_account("bank")
    await sign_in(client, bank)
    assert (await client.send_json("POST", "/api/valuations/relief-from-royalty", {"patent_id": mine, **body})
            ).status_code == 403  # fmt: skip
