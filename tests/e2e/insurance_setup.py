"""Setup for the insurance journey on a live server's database (run as ``python -m tests.e2e.insurance_setup`` with
the server's MARKET_* environment): the demo university records a patent with years of term left and declares an
open licence of it with a running royalty, and the demo SME takes that licence (active at once: nothing is due
up front). Prints the patent's and the licence's ids."""

from __future__ import annotations

import asyncio

from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
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
            patent = await patents.create(principal=uni, data=eligible(NUMBER, patentees=[uni.org_name]))
            report = await declarations.declare(
                principal=uni,
                data=DeclareIn(
                    patent_ids=[patent.id], terms=TermsIn(payment_mode="running_royalty", royalty_rate_bp=300)
                ),
            )
        declaration_id = report.results[0].declaration_id
        assert declaration_id is not None
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
    print(patent.id, licence.id)


if __name__ == "__main__":
    asyncio.run(main())
