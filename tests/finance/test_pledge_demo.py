"""The demo a visitor starts with can show a pledge loan: the demo SME holds patents of its own (one of them with
its annual fees unpaid, which a pre-check refuses) and the demo bank has two reviewers (maker and checker)."""

from __future__ import annotations

from finance.loan_products import service as loan_products
from listings.demo import seed_sme_patents
from listings.patents import service as patents
from listings.patents.tables import Patent
from market import jobs
from market.orgs import service as orgs
from market.seed import seed_demo
from tests.conftest import Backend

DEMO_BANK = "中国银行北京分行（演示）"


async def test_the_demo_sme_has_patents_and_the_demo_bank_two_reviewers_once(backend: Backend) -> None:
    accounts = await seed_demo()
    async with jobs.unit_of_work():
        await loan_products.seed_demo(bank_name=DEMO_BANK)
    made = await seed_sme_patents()
    assert made == 4
    assert await seed_sme_patents() == 0  # once
    again = await seed_demo()
    assert [r["email"] for r in again] == [r["email"] for r in accounts]

    bank = next(r for r in accounts if r["email"] == "bank@demo.market")
    checker = next(r for r in accounts if r["email"] == "bank.checker@demo.market")
    assert checker["org"] == bank["org"]
    bank_org = next(o for o in await orgs.orgs_with_owner("bank") if o.name == DEMO_BANK)
    assert len(await orgs.members_of_org(bank_org.id)) == 2
    insurer_org = next(o for o in await orgs.orgs_with_owner("insurer") if o.name.endswith("（演示）"))
    assert len(await orgs.members_of_org(insurer_org.id)) == 2  # the underwriter and the checker: four eyes

    sme = next(o for o in await orgs.orgs_with_owner("sme") if o.name.endswith("（演示）"))
    ids = [r["id"] for r in await Patent.select(Patent.id).where(Patent.organisation == sme.id)]
    own = await patents.patents_by_ids(ids)
    assert len(own) == 4 and all(p.patentees == [sme.name] for p in own)
    async with jobs.unit_of_work():
        verdicts = {p.id: await loan_products.eligible_products(p, patents.today()) for p in own}
    supported = [pid for pid, rows in verdicts.items() if any(e.eligible for e in rows)]
    refused = [pid for pid, rows in verdicts.items() if rows and not any(e.eligible for e in rows)]
    assert supported, "some demo SME patent may support a demo loan product"
    fees = [
        r.code for pid in refused for e in verdicts[pid] for r in e.reasons if r.code == "pledge.ground.04"
    ]
    assert fees, "the patent with unpaid fees is refused on ground 04 (annual fees unpaid)"
