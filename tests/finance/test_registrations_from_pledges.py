"""From the accepted offer to the registration: ``pledges.accepted`` renders the contract and the form on the
offer's terms (amount, rate, term) for the application's patents; an offer whose term runs past a patent's expiry
is refused (CNIPA ground 06), whatever the term applied for. Both databases."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import Any

import pytest

from finance.exports import service as exports
from finance.pledges import service as pledges
from finance.pledges.schemas import ApprovalIn, DraftIn, MoveIn, OfferIn, ProposalIn, SubmitIn
from finance.registrations import service as registrations
from finance.signatures import service as signing
from listings.patents import service as patents
from market.errors import ValidationFailed
from market.jobs import unit_of_work
from tests.finance.pledge_support import SALES, bank, draft, sme
from tests.finance.support import drain
from tests.finance.test_exports import unzip
from tests.finance.test_pledge_flow import complete_checklist

pytestmark = pytest.mark.usefixtures("backend")


async def approved() -> tuple[Any, Any, Any]:
    """An application of the SME's good patent, approved by the bank's checker."""
    lender, applicant = await bank(), await sme()
    app = await draft(applicant, lender.product_id, applicant.good)
    async with unit_of_work():
        app = await pledges.edit(
            principal=applicant.principal,
            application_id=app.id,
            data=DraftIn(
                expected_version=app.version,
                patent_ids=[applicant.good],
                amount_minor=app.amount_minor,
                term_months=12,
                annual_net_sales_minor=SALES,
            ),
        )
    await complete_checklist(applicant, app.id)
    async with unit_of_work():
        app = await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )
        app = await pledges.start_review(
            principal=lender.maker, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
        app = await pledges.propose(
            principal=lender.maker,
            application_id=app.id,
            data=ProposalIn(expected_version=app.version, amount_minor=app.amount_minor, rate_bp=420, term_months=12),
        )
    proposal = next(d for d in app.decisions if d.kind == "proposal")
    async with unit_of_work():
        app = await pledges.approve(
            principal=lender.checker,
            application_id=app.id,
            data=ApprovalIn(expected_version=app.version, proposal_id=proposal.id),
        )
    return lender, applicant, app


async def test_an_offer_running_past_the_patents_expiry_is_refused_with_ground_06() -> None:
    lender, applicant, app = await approved()
    soon = date.today() + timedelta(days=700)  # the patent's term ends in under two years
    async with unit_of_work():
        await patents.update_patent(applicant.good, {"expiry_date": soon})
    months = 24
    with pytest.raises(ValidationFailed) as caught:
        async with unit_of_work():
            await pledges.offer(
                principal=lender.maker,
                application_id=app.id,
                data=OfferIn(
                    expected_version=app.version,
                    amount_minor=app.amount_minor,
                    rate_bp=420,
                    term_months=months,
                    expires_on=date.today() + timedelta(days=14),
                ),
            )
    refused = [e for e in caught.value.errors if e.code == "pledge.ground.06"]
    assert refused and refused[0].field == "term_months" and refused[0].article == "law.pledge.reg461.ground06"
    again = await pledges.get(principal=applicant.principal, application_id=app.id)
    assert again.state == "approved"  # nothing written


async def test_the_accepted_offer_becomes_the_registration_with_its_contract_and_form() -> None:
    lender, applicant, app = await approved()
    async with unit_of_work():
        app = await pledges.offer(
            principal=lender.maker,
            application_id=app.id,
            data=OfferIn(
                expected_version=app.version,
                amount_minor=app.amount_minor - 1_000_000,
                rate_bp=415,
                term_months=11,
                expires_on=date.today() + timedelta(days=14),
            ),
        )
        app = await pledges.accept(
            principal=applicant.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
    await drain()
    reg = await registrations.registration_of_application(app.id)
    assert reg is not None and reg.state == "awaiting_signatures"
    assert (reg.pledgor, reg.pledgee) == (applicant.principal.org_id, lender.maker.org_id)
    assert (reg.amount_minor, reg.rate_bp, reg.term_months) == (app.amount_minor - 1_000_000, 415, 11)
    assert await registrations.patents_of(reg.id) == [applicant.good]
    assert [d.kind for d in await registrations.documents(reg.id)] == ["pledge_contract", "pledge_registration_form"]


async def test_the_package_carries_the_sealed_registration_documents_and_who_signed_them() -> None:
    """Once accepted, the application's package holds the sealed contract and form (their SHA-256 in the manifest,
    as stored) and each party's signature of each; before the registration it holds neither."""
    lender, applicant, app = await approved()
    before = unzip((await exports.package(principal=lender.maker, application_id=app.id)).content)
    assert not [p for p in before if p.startswith("registration/")]
    async with unit_of_work():
        app = await pledges.offer(
            principal=lender.maker,
            application_id=app.id,
            data=OfferIn(
                expected_version=app.version,
                amount_minor=app.amount_minor,
                rate_bp=415,
                term_months=11,
                expires_on=date.today() + timedelta(days=14),
            ),
        )
        app = await pledges.accept(
            principal=applicant.principal, application_id=app.id, data=MoveIn(expected_version=app.version)
        )
    await drain()
    reg = await registrations.registration_of_application(app.id)
    assert reg is not None
    async with unit_of_work():
        await registrations.sign(principal=applicant.principal, registration_id=reg.id, expected_version=reg.version)

    files = unzip((await exports.package(principal=applicant.principal, application_id=app.id)).content)
    listed = {f["path"]: f["sha256"] for f in json.loads(files["manifest.json"])["files"]}
    stored = {d.kind: d.sha256 for d in await registrations.documents(reg.id)}
    for kind in ("pledge_contract", "pledge_registration_form"):
        content = files[f"registration/{kind}.pdf"]
        assert hashlib.sha256(content).hexdigest() == stored[kind] == listed[f"registration/{kind}.pdf"]
        assert (await signing.verify(content)).valid
    signed = json.loads(files["registration/signatures.json"])
    assert {(s["document_kind"], s["organisation"]) for s in signed} == {
        (kind, applicant.principal.org_id) for kind in ("pledge_contract", "pledge_registration_form")
    }
    assert all(s["sha256"] == stored[s["document_kind"]] for s in signed)
