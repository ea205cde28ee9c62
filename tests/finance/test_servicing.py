"""Servicing a registered pledge loan: entries recorded by the bank with the balance derived, the release due on
full repayment and then registered (the patent released), a default's claim on a risk-compensation pool from the
pool's shares and caps (pure-IP share only where the pool says so), 20 parallel repayments on PostgreSQL; and the
licence of a pledged patent refused without the pledgee's consent (Civil Code Art 444), its bank alerted once it is
asked for with consent."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date

import pytest

from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.loan_products import repository as products_repo
from finance.loan_products import service as products
from finance.registrations import service as registrations
from finance.servicing import claims
from finance.servicing import service as servicing
from finance.servicing.claims import PoolTerms
from finance.servicing.schemas import DefaultIn, EntryIn
from listings.patents import service as patents
from market.audit.service import Actor
from market.errors import Conflict, Forbidden, ValidationFailed
from market.jobs import unit_of_work
from market.kit.money import Money
from market.notifications.tables import Notification
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.support import ROYALTY, drain, firm, offer, principal_of
from tests.finance.test_registrations import ACCOUNTS, pledge, registered, version

CNY = "CNY"


def cny(yuan: int) -> Money:
    return Money(CNY, yuan * 100)


# The shared data's figures (cn_ip_finance_programmes.json risk_pools; the policy parameters' Weihai caps)
ZHONGSHAN = PoolTerms(
    key="pool-zhongshan",
    name_zh="中山",
    name_en="Zhongshan",
    shares_bp=(("fund", 5400), ("bank", 2600), ("insurer", 1600), ("valuer", 400)),
)
WEIHAI = PoolTerms(
    key="pool-weihai",
    name_zh="威海",
    name_en="Weihai",
    shares_bp=(("province", 4000), ("city", 2000)),
    cap_first_year=Money(CNY, 100_000_000),
    cap_later=Money(CNY, 150_000_000),
)


async def seed_pools() -> None:
    """The bank products' pools, seeded from the shared data as ``market seed`` does."""
    domain = products.shared_domain_dir()
    if domain is None:
        pytest.skip("shared/domain is not beside the project")
    programmes = json.loads((domain / products.PROGRAMMES).read_text(encoding="utf-8"))
    policy = json.loads((domain / products.POLICY_PARAMS).read_text(encoding="utf-8"))
    async with unit_of_work():
        for row in products.demo_pools(programmes, policy):
            await products_repo.insert_pool(row)


# ----------------------------------------------------------------------------------------- the arithmetic


def test_a_pool_pays_its_own_parties_shares_of_the_principal_loss() -> None:
    claim = claims.compute(
        loss=cny(1_000_000),
        pool=ZHONGSHAN,
        pure_ip=True,
        disbursed_on=date(2026, 1, 5),
        defaulted_on=date(2026, 9, 1),
    )
    assert claim.outcome == "claimable" and claim.amount == cny(540_000) and not claim.capped
    assert {line.party: line.amount for line in claim.lines} == {
        "fund": cny(540_000),
        "bank": cny(260_000),
        "insurer": cny(160_000),
        "valuer": cny(40_000),
    }
    assert [line.party for line in claim.lines if line.paid_by_pool] == ["fund"]


def test_per_loan_caps_differ_in_the_first_year_and_later() -> None:
    weihai = WEIHAI  # province 40% + city 20%; caps CNY 1 m first year, 1.5 m later
    early = claims.compute(
        loss=cny(3_000_000), pool=weihai, pure_ip=True, disbursed_on=date(2026, 1, 5), defaulted_on=date(2027, 1, 4)
    )
    later = claims.compute(
        loss=cny(3_000_000), pool=weihai, pure_ip=True, disbursed_on=date(2026, 1, 5), defaulted_on=date(2027, 1, 5)
    )
    assert early.amount == cny(1_000_000) and early.capped and "claim.capped" in early.reasons
    assert later.amount == cny(1_500_000) and later.capped
    small = claims.compute(
        loss=cny(1_000_000), pool=weihai, pure_ip=True, disbursed_on=date(2026, 1, 5), defaulted_on=date(2026, 6, 1)
    )
    assert small.amount == cny(600_000) and not small.capped


