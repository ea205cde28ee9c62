"""Declarations through the services, on SQLite and PostgreSQL: publish one or many, refuse with every reason,
versions, withdrawal, and the exclusive-licence rule of Art 51(3)."""

from __future__ import annotations

from datetime import date

import pytest

from listings.declarations import service as declarations
from listings.declarations.schemas import DeclareIn, TermsIn, WithdrawIn
from listings.declarations.tables import Declaration, DeclarationVersion
from listings.patents import service as patents
from listings.patents.schemas import PatentFactsIn, RecordedLicenceIn
from listings.patents.tables import RecordedLicence
from listings.search import listing as public_listings
from market import jobs
from market.audit.service import verify
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound, ValidationFailed
from market.i18n import gettext
from market.i18n.localized import sentences
from tests.conftest import Backend
from tests.listings.support import eligible, record, university

TERMS = TermsIn(payment_mode="entry_plus_royalty", entry_fee_minor=5_000_000, royalty_rate_bp=300, term_years=5)


async def declare(principal, patent_ids, terms=TERMS, publish=True):
    async with jobs.unit_of_work():
        return await declarations.declare(
            principal=principal, data=DeclareIn(patent_ids=patent_ids, terms=terms, publish=publish)
        )


async def test_declaring_many_publishes_the_eligible_and_refuses_the_others_with_all_reasons(backend: Backend) -> None:
    _, principal = await university()
    good = await record(principal, eligible())
    bad = await record(
        principal,
        eligible(
            "CN218751475U",
            title_zh="无评价报告的实用新型",
            filing_date=date(2022, 12, 2),
            grant_date=date(2023, 3, 28),
            annual_fees_paid_through=None,
            ipc_codes=[],
        ),
    )
    report = await declare(principal, [good, bad])
    assert (report.published, report.refused) == (1, 1)
    [published, refused] = report.results
    assert published.outcome == "published" and published.declaration_id
    assert {r.code for r in refused.reasons} == {"evaluation_report_missing", "annual_fees_unpaid"}
    assert all(r.article for r in refused.reasons)
    assert await Declaration.count().where(Declaration.patent == bad) == 0  # a refused patent writes nothing
    listing = await public_listings.listing(declaration_id=published.declaration_id)
    assert listing.university == "浙江大学" and sentences(listing.terms.summary, "zh").startswith("入门费")
    assert listing.ipc[0].field_en == "Measurement"
    assert listing.price_check is not None and listing.price_check.position in {"below", "within", "above"}
    actions = [
        r["action"] for r in await AuditEvent.select(AuditEvent.action).where(AuditEvent.entity_type == "declaration")
    ]
    assert actions == ["listings.declaration_published"]


async def test_a_patent_declared_by_someone_else_than_its_patentee_is_refused(backend: Backend) -> None:
    _, principal = await university("清华大学")
    patent = await record(principal, eligible())  # patentee 浙江大学
    report = await declare(principal, [patent])
    assert [r.code for r in report.results[0].reasons] == ["not_patentee"]


async def test_another_organisations_patent_cannot_be_declared(backend: Backend) -> None:
    _, owner = await university()
    _, other = await university("浙江大学城市学院")  # another organisation (one name per organisation since issue 11)
    patent = await record(owner, eligible())
    with pytest.raises(NotFound):
        await declare(other, [patent])


async def test_a_published_declaration_changes_by_new_versions_and_keeps_its_history(backend: Backend) -> None:
    _, principal = await university()
    patent = await record(principal, eligible())
    declaration_id = (await declare(principal, [patent])).results[0].declaration_id
    new_terms = TermsIn(payment_mode="running_royalty", royalty_rate_bp=450)
    async with jobs.unit_of_work():
        revised = await declarations.revise(principal=principal, declaration_id=declaration_id, terms=new_terms)
    assert revised.current_version == 2 and revised.status == "published"
    [v1, v2] = revised.versions
    assert (v1.payment_mode, v1.entry_fee_minor, v1.superseded_at is not None) == (
        "entry_plus_royalty",
        5_000_000,
        True,
    )
    assert (v2.payment_mode, v2.royalty_rate_bp, v2.superseded_at) == ("running_royalty", 450, None)
    assert "4.50%" in sentences(v2.summary, "zh")
    with pytest.raises(ValidationFailed) as caught:  # a new version is checked like a first one
        async with jobs.unit_of_work():
            await declarations.revise(
                principal=principal,
                declaration_id=declaration_id,
                terms=TermsIn(payment_mode="running_royalty", royalty_rate_bp=2500),
            )
    assert caught.value.errors[0].code == "royalty_over_cap"
    assert await DeclarationVersion.count().where(DeclarationVersion.declaration == declaration_id) == 2


async def test_a_patent_has_one_live_declaration(backend: Backend) -> None:
    _, principal = await university()
    patent = await record(principal, eligible())
    await declare(principal, [patent], publish=False)
    report = await declare(principal, [patent])
    assert [r.code for r in report.results[0].reasons] == ["already_declared"]


async def test_a_draft_is_checked_again_when_published(backend: Backend) -> None:
    _, principal = await university()
    patent = await record(principal, eligible())
    declaration_id = (await declare(principal, [patent], publish=False)).results[0].declaration_id
    assert (await declarations.get(principal=principal, declaration_id=declaration_id)).status == "draft"
    with pytest.raises(NotFound):
        await public_listings.listing(declaration_id=declaration_id)  # a draft is not public
    async with jobs.unit_of_work():
        await patents.update_facts(principal=principal, patent_id=patent, data=PatentFactsIn(pledged=True))
    with pytest.raises(ValidationFailed) as caught:
        async with jobs.unit_of_work():
            await declarations.publish(principal=principal, declaration_id=declaration_id)
    assert [e.code for e in caught.value.errors] == ["pledged_without_consent"]


