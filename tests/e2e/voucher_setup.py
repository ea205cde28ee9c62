"""Setup for the voucher journey on a live server's database (run as ``python -m tests.e2e.voucher_setup`` with the
server's MARKET_* environment): the demo university records a patent and declares an open licence of it for a lump
sum (published: its listing is the declaration's page). Prints, as JSON: the patent's id and number, the
declaration's id (``/listings/<id>``) and the lump sum in minor units. The SME requests the licence through the
pages.

``python -m tests.e2e.voucher_setup notice-over <provider id>`` stands for the clock: the provider's public notice
(the programme's ``notice_days``) began that many days ago and ends today, with no objection lodged; then the daily
listing job runs (``finance.voucher_providers_listing``), as it would at 00:20, and lists it. Prints the number of
providers listed.

``python -m tests.e2e.voucher_setup cycle-end`` stands for the clock too: the half-year (the programme's settlement
cycle) ends, and the next morning's daily job (``voucher_settlements.cycle_batches``, run with that day) makes each
open programme's batch of the claims captured in it. Prints the cycle's last day."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date, timedelta

from finance.voucher_providers.jobs import voucher_providers_listing
from finance.voucher_providers.tables import VoucherProvider
from finance.voucher_settlements.jobs import cycle_batches
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

NUMBER = "CN110000014B"
LUMP_SUM_MINOR = 3_000_000  # 30,000 yuan: its half (15,000) is under the programme's per-claim cap


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
            patent = await patents.create(principal=uni, data=eligible(NUMBER, patentees=[uni.org_name]))
            report = await declarations.declare(
                principal=uni,
                data=DeclareIn(
                    patent_ids=[patent.id], terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=LUMP_SUM_MINOR)
                ),
            )
        await jobs.queue().drain()  # type: ignore[attr-defined]
    declaration_id = report.results[0].declaration_id
    assert declaration_id is not None, report
    facts = {"patent": patent.id, "number": NUMBER, "declaration": declaration_id, "lump_sum_minor": LUMP_SUM_MINOR}
    print(json.dumps(facts))


async def notice_over(provider_id: int) -> None:
    load_jobs()
    async with open_runtime(get_settings(), with_search=False):
        async with jobs.unit_of_work():
            [row] = await VoucherProvider.select().where(VoucherProvider.id == provider_id)
            assert row["notice_ends_on"] is not None and row["listed_on"] is None, row
            today = date.today()
            await VoucherProvider.update(
                {
                    VoucherProvider.notice_from: today - timedelta(days=row["notice_days"]),
                    VoucherProvider.notice_ends_on: today,
                }
            ).where(VoucherProvider.id == provider_id)
        async with jobs.unit_of_work():
            done = await voucher_providers_listing()
        await jobs.queue().drain()  # type: ignore[attr-defined]
    print(done["listed"])


async def cycle_end() -> None:
    today = date.today()
    last = date(today.year, 6, 30) if today.month <= 6 else date(today.year, 12, 31)
    load_jobs()
    async with open_runtime(get_settings(), with_search=False):
        async with jobs.unit_of_work():
            await cycle_batches(on=(last + timedelta(days=1)).isoformat())
        await jobs.queue().drain()  # type: ignore[attr-defined]
    print(last.isoformat())


if __name__ == "__main__":
    if sys.argv[1:2] == ["notice-over"]:
        asyncio.run(notice_over(int(sys.argv[2])))
    elif sys.argv[1:2] == ["cycle-end"]:
        asyncio.run(cycle_end())
    else:
        asyncio.run(main())
