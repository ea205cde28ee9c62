"""Every figure the package ships is found in the project's shared sources, and every derivation is recomputed.

Reads the real files in ``../shared`` (or ``MARKET_SHARED_DIR``). Absent files skip these tests with the reason,
except under CI=true, where their absence fails.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from decimal import Decimal
from fractions import Fraction

import pytest

from market.kit import law
from pricing import caps, load_royalty_table
from pricing.params import DEFAULT_PARAMS
from pricing.royalty_data import RoyaltyRow
from tests.pricing.support import ROOT, shared_file

TABLE = load_royalty_table()
RELIABILITY_TAGS = {"[primary]": "primary", "[repost]": "secondary", "[secondary compilation]": "secondary"}


def read_csv(relative: str) -> list[dict[str, str]]:
    with shared_file(relative).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def selector(row: RoyaltyRow) -> dict[str, list[str]]:
    """``key=a|b;key2=c`` -> {key: [a, b], key2: [c]}."""
    out: dict[str, list[str]] = {}
    for part in row.source_selector.split(";"):
        key, _, values = part.partition("=")
        out[key.strip()] = values.split("|")
    return out


def half_up(value: Fraction) -> Decimal:
    """Round half-up to 0.01, computed independently of the package's Decimal code."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(hundredths) / 100


def cdf_quantile(points: list[tuple[Fraction, Fraction]], q: Fraction) -> Fraction:
    """Linear interpolation in a cumulative distribution given as (rate, share at or below) points."""
    for (x0, p0), (x1, p1) in itertools.pairwise(points):
        if p0 <= q <= p1:
            return x0 + (q - p0) / (p1 - p0) * (x1 - x0)
    raise AssertionError(f"quantile {q} outside the points")


BENCHMARK_ROWS = [r for r in TABLE.rows if r.source_file == "shared/data/royalty_rate_benchmarks.csv"]
CONTRACT_ROWS = [r for r in TABLE.rows if r.source_file == "shared/domain/cnipa_patent_license_contract_stats.csv"]


def test_every_shipped_row_points_at_a_file_this_test_checks() -> None:
    assert len(BENCHMARK_ROWS) + len(CONTRACT_ROWS) == len(TABLE.rows)
    assert BENCHMARK_ROWS
    assert CONTRACT_ROWS


@pytest.mark.parametrize("row", BENCHMARK_ROWS, ids=lambda r: f"row{r.row}-{r.industry_code}")
def test_benchmark_row_is_found_and_its_derivation_recomputes(row: RoyaltyRow) -> None:
    source = read_csv("data/royalty_rate_benchmarks.csv")
    sel = selector(row)
    (industry,) = sel["industry"]
    found = {s["metric"]: s for s in source if s["industry"] == industry and s["metric"] in sel["metric"]}
    assert set(found) == set(sel["metric"]), f"row {row.row}: metrics missing in the source"
    for s in found.values():
        assert s["source"] == row.source
        tag = s["notes"].split("]")[0] + "]"
        assert RELIABILITY_TAGS[tag] == row.reliability.value
    value = {m: Fraction(s["value_percent"]) for m, s in found.items()}
    method = row.derivation.split(":")[0]
    if method == "cdf-linear-interpolation":
        points = sorted((v, Fraction(int(m[1:]), 100)) for m, v in value.items())
        assert row.rate_p25 == half_up(cdf_quantile(points, Fraction(25, 100)))
        assert row.rate_median == half_up(cdf_quantile(points, Fraction(50, 100)))
        assert row.rate_p75 == half_up(cdf_quantile(points, Fraction(75, 100)))
        assert row.sample_size is None
    elif method == "range-midpoint":
        assert row.rate_median == half_up((value["range_low"] + value["range_high"]) / 2)
        assert (row.rate_p25, row.rate_p75) == (None, None)
        assert row.sample_size == int(found["range_low"]["sample_size"])
        assert str(row.year) == found["range_low"]["year"]
    elif method == "range-as-interquartile":
        assert row.rate_p25 == half_up(value["range_low"])
        assert row.rate_p75 == half_up(value["range_high"])
        assert row.rate_median == half_up((value["range_low"] + value["range_high"]) / 2)
        assert str(row.year) == found["range_low"]["year"]
        assert row.sample_size is None
    else:
        pytest.fail(f"row {row.row}: unknown derivation {method!r}")


