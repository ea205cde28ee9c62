"""Voucher providers: an application reviewed on the desk, the public notice (objections by anyone signed in), listed
when the notice ends (at the moment of use already, by the daily job for the case), suspended, reinstated,
delisted (the record kept); catalogued services never edited under an order; a university's open licences
catalogued in tech_results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from finance.voucher_providers import repository
from finance.voucher_providers import service as providers
from finance.voucher_providers.schemas import ObjectionDecisionIn, ObjectionIn, ReasonedIn, ServiceIn, ServiceReviseIn
from market import jobs
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.finance.support import LUMP, firm, offer
from tests.finance.voucher_programme_support import (
    applicant,
    apply,
    approve,
    issuer,
    listed,
    move_today,
    open_programme,
)

NOVELTY = {"category": "novelty_search", "title_zh": "科技查新报告", "unit": "report", "price_minor": 300_000}


async def test_listed_only_after_the_notice_and_only_while_not_suspended(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    who = await applicant()
    provider_id = await apply(who, programme_id)
    found = await providers.provider(provider_id)
    assert (found.state, found.reference[:3]) == ("applied", "VP-")
    today = providers.today()
    assert await providers.listed_provider(programme_id, who.org_id, on=today) is None
    await approve(owner, provider_id)
    found = await providers.provider(provider_id)
    assert found.state == "notice" and found.notice_ends_on == today + timedelta(days=7)
    assert await providers.listed_provider(programme_id, who.org_id, on=today) is None  # in notice
    ends = found.notice_ends_on
    assert ends is not None
    # the notice ended: listed at the moment of use, before the daily job moved the case
    assert (await providers.listed_provider(programme_id, who.org_id, on=ends)) is not None
    move_today(monkeypatch, ends)
    async with jobs.unit_of_work():
        assert await providers.list_due() == 1
        assert await providers.list_due() == 0  # once
    found = await providers.provider(provider_id)
    assert (found.state, found.listed_on) == ("listed", ends)
    async with jobs.unit_of_work():
        await providers.suspend(principal=owner, provider_id=provider_id, data=ReasonedIn(
            expected_version=found.case_version, reasons=["voucher_provider.suspension.complaints"]))
    assert await providers.listed_provider(programme_id, who.org_id, on=ends) is None
    assert await providers.listed_provider(programme_id, who.org_id, on=ends - timedelta(days=1)) is None  # in notice
    found = await providers.provider(provider_id)
    async with jobs.unit_of_work():
        await providers.reinstate(principal=owner, provider_id=provider_id, data=ReasonedIn(
            expected_version=found.case_version, reasons=["voucher_provider.reinstatement.resolved"]))
    assert await providers.listed_provider(programme_id, who.org_id, on=ends) is not None
    found = await providers.provider(provider_id)
    async with jobs.unit_of_work():
        await providers.delist(principal=owner, provider_id=provider_id, data=ReasonedIn(
            expected_version=found.case_version, reasons=["voucher_provider.delisting.collusion"]))
    assert await providers.listed_provider(programme_id, who.org_id, on=ends) is None
    with pytest.raises(Conflict):  # delisted: the record is kept and it cannot apply again
        await apply(who, programme_id)
    assert (await providers.provider(provider_id)).state == "delisted"


async def test_an_upheld_objection_refuses_a_dismissed_one_lets_it_list(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    one, two = await applicant(), await applicant()
    bystander = await firm()
    first, second = await apply(one, programme_id), await apply(two, programme_id)
    await approve(owner, first)
    await approve(owner, second)
    async with jobs.unit_of_work():
        a = await providers.lodge_objection(principal=bystander, provider_id=first,
                                            data=ObjectionIn(text="出具虚假报告"))
        b = await providers.lodge_objection(principal=bystander, provider_id=second,
                                            data=ObjectionIn(text="资质存疑存疑"))
    ends = (await providers.provider(first)).notice_ends_on
    assert ends is not None
    assert await providers.listed_provider(programme_id, one.org_id, on=ends) is None  # an objection open
    async with jobs.unit_of_work():
        await providers.decide_objection(principal=owner, provider_id=first, objection_id=a.id,
                                         data=ObjectionDecisionIn(uphold=True, text="属实"))
        await providers.decide_objection(principal=owner, provider_id=second, objection_id=b.id,
                                         data=ObjectionDecisionIn(uphold=False, text="不成立"))
    assert (await providers.provider(first)).state == "refused"
    assert await providers.listed_provider(programme_id, two.org_id, on=ends) is not None
    move_today(monkeypatch, ends + timedelta(days=1))
    with pytest.raises(Conflict):  # the notice is over
        async with jobs.unit_of_work():
            await providers.lodge_objection(principal=bystander, provider_id=second,
                                            data=ObjectionIn(text="太晚了太晚"))
    await apply(one, programme_id)  # refused: it may apply again


async def test_services_are_never_edited_and_only_listed_providers_publish(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    who = await applicant()
    pending = await apply(await applicant(), programme_id)
    provider_id = await listed(owner, who, programme_id, monkeypatch)
    async with jobs.unit_of_work():
        made = await providers.publish_service(principal=who, provider_id=provider_id, data=ServiceIn(**NOVELTY))
    async with jobs.unit_of_work():
        revised = await providers.revise_service(principal=who, service_id=made.id,
                                                 data=ServiceReviseIn(**{**NOVELTY, "price_minor": 350_000}))
    old = await providers.service(made.id)
    assert (old.status, old.price_minor) == ("superseded", 300_000)  # an order keeps the price it read
    assert (revised.supersedes, revised.price.minor) == (made.id, 350_000)
    with pytest.raises(Conflict):  # superseded meanwhile
        async with jobs.unit_of_work():
            await providers.revise_service(principal=who, service_id=made.id, data=ServiceReviseIn(**NOVELTY))
    assert [s.id for s in await providers.services_of(programme_id)] == [revised.id]
    with pytest.raises(ValidationFailed):  # a category the programme does not cover
        async with jobs.unit_of_work():
            await providers.publish_service(principal=who, provider_id=provider_id,
                                            data=ServiceIn(**{**NOVELTY, "category": "training"}))
    with pytest.raises(NotFound):
        await providers.service(999_999)
    other = (await providers.provider(pending))
    with pytest.raises(NotFound):  # not its own
        async with jobs.unit_of_work():
            await providers.publish_service(principal=who, provider_id=other.id, data=ServiceIn(**NOVELTY))


async def test_a_listed_universitys_open_licences_are_catalogued(backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    uni, _, declaration_id = await offer(LUMP)
    provider_id = await listed(owner, uni, programme_id, monkeypatch)
    found = await providers.licence_service(programme_id, org_id=uni.org_id, declaration_id=declaration_id)
    assert found is not None and (found.category, found.price_minor) == ("tech_results", LUMP["lump_sum_minor"])
    async with jobs.unit_of_work():
        assert await providers.sync_open_licences(provider_id) == {"added": 0, "withdrawn": 0}  # idempotent
    assert len(await repository.services(provider=provider_id)) == 1


async def test_only_providers_and_universities_apply(backend: Any) -> None:
    owner = await issuer()
    programme_id = await open_programme(owner)
    with pytest.raises(Forbidden):
        await apply(await firm(), programme_id)


async def test_demo_university_and_provider_are_listed_in_the_demo_programme(backend: Any) -> None:
    from finance.voucher_programmes import service as programmes
    from market.orgs import service as orgs
    from market.seed import seed_demo as seed_accounts

    accounts = {row["email"]: row["org"] for row in await seed_accounts()}
    issuer_name = accounts["vouchers@demo.market"]
    async with jobs.unit_of_work():
        await programmes.seed_demo(issuer_name=issuer_name)
        made = await providers.seed_demo(issuer_name=issuer_name, university_name=accounts["zju@demo.market"],
                                         provider_name=accounts["provider@demo.market"])
        again = await providers.seed_demo(issuer_name=issuer_name, university_name=accounts["zju@demo.market"],
                                          provider_name=accounts["provider@demo.market"])
    assert made == {"providers": 2, "services": 2} and again == {"providers": 0, "services": 0}
    prog = await programmes.demo_programme(issuer_name)
    assert prog is not None
    for email in ("zju@demo.market", "provider@demo.market"):
        org = await orgs.find_org(accounts[email])
        assert org is not None
        found = await providers.listed_provider(prog.id, org.id, on=providers.today())
        assert found is not None and found.state == "listed"
    categories = sorted(s.category for s in await providers.services_of(prog.id))
    assert categories == ["ip_services", "novelty_search"]


async def test_a_revised_or_withdrawn_open_licence_follows_in_the_catalogue(
    backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from listings.declarations import service as declarations
    from listings.declarations.schemas import TermsIn, WithdrawIn
    from tests.finance.support import drain

    owner = await issuer()
    programme_id = await open_programme(owner)
    uni, _, declaration_id = await offer(LUMP)
    await listed(owner, uni, programme_id, monkeypatch)
    first = await providers.licence_service(programme_id, org_id=uni.org_id, declaration_id=declaration_id)
    assert first is not None
    async with jobs.unit_of_work():
        await declarations.revise(principal=uni, declaration_id=declaration_id,
                                  terms=TermsIn(payment_mode="lump_sum", lump_sum_minor=9_000_000))
    await drain()  # declaration.changed: the catalogue follows
    second = await providers.licence_service(programme_id, org_id=uni.org_id, declaration_id=declaration_id)
    assert second is not None and (second.price_minor, second.supersedes) == (9_000_000, first.id)
    assert (await providers.service(first.id)).status == "superseded"  # an order keeps the price it read
    async with jobs.unit_of_work():
        await declarations.withdraw(principal=uni, declaration_id=declaration_id, data=WithdrawIn(reason="转让"))
    await drain()
    assert await providers.licence_service(programme_id, org_id=uni.org_id, declaration_id=declaration_id) is None
    assert (await providers.service(second.id)).status == "withdrawn"
