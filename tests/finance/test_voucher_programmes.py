"""Voucher programmes: versioned terms (an edit is a new version, the old one readable by its number), per-field
errors (a settlement cycle longer than six months refused with its reason), the pure arithmetic (the voucher's
part of a price with the caps, windows, regions, cap periods), the demo programmes read from shared/domain."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from finance.voucher_programmes import service as programmes
from finance.voucher_programmes.schemas import ProgrammeCreateIn, ProgrammeEditIn
from market import jobs
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.seed import seed_demo as seed_accounts
from tests.conftest import make_account
from tests.finance.support import principal_of
from tests.finance.voucher_programme_support import FACE, ZHEJIANG, issuer, open_programme

DEMO_ISSUER = "杭州市科技局创新券（演示）"


async def test_an_edit_is_a_new_version_and_a_decision_reads_its_own(backend: Any) -> None:
    owner = await issuer()
    async with jobs.unit_of_work():
        made = await programmes.create_programme(principal=owner, data=ProgrammeCreateIn(code="zj", **ZHEJIANG))
    assert (made.version, made.status, made.mode) == (1, "draft", "provider_redeems")
    changed = {**ZHEJIANG, "categories": {"tech_results": {"share_bp": 7000}}}
    async with jobs.unit_of_work():
        edited = await programmes.edit_programme(principal=owner, programme_id=made.id,
                                                 data=ProgrammeEditIn(expected_version=1, **changed))  # fmt: skip
    assert edited.version == 2 and [c.share_bp for c in edited.categories] == [7000]
    first = await programmes.version(made.id, 1)
    assert programmes.share_for(first, "tech_results") == 5000 and programmes.share_for(first, "testing") == 4000
    current = await programmes.programme(made.id)
    assert current.version == 2 and programmes.share_for(current.terms, "testing") == 0
    with pytest.raises(Conflict):  # the version edited is no longer in force
        async with jobs.unit_of_work():
            await programmes.edit_programme(principal=owner, programme_id=made.id,
                                            data=ProgrammeEditIn(expected_version=1, **ZHEJIANG))  # fmt: skip
    with pytest.raises(NotFound):
        await programmes.version(made.id, 3)


async def test_bad_terms_are_refused_beside_their_field(backend: Any) -> None:
    owner = await issuer()
    bad = {**ZHEJIANG, "settlement_cycle": "yearly", "required": ["specialised"], "favoured": ["specialised"],
           "windows": [{"opens_on": "2027-03-01", "closes_on": "2027-02-01"}], "regions": ["Zhejiang"],
           "per_period_minor": 1_000_000}  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        async with jobs.unit_of_work():
            await programmes.create_programme(principal=owner, data=ProgrammeCreateIn(code="bad", **bad))
    fields = {e.field: e.code for e in caught.value.errors}
    assert fields == {
        "settlement_cycle": "voucher_programme.settlement_too_long",
        "favoured": "also_required",
        "windows.0.closes_on": "before_opening",
        "regions.0": "bad_region",
        "per_period_minor": "below_per_claim",
    }
    assert await programmes.programmes_of_issuer(owner.org_id) == []
    with pytest.raises(ValidationFailed):  # face value without its value
        async with jobs.unit_of_work():
            await programmes.create_programme(
                principal=owner, data=ProgrammeCreateIn(code="fv", **{**FACE, "face_value_minor": None}))


async def test_only_an_issuer_runs_programmes(backend: Any) -> None:
    firm = await principal_of(await make_account("sme"))
    with pytest.raises(Forbidden):
        async with jobs.unit_of_work():
            await programmes.create_programme(principal=firm, data=ProgrammeCreateIn(code="xx", **ZHEJIANG))


async def test_the_voucher_part_of_a_price_line_by_line(backend: Any) -> None:
    owner = await issuer()
    zj = await programmes.programme(await open_programme(owner))
    part = programmes.voucher_part(zj.terms, "tech_results", 3_000_000)
    assert (part.amount.minor, part.copay.minor, part.limited_by) == (1_500_000, 1_500_000, "share")
    capped = programmes.voucher_part(zj.terms, "tech_results", 10_000_000)  # 50% = 50,000 > per claim 20,000
    assert (capped.amount.minor, capped.copay.minor, capped.limited_by) == (2_000_000, 8_000_000, "per_claim")
    category = programmes.voucher_part(zj.terms, "ip_services", 3_000_000)  # 15,000 > the category's 5,000
    assert (category.amount.minor, category.limited_by) == (500_000, "category_cap")
    assert [m.code for m in category.lines][-1] == "voucher.part.amount"
    none = programmes.voucher_part(zj.terms, "training", 3_000_000)
    assert (none.amount.minor, none.eligible) == (0, False)
    fv = await programmes.programme(await open_programme(owner, "fv", FACE))
    vouchers = programmes.voucher_part(fv.terms, "testing", 1_230_000)  # two whole 5,000 vouchers
    assert (vouchers.amount.minor, vouchers.vouchers, vouchers.limited_by) == (1_000_000, 2, "face_value")
    most = programmes.voucher_part(fv.terms, "testing", 50_000_000)  # at most 40 vouchers at once
    assert (most.amount.minor, most.vouchers, most.limited_by) == (20_000_000, 40, "max_vouchers")


async def test_windows_regions_and_periods(backend: Any) -> None:
    owner = await issuer()
    terms = {**ZHEJIANG, "windows": [{"opens_on": "2027-01-01", "closes_on": "2027-06-30"}], "period": "half_year"}
    zj = (await programmes.programme(await open_programme(owner, "zj-h1", terms))).terms
    assert programmes.in_window(zj, date(2027, 6, 30)) and not programmes.in_window(zj, date(2027, 7, 1))
    assert programmes.region_ok(zj, "330100") and not programmes.region_ok(zj, "310000")
    assert not programmes.region_ok(zj, "")
    assert programmes.period_key(zj, date(2027, 7, 1)) == "2027H2"
    assert programmes.cycle_bounds(zj, date(2027, 8, 3)) == (date(2027, 7, 1), date(2027, 12, 31))
    assert [p.id for p in await programmes.open_programmes(on=date(2027, 3, 1), region="330100")] == [zj.programme_id]
    assert await programmes.open_programmes(on=date(2027, 8, 1)) == []


async def test_budget_exhausted_closes_the_programme(backend: Any) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    async with jobs.unit_of_work():
        assert await programmes.close_for_budget(programme_id)
        assert not await programmes.close_for_budget(programme_id)
    found = await programmes.programme(programme_id)
    assert (found.status, found.closed_reason) == ("closed", "budget_exhausted")


async def test_demo_programmes_from_the_shared_figures(backend: Any) -> None:
    await seed_accounts()
    async with jobs.unit_of_work():
        made = await programmes.seed_demo(issuer_name=DEMO_ISSUER)
        again = await programmes.seed_demo(issuer_name=DEMO_ISSUER)
    assert (made, again) == ({"programmes": 2}, {"programmes": 0})
    zj = await programmes.demo_programme(DEMO_ISSUER)
    assert zj is not None and zj.open and zj.mode == "provider_redeems"
    t = zj.terms
    assert programmes.share_for(t, "tech_results") == 5000
    assert (t.per_claim_minor, t.per_period_minor, t.settlement_cycle) == (2_000_000, 10_000_000, "half_yearly")
    assert t.required == ("specialised",) and t.notice_days == 7 and t.reliability == "tertiary"
    assert "Yuhuan" in t.note and "chacewang.com" in t.source
    delta = await programmes.demo_programme(DEMO_ISSUER, "delta-reimbursed")
    assert delta is not None and delta.mode == "enterprise_reimbursed" and delta.terms.settlement_cycle == "monthly"
