"""Setup for the insurance journey on a live server's database (run as ``python -m tests.e2e.insurance_setup`` with
the server's MARKET_* environment): the demo university records a patent with years of term left and declares an
open licence of it with a running royalty, and the demo SME takes that licence (active at once: nothing is due
up front). The SME also records one patent of its own (the journey insures both). Prints, as JSON: the licensed
patent's id, the licence's id, the demo enforcement product's id and its version's, the SME's own patent's id, and
the quote the version's table gives for two patents (the journey's insurer lowers its four-eyes threshold below that
aggregate limit in a new version of the product: with the demo threshold no enforcement application of at most 50
patents needs a second underwriter).

``python -m tests.e2e.insurance_setup age <policy id> <days>`` stands for the clock: the policy, in force since the
day after its premium was received, has been in force for ``days`` days (its period and retroactive date move back
that many days), so that a claim first made within the period can be notified today."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta

from finance.insurance_products import service as insurance_products
from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.policies.tables import InsurancePolicy
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.patents import service as patents
from market import jobs
from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.orgs import service as orgs
from market.runtime import open_runtime
from market.settings import get_settings
from market.worker import load_jobs
from tests.listings.support import eligible

NUMBER = "CN110000013B"
PATENTS = 2  # insured: the licensed patent and the SME's own
OWN_NUMBERS = "CN1110{:05d}B"  # the SME's own patents: CN111000001B, CN111000002B, ...


async def principal_of(email: str) -> Principal:
    owner = await accounts.user_by_email(email)
    assert owner is not None, email
    [membership] = await orgs.memberships_of_user(owner.id)
    principal = await accounts.principal_for(user_id=owner.id, org_id=membership.org_id)
    assert principal is not None
    return principal


async def main() -> None:
    load_jobs()
    async with open_runtime(get_settings(), with_search=False):
        async with jobs.unit_of_work():
            uni = await principal_of("university@demo.market")
            sme = await principal_of("sme@demo.market")
            [product] = await insurance_products.published("enforcement")
            patent = await patents.create(principal=uni, data=eligible(NUMBER, patentees=[uni.org_name]))
            report = await declarations.declare(
                principal=uni,
                data=DeclareIn(
                    patent_ids=[patent.id], terms=TermsIn(payment_mode="running_royalty", royalty_rate_bp=300)
                ),
            )
        declaration_id = report.results[0].declaration_id
        assert declaration_id is not None
        own = []
        async with jobs.unit_of_work():
            for n in range(1, PATENTS):  # the licensed patent is one of them
                created = await patents.create(
                    principal=sme, data=eligible(OWN_NUMBERS.format(n), patentees=[sme.org_name])
                )
                own.append(created.id)
        async with jobs.unit_of_work():
            licence = await licences.request_licence(
                principal=sme,
                data=LicenceRequestIn(
                    declaration_id=declaration_id,
                    declaration_version=1,
                    accept_terms=True,
                    licensee_credit_code="91330100MA27XK3M2Q",
                    licensee_address="杭州市西湖区文三路 90 号",  # words: data
                ),
            )
        await jobs.queue().drain()  # type: ignore[attr-defined]
    quote = insurance_products.quote(product, patents=PATENTS, firm_tier="sme")
    print(
        json.dumps(
            {
                "patent": patent.id,
                "licence": licence.id,
                "product": product.product,
                "version": product.id,
                "own": own,
                "premium_minor": quote.premium.minor,
                "aggregate_limit_minor": quote.aggregate_limit.minor,
                "deductible_minor": quote.deductible.minor,
            }
        )
    )


async def age(policy_id: int, days: int) -> None:
    async with open_runtime(get_settings(), with_search=False), jobs.unit_of_work():
        [row] = await InsurancePolicy.select().where(InsurancePolicy.id == policy_id)
        assert row["state"] == "in_force", row["state"]
        back = timedelta(days=days)
        await InsurancePolicy.update(
            {
                InsurancePolicy.starts_on: row["starts_on"] - back,
                InsurancePolicy.ends_on: row["ends_on"] - back,
                InsurancePolicy.retroactive_date: row["retroactive_date"] - back,
            }
        ).where(InsurancePolicy.id == policy_id)
    print((row["starts_on"] - back).isoformat())


if __name__ == "__main__":
    if sys.argv[1:2] == ["age"]:
        asyncio.run(age(int(sys.argv[2]), int(sys.argv[3])))
    else:
        asyncio.run(main())