async def test_withdrawal_keeps_granted_licences_and_unlocks_exclusive_licences(backend: Backend) -> None:
    _, principal = await university()
    patent = await record(principal, eligible())
    declaration_id = (await declare(principal, [patent])).results[0].declaration_id
    async with jobs.unit_of_work():
        granted = await patents.record_licence(
            principal=principal,
            patent_id=patent,
            data=RecordedLicenceIn(kind="open", licensee_name="杭州智造科技有限公司", starts_on=date.today()),
        )
    exclusive = RecordedLicenceIn(kind="exclusive", licensee_name="另一家企业", starts_on=date.today())
    with pytest.raises(Conflict) as caught:  # Art 51(3): no exclusive licence while the open licence stands
        async with jobs.unit_of_work():
            await patents.record_licence(principal=principal, patent_id=patent, data=exclusive)
    assert "第五十一条" in caught.value.detail and caught.value.errors[0].article
    before = await RecordedLicence.select().where(RecordedLicence.id == granted.id)
    async with jobs.unit_of_work():
        withdrawn = await declarations.withdraw(
            principal=principal, declaration_id=declaration_id, data=WithdrawIn(reason="转让")
        )
    assert withdrawn.status == "withdrawn"
    assert await RecordedLicence.select().where(RecordedLicence.id == granted.id) == before  # Art 50(2)
    with pytest.raises(NotFound):
        await public_listings.listing(declaration_id=declaration_id)
    async with jobs.unit_of_work():  # the open licence no longer stands: an exclusive licence may be recorded
        await patents.record_licence(principal=principal, patent_id=patent, data=exclusive)
    assert (await verify()).ok


async def test_an_exclusive_licence_in_force_blocks_a_declaration(backend: Backend) -> None:
    _, principal = await university()
    patent = await record(principal, eligible())
    async with jobs.unit_of_work():
        await patents.record_licence(
            principal=principal,
            patent_id=patent,
            data=RecordedLicenceIn(
                kind="sole", licensee_name="某企业", starts_on=date(2020, 1, 1), ends_on=date(2030, 1, 1)
            ),
        )
    report = await declare(principal, [patent])
    assert [r.code for r in report.results[0].reasons] == ["exclusive_licence_in_force"]


async def test_the_patent_page_shows_the_fee_with_the_open_licence_reduction(backend: Backend) -> None:
    _, principal = await university()
    patent = await record(principal, eligible())
    before = await patents.detail(principal=principal, patent_id=patent)
    assert before.annual_fee is not None and before.annual_fee.reduction_pct == 0
    await declare(principal, [patent])
    after = await patents.detail(principal=principal, patent_id=patent)
    assert after.annual_fee is not None
    assert (after.annual_fee.reduction_pct, after.annual_fee.reduction_source) == (15, "open_licence")
    assert after.annual_fee.due_minor == after.annual_fee.full_minor * 85 // 100
    assert "第五十一条" in gettext("zh", after.annual_fee.article)


async def test_the_demo_seed_publishes_at_least_2000_varied_listings_once(backend: Backend) -> None:
    from listings.declarations.tables import Declaration, DeclarationVersion
    from listings.demo import seed_listings
    from listings.patents.tables import Patent
    from market.seed import seed_demo

    await seed_demo()
    made = await seed_listings(data_dir=backend.settings.data_dir)
    assert made["published"] >= 2000
    assert await Declaration.count().where(Declaration.status == "published") == made["published"]
    kinds = {r["kind"] for r in await Patent.select(Patent.kind).distinct()}
    modes = {r["payment_mode"] for r in await DeclarationVersion.select(DeclarationVersion.payment_mode).distinct()}
    universities = {r["organisation"] for r in await Declaration.select(Declaration.organisation).distinct()}
    assert kinds == {"invention", "utility_model", "design"}
    assert modes == {"lump_sum", "running_royalty", "entry_plus_royalty"}
    assert len(universities) >= 5
    sources = {r["source"].split(" (")[0] for r in await Patent.select(Patent.source)}
    assert all(s.startswith("demo: ") for s in sources)  # every record says it is demo data and where it came from
    again = await seed_listings(data_dir=backend.settings.data_dir)
    assert again["created"] == 0 and await Declaration.count() == made["published"]


def test_without_the_shared_records_the_generator_makes_every_kind_labelled_as_generated() -> None:
    import random

    from listings.demo import SOURCE_GENERATED, generated_patents
    from listings.patents.service import record_values

    made = list(generated_patents(60, date(2026, 11, 22), random.Random(7)))
    kinds = {record_values(p.data, on=date(2026, 11, 22))["kind"] for p in made}
    assert kinds == {"invention", "utility_model", "design"}
    assert {p.source for p in made} == {SOURCE_GENERATED} and "generated" in SOURCE_GENERATED
    assert all("生成" in p.data.title_zh for p in made)


async def test_the_patent_list_filters_by_number_or_title_ignoring_case(backend: Backend) -> None:
    _, principal = await university()
    await record(principal, eligible())
    await record(principal, eligible("CN109637352B", title_zh="另一项专利", title_en="Another Sensor"))
    found = await patents.list_patents(principal=principal, q="cn1089")
    assert [p.number for p in found.items] == ["CN108982325B"]
    assert [p.number for p in (await patents.list_patents(principal=principal, q="sensor")).items] == ["CN109637352B"]
    assert (await patents.list_patents(principal=principal, q="防污屏障")).total == 1