def test_the_pure_ip_share_counts_only_where_the_pool_says_so() -> None:
    shares = (("fund", 5000), ("bank", 5000))
    pure_only = PoolTerms(key="p", name_zh="p", name_en="p", shares_bp=shares, pure_ip_only=True)
    ip_share = PoolTerms(key="h", name_zh="h", name_en="h", shares_bp=shares, ip_share_only=True)
    whole = PoolTerms(key="w", name_zh="w", name_en="w", shares_bp=shares)
    args = {
        "loss": cny(1_000_000),
        "pure_ip": False,
        "disbursed_on": date(2026, 1, 5),
        "defaulted_on": date(2026, 6, 1),
    }
    assert claims.compute(pool=pure_only, **args).outcome == "not_eligible"
    assert claims.compute(pool=ip_share, **args).reasons == ("claim.ip_share_needed",)
    counted = claims.compute(pool=ip_share, ip_share_bp=4000, **args)
    assert counted.base == cny(400_000) and counted.amount == cny(200_000)
    assert claims.compute(pool=whole, ip_share_bp=4000, **args).amount == cny(500_000)
    assert claims.compute(pool=pure_only, **{**args, "pure_ip": True}).amount == cny(500_000)


# ------------------------------------------------------------------------------------------- the service

pytestmark = pytest.mark.usefixtures("backend")


def entry(principal_yuan: int, on: date, interest_yuan: int = 0, ref: str = "") -> EntryIn:
    return EntryIn(
        principal_minor=principal_yuan * 100, interest_minor=interest_yuan * 100, occurred_on=on, reference=ref
    )


async def running_loan() -> tuple[object, object, int, int, int]:
    sme, bank, reg, [patent_id] = await pledge()  # CNY 3,000,000
    await registered(sme, bank, reg)
    loan = await servicing.loan_of_registration(reg)
    assert loan is not None and loan.state == "awaiting_disbursement"
    return sme, bank, reg, patent_id, loan.id


async def test_entries_make_the_balance_and_full_repayment_releases_the_pledge() -> None:
    sme, bank, reg, patent_id, loan = await running_loan()
    with pytest.raises(Forbidden):  # the lender records
        await servicing.record_disbursement(principal=sme, loan_id=loan, data=entry(1_000, date(2026, 12, 20)))
    with pytest.raises(ValidationFailed):
        await servicing.record_disbursement(principal=bank, loan_id=loan, data=entry(3_000_001, date(2026, 12, 20)))
    async with unit_of_work():
        out = await servicing.record_disbursement(
            principal=bank, loan_id=loan, data=entry(3_000_000, date(2026, 12, 20))
        )
    assert out.state == "running" and out.balance_minor == 300_000_000 and out.disbursed_on == date(2026, 12, 20)
    async with unit_of_work():
        out = await servicing.record_repayment(
            principal=bank, loan_id=loan, data=entry(1_000_000, date(2027, 6, 20), 50_000)
        )
    assert out.balance_minor == 200_000_000 and out.interest_paid_minor == 5_000_000
    with pytest.raises(ValidationFailed):  # more than the balance
        await servicing.record_repayment(principal=bank, loan_id=loan, data=entry(2_000_001, date(2027, 12, 20)))
    async with unit_of_work():
        out = await servicing.record_repayment(
            principal=bank, loan_id=loan, data=entry(2_000_000, date(2027, 12, 20), 40_000)
        )
    assert out.state == "repaid" and out.balance_minor == 0 and [e.seq for e in out.entries] == [1, 2, 3]
    await drain()
    row = await registrations.registration_by_id(reg)
    assert row is not None and row.state == "release_due"
    async with unit_of_work():
        await registrations.file_release(
            principal=bank, registration_id=reg, expected_version=await version(reg), on=date(2027, 12, 22)
        )
    assert (await patents.patent_by_id(patent_id)).pledged
    async with unit_of_work():
        done = await registrations.register_release(
            principal=bank, registration_id=reg, expected_version=await version(reg), on=date(2027, 12, 25)
        )
    assert done.state == "released" and done.released_on == date(2027, 12, 25)
    assert not (await patents.patent_by_id(patent_id)).pledged


