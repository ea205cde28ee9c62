"""Insurance eligibility from the record, on both databases: a case table where every rule passes once and fails
once (the Beijing pilot notice's rules and the product's own), each failure a reason code with its source; an
application with a blocking reason is refused per patent and nothing is written; the licensee's consent is asked in
one click and granted only by a member of the patentee organisation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from finance.insurance import eligibility as rules
from finance.insurance import service as insurance
from finance.insurance.schemas import ApplicationIn, ConsentDecisionIn
from finance.insurance.tables import InsuranceApplication, InsuranceConsent
from listings.patents import service as patents
from listings.patents.schemas import PatentFactsIn
from market.errors import Conflict, Forbidden, NotFound, ValidationFailed
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.conftest import make_account
from tests.finance.insurance_support import SME_NAME, insurer, licensed, sme
from tests.finance.pledge_support import member_of
from tests.finance.support import principal_of
from tests.listings.support import eligible, record


def codes(results: list[Any], patent_id: int) -> set[str]:
    return {r.code for result in results if result.patent_id == patent_id for r in result.reasons}


async def test_every_rule_passes_once_and_fails_once(backend: Any) -> None:
    cover = await insurer()
    firm = await sme()
    p = firm.principal
    today = insurance.today()
    least = rules.add_years(today, 3)

    # each rule's passing case (the firm's own sole-owned, valid, long-lived invention) ...
    good = firm.patent
    exact = await record(p, eligible("CN108982326B", patentees=[SME_NAME]))
    await patents.update_patent(exact, {"expiry_date": least})  # exactly three years left: enough
    # ... and its failing one
    short = await record(p, eligible("CN109637352B", patentees=[SME_NAME]))
    await patents.update_patent(short, {"expiry_date": least - timedelta(days=1)})  # 2 years 364 days
    co_owned = await record(p, eligible("CN108859303B", patentees=[SME_NAME, "浙江大学"]))  # words: data
    lapsed = await record(p, eligible("CN108982325A", patentees=[SME_NAME], legal_status="lapsed"))
    ownership = await record(p, eligible("CN202223220665.2", patentees=[SME_NAME], suspension="art103"))
    disputed = await record(p, eligible("CN202122975192.6", patentees=[SME_NAME]))
    async with unit_of_work():  # recorded the way the patentee does: the patent facts form
        await patents.update_facts(
            principal=p, patent_id=disputed,
            data=PatentFactsIn(
                infringement_dispute="pending", infringement_dispute_note="（2026）京73民初1号"  # words: data
            ),
        )
    design = await record(p, eligible("CN302526753S", patentees=[SME_NAME], ipc_codes=[]))
    other = await sme("深圳市另一家科技有限公司")  # words: data
    not_held = other.patent
    consented = await licensed(firm, name="浙江大学", number="CN109000001B")  # words: data
    no_consent = await licensed(firm, name="清华大学", number="CN110000001B")  # words: data
    async with unit_of_work():
        asked = await insurance.request_consent(principal=p, licence_id=consented.licence)
    async with unit_of_work():
        await insurance.grant_consent(principal=consented.university, consent_id=asked.id)

    ids = [good, exact, short, co_owned, lapsed, ownership, disputed, design, not_held, consented.patent,
           no_consent.patent]  # fmt: skip
    results = await insurance.eligibility(principal=p, product_version_id=cover.product_version_id, patent_ids=ids)
    table = {
        # rule: (a patent it passes, a patent it fails)
        rules.NOT_HOLDER: (good, not_held),
        rules.CONSENT_MISSING: (consented.patent, no_consent.patent),
        rules.CO_OWNED: (good, co_owned),
        rules.NOT_VALID: (good, lapsed),
        rules.TERM_SHORT: (exact, short),
        rules.OWNERSHIP: (good, ownership),
        rules.INFRINGEMENT: (good, disputed),
        rules.KIND: (good, design),
    }
    for code, (passes, fails) in table.items():
        assert code not in codes(results, passes), (code, "should pass", passes)
        assert code in codes(results, fails), (code, "should fail", fails)
    by_id = {r.patent_id: r for r in results}
    assert by_id[good].ok and by_id[good].role == "patentee" and not by_id[good].reasons
    assert by_id[exact].ok and by_id[consented.patent].ok and by_id[consented.patent].role == "licensee"
    assert by_id[co_owned].ok  # a warning: the co-owners' written consent becomes a required document
    for fails in (short, lapsed, ownership, disputed, design, not_held, no_consent.patent):
        assert not by_id[fails].ok
    # every reason has its source: the pilot notice, the product's own terms for the kinds it covers
    term = next(r for r in by_id[short].reasons if r.code == rules.TERM_SHORT)
    assert term.source == rules.PILOT and term.params["years"] == 3 and term.field == f"patent_ids.{short}"
    assert next(r for r in by_id[design].reasons if r.code == rules.KIND).source == rules.PRODUCT_TERMS
    # another firm's patent: nothing of its record is shown (not even its number); asked for, it is a 404 naming the
    # rule, and the others are answered only without it
    assert by_id[not_held].number == f"#{not_held}" and [r.code for r in by_id[not_held].reasons] == [rules.NOT_HOLDER]
    with pytest.raises(NotFound) as refused:
        await insurance.check_eligibility(principal=p, product_version_id=cover.product_version_id, patent_ids=ids)
    assert [(e.field, e.code, e.article) for e in refused.value.errors] == [
        (f"patent_ids.{not_held}", rules.NOT_HOLDER, rules.PILOT)
    ]
    shown = await insurance.check_eligibility(
        principal=p, product_version_id=cover.product_version_id, patent_ids=[i for i in ids if i != not_held]
    )
    assert {r.patent_id: r.ok for r in shown} == {r.patent_id: r.ok for r in results if r.patent_id != not_held}


async def test_a_blocked_application_is_refused_per_patent_and_nothing_written(backend: Any) -> None:
    cover = await insurer()
    firm = await sme()
    short = await record(firm.principal, eligible("CN109637352B", patentees=[SME_NAME]))
    await patents.update_patent(short, {"expiry_date": rules.add_years(insurance.today(), 3) - timedelta(days=1)})
    with pytest.raises(ValidationFailed) as refused:
        async with unit_of_work():
            await insurance.create_application(
                principal=firm.principal,
                data=ApplicationIn(product_version_id=cover.product_version_id, patent_ids=[firm.patent, short]),
            )
    assert [(e.field, e.code) for e in refused.value.errors] == [(f"patent_ids.{short}", rules.TERM_SHORT)]
    assert refused.value.errors[0].article == rules.PILOT
    assert await InsuranceApplication.count() == 0

    # a co-owned patent passes, and the co-owners' written consent joins the checklist
    co_owned = await record(firm.principal, eligible("CN108859303B", patentees=[SME_NAME, "浙江大学"]))  # words: data
    async with unit_of_work():
        app = await insurance.create_application(
            principal=firm.principal,
            data=ApplicationIn(product_version_id=cover.product_version_id, patent_ids=[co_owned]),
        )
    assert app.state == "draft" and app.case_id is None
    assert {r.code for r in app.requirements} == {"patent_certificate", rules.CO_OWNER_CONSENT}
    assert [r.code for e in app.eligibility for r in e.reasons] == [rules.CO_OWNED]


async def test_consent_is_asked_in_one_click_and_granted_only_by_the_patentee(backend: Any) -> None:
    firm = await sme()
    held = await licensed(firm)
    async with unit_of_work():
        asked = await insurance.request_consent(principal=firm.principal, licence_id=held.licence)
    assert asked.state == "requested" and asked.patentee_org_id == held.university.org_id
    async with unit_of_work():  # a second click changes nothing
        again = await insurance.request_consent(principal=firm.principal, licence_id=held.licence)
    assert again.id == asked.id and await InsuranceConsent.count() == 1
    told = await Notification.select().where(Notification.kind == "insurance_consent")
    assert told and all(n["user"] != firm.account.user_id for n in told)  # the university's members

    # a stranger (another university's member), and the licensee itself, may not grant it
    stranger = await principal_of(await make_account("university", org_name="复旦大学"))  # words: data
    for who in (stranger, firm.principal):
        with pytest.raises(Forbidden) as refused:
            async with unit_of_work():
                await insurance.decide_consent(
                    principal=who, consent_id=asked.id, data=ConsentDecisionIn(expected_version=1, outcome="grant")
                )
        assert refused.value.message.code == "insurance.consent_not_patentee"
    assert (await insurance.consent_for(firm.principal.org_id, held.patent)) is None

    # a member of the patentee organisation grants it (once: again is a 409)
    colleague = await member_of(held.university, email="tto@zju.example.cn")
    async with unit_of_work():
        granted = await insurance.decide_consent(
            principal=colleague, consent_id=asked.id, data=ConsentDecisionIn(expected_version=1, outcome="grant")
        )
    assert granted.state == "granted"
    with pytest.raises(Conflict):
        async with unit_of_work():
            await insurance.decide_consent(
                principal=colleague, consent_id=asked.id, data=ConsentDecisionIn(expected_version=1, outcome="refuse")
            )
    found = await insurance.consent_for(firm.principal.org_id, held.patent)
    assert found is not None and found.decided_by == colleague.user_id

    # another firm may not ask on a licence that is not its own
    other = await sme("深圳市另一家科技有限公司")  # words: data
    with pytest.raises(NotFound):
        async with unit_of_work():
            await insurance.request_consent(principal=other.principal, licence_id=held.licence)