@pytest.mark.parametrize("row", CONTRACT_ROWS, ids=lambda r: f"row{r.row}-{r.year}")
def test_cnipa_contract_row_is_found_in_the_recorded_contract_statistics(row: RoyaltyRow) -> None:
    source = read_csv("domain/cnipa_patent_license_contract_stats.csv")
    (period,) = selector(row)["period"]
    rows = [s for s in source if s["period"] == period]
    assert str(row.year) == period
    assert row.derivation.startswith("cnipa-contract-stats:")

    def one(scope_start: str, metric: str) -> dict[str, str]:
        (hit,) = [s for s in rows if s["scope"].startswith(scope_start) and s["metric"] == metric]
        assert hit["source_url"] in row.source
        return hit

    def share(scope_start: str) -> Decimal:
        note = one(scope_start, "contracts")["source_note"]
        return Decimal(note.split("%")[0])

    assert row.sample_size == int(one("CNIPA-recorded license contracts", "contracts")["value"])
    assert row.share_lump_sum == share("fixed/convertible-amount")
    assert row.share_running_royalty == share("running-royalty")
    assert row.share_free == share("royalty-free")
    mean_10k_cny = Decimal(one("fixed/convertible-amount", "mean_amount_per_contract")["value"])
    assert row.lump_mean is not None
    assert row.lump_mean.currency == "CNY"
    assert row.lump_mean.minor == int(mean_10k_cny * 10_000 * 100)  # 万元 -> yuan -> fen
    assert row.reliability.value == "secondary"  # reposts of the CNIPA notices


def test_the_concordance_is_the_shared_one_row_for_row_with_its_padding() -> None:
    source = read_csv("data/wipo_ipc_technology_concordance_35fields.csv")
    with (ROOT / "pricing/data/wipo_ipc_technology_concordance_35fields.csv").open(encoding="utf-8", newline="") as f:
        ours = list(csv.DictReader(f))
    assert len(ours) == len(source) == 764
    for mine, theirs in zip(ours, source, strict=True):
        assert mine["field_number"] == theirs["Field_number"]
        assert mine["field_en"] == theirs["Field_en"]
        assert mine["sector_en"] == theirs["Sector_en"]
        assert mine["ipc_pattern"] == theirs["IPC_code"]  # byte for byte, spaces included
        assert (mine["updated_on"], mine["remark"]) == (theirs["Updated_on"], theirs["Remark"])


def test_the_legal_caps_are_the_2024_notice_as_recorded() -> None:
    params = json.loads(shared_file("domain/cn_ip_finance_and_open_license_policy_params.json").read_text("utf-8"))
    notice = params["open_license"]["fee_caps_2024_notice"]
    assert notice["rule"] == law.CAP_RULE_ZH
    assert "2000万元" in notice["rule"]
    assert "净销售额的20%" in notice["rule"]
    assert law.FIXED_FEE_CAP.minor == 20_000_000 * 100
    assert Decimal("20") == caps.MAX_RUNNING_ROYALTY_PERCENT and law.ROYALTY_CAP_BP == 2000
    benchmark = read_csv("data/royalty_rate_benchmarks.csv")
    (ceiling,) = [
        r for r in benchmark if r["metric"] == "range_high" and "open-licence policy ceiling" in r["industry"]
    ]
    assert Decimal(ceiling["value_percent"]) == caps.MAX_RUNNING_ROYALTY_PERCENT


def test_the_utility_model_factor_is_the_recorded_loan_to_value_ratio() -> None:
    params = json.loads(shared_file("domain/cn_ip_finance_and_open_license_policy_params.json").read_text("utf-8"))
    ltv = params["pledge_lending_parameters"]["bank_ltv_example_bocom"]
    ratio = Decimal(ltv["utility_model_max_pct"]) / Decimal(ltv["invention_patent_max_credit_pct_of_appraisal"])
    assert DEFAULT_PARAMS.utility_model_factor == ratio