async def test_a_default_records_the_pool_claim_with_its_snapshot_once() -> None:
    await seed_pools()
    haikou = await servicing.pool_terms("pool-haikou")  # "pure-IP pledges, or the IP share of a mixed pledge"
    assert haikou.ip_share_only and not haikou.pure_ip_only
    _, bank, _, _, loan = await running_loan()
    async with unit_of_work():
        await servicing.record_disbursement(principal=bank, loan_id=loan, data=entry(3_000_000, date(2026, 12, 20)))
        await servicing.record_repayment(principal=bank, loan_id=loan, data=entry(500_000, date(2027, 3, 20)))
    with pytest.raises(ValidationFailed):
        await servicing.declare_default(
            principal=bank, loan_id=loan, data=DefaultIn(on=date(2027, 6, 1), pool="atlantis")
        )
    async with unit_of_work():
        out = await servicing.declare_default(
            principal=bank, loan_id=loan, data=DefaultIn(on=date(2027, 6, 1), pool="pool-weihai", text="逾期 90 天")
        )
    assert out.state == "defaulted" and out.claim is not None
    assert out.claim.outcome == "claimable" and out.claim.amount_minor == 100_000_000  # 60% of 2.5 m, capped at 1 m
    assert out.claim.reasons == ["claim.capped"]
    snap = out.claim.snapshot
    assert snap["balance"] == {"disbursed_minor": 300_000_000, "repaid_minor": 50_000_000, "interest_paid_minor": 0}
    assert snap["pool"]["cap_first_year_minor"] == 100_000_000 and snap["pool"]["source"]
    with pytest.raises(Conflict):  # once
        await servicing.declare_default(
            principal=bank, loan_id=loan, data=DefaultIn(on=date(2027, 6, 2), pool="pool-weihai")
        )


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_parallel_repayments_record_one(backend: Backend, client: Client) -> None:
    _, bank, _, _, loan = await running_loan()
    async with unit_of_work():
        await servicing.record_disbursement(principal=bank, loan_id=loan, data=entry(3_000_000, date(2026, 12, 20)))
    await sign_in(client, ACCOUNTS[bank.org_id])
    token = await client.csrf()
    body = {"principal_minor": 100_00, "occurred_on": "2027-01-20", "version": 2}  # all read at version 2
    answers = await asyncio.gather(
        *(client.post(f"/api/loans/{loan}/repayments", json=body, headers={"x-csrftoken": token}) for _ in range(20))
    )
    assert Counter(a.status_code for a in answers) == Counter({200: 1, 409: 19}), answers[0].text
    view = (await client.get(f"/api/loans/{loan}")).json()
    assert view["balance_minor"] == 300_000_000 - 100_00 and len(view["entries"]) == 2
    # without a version each reads what is there: some pass, the rest 409, and no repayment is lost or doubled
    body = {"principal_minor": 100_00, "occurred_on": "2027-01-21"}
    answers = await asyncio.gather(
        *(client.post(f"/api/loans/{loan}/repayments", json=body, headers={"x-csrftoken": token}) for _ in range(20))
    )
    passed = sum(a.status_code == 200 for a in answers)
    assert passed >= 1 and {a.status_code for a in answers} <= {200, 409}
    view = (await client.get(f"/api/loans/{loan}")).json()
    assert len(view["entries"]) == 2 + passed and view["balance_minor"] == 300_000_000 - 100_00 * (1 + passed)


# ------------------------------------------------------------------------------- Civil Code Art 444, alerts


async def test_a_pledged_patent_is_licensed_only_with_the_pledgees_consent_and_its_bank_is_told() -> None:
    _, patent_id, declaration_id = await offer(ROYALTY)
    sme = await firm("杭州智造科技有限公司")
    bank = await principal_of(await make_account("bank", org_name="宁波银行杭州分行"))
    as_bank = Actor(bank.user_id, bank.org_id)
    async with unit_of_work():  # pledged since it was declared (listings' pledge facts, as a registration records)
        await patents.mark_pledged(
            patent_id,
            pledgee_org=bank.org_id,
            registration_number="Y2026980009999",
            registered_on=date(2026, 12, 1),
            actor=as_bank,
        )
    with pytest.raises(Conflict) as caught:
        async with unit_of_work():
            await licences.request_licence(
                principal=sme,
                data=LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True),
            )
    assert [(e.code, e.article) for e in caught.value.errors] == [("pledged_without_consent", "law.civil.art444")]
    async with unit_of_work():
        await patents.record_pledgee_consent(patent_id, pledgee_org=bank.org_id, scope="licence", actor=as_bank)
        out = await licences.request_licence(
            principal=sme,
            data=LicenceRequestIn(declaration_id=declaration_id, declaration_version=1, accept_terms=True),
        )
    assert out.status == "active"


async def test_a_licence_asked_for_a_patent_under_a_running_pledge_alerts_its_bank() -> None:
    sme, bank, reg, [patent_id] = await pledge()
    await registered(sme, bank, reg)
    async with unit_of_work():
        assert await registrations.licence_requested(patent_id=patent_id, licence_id=77) == 1
        assert await registrations.licence_requested(patent_id=patent_id, licence_id=77) == 0  # once
    notes = await Notification.select().where(Notification.user == bank.user_id)
    assert [n["code"] for n in notes if n["kind"] == "pledge_alert"] == ["registration.alert.licence_requested"]
