"""The demo seeds: the demo SME holds ``specialised`` (verified) and ``tech_sme`` with generated PDFs and expiry
next year; the demo SME and the demo providers have recorded facts that relate nothing (the journey's licence may
be paid by voucher); both seeds run twice write once. Services on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from finance.parties import service as parties
from finance.qualifications import service as qualifications
from listings.demo import shared_data_dir
from market import jobs
from market.kit.files import evidence_type
from market.orgs import service as orgs
from market.orgs.schemas import OrgKind
from market.seed import DEMO_ORGS, seed_demo


@pytest.mark.usefixtures("backend")
async def test_the_demo_sme_qualifications_and_unrelated_facts() -> None:
    await seed_demo()
    sme_name = next(name for kind, name, _, _ in DEMO_ORGS if kind is OrgKind.sme)
    providers = [name for kind, name, _, _ in DEMO_ORGS if kind in (OrgKind.university, OrgKind.service_provider)]
    for _ in range(2):
        async with jobs.unit_of_work():
            await qualifications.seed_demo(sme_name=sme_name)
            await parties.seed_demo(org_names=providers, sme_name=sme_name)
    sme = await orgs.find_org(sme_name)
    assert sme is not None
    today = qualifications.today()
    check = await qualifications.holds(sme.id, ["specialised", "tech_sme", "high_tech"], on=today)
    assert (check.held, check.verified) == (("specialised", "tech_sme"), ("specialised",))
    assert check.missing == ("high_tech",)
    assert all(r.expires_on == today + timedelta(days=365) for r in check.records)
    assert len(await qualifications.held(sme.id, on=today + timedelta(days=366))) == 0
    for row in check.records:
        found = await qualifications.repository.content_of(row.id)
        assert found is not None and evidence_type(found.content) == "application/pdf"
        assert found.content.rstrip().endswith(b"%%EOF")
    assert len((await parties.parties_of(sme.id)).shareholders) == 2
    for name in providers:
        org = await orgs.find_org(name)
        assert org is not None
        assert (await parties.parties_of(org.id)).facts is not None
        assert await parties.related(sme.id, org.id) == [], name


def test_no_demo_representative_is_an_inventor_of_the_demo_patents() -> None:
    """The demo universities' patents come from the shared CNKI records: none of their inventors is named like the
    demo SME's shareholders, so the demo journey's university is not found related by name."""
    shared = shared_data_dir()
    if shared is None:
        pytest.skip("no shared data beside the project")
    with (shared / "cn_cnki_company_patent_lists.csv").open(encoding="utf-8") as f:
        inventors = {n.strip() for row in csv.DictReader(f) for n in row["inventors"].replace("；", ";").split(";")}
    assert not inventors & set(parties.DEMO_REPS)
