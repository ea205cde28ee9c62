"""Setup for the pledge journey on a live server's database (run as ``python -m tests.e2e.pledge_setup`` with the
server's MARKET_* environment): a checker in the demo bank, and the demo SME's two recorded patents (one with its
annual fees unpaid). Prints the two patents' ids."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime, timedelta

from listings.patents import service as patents
from market import jobs
from market.accounts import passwords
from market.accounts import repository as accounts_repo
from market.accounts import service as accounts
from market.orgs import repository as orgs_repo
from market.orgs import service as orgs
from market.runtime import open_runtime
from market.seed import DEMO_PASSWORD
from market.settings import get_settings
from market.worker import load_jobs
from tests.listings.support import eligible

GOOD = "CN108982325B"
UNPAID = "CN109000001B"


async def main(checker_email: str) -> None:
    load_jobs()
    async with open_runtime(get_settings(), with_search=False), jobs.unit_of_work():
        bank_owner = await accounts.user_by_email("bank@demo.market")
        sme_owner = await accounts.user_by_email("sme@demo.market")
        assert bank_owner is not None and sme_owner is not None
        [bank] = await orgs.memberships_of_user(bank_owner.id)
        [sme] = await orgs.memberships_of_user(sme_owner.id)
        user_id = await accounts_repo.create_user(
            email=checker_email,
            password_hash=passwords.hash_password(DEMO_PASSWORD),
            display_name="复核员",
            locale="zh",
        )
        await orgs_repo.add_membership(user_id=user_id, org_id=bank.org_id, role="member")
        await accounts.mark_email_verified(user_id=user_id, email=checker_email, at=datetime.now(UTC))
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
    asyncio.run(main(sys.argv[1]))
