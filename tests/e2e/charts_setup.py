"""Setup for the charts' browser test on a live server's database (run as ``python -m tests.e2e.charts_setup`` with the
server's MARKET_* environment, after ``market seed --demo``), so that every chart page has figures to draw:

- the demo bank's desk: open pledge-loan cases of several ages, two past their SLA (the bank portfolio, the admin's
  overview);
- the demo voucher issuer's programme: entitlements granted to the demo SME (the programme report by region);
- the demo university: a patent declared for an entry fee, licensed by the demo SME and paid by a bank transfer the
  platform confirmed (the university's funnel and its income by month).

Prints, as JSON: the licensed patent's number and id, and its declaration's id."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

from finance.desk.tables import DeskCase
from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.voucher_entitlements import service as entitlements
from finance.voucher_programmes import service as programmes
from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn
from listings.patents import service as patents
from market import jobs
from market.accounts.principal import Principal
from market.audit.service import Actor
from market.kit.money import Money
from market.runtime import open_runtime
from market.settings import get_settings
from market.worker import load_jobs
from tests.e2e.voucher_setup import principal_of
from tests.listings.support import eligible

NUMBER = "CN110000021B"


async def desk_cases(bank: Principal, sme: Principal) -> None:
    now = datetime.now(UTC)
    rows = []
    for n, (state, age_days, breached) in enumerate(
        [("submitted", 1, False), ("in_review", 5, False), ("in_review", 20, True), ("more_info", 40, False),
         ("offered", 120, True)], start=1,
    ):  # fmt: skip
        opened = now - timedelta(days=age_days)
        rows.append(DeskCase(
            kind="pledge_loan", subject=900 + n, reference=f"PL-2026-{900 + n:06d}", reviewer_org=bank.org_id,
            applicant_org=sme.org_id, state=state, amount_minor=n * 100_000_00, currency="CNY", sla_working_days=10,
            sla_started_on=opened.date(), due_on=now.date() - timedelta(days=1), opened_at=opened, updated_at=now,
            breached_at=now if breached else None,
        ))  # fmt: skip
    await DeskCase.insert(*rows)


async def vouchers(issuer: Principal, sme: Principal) -> None:
    [programme, *_] = await programmes.programmes_of_issuer(issuer.org_id)
    for amount in (20_000_00, 30_000_00):
        await entitlements.issue(
            holder=sme.org_id, issuer=issuer.org_id, programme_id=programme.id, programme_version=programme.version,
            amount=Money("CNY", amount), issued_on=date.today(), validity_months=12,
            actor=Actor(issuer.user_id, issuer.org_id),
        )  # fmt: skip


async def main() -> None:
    load_jobs()
    async with open_runtime(get_settings(), with_search=False):
        uni = await principal_of("university@demo.market")
        sme = await principal_of("sme@demo.market")
        admin = await principal_of("admin@demo.market")
        async with jobs.unit_of_work():
            await desk_cases(await principal_of("bank@demo.market"), sme)
            await vouchers(await principal_of("vouchers@demo.market"), sme)
            patent = await patents.create(principal=uni, data=eligible(NUMBER, patentees=[uni.org_name]))
            report = await declarations.declare(
                principal=uni,
                data=DeclareIn(
                    patent_ids=[patent.id],
                    terms=TermsIn(payment_mode="entry_plus_royalty", entry_fee_minor=5_000_000, royalty_rate_bp=300),
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
        async with jobs.unit_of_work():
            payment = await payments.start(
                principal=sme, licence_id=licence.id, data=PaymentStartIn(method="bank_transfer")
            )
        async with jobs.unit_of_work():
            await payments.confirm_bank_transfer(principal=admin, payment_id=payment.id)
        await jobs.queue().drain()  # type: ignore[attr-defined]
    print(json.dumps({"number": NUMBER, "patent": patent.id, "declaration": declaration_id}))


if __name__ == "__main__":
    asyncio.run(main())
