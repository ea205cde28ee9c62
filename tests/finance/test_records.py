"""The finance repositories return frozen records of their declared types, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from finance.contracts import repository as contracts_repo
from finance.licences import repository as licences_repo
from finance.licences import service as licences
from finance.payments import repository as payments_repo
from finance.payments import service as payments
from finance.payments.schemas import PaymentStartIn
from finance.royalties import repository as royalties_repo
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn
from market.jobs import unit_of_work
from tests.conftest import Backend
from tests.finance.support import ENTRY, admin, drain, firm, offer
from tests.finance.test_licence_flow import request
from tests.support.typed_records import assert_typed


async def test_finance_repositories_return_typed_frozen_records(backend: Backend, job_queue, quarters_ended) -> None:
    _, _, declaration_id = await offer(ENTRY)
    sme = await firm()
    async with unit_of_work():
        licence = await licences.request_licence(principal=sme, data=request(declaration_id))
        payment = await payments.start(
            principal=sme, licence_id=licence.id, data=PaymentStartIn(method="bank_transfer")
        )
    [open_transfer] = await payments_repo.open_bank_references()
    assert_typed(open_transfer)  # still awaiting the payer: no succeeded_at
    async with unit_of_work():
        await payments.confirm_bank_transfer(principal=await admin(), payment_id=payment.id)
    await drain()  # activation renders the contract
    async with unit_of_work():
        await royalties.file_report(
            principal=sme,
            licence_id=licence.id,
            data=RoyaltyReportIn(
                period_start=date.today(), period_end=licences.quarter_end(date.today()), net_sales_minor=100_000
            ),
        )
        event_id = await payments_repo.store_event(
            provider="stripe",
            event_id="evt_records",
            type_="payment_intent.created",
            object_id="pi_x",
            payload={"id": "evt_records", "data": {"object": {"id": "pi_x"}}},
        )
    assert event_id is not None

    stored = await licences_repo.get(licence.id)
    assert stored is not None and stored.status == "active" and stored.starts_on == date.today()
    assert stored == await licences_repo.get_for_update(licence.id)
    assert [stored] == await licences_repo.for_org(stored.licensee, side="licensee")
    assert [stored] == await licences_repo.active_starting_between(date.today(), date.today())
    assert [stored] == await licences_repo.active_with_royalty()
    assert {stored.id: stored} == await licences_repo.by_ids([stored.id])
    paid = await payments_repo.get(payment.id)
    assert paid is not None and paid.status == "succeeded" and paid.succeeded_at is not None
    assert [paid] == await payments_repo.succeeded_for_licences([licence.id])
    [report] = await royalties_repo.for_licence(licence.id)
    contract = await contracts_repo.for_licence(licence.id)
    event = await payments_repo.get_event(event_id)
    assert contract is not None and event is not None
    assert event.payload == {"id": "evt_records", "data": {"object": {"id": "pi_x"}}}  # JSON loaded
    for record in (stored, paid, report, contract, event):
        assert_typed(record)
