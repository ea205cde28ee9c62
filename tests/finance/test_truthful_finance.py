"""Truthful listings in finance (issue 11, deliverable 6): the contract says only what is true when it is made
(published on the platform, CNIPA's announcement pending, or its number and date once recorded); a running royalty
on profit is reported and invoiced like one on net sales; royalty reports take integer minor units only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from finance.contracts import service as contracts
from finance.licences import service as licences
from finance.licences.schemas import LicenceRequestIn
from finance.licences.tables import Licence
from finance.payments.schemas import PaymentStartIn
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn
from finance.royalties.tables import RoyaltyReport
from listings.declarations import filing
from listings.declarations.schemas import CnipaAnnouncementIn
from market.errors import ValidationFailed
from market.integrations.pdf.render import render_html
from market.jobs import unit_of_work
from tests.conftest import Backend, make_account, sign_in
from tests.finance.support import ROYALTY, firm, offer, principal_of

PROFIT = {"payment_mode": "running_royalty", "royalty_rate_bp": 4000, "royalty_base": "profit"}


def request(declaration_id: int) -> LicenceRequestIn:
    return LicenceRequestIn(
        declaration_id=declaration_id,
        declaration_version=1,
        accept_terms=True,
        licensee_credit_code="91440300MA5G7K3M2Q",
        licensee_address="深圳市南山区创新路 16 号",
    )


def last_ended_quarter(today: date) -> tuple[date, date]:
    this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    end = this_quarter - timedelta(days=1)
    return date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end


async def _started_last_quarter(licence_id: int) -> tuple[date, date]:
    """The licence began at the start of the last quarter that has ended, so a whole quarter can be reported."""
    start, end = last_ended_quarter(date.today())
    await Licence.update({Licence.starts_on: start}).where(Licence.id == licence_id)
    return start, end


async def test_the_contract_says_cnipa_announcement_pending_until_it_is_recorded(backend: Backend, job_queue) -> None:
    uni, _, declaration_id = await offer(ROYALTY)
    sme = await firm()
    async with unit_of_work():
        taken = await licences.request_licence(principal=sme, data=request(declaration_id))
    licence = await licences.licence_by_id(taken.id)
    assert licence is not None and licence.status == "active"

    before = render_html(contracts.CONTRACT, await contracts.contract_context(licence))
    assert "在本平台发布" in before and "国家知识产权局的公告尚待作出" in before
    assert "CNIPA's announcement is pending" in before
    assert "国家知识产权局已于" not in before and "CNIPA announced" not in before

    async with unit_of_work():
        await filing.record_announcement(
            principal=uni,
            declaration_id=declaration_id,
            data=CnipaAnnouncementIn(number="CN-OL-2026-0042", announced_on=date.today()),
        )
    after = render_html(contracts.CONTRACT, await contracts.contract_context(licence))
    assert "国家知识产权局已于" in after and "公告号 CN-OL-2026-0042" in after
    assert "CNIPA announced the declaration on" in after and "No. CN-OL-2026-0042" in after
    assert "尚待作出" not in after


async def test_a_royalty_on_profit_is_reported_capped_and_invoiced_like_one_on_net_sales(
    backend: Backend, job_queue
) -> None:
    uni, _, declaration_id = await offer(PROFIT)
    sme = await firm()
    async with unit_of_work():
        taken = await licences.request_licence(principal=sme, data=request(declaration_id))
    assert taken.royalty_base == "profit" and taken.status == "active"
    assert any(t.code == "declaration.terms.running_royalty_profit" for t in taken.terms)
    start, end = await _started_last_quarter(taken.id)

    with pytest.raises(ValidationFailed) as wrong:  # the licence's royalty is on profit: net sales will not do
        async with unit_of_work():
            await royalties.file_report(
                principal=sme,
                licence_id=taken.id,
                data=RoyaltyReportIn(period_start=start, period_end=end, net_sales_minor=500_000_00),
            )
    assert [(e.field, e.code) for e in wrong.value.errors] == [("profit_minor", "wrong_base")]
    async with unit_of_work():
        report = await royalties.file_report(
            principal=sme,
            licence_id=taken.id,
            data=RoyaltyReportIn(period_start=start, period_end=end, profit_minor=123_456_78),
        )
    assert (report.base, report.profit_minor, report.net_sales_minor) == ("profit", 123_456_78, None)
    assert (report.rate_bp, report.royalty_due_minor, report.status) == (4000, 49_382_71, "invoiced")  # 40%
    async with unit_of_work():
        invoice = await royalties.pay(
            principal=sme, licence_id=taken.id, report_id=report.id, data=PaymentStartIn(method="bank_transfer")
        )
    assert (invoice.purpose, invoice.amount_minor) == ("royalty", 49_382_71)
    [listed] = await royalties.list_reports(principal=uni, licence_id=taken.id)
    assert listed.base == "profit" and listed.profit_minor == 123_456_78


async def test_a_royalty_on_net_sales_still_reports_net_sales(backend: Backend, job_queue) -> None:
    _, _, declaration_id = await offer(ROYALTY)
    sme = await firm()
    async with unit_of_work():
        taken = await licences.request_licence(principal=sme, data=request(declaration_id))
    start, end = await _started_last_quarter(taken.id)
    with pytest.raises(ValidationFailed):
        async with unit_of_work():
            await royalties.file_report(
                principal=sme,
                licence_id=taken.id,
                data=RoyaltyReportIn(period_start=start, period_end=end, profit_minor=1_000),
            )
    with pytest.raises(ValidationError):  # one amount, not both
        RoyaltyReportIn(period_start=start, period_end=end, profit_minor=1, net_sales_minor=1)


@pytest.mark.parametrize("value", [100000.0, "100000", True])
async def test_the_royalty_report_api_refuses_money_that_is_not_an_integer_and_writes_nothing(
    backend: Backend, client: Any, value: Any
) -> None:
    _, _, declaration_id = await offer(ROYALTY)
    account = await make_account("sme", org_name="深圳市青禾智能科技有限公司")
    sme = await principal_of(account)
    async with unit_of_work():
        taken = await licences.request_licence(principal=sme, data=request(declaration_id))
    start, end = await _started_last_quarter(taken.id)
    await sign_in(client, account)
    r = await client.send_json(
        "POST",
        f"/api/licences/{taken.id}/royalty-reports",
        {"period_start": start.isoformat(), "period_end": end.isoformat(), "net_sales_minor": value},
    )
    assert r.status_code in (400, 422), r.text
    errors = r.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("net_sales_minor", "validation.int_type")], errors
    assert await RoyaltyReport.count() == 0
    ok = await client.send_json(
        "POST",
        f"/api/licences/{taken.id}/royalty-reports",
        {"period_start": start.isoformat(), "period_end": end.isoformat(), "net_sales_minor": 100000},
    )
    assert ok.status_code in (200, 201), ok.text
    assert await RoyaltyReport.count() == 1
