"""Setup for the pledge journey on a live server's database (run as ``python -m tests.e2e.pledge_setup`` with the
server's MARKET_* environment): two patents recorded for the demo SME with known facts (one with its annual fees
unpaid), so the journey does not depend on the generated demo patents. Prints the two patents' ids."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from listings.patents import service as patents
from market import jobs
from market.accounts import service as accounts
from market.orgs import service as orgs
from market.runtime import open_runtime
from market.settings import get_settings
from market.worker import load_jobs
from tests.listings.support import eligible

GOOD = "CN108982325B"
UNPAID = "CN109000001B"


async def main() -> None:
    load_jobs()
    async with open_runtime(get_settings(), with_search=False), jobs.unit_of_work():
        sme_owner = await accounts.user_by_email("sme@demo.market")
        assert sme_owner is not None
        [sme] = await orgs.memberships_of_user(sme_owner.id)
        principal = await accounts.principal_for(user_id=sme_owner.id, org_id=sme.org_id)
        assert principal is not None
        name = principal.org_name
        paid = date.today() - timedelta(days=30)
        good = await patents.create(principal=principal, data=eligible(GOOD, patentees=[name]))
        unpaid = await patents.create(
            principal=principal, data=eligible(UNPAID, patentees=[name], annual_fees_paid_through=paid)
        )
    print(good.id, unpaid.id)


if __name__ == "__main__":
    asyncio.run(main())
