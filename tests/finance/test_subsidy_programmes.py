"""Subsidy programmes: versioned terms (an edit is a new version, the old one readable), per-field errors, opening
and closing, issuers only; the demo programmes read from shared/domain with their sources; the caps ledger decided
by the database (20 reservations at once on PostgreSQL never pass a cap)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import pytest

from finance.subsidies import arithmetic, repository
from finance.subsidies import service as subsidies
from finance.subsidies.schemas import ProgrammeCreateIn, ProgrammeEditIn
from market import jobs
from market.errors import Conflict, Forbidden, MarketError, ValidationFailed
from market.kit.money import Money
from market.seed import seed_demo as seed_accounts
from tests.conftest import make_account
from tests.finance.subsidy_support import BEIJING, SHANDONG, issuer, open_programme
from tests.finance.support import principal_of

DEMO_ISSUER = "杭州市科技局创新券（演示）"


async def test_an_edit_is_a_new_version_and_the_old_one_stays(backend: Any) -> None:
    owner = await issuer()
    async with jobs.unit_of_work():
        made = await subsidies.create_programme(principal=owner, data=ProgrammeCreateIn(code="bj", **BEIJING))
    assert (made.version, made.status, made.share_later_bp) == (1, "draft", {"sme": 9000, "champion": 8000})
    async with jobs.unit_of_work():
        edited = await subsidies.edit_programme(
            principal=owner, programme_id=made.id,
            data=ProgrammeEditIn(expected_version=1, **{**BEIJING, "share_later_bp": {"sme": 7000, "champion": 7000}}),
        )  # fmt: skip
    assert (edited.version, edited.share_later_bp) == (2, {"sme": 7000, "champion": 7000})
    first = await subsidies.programme(made.id, 1)
    assert first is not None and first.share_later_bp == {"sme": 9000, "champion": 8000} and first.current_version == 2
    with pytest.raises(Conflict):  # the version edited is no longer in force
        async with jobs.unit_of_work():
            await subsidies.edit_programme(principal=owner, programme_id=made.id,
                                           data=ProgrammeEditIn(expected_version=1, **BEIJING))  # fmt: skip
    with pytest.raises(Conflict):  # the code is the issuer's key
        async with jobs.unit_of_work():
            await subsidies.create_programme(principal=owner, data=ProgrammeCreateIn(code="bj", **BEIJING))


async def test_bad_terms_are_refused_beside_their_field_and_nothing_is_written(backend: Any) -> None:
    owner = await issuer()
    bad = {**SHANDONG, "kinds": ["enforcement"], "share_later_bp": {"champion_2": 5000}}
    with pytest.raises(ValidationFailed) as caught:
        async with jobs.unit_of_work():
            await subsidies.create_programme(principal=owner, data=ProgrammeCreateIn(code="sd", **bad))
    fields = {e.field: e.code for e in caught.value.errors}
    assert fields == {
        "kind_caps_minor.enforcement+infringement_loss": "kind_not_covered",
        "kind_caps_minor.overseas_liability": "kind_not_covered",
        "share_later_bp.champion_2": "tier_without_first_share",
    }
    assert await repository.listed(issuer=owner.org_id) == []


async def test_only_an_issuer_runs_programmes(backend: Any) -> None:
    firm = await principal_of(await make_account("sme"))
    with pytest.raises(Forbidden):
        async with jobs.unit_of_work():
            await subsidies.create_programme(principal=firm, data=ProgrammeCreateIn(code="xx", **BEIJING))


async def test_open_programmes_covering_a_kind_and_their_estimates(backend: Any) -> None:
    owner = await issuer()
    bj = await open_programme(owner, "bj", BEIJING)
    sd = await open_programme(owner, "sd", SHANDONG)
    overseas = await subsidies.programmes(kind="overseas_liability")
    assert [p.id for p in overseas] == [sd]
    found = await subsidies.estimates_for(org_id=42, premium=Money("CNY", 3_000_000), kind="enforcement",
                                          firm_tier="sme")  # fmt: skip
    amounts = {e.programme.id: (e.amount.minor, e.first_policy) for e in found}
    assert amounts == {bj: (3_000_000, True), sd: (1_800_000, True)}  # 100% and 60% of CNY 30,000


async def test_the_demo_programmes_come_from_the_shared_data_with_their_sources(backend: Any) -> None:
    await seed_accounts()
    async with jobs.unit_of_work():
        made = await subsidies.seed_demo(issuer_name=DEMO_ISSUER)
    assert made == {"programmes": 2}
    async with jobs.unit_of_work():
        assert await subsidies.seed_demo(issuer_name=DEMO_ISSUER) == {"programmes": 0}
    directory = subsidies.shared_domain_dir()
    assert directory is not None
    data = json.loads((directory / subsidies.PROGRAMMES).read_text())
    seen = {s["name"]: s for s in data["insurance"]["subsidies_seen"]}
    by_code = {p.code: p for p in await subsidies.programmes()}
    beijing, shandong = by_code["beijing"], by_code["shandong"]
    pct = seen["Beijing"]["premium_subsidy_pct"]
    assert beijing.share_first_bp["sme"] == pct["first_policy"] * 100
    assert beijing.share_later_bp == {"sme": pct["second_policy_smes"] * 100, "champion": 8000, "champion_2": 8000,
                                      "champion_3": 8000}  # fmt: skip
    assert beijing.tier_caps["sme"] == seen["Beijing"]["caps_cny"]["smes"] * 100
    assert beijing.tier_caps["champion"] == seen["Beijing"]["caps_cny"]["champion_tiers"][0] * 100
    assert beijing.reliability == "primary" and "zscqj.beijing.gov.cn" in beijing.source
    assert shandong.share_first_bp["sme"] == 6000 and shandong.reliability == "tertiary"
    assert shandong.kind_caps == {"enforcement+infringement_loss": 20_000_000, "overseas_liability": 40_000_000}


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_reservations_at_once_never_pass_the_cap(backend: Any) -> None:
    """The firm's cap (CNY 200,000) and the policies' premiums: 20 approvals of CNY 15,000 each on 20 policies at once
    reserve 13 (195,000) and refuse 7 with a 409; the first share is taken once."""
    owner = await issuer()
    bj = await subsidies.programme(await open_programme(owner, "bj", BEIJING))
    assert bj is not None
    amount = Money("CNY", 1_500_000)

    async def one(policy_id: int) -> int:
        try:
            async with jobs.unit_of_work():
                needs = arithmetic.cap_needs(bj, org_id=77, firm_tier="sme", kind="enforcement", policy_id=policy_id,
                                             premium_paid=amount, first_policy=False)  # fmt: skip
                await subsidies.reserve(needs, amount=amount)
        except MarketError as exc:
            return exc.status
        return 200

    answers = await asyncio.gather(*(one(1000 + n) for n in range(20)))
    assert Counter(answers) == Counter({200: 13, 409: 7}), answers
    caps = await repository.caps([arithmetic.firm_key(bj.id, 77), arithmetic.budget_key(bj.id)])
    assert caps[arithmetic.firm_key(bj.id, 77)].reserved_minor == 19_500_000
    assert caps[arithmetic.budget_key(bj.id)].reserved_minor == 19_500_000  # the refused left nothing behind


async def test_a_programme_closes_when_its_budget_is_spent(backend: Any) -> None:
    owner = await issuer()
    bj = await subsidies.programme(await open_programme(owner, "bj", {**BEIJING, "budget_minor": 3_000_000}))
    assert bj is not None
    amount = Money("CNY", 1_500_000)
    for n in range(2):
        async with jobs.unit_of_work():
            needs = arithmetic.cap_needs(bj, org_id=70 + n, firm_tier="sme", kind="enforcement", policy_id=500 + n,
                                         premium_paid=amount, first_policy=True)  # fmt: skip
            await subsidies.reserve(needs, amount=amount)
    after = await subsidies.programme(bj.id)
    assert after is not None and after.status == "closed"  # CNY 30,000 of CNY 30,000 reserved
    assert await subsidies.programmes(kind="enforcement") == []
